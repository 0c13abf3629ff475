"""A why question whose best candidate states the rule: the reason of the same section goes first."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from index.query.engine import Engine
from index.query.reasons import reason_first, states_reason
from index.query.records import Candidate, QuoteParams
from index.query.unit_facts import UnitFacts


def test_a_reason_is_said_with_an_explicit_marker() -> None:
    assert states_reason("We prefer a stricter API here because it provides clearer expectations.")
    assert states_reason("Files are opened in binary mode so that the length is known.")
    assert states_reason("This is so that redirects never surprise you.")
    # weaker words are no reason: a rule, an alternative, advice
    assert not states_reason("Cookies should always be set on the client rather than per request.")
    assert not states_reason("Use `httpx.Client()` instead of `requests.Session()`.")
    assert not states_reason("While permitted, it's advised to avoid passing unicode header values.")


# unit: (doc, kind, display, heading path)
UNITS = [
    (0, "paragraph", "Cookies should always be set on the client, not per request.", "Compat > Cookies"),
    (0, "code", "client = httpx.Client(cookies=...)", "Compat > Cookies"),
    (0, "paragraph", "We prefer a stricter API here because it makes cookie persistence clear.", "Compat > Cookies"),
    (0, "paragraph", "Redirects are not followed because they can mask network calls.", "Compat > Redirects"),
    (1, "paragraph", "Sessions persist cookies because they share a jar.", "Other > Cookies"),
]


def context(reasons: bool = True) -> SimpleNamespace:
    backend = SimpleNamespace(
        unit=lambda i: SimpleNamespace(doc=UNITS[i][0], kind=UNITS[i][1], display=UNITS[i][2]),
        unit_display=lambda i: UNITS[i][2],
    )
    facts = lambda i: UnitFacts(code=UNITS[i][1] == "code", context=UNITS[i][3])  # noqa: E731
    return SimpleNamespace(backend=backend, texts=SimpleNamespace(facts=facts), quotes=QuoteParams(reasons=reasons))


def cand(unit: int, score: float) -> Candidate:
    return Candidate(unit, score, 0.5, 0.5, 1.0, 0, unit)


def state(question: str, *candidates: Candidate) -> SimpleNamespace:
    return SimpleNamespace(question=question, asks=True, candidates=list(candidates))


WHY = "what's the reason httpx wants cookies set on the client and not per request?"


def test_the_reason_of_the_rules_section_goes_first_and_the_rule_second() -> None:
    s = state(WHY, cand(0, 0.7), cand(1, 0.1), cand(2, 0.15), cand(3, 0.05))
    reason_first(context(), s)
    assert [(c.unit, c.score) for c in s.candidates] == [(2, 0.7), (0, 0.15), (1, 0.1), (3, 0.05)]


def test_nothing_moves_unless_a_why_questions_best_gives_no_reason_and_its_section_does() -> None:
    cases = [
        ("how do I set cookies on the client?", [cand(0, 0.7), cand(2, 0.2)]),  # not a why question
        (WHY, [cand(2, 0.7), cand(0, 0.2)]),  # the best one gives the reason already
        (WHY, [cand(0, 0.7), cand(3, 0.2)]),  # the reason is another section's
        (WHY, [cand(0, 0.7), cand(4, 0.2)]),  # … or another document's
        (WHY, [cand(0, 0.95), cand(2, 0.02)]),  # rated under 5 % of the best
    ]
    for question, candidates in cases:
        s = state(question, *candidates)
        reason_first(context(), s)
        assert s.candidates == candidates, (question, candidates)
    s = state(WHY, cand(0, 0.7), cand(2, 0.2))
    reason_first(context(reasons=False), s)
    assert [c.unit for c in s.candidates] == [0, 2]


COMPAT = """# Compatibility

## Cookies

If you use a client instance, cookies should always be set on the client rather than on each request.

```python
client = httpx.Client(cookies=...)
```

We prefer cookies set on the client because it gives clearer expectations around cookie persistence.

## Redirects

Redirects are not followed unless you ask for them.
"""


@pytest.mark.model
def test_a_why_question_gets_the_reason_not_the_rule(one_page_index, real_embedder) -> None:  # noqa: ANN001
    settings = one_page_index("compatibility.md", COMPAT)
    question = "why must cookies be set on the client and not on each request?"
    firsts = {}
    for reasons in (True, False):
        engine = Engine.open(settings, embedder=real_embedder, quotes=QuoteParams(reasons=reasons))
        firsts[reasons] = engine.ask(question).citations[0].quote
    assert "because it gives clearer expectations" in firsts[True]
    assert "because" not in firsts[False]  # the rankers alone quote the rule
