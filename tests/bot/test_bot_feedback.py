"""bot.feedback: answers and votes in SQLite, and the eval suite's list of downvoted questions."""

from __future__ import annotations

import hashlib
import sqlite3

from botfakes import fake_answer

from bot.feedback import FeedbackStore, answer_from_json, answer_to_json, downvoted_questions, hash_user


def test_answer_json_round_trip_keeps_passage_lines():
    answer = fake_answer("When did the fire start?")
    data = answer_to_json(answer)
    assert data["citations"] == answer.to_json()["citations"]
    assert data["passages"][1]["line"] == 3
    assert answer_from_json(data) == answer


def test_save_and_load_answer(tmp_path):
    store = FeedbackStore(tmp_path / "sub" / "fb.sqlite3")
    store.init()
    answer = fake_answer("When did the fire start?")
    store.save_answer("a" * 32, answer)
    assert store.load_answer("a" * 32) == answer
    assert store.load_answer("b" * 32) is None
    # a new store on the same file (a restart) still knows it
    assert FeedbackStore(tmp_path / "sub" / "fb.sqlite3").load_answer("a" * 32) == answer


def test_votes_are_recorded_once_per_user_and_hashed(tmp_path):
    path = tmp_path / "fb.sqlite3"
    store = FeedbackStore(path)
    store.init()
    store.save_answer("1" * 32, fake_answer("first question?"))
    store.save_answer("2" * 32, fake_answer("second question?"))
    assert store.record_vote("1" * 32, 42, "up")
    assert store.record_vote("1" * 32, 42, "down")  # changes the vote, no second row
    assert store.record_vote("1" * 32, 43, "down")
    assert store.record_vote("2" * 32, 42, "up")
    assert not store.record_vote("9" * 32, 42, "down")  # unknown answer

    rows = store.feedback()
    assert len(rows) == 3
    mine = [r for r in rows if r.answer_id == "1" * 32 and r.user_hash == hash_user(42)][0]
    assert mine.vote == "down" and mine.question == "first question?"
    assert mine.answer["citations"][0]["quote"].startswith("The fire started")
    assert mine.user_hash == hashlib.sha256(b"42").hexdigest()
    with sqlite3.connect(path) as conn:
        dump = "\n".join(conn.iterdump())
    assert "'42'" not in dump and ",42," not in dump  # the raw user id is never stored

    assert downvoted_questions(path) == ["first question?"]
    assert [r.question for r in store.feedback("up")] == ["second question?"]


def test_downvoted_questions_without_a_file(tmp_path):
    assert downvoted_questions(tmp_path / "missing.sqlite3") == []
    assert not (tmp_path / "missing.sqlite3").exists()
