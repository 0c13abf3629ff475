"""A passage that ends in code or a lead-in also offers the first units of the chunk after it."""

from __future__ import annotations

from types import SimpleNamespace

from index.query.quotes import spill
from index.query.unit_facts import UnitFacts

# unit: (doc, display, code, lead_in, context)
UNITS = [
    (0, "Use `async with httpx.AsyncClient()` if you want a context-managed client...", False, False, "Async > Opening"),
    (0, "async with httpx.AsyncClient() as client:\n    ...", True, False, "Async > Opening"),
    # --- the chunk boundary falls here ---
    (0, "In order to get the most benefit from connection pooling, make sure ...", False, False, "Async > Opening"),
    (0, "This can be achieved by having a single scoped client.", False, False, "Async > Opening"),
    (0, "Another sentence of the same section.", False, False, "Async > Opening"),
    (0, "Another section starts.", False, False, "Async > Streaming"),
    (1, "You can set timeouts like this:", False, True, "Timeouts"),
    (2, "A new document.", False, False, "Other"),
]


def context() -> SimpleNamespace:
    backend = SimpleNamespace(
        n_units=len(UNITS),
        unit=lambda i: SimpleNamespace(doc=UNITS[i][0]),
        unit_display=lambda i: UNITS[i][1],
    )
    facts = lambda i: UnitFacts(code=UNITS[i][2], lead_in=UNITS[i][3], context=UNITS[i][4])  # noqa: E731
    return SimpleNamespace(backend=backend, texts=SimpleNamespace(facts=facts))


def test_a_passage_ending_in_code_takes_in_the_next_units_of_its_section() -> None:
    assert spill(context(), 0, 2, 3) == 5  # the warning after the example and what follows, up to 3


def test_spill_stops_at_a_new_section_or_document_and_at_its_budget() -> None:
    assert spill(context(), 0, 2, 10) == 5  # unit 5 is under another heading
    assert spill(context(), 6, 7, 3) == 7  # a lead-in whose next unit is in another document
    assert spill(context(), 0, 2, 1) == 3


def test_a_passage_ending_in_prose_or_spill_off_keeps_its_own_units() -> None:
    assert spill(context(), 2, 4, 3) == 4  # it ends in a plain sentence
    assert spill(context(), 0, 2, 0) == 2  # QuoteParams(spill=0)
    assert spill(context(), 0, len(UNITS), 3) == len(UNITS)  # nothing after the last unit
