"""A default question whose best candidate names no default: the candidate that does goes first
(``index.query.defaults``), and the broader ``cues.asks_default`` / ``cues.names_default``."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from index.models.lexical import Analyzer
from index.query.cues import asks_default, is_question, names_default, sets_identifier
from index.query.defaults import default_first
from index.query.extend import extend
from index.query.records import Candidate, QuoteParams
from index.query.spans import neighbourhood
from index.query.unit_facts import UnitFactsCache
from tests.index.query.test_extend import backend_of, evidence, unit_of


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
                     "This extension is enabled by default.",
                     "The default behavior is to raise a `TimeoutException` after 5 seconds of network inactivity."):
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
    texts = SimpleNamespace(terms=lambda t: re.findall(r"\w+", t.lower()))
    texts.facts = UnitFactsCache(backend, texts.terms)
    ctx = SimpleNamespace(backend=backend, texts=texts, quotes=QuoteParams(defaults=defaults))
    scores = [0.6, 0.2, 0.1, 0.05, 0.05][: len(units)]
    state = SimpleNamespace(question=question, asks=True, documents=every_document(backend),
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


# -- the defaults shown as code -----------------------------------------------------------------------

CONFIG = """# Getting started

Set the `cache_logger_on_first_use` option to `True` so loggers are assembled only once:

```python
configure(cache_logger_on_first_use=True)
```

Using the defaults, as above, is equivalent to:

```python
structlog.configure(
    processors=[
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="%Y-%m-%d %H:%M:%S", utc=False),
    ],
    wrapper_class=structlog.make_filtering_bound_logger(logging.NOTSET),
    cache_logger_on_first_use=False
)
```

Loggers are cheap to create.
"""


def test_a_line_that_sets_an_identifier() -> None:
    ids = ["cache_logger_on_first_use"]
    assert sets_identifier("    cache_logger_on_first_use=False", ids)
    assert sets_identifier('  "cache_logger_on_first_use": false,', ids)
    assert sets_identifier("cache_logger_on_first_use = True", ids)
    assert not sets_identifier("if cache_logger_on_first_use == True:", ids)
    assert not sets_identifier("config.cache_logger_on_first_use_x = 1", ids)
    assert sets_identifier("x = Client(timeout=5)", ["timeout="])  # a keyword argument as the question typed it


def test_question_start_typed_without_apostrophe() -> None:
    assert is_question("whats the default timestamp format in the console output")
    assert not is_question("whatsapp integration notes")


def test_the_code_the_docs_present_as_the_defaults(tmp_path: Path) -> None:
    backend, _ = backend_of(tmp_path, CONFIG)
    facts = UnitFactsCache(backend, lambda t: re.findall(r"\w+", t.lower()))
    every = list(range(len(backend.documents())))
    assert facts.default_code(every) == [unit_of(backend, "structlog.configure(")]  # not the `True` example
    assert facts.default_code([]) == []  # only the documents asked about are read


def test_a_default_question_about_an_identifier_quotes_the_line_that_sets_it(tmp_path: Path) -> None:
    backend, text = backend_of(tmp_path, CONFIG)
    i = unit_of(backend, "structlog.configure(")
    ev = replace(evidence("is cache_logger_on_first_use on by default?", {i: 0.7}), asks_default=True,
                 identifiers=("cache_logger_on_first_use",))
    span = extend(neighbourhood(backend, i), i, ev)
    assert span.why == "trimmed" and span.parts[0].trimmed
    assert text[span.start : span.end] == "cache_logger_on_first_use=False"  # verbatim, without the indent
    assert span.line == span.end_line == text[: span.start].count("\n") + 1
    # a value that opens a bracket: through the line that closes it, shown dedented
    ev = replace(ev, identifiers=("processors",))
    span = extend(neighbourhood(backend, i), i, ev)
    quoted = text[span.start : span.end]
    assert quoted.startswith("processors=[") and quoted.endswith("],")
    assert span.parts[0].display.startswith("processors=[\n    structlog.processors.add_log_level,")
    assert span.end_line - span.line == 3
    # no identifier set in the block, or not a default question: the block as before
    for other in (replace(ev, identifiers=("logger_factory",)), replace(ev, asks_default=False)):
        assert extend(neighbourhood(backend, i), i, other).why != "trimmed"


def every_document(backend) -> SimpleNamespace:  # noqa: ANN001 - a DocRanking of every document, in order
    return SimpleNamespace(docs=np.arange(len(backend.documents())))


def _config_run(tmp_path: Path, question: str, ranked: bool = True) -> tuple[list[int], object]:
    backend, _ = backend_of(tmp_path, CONFIG)
    texts = SimpleNamespace(terms=Analyzer().terms)  # stemmed: "timestamp" meets ``TimeStamper``
    texts.facts = UnitFactsCache(backend, texts.terms)
    ctx = SimpleNamespace(backend=backend, texts=texts, quotes=QuoteParams())
    first = unit_of(backend, "Set the `cache_logger_on_first_use`")
    docs = every_document(backend) if ranked else SimpleNamespace(docs=np.zeros(0, dtype=np.int64))
    state = SimpleNamespace(question=question, asks=True, documents=docs,
                            candidates=[Candidate(first, 0.8, 0.5, 0.5, 1.0, 0, 0)])
    default_first(ctx, state)
    return [c.unit for c in state.candidates], backend


def test_the_default_configuration_block_becomes_the_first_candidate(tmp_path: Path) -> None:
    got, backend = _config_run(tmp_path, "is cache_logger_on_first_use on by default?")
    assert got == [unit_of(backend, "structlog.configure("), unit_of(backend, "Set the `cache_logger_on_first_use`")]
    # naming no identifier, the line with the question's terms: the timestamp format
    got, backend = _config_run(tmp_path, "whats the default timestamp format?")
    assert got[0] == unit_of(backend, "structlog.configure(")
    # an identifier the block does not set: nothing moves
    got, backend = _config_run(tmp_path, "is logger_factory on by default?")
    assert got == [unit_of(backend, "Set the `cache_logger_on_first_use`")]



def test_only_the_question_s_best_documents_are_read_for_default_code(tmp_path: Path) -> None:
    got, backend = _config_run(tmp_path, "is cache_logger_on_first_use on by default?", ranked=False)
    assert got == [unit_of(backend, "Set the `cache_logger_on_first_use`")]  # no ranked document: nothing read
