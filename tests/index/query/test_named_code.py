"""A code ask naming the code: a block that holds the named identifier goes before a best one that does not."""

from __future__ import annotations

from types import SimpleNamespace

from index.query.cues import holds_identifier
from index.query.named_code import named_code_first
from index.query.records import Candidate, QuoteParams

# unit: (kind, display)
UNITS = [
    ("code", 'echo "Some **Markdown** text." | python -m markdown | justhtml - --fragment > out.html'),
    ("code", "from justhtml import JustHTML\nsafe_html = JustHTML(html, fragment=True).to_html()"),
    ("paragraph", "`JustHTML` is recommended as a sanitizer on the output of `markdown.markdown`."),
    ("code", "import nh3\nsafe_html = nh3.clean(html)"),
]


def context(named_code: bool = True) -> SimpleNamespace:
    backend = SimpleNamespace(
        unit=lambda i: SimpleNamespace(kind=UNITS[i][0], display=UNITS[i][1]),
        unit_display=lambda i: UNITS[i][1],
    )
    return SimpleNamespace(backend=backend, quotes=QuoteParams(named_code=named_code))


def cand(unit: int, score: float) -> Candidate:
    return Candidate(unit, score, 0.5, 0.5, 1.0, 0, unit)


def state(question: str, *candidates: Candidate) -> SimpleNamespace:
    return SimpleNamespace(question=question, asks=False, candidates=list(candidates))


ASK = "example of cleaning the html output with JustHTML"


def test_identifiers_are_matched_as_the_question_spells_them() -> None:
    assert holds_identifier("safe_html = JustHTML(html).to_html()", ["JustHTML"])
    assert not holds_identifier("markdown | justhtml - --fragment", ["JustHTML"])  # the command, not the class
    assert holds_identifier("client.post('/api', json={})", ["json="])  # a keyword argument by its name


def test_the_block_that_names_the_code_goes_first_and_the_best_second() -> None:
    s = state(ASK, cand(0, 0.66), cand(2, 0.2), cand(1, 0.05))
    named_code_first(context(), s)
    assert [(c.unit, c.score) for c in s.candidates] == [(1, 0.66), (0, 0.05), (2, 0.2)]


def test_nothing_moves_unless_a_code_ask_names_code_the_best_lacks_and_a_block_holds() -> None:
    cases = [
        ("why is JustHTML recommended as a sanitizer?", [cand(0, 0.7), cand(1, 0.2)]),  # no ask for code
        ("example of cleaning the html output", [cand(0, 0.7), cand(1, 0.2)]),  # names no identifier
        (ASK, [cand(1, 0.7), cand(0, 0.2)]),  # the best one holds it already
        (ASK, [cand(0, 0.7), cand(2, 0.2)]),  # prose holds it, no block does
        (ASK, [cand(0, 0.7), cand(3, 0.2)]),  # another block, without it
        (ASK, [cand(0, 0.95), cand(1, 0.02)]),  # rated under 5 % of the best
    ]
    for question, candidates in cases:
        s = state(question, *candidates)
        named_code_first(context(), s)
        assert s.candidates == candidates, (question, candidates)
    s = state(ASK, cand(0, 0.7), cand(1, 0.2))
    named_code_first(context(named_code=False), s)
    assert [c.unit for c in s.candidates] == [0, 1]

