"""Prose that only points elsewhere ("See …", "Similar issues: …") rated first: the best that says something first."""

from __future__ import annotations

from types import SimpleNamespace

from index.query.pointers import is_pointer, pointer_last
from index.query.records import Candidate, QuoteParams


def test_a_pointer_opens_by_sending_the_reader_elsewhere() -> None:
    for text in ("See the Routing section.", "**Similar issues**: encode/httpx#1412, encode/httpx#1433",
                 "For more information, see Proxies: FORWARD vs TUNNEL.", "Refer to the API docs.",
                 "Related: the proxy section."):
        assert is_pointer(text), text
    for text in ("Seems like the proxy is down.", "Related requests are batched.",
                 "Change the scheme of your HTTPS proxy to `http://...`.",
                 "HTTPX supports HTTP proxies, see the `proxy` parameter."):  # says something, then points
        assert not is_pointer(text), text


UNITS = [
    "**Similar issues**: encode/httpx#1412, encode/httpx#1433",
    "See the troubleshooting section.",
    "Change the scheme of your HTTPS proxy to `http://...` instead of `https://...`.",
    "Most proxies only support HTTP.",
]


def context(pointers: bool = True) -> SimpleNamespace:
    return SimpleNamespace(backend=SimpleNamespace(unit_display=UNITS.__getitem__),
                           quotes=QuoteParams(pointers=pointers))


def cand(unit: int, score: float) -> Candidate:
    return Candidate(unit, score, 0.5, 0.5, 1.0, 0, unit)


def state(question: str, *candidates: Candidate) -> SimpleNamespace:
    return SimpleNamespace(question=question, asks=True, candidates=list(candidates))


QUESTION = "getting 'The handshake operation timed out' through our proxy, why?"


def test_the_best_candidate_that_is_no_pointer_goes_first() -> None:
    s = state(QUESTION, cand(0, 0.8), cand(1, 0.1), cand(2, 0.06), cand(3, 0.04))
    pointer_last(context(), s)
    assert [(c.unit, c.score) for c in s.candidates] == [(2, 0.8), (0, 0.06), (1, 0.1), (3, 0.04)]


def test_nothing_moves_when_the_best_says_something_or_the_question_asks_where_to_read() -> None:
    for question, candidates in (
        (QUESTION, [cand(2, 0.8), cand(0, 0.2)]),  # the best one is no pointer
        ("where are the docs on proxies?", [cand(1, 0.8), cand(2, 0.2)]),  # a pointer is what it wants
        (QUESTION, [cand(0, 0.8), cand(1, 0.2)]),  # nothing but pointers
    ):
        s = state(question, *candidates)
        pointer_last(context(), s)
        assert s.candidates == candidates, question
    s = state(QUESTION, cand(0, 0.8), cand(2, 0.2))
    pointer_last(context(pointers=False), s)
    assert [c.unit for c in s.candidates] == [0, 2]
