"""Docs answer types: where → the terminal, a file, a path; which option / setting … → a name in code."""

import pytest

from index.query.cues import cue_score, question_type
from index.query.quotes import rank_candidates, sentence_rows
from index.query.records import QuoteParams


@pytest.mark.parametrize(("question", "kind"), [
    ("the debugger console asks for a pin, where do i get it", "place"),
    ("where does requests look for a netrc file?", "place"),
    ("which exception should i catch for network failures?", "identifier"),
    ("which django setting lets me accept bigger request bodies?", "identifier"),
    ("what keyword argument sets the timeout?", "identifier"),
    ("which reloader does run_simple use by default?", "identifier"),
    # a kind of thing, not a name: no identifier cue
    ("what type of rock is granite?", None),
    ("which class of ships sailed first?", None),
])
def test_question_types_in_docs(question: str, kind: str | None) -> None:
    assert question_type(question) == kind


@pytest.mark.parametrize("sentence", [
    "The first time a console is opened, a dialog prompts for a PIN that is printed to the command line.",
    "Requests looks in ~/.netrc or at the path in the NETRC environment variable.",
    "Put it in setup.cfg.",
    "Static files are served at /static/app.js.",
    "See docs/api/index.rst for the list.",
    "It was born in Paris.",  # SQuAD's places still count
])
def test_docs_places(sentence: str) -> None:
    assert cue_score("place", sentence, "where is it?") == 1.0


@pytest.mark.parametrize("sentence", [
    "The debugger is protected by a PIN.",
    "It runs at 60 km/h and/or more.",  # a slash is not a path
    "A 1/2 share.",
])
def test_not_docs_places(sentence: str) -> None:
    assert cue_score("place", sentence, "where is it?") == 0.0


def test_a_place_the_question_already_names_does_not_count() -> None:
    assert cue_score("place", "Look at the console.", "where in the console is it?") == 0.0


@pytest.mark.parametrize(("sentence", "found"), [
    ("Catch `httpx.HTTPError` for both.", 1.0),
    ("Set DATA_UPLOAD_MAX_MEMORY_SIZE higher.", 1.0),
    ("Pass follow_redirects=True.", 1.0),
    ("Call response.raise_for_status() first.", 1.0),
    ("Use the --reload flag.", 1.0),
    ("Exceptions are raised when things fail.", 0.0),
])
def test_identifiers(sentence: str, found: float) -> None:
    assert cue_score("identifier", sentence, "which exception should i catch?") == found


def test_a_where_question_favours_the_unit_that_says_where() -> None:
    """Asked where, the sentence naming the command line gains over the topic sentence."""
    text = {0: "The debugger is protected by a PIN.",
            1: "A dialog prompts for a PIN that is printed to the command line."}
    terms = {0: ["debugg", "protect", "pin"], 1: ["dialog", "prompt", "pin", "print", "command", "line"]}

    def answer_share(question: str) -> float:
        rows, meta = sentence_rows(question, ["debugg", "pin", "get"], [0], lambda _c: range(0, 2),
                                   text.__getitem__, terms.__getitem__, lambda _i: 0.4, lambda _t: 1.0)
        if "where" in question:
            assert rows.row(1)["cue_weak"] == 1.0 and rows.row(0)["miss_weak"] == 1.0
        cands = rank_candidates(question, rows, meta, lambda _t: 1.0, QuoteParams())
        return next(c.score for c in cands if c.unit == 1)

    assert answer_share("the debugger pin, where do i get it") > 1.5 * answer_share("the debugger pin, do i get it")


def test_a_code_block_is_neutral_to_an_identifier_question() -> None:
    """A code block is made of identifiers: for "which extension …" it neither holds nor lacks one."""
    from index.query.unit_facts import UnitFacts

    text = {0: "`CacheControl`_ is an extension that adds a full HTTP cache.", 1: "hooks={'response': print_url}",
            2: "Extensions add features."}
    terms = {0: ["cachecontrol", "extens", "cach"], 1: ["hook", "respons", "print", "url"], 2: ["extens", "featur"]}
    facts = {0: UnitFacts(), 1: UnitFacts(code=True), 2: UnitFacts()}
    rows, meta = sentence_rows("which extension caches responses?", ["extens", "cach", "respons"], [0],
                               lambda _c: range(0, 3), text.__getitem__, terms.__getitem__, lambda _i: 0.4,
                               lambda _t: 1.0, facts_of=facts.__getitem__)
    got = {u: (rows.row(r)["cue_weak"], rows.row(r)["miss_weak"]) for r, (u, _) in enumerate(meta)}
    assert got == {0: (1.0, 0.0), 1: (0.0, 0.0), 2: (0.0, 1.0)}
