"""index.query.answer: the JSON contract and the round trip a store relies on."""

from __future__ import annotations

import json

from index.query.answer import Answer, Citation, Passage, answer_from_json, answer_record

ANSWER = Answer(
    "what is on page 3?",
    False,
    [Citation("The fee is 150 euros.", "manual.pdf", 40, 1200, 1221, 0.812345678, page=3)],
    [Passage("The fee is 150 euros. It is due in May.", "manual.pdf", 1200, 1240, 0.7, line=40, page=3)],
)


def test_record_round_trip_keeps_every_field():
    record = json.loads(json.dumps(answer_record(ANSWER)))  # as a store writes and reads it
    assert answer_from_json(record) == ANSWER
    assert record["citations"][0]["page"] == 3 and record["passages"][0]["line"] == 40


def test_public_json_reads_back_with_defaults_for_what_it_leaves_out():
    back = answer_from_json(ANSWER.to_json())
    assert back.citations[0].quote == ANSWER.citations[0].quote and back.citations[0].page is None
    assert back.passages[0].line == 1  # the contract has no passage line


def test_unknown_keys_are_ignored():
    record = answer_record(ANSWER)
    record["citations"][0]["from_a_newer_version"] = True
    record["more"] = []
    assert answer_from_json(record) == ANSWER
