"""A question that pastes an error the docs show: the prose after the error goes first, not the error."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from index.query.engine import Engine
from index.query.records import Candidate, QuoteParams
from index.query.symptoms import quoted_errors, shows_error, symptom_first
from index.query.unit_facts import UnitFacts

ERROR = 'httpx.ConnectError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed'


def test_what_a_question_quotes_of_an_error() -> None:
    assert quoted_errors("httpx keeps throwing CERTIFICATE_VERIFY_FAILED, can I skip the check?") == [
        "CERTIFICATE_VERIFY_FAILED"]
    assert quoted_errors("getting 'The handshake operation timed out' through our proxy, why?") == [
        "The handshake operation timed out"]
    assert quoted_errors("why do I get a ConnectError here?") == ["ConnectError"]
    assert quoted_errors("how do I set a timeout?") == []


def test_a_block_shows_an_error_when_a_line_reports_it() -> None:
    console = f'>>> httpx.get("https://expired.badssl.com/")\n{ERROR}'
    assert shows_error(console, ["CERTIFICATE_VERIFY_FAILED"])
    assert shows_error(console, ["certificate_verify_failed"])  # case does not matter
    # an example that only names the thing is no error report
    assert not shows_error("export HTTP_PROXY=http://proxy:3128", ["HTTP_PROXY"])
    assert not shows_error(console, ["The handshake operation timed out"])


# unit: (doc, kind, display, heading path)
UNITS = [
    (0, "paragraph", "By default httpx will verify HTTPS connections...", "SSL > Verification"),
    (0, "code", f">>> httpx.get(url)\n{ERROR}", "SSL > Verification"),
    (0, "paragraph", "You can disable SSL verification completely...", "SSL > Verification"),
    (0, "code", ">>> httpx.get(url, verify=False)", "SSL > Verification"),
    (0, "code", f"{ERROR}", "SSL > Client"),  # the error again, the last unit of its section
    (0, "paragraph", "Configuring a client instance.", "SSL > Another"),
]


def context(symptoms: bool = True) -> SimpleNamespace:
    backend = SimpleNamespace(
        n_units=len(UNITS),
        unit=lambda i: SimpleNamespace(doc=UNITS[i][0], kind=UNITS[i][1]),
        unit_display=lambda i: UNITS[i][2],
    )
    facts = lambda i: UnitFacts(code=UNITS[i][1] == "code", context=UNITS[i][3])  # noqa: E731
    return SimpleNamespace(backend=backend, texts=SimpleNamespace(facts=facts), quotes=QuoteParams(symptoms=symptoms))


def cand(unit: int, score: float, row: int) -> Candidate:
    return Candidate(unit, score, 0.5, 0.5, 1.0, 0, row)


def state(question: str, *candidates: Candidate) -> SimpleNamespace:
    return SimpleNamespace(question=question, asks=True, candidates=list(candidates))


QUESTION = "our staging box throws CERTIFICATE_VERIFY_FAILED, can I skip the check?"


def test_the_prose_after_the_error_goes_first_with_its_score() -> None:
    s = state(QUESTION, cand(1, 0.8, 0), cand(3, 0.15, 1), cand(2, 0.05, 2))
    symptom_first(context(), s)
    assert [(c.unit, c.score, c.row) for c in s.candidates] == [(2, 0.8, 2), (1, 0.05, 0), (3, 0.15, 1)]


def test_the_prose_after_the_error_need_not_be_a_candidate() -> None:
    s = state(QUESTION, cand(1, 0.8, 0), cand(3, 0.2, 1))
    symptom_first(context(), s)
    assert [c.unit for c in s.candidates] == [2, 1, 3]
    assert s.candidates[0].row == -1 and s.candidates[0].score == 0.8


def test_nothing_moves_without_an_error_report_in_the_best_candidate() -> None:
    order = [cand(1, 0.8, 0), cand(2, 0.2, 1)]
    for question, candidates in (
        ("how do I verify certificates?", order),  # the question quotes no error
        (QUESTION, [cand(0, 0.8, 0), cand(1, 0.2, 1)]),  # the best candidate is prose
        ("getting 'The handshake operation timed out', why?", order),  # the block shows another error
        (QUESTION, [cand(4, 0.8, 0), cand(2, 0.2, 1)]),  # nothing follows it under its heading
    ):
        s = state(question, *candidates)
        symptom_first(context(), s)
        assert s.candidates == candidates, question
    s = state(QUESTION, *order)
    symptom_first(context(symptoms=False), s)
    assert s.candidates == order


TROUBLESHOOTING = """# Troubleshooting

## Certificates

By default the client verifies HTTPS connections, and raises an error for invalid certificates:

```pycon
>>> client.get("https://expired.example.com/")
client.ConnectError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired
```

You can turn off certificate verification for a test server with `verify=False`.

## Timeouts

A request that takes longer than five seconds raises `ReadTimeout`.
"""


@pytest.mark.model
def test_a_pasted_error_is_answered_by_what_follows_it(one_page_index, real_embedder) -> None:  # noqa: ANN001
    settings = one_page_index("troubleshooting.md", TROUBLESHOOTING)
    question = "my test box keeps throwing CERTIFICATE_VERIFY_FAILED, how do I get past it?"
    for symptoms, wanted in ((True, "verify=False"), (False, "CERTIFICATE_VERIFY_FAILED")):
        engine = Engine.open(settings, embedder=real_embedder, quotes=QuoteParams(symptoms=symptoms))
        assert wanted in engine.ask(question).citations[0].quote, symptoms


def test_a_pointer_after_the_error_is_passed_over() -> None:
    units = [
        (0, "code", f"{ERROR}", "Troubleshooting > Proxies"),
        (0, "paragraph", "**Similar issues**: encode/httpx#1412", "Troubleshooting > Proxies"),
        (0, "paragraph", "Resolution: use an `http://` proxy URL.", "Troubleshooting > Proxies"),
    ]
    backend = SimpleNamespace(n_units=len(units), unit=lambda i: SimpleNamespace(doc=0, kind=units[i][1]),
                              unit_display=lambda i: units[i][2])
    facts = lambda i: UnitFacts(code=units[i][1] == "code", context=units[i][3])  # noqa: E731
    ctx = SimpleNamespace(backend=backend, texts=SimpleNamespace(facts=facts), quotes=QuoteParams(symptoms=True))
    s = state(QUESTION, cand(0, 0.9, 0), cand(1, 0.1, 1))
    symptom_first(ctx, s)
    assert [c.unit for c in s.candidates] == [2, 0, 1]
