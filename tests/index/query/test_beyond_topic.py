"""The "beyond the topic" features: what a unit holds of the question that its heading does not."""

import pytest

from index.query.quotes import beyond_topic, sentence_rows
from index.query.unit_facts import UnitFacts

# "where do i find the debugger pin" under the heading "Debugger PIN": the topic sentence repeats the
# heading's words, the answer carries the question's other word.
QUESTION = "where do i find the debugger pin"
Q_TERMS = ["find", "debugg", "pin"]
IDF = {"find": 1.0, "debugg": 2.0, "pin": 3.0}
UNITS = {
    0: ["debugg", "consol", "protect", "pin"],  # The debug console is protected by a PIN.
    1: ["find", "pin", "print", "termin"],  # You find the PIN printed to the terminal.
    2: ["unrel", "word"],
}
HEADING = UnitFacts(context_terms=frozenset({"debugg", "pin"}), context="Debugging > Debugger PIN")


def test_beyond_topic_counts_only_the_question_mass_the_heading_lacks() -> None:
    assert beyond_topic({"debugg", "pin"}, {"debugg", "pin"}, IDF) == (0.0, 0.0)
    held, rest = beyond_topic({"find", "pin"}, {"debugg", "pin"}, IDF)
    assert held == pytest.approx(1.0 / 6.0)
    assert rest == pytest.approx(1.0)  # "find" is all the heading leaves
    assert beyond_topic({"find"}, set(), IDF) == (pytest.approx(1.0 / 6.0), pytest.approx(1.0 / 6.0))


def test_beyond_topic_is_zero_when_the_heading_holds_the_whole_question() -> None:
    assert beyond_topic({"find", "debugg", "pin"}, {"find", "debugg", "pin"}, IDF) == (0.0, 0.0)


def test_the_rows_score_the_answer_above_the_topic_sentence() -> None:
    rows, meta = sentence_rows(
        QUESTION, Q_TERMS, [0], lambda _c: range(0, 3), lambda i: " ".join(UNITS[i]), UNITS.__getitem__,
        lambda _i: 0.3, IDF.get, facts_of=lambda _i: HEADING)
    by_unit = {u: rows.row(r) for r, (u, _) in enumerate(meta)}
    topic, answer, other = by_unit[0], by_unit[1], by_unit[2]
    assert topic["lex"] > answer["lex"]  # the topic sentence holds more of the question ...
    assert topic["beyond"] == 0.0 and topic["beyond_rest"] == 0.0  # ... but nothing the heading lacks
    assert answer["beyond"] == pytest.approx(1.0 / 6.0) and answer["beyond_rest"] == pytest.approx(1.0)
    assert other["beyond"] == 0.0


def test_without_a_heading_beyond_is_the_units_share() -> None:
    rows, meta = sentence_rows(
        QUESTION, Q_TERMS, [0], lambda _c: range(0, 2), lambda i: " ".join(UNITS[i]), UNITS.__getitem__,
        lambda _i: 0.3, IDF.get)
    for r, _ in enumerate(meta):
        row = rows.row(r)
        assert row["beyond"] == pytest.approx(row["lex"])
        assert row["beyond_rest"] == pytest.approx(row["lex"])
