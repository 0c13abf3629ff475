"""A code question's example past its prose (across a chunk boundary) becomes a candidate too."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from index.query.code_after import code_after, code_after_prose
from index.query.engine import Engine
from index.query.features import FeatureRows
from index.query.records import QuoteParams
from index.query.unit_facts import UnitFacts

# unit: (doc, display, code, heading path)
UNITS = [
    (0, "You can cap the pool with the `limits` argument.", False, "Pool"),
    (0, "It takes an instance of `Limits`, which defines:", False, "Pool"),
    (0, "`max_connections`, the most connections at once.", False, "Pool"),
    # --- a chunk boundary may fall anywhere here ---
    (0, "limits = Limits(max_connections=10)", True, "Pool"),
    (0, "Timeouts are separate from the pool.", False, "Timeouts"),
    (0, "You can configure the timeout behaviour...", False, "Timeouts"),
    (0, "timeout = Timeout(10.0)", True, "Timeouts"),
    (0, "A section with no example.", False, "Retries"),
    (1, "limits = Limits()", True, "Retries"),  # another document
]


def context() -> SimpleNamespace:
    backend = SimpleNamespace(
        n_units=len(UNITS),
        unit=lambda i: SimpleNamespace(doc=UNITS[i][0]),
        unit_display=lambda i: UNITS[i][1],
    )
    facts = lambda i: UnitFacts(code=UNITS[i][2], context=UNITS[i][3])  # noqa: E731
    return SimpleNamespace(backend=backend, texts=SimpleNamespace(facts=facts))


def test_the_first_code_block_after_prose_in_its_section() -> None:
    assert code_after(context(), 0, 12) == 3  # past the lead-in of the list and the list
    assert code_after(context(), 2, 12) == 3
    assert code_after(context(), 5, 12) == 6  # the block's own lead-in


def test_no_block_past_the_section_the_reach_or_another_lead_in() -> None:
    assert code_after(context(), 0, 2) is None  # the block is 3 units away
    assert code_after(context(), 7, 12) is None  # the next block is in another document
    assert code_after(context(), 4, 12) is None  # "You can configure …..." leads into that block, not this
    assert code_after(context(), 8, 12) is None  # nothing after the last unit


FILLER = " ".join(
    f"The {word} setting changes how the pool treats {word} connections, and it is read once when the client starts."
    for word in ("idle", "spare", "stale", "fresh", "borrowed", "secure", "plain", "pending")
)

POOL = f"""# Client

## Connection pool

You can cap how many connections the pool keeps open with the `limits` argument of the client.
Each limit below is read when the client starts:

- `max_connections`, the most connections open at once (default 100).
- `max_idle_connections`, the most idle connections kept (default 20).

{FILLER}

```python
limits = Limits(max_connections=10)
client = Client(limits=limits)
```

## Timeouts

Requests wait at most ten seconds for a connection from the pool by default, and you can change the timeout of each phase:

```python
client = Client(timeout=Timeout(10.0, pool=2.0))
```
"""


@pytest.mark.model
def test_a_code_question_gets_the_example_after_its_prose(one_page_index, real_embedder) -> None:  # noqa: ANN001
    settings = one_page_index("client.md", POOL)
    question = "example of capping the connection pool at 10 connections?"
    quotes = {}
    for code_after_n in (3, 0):  # candidates from the best passage only, as when many passages compete
        params = QuoteParams(code_after=code_after_n, passages=1)
        engine = Engine.open(settings, embedder=real_embedder, quotes=params)
        state = engine.retrieve(question)
        units = [c.unit for c in state.candidates]
        limits = next(i for i in range(engine.backend.n_units) if "Limits(max_connections=10)" in engine.backend.unit_display(i))
        quotes[code_after_n] = (limits in units, engine.ask(question).citations[0].quote)
    assert quotes[0] == (False, quotes[0][1]) and "Limits(" not in quotes[0][1]  # the example opens the next chunk
    assert quotes[3][0] is True and "Limits(max_connections=10)" in quotes[3][1]


@pytest.mark.model
def test_a_prose_question_keeps_its_candidates(one_page_index, real_embedder) -> None:  # noqa: ANN001
    settings = one_page_index("client.md", POOL)
    question = "how many connections does the pool keep open by default?"
    answers = []
    for code_after_n in (3, 0):
        params = QuoteParams(code_after=code_after_n, passages=1)
        engine = Engine.open(settings, embedder=real_embedder, quotes=params)
        state = engine.retrieve(question)
        answers.append(([(c.unit, round(c.score, 6)) for c in state.candidates], engine.ask(question).citations[0].quote))
    assert answers[0] == answers[1]


def test_the_stage_leaves_prose_questions_and_code_after_0_alone() -> None:
    rows = FeatureRows.from_columns({"cos": [0.5]})
    for question, params in (("why does the pool close idle connections?", QuoteParams()),
                             ("example of capping the pool?", QuoteParams(code_after=0))):
        state = SimpleNamespace(question=question, rows=rows, meta=[(0, 0)], passages=[0])
        code_after_prose(SimpleNamespace(quotes=params), state)  # no backend: it must not look
        assert state.rows is rows and state.meta == [(0, 0)]
