"""A question about a default ("what's the default …", "… by default?", "if I don't set one") quotes
the sentence that names one: ``cues.asks_default`` / ``states_default`` and the ``extend.to_default`` span."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from index.query.cues import asks_default, states_default
from index.query.extend import Span, extend
from index.query.spans import neighbourhood
from tests.index.query.test_extend import backend_of, check_verbatim, evidence, unit_of


@pytest.mark.parametrize(
    "question",
    [
        "what's the default max_form_memory_size",
        "is max_content_length set by default?",
        "how many multipart parts does werkzeug accept by default before giving up",
        "what encoding does markdownFromFile use if i don't pass one",
        "which converter is used for <name> if i dont write a type",
        "which CA certs does httpx trust out of the box?",
    ],
)
def test_questions_about_a_default(question: str) -> None:
    assert asks_default(question)


@pytest.mark.parametrize(
    "question",
    [
        "why isn't http2 turned on by default? isn't it faster?",  # a reason
        "i set a default header on my session but for one call i need it gone. how?",  # what to do
        "can i feed option defaults from a settings file?",
        "what is the maximum form size?",
    ],
)
def test_questions_not_about_a_default(question: str) -> None:
    assert not asks_default(question)


def test_sentences_that_name_a_default() -> None:
    assert states_default("The default is 500kB.")
    assert states_default('Word separator. Defaults to "-".')
    assert states_default("from requests.utils import DEFAULT_CA_BUNDLE_PATH")
    assert not states_default("Stop parsing if any non-file part is larger than this number of bytes.")


OPTIONS = """# Limits

- `max_form_memory_size` - Stop parsing if any non-file part is larger than this number of bytes.
  File parts can be larger, they are moved to disk at this limit. The default is 500kB. This is an
  additional check.
- `max_form_parts` - Stop parsing if more than this number of parts are received.

The form parser reads the body once.
"""


def _span(tmp_path: Path, question: str, start: str) -> tuple[Span, str]:
    backend, text = backend_of(tmp_path, OPTIONS)
    i = unit_of(backend, start)
    ev = replace(evidence(question, {i: 0.7}), asks_default=asks_default(question))
    return extend(neighbourhood(backend, i), i, ev), text


def test_a_default_question_quotes_the_option_through_its_default(tmp_path: Path) -> None:
    span, text = _span(tmp_path, "what's the default max_form_memory_size", "`max_form_memory_size`")
    assert span.why == "default"
    quoted = " ".join(text[span.start : span.end].split())
    assert quoted.startswith("`max_form_memory_size` - Stop parsing")
    assert quoted.endswith("The default is 500kB.")  # not the sentence after it
    check_verbatim(span, text)


def test_no_default_span_for_other_questions_or_without_a_default_in_reach(tmp_path: Path) -> None:
    span, _ = _span(tmp_path, "what does max_form_memory_size limit", "`max_form_memory_size`")
    assert span.why != "default"
    # the next option's item names no default (and the default of another block never joins)
    span, _ = _span(tmp_path, "what's the default max_form_parts", "`max_form_parts`")
    assert span.why != "default"


SEPARATOR = """# Options

* **`separator`**:
    Word separator. Character which replaces white space in id. Defaults to "`-`".
"""


def test_a_sentence_opening_with_its_default_follows_the_one_it_completes(tmp_path: Path) -> None:
    """"Defaults to …" has no subject of its own: a follow-up, for any question the evidence ties to it."""
    backend, text = backend_of(tmp_path, SEPARATOR)
    i = unit_of(backend, "Character which replaces")
    span = extend(neighbourhood(backend, i), i, evidence("what character replaces spaces in ids", {i: 0.6, i + 1: 0.04}))
    assert span.why == "follow_up"
    assert text[span.start : span.end] == 'Character which replaces white space in id. Defaults to "`-`".'
    check_verbatim(span, text)
