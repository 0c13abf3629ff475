"""A default question whose best candidate names no default: the candidate that does goes first
(``index.query.defaults``), and the broader ``cues.asks_default`` / ``cues.names_default``."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from index.query.cues import asks_default, names_default
from index.query.defaults import default_first
from index.query.records import Candidate, QuoteParams
from tests.index.query.test_extend import backend_of, unit_of


@pytest.mark.parametrize(
    "question",
    [
        "what does griffe check compare to when i dont pass -a",
        "do i have to enable the dataclasses extension to get __init__ signatures",
        "are aliases resolved automatically on load?",
        "what logger do i get if i never call configure at all",
    ],
)
def test_more_ways_to_ask_for_a_default(question: str) -> None:
    assert asks_default(question)


@pytest.mark.parametrize("question", ["how do i automatically retry failed requests?", "what does resolve_aliases do?"])
def test_what_to_do_is_no_default_question(question: str) -> None:
    assert not asks_default(question)


def test_a_sentence_names_a_default_when_it_says_what_it_is() -> None:
    for sentence in ("By default, no level-based filtering is done.", "The `encoding` keyword defaults to `utf-8`.",
                     "The default is 1000.", "Default: `language-`.", "The formats are `xhtml` (the default) and `html`.",
                     "This extension is enabled by default."):
        assert names_default(sentence), sentence
    for sentence in ("structlog's default bound logger class filters levels early.",
                     "Each value can be set on the class to affect the default for all requests."):
        assert not names_default(sentence), sentence


LIMITS = """# Limits

Calling `get_data` is only safe to do if the `max_content_length` is set.

- `max_content_length` - Stop reading data after this many bytes. It's better to configure this in the
  server, which is why it's not set by default.
- `max_form_parts` - Stop parsing if more than this number of parts are received. The default is 1000.

Each of these values can be set on the class. For example, a small limit can be set by default.
"""


def _run(tmp_path: Path, question: str, order: list[str], defaults: bool = True) -> list[int]:
    backend, _ = backend_of(tmp_path, LIMITS)
    units = [unit_of(backend, start) for start in order]
    ctx = SimpleNamespace(backend=backend, texts=SimpleNamespace(terms=lambda t: re.findall(r"\w+", t.lower())),
                          quotes=QuoteParams(defaults=defaults))
    scores = [0.6, 0.2, 0.1, 0.05, 0.05][: len(units)]
    state = SimpleNamespace(question=question, asks=True,
                            candidates=[Candidate(u, s, 0.5, 0.5, 1.0, 0, k) for k, (u, s) in enumerate(zip(units, scores, strict=True))])
    default_first(ctx, state)
    assert sorted(c.score for c in state.candidates) == sorted(scores)  # the scores stay, only who holds them moves
    return [order[units.index(c.unit)] for c in state.candidates]


ORDER = ["Calling `get_data`", "For example, a small", "`max_form_parts`", "`max_content_length`"]


def test_the_default_of_the_named_option_goes_first(tmp_path: Path) -> None:
    got = _run(tmp_path, "is max_content_length set by default?", ORDER)
    # "a small limit can be set by default" and max_form_parts' default are not in max_content_length's block
    assert got == ["`max_content_length`", "Calling `get_data`", "For example, a small", "`max_form_parts`"]


def test_an_option_whose_default_follows_it_counts_as_naming_it(tmp_path: Path) -> None:
    got = _run(tmp_path, "how many parts are accepted by default", ["Calling `get_data`", "`max_form_parts`"])
    assert got == ["`max_form_parts`", "Calling `get_data`"]


def test_nothing_moves_for_other_questions_a_best_that_names_one_or_when_off(tmp_path: Path) -> None:
    assert _run(tmp_path, "what does max_content_length limit?", ORDER) == ORDER
    first = ["`max_content_length`", "Calling `get_data`"]
    assert _run(tmp_path, "is max_content_length set by default?", first) == first
    assert _run(tmp_path, "is max_content_length set by default?", ORDER, defaults=False) == ORDER
