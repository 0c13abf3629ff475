"""bot.feedback: answers and votes, keyed user hashes, retention, forgetting a user — over both stores
(``new_store``: SQLite and PostgreSQL) where the behaviour is the store's, SQLite alone for its file."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
from datetime import UTC, datetime, timedelta

import pytest
from botfakes import fake_answer

from bot.feedback import FeedbackStore, downvoted_questions, key_path
from bot.feedback.keys import FeedbackKeyDamaged
from index.query.answer import Answer, Citation, Passage


def store_at(path) -> FeedbackStore:
    store = FeedbackStore(path)
    store.init()
    return store


def dump(path) -> str:
    with sqlite3.connect(path) as conn:
        return "\n".join(conn.iterdump())


def rows_of(store: FeedbackStore) -> str:
    """Every stored value of every table, as text (what someone with the database sees)."""
    names = ["meta", "answers", "feedback", *(t.name for t in store.tables)]
    with store.connect() as conn:
        return "\n".join(repr(row) for name in names for row in conn.execute(f"SELECT * FROM {name}").fetchall())


def initialised(store: FeedbackStore) -> FeedbackStore:
    store.init()
    return store


def test_save_and_load_answer_keeps_every_field(new_store):
    store = initialised(new_store())
    answer = Answer("page?", False, [Citation("Fee: 150 €.", "a.pdf", 4, 10, 21, 0.5, page=3)],
                    [Passage("Fee: 150 €. Due May.", "a.pdf", 10, 30, 0.4, line=4, page=3)])
    more = [Citation("Due May.", "a.pdf", 4, 22, 30, 0.2, page=3)]
    store.save_answer("a" * 32, answer, asker=7, more=more, extra={"guild": 1})
    stored = store.load("a" * 32)
    assert stored.answer == answer and stored.more == more and stored.extra == {"guild": 1}
    assert stored.answer.citations[0].page == 3  # the Sources button shows PDF pages again
    assert stored.asker_hash == store.user_hash(7)
    assert store.load_answer("b" * 32) is None
    # a new store on the same file or database (a restart, another replica) still knows it
    assert initialised(new_store()).load_answer("a" * 32) == answer


def test_a_store_in_a_new_folder(tmp_path):
    store = store_at(tmp_path / "sub" / "fb.sqlite3")
    store.save_answer("a" * 32, fake_answer("q?"))
    assert FeedbackStore(tmp_path / "sub" / "fb.sqlite3").load_answer("a" * 32) is not None


def test_votes_are_recorded_once_per_user_under_a_keyed_hash(new_store):
    store = initialised(new_store())
    store.save_answer("1" * 32, fake_answer("first question?"))
    store.save_answer("2" * 32, fake_answer("second question?"))
    assert store.record_vote("1" * 32, 42, "up")
    assert store.record_vote("1" * 32, 42, "down")  # changes the vote, no second row
    assert store.record_vote("1" * 32, 43, "down")
    assert store.record_vote("2" * 32, 42, "up")
    assert not store.record_vote("9" * 32, 42, "down")  # unknown answer

    rows = store.feedback()
    assert len(rows) == 3
    mine = [r for r in rows if r.answer_id == "1" * 32 and r.user_hash == store.user_hash(42)][0]
    assert mine.vote == "down" and mine.question == "first question?"
    assert mine.answer["citations"][0]["quote"].startswith("The fire started")
    text = rows_of(store)
    assert "'42'" not in text and ", 42," not in text  # the raw user id is never stored
    assert hashlib.sha256(b"42").hexdigest() not in text  # nor its unsalted hash (re-identifiable)
    assert [r.question for r in store.feedback("up")] == ["second question?"]
    assert store.downvoted_questions() == downvoted_questions(store) == ["first question?"]
    assert store.record_vote("2" * 32, 44, "down")  # the latest 👎 first, each question once
    assert store.downvoted_questions() == ["second question?", "first question?"]
    assert store.record_vote("2" * 32, 44, "up") and store.record_vote("1" * 32, 42, "up")
    assert downvoted_questions(store) == ["first question?"]  # 43's 👎 stays
    if store.dialect == "sqlite":
        assert downvoted_questions(store.path) == ["first question?"]
        assert hashlib.sha256(b"42").hexdigest() not in dump(store.path)


def test_the_key_is_created_once_beside_the_database_for_the_owner_only(tmp_path):
    path = tmp_path / "fb.sqlite3"
    first = store_at(path).user_hash(42)
    key = key_path(path)
    assert key.exists() and stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert store_at(path).user_hash(42) == first  # the same key after a restart
    assert store_at(tmp_path / "other.sqlite3").user_hash(42) != first  # another database, another key
    key.write_text("not hex\n")
    with pytest.raises(FeedbackKeyDamaged, match="restore it from a backup"):
        store_at(path)


def test_legacy_sha256_rows_are_rekeyed_in_place(tmp_path):
    path = tmp_path / "fb.sqlite3"
    legacy = hashlib.sha256(b"42").hexdigest()
    with sqlite3.connect(path) as conn:  # a database written by the previous version
        conn.executescript(
            "CREATE TABLE answers (answer_id TEXT PRIMARY KEY, question TEXT NOT NULL, answer_json TEXT NOT NULL,"
            " created_at TEXT NOT NULL);"
            "CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, answer_id TEXT NOT NULL, question TEXT"
            " NOT NULL, answer_json TEXT NOT NULL, user_hash TEXT NOT NULL, vote TEXT NOT NULL, created_at TEXT"
            " NOT NULL, UNIQUE (answer_id, user_hash));"
        )
        data = json.dumps(fake_answer("old?").to_json())
        conn.execute("INSERT INTO answers VALUES (?, 'old?', ?, '2024-01-01T00:00:00+00:00')", ("1" * 32, data))
        conn.execute("INSERT INTO feedback (answer_id, question, answer_json, user_hash, vote, created_at) "
                     "VALUES (?, 'old?', ?, ?, 'down', '2024-01-01T00:00:00+00:00')", ("1" * 32, data, legacy))
    store = store_at(path)
    assert legacy not in dump(path)
    assert store.record_vote("1" * 32, 42, "up")  # the same user: their old row is updated, not doubled
    assert [(r.user_hash, r.vote) for r in store.feedback()] == [(store.user_hash(42), "up")]
    assert store.load_answer("1" * 32).question == "old?"
    store_at(path)  # a second start does not re-key again
    assert [r.user_hash for r in store.feedback()] == [store.user_hash(42)]


def test_purge_drops_what_is_older_than_the_retention(new_store):
    store = initialised(new_store())
    store.save_answer("1" * 32, fake_answer("q?"))
    store.record_vote("1" * 32, 5, "down")
    assert store.purge(30) == {"answers": 0, "feedback": 0}
    later = datetime.now(UTC) + timedelta(days=31)
    assert store.purge(30, now=later) == {"answers": 1, "feedback": 1}
    assert store.load_answer("1" * 32) is None and store.feedback() == []


def test_forget_a_user(new_store):
    store = initialised(new_store())
    store.save_answer("1" * 32, fake_answer("mine?"), asker=5)
    store.save_answer("2" * 32, fake_answer("theirs?"), asker=6)
    store.record_vote("1" * 32, 6, "up")  # someone else's vote on my question
    store.record_vote("2" * 32, 5, "down")  # my vote on theirs
    store.record_vote("2" * 32, 7, "up")
    gone = store.forget(5)
    assert (gone.votes, gone.answers) == (2, 1)
    assert store.load_answer("1" * 32) is None and store.load_answer("2" * 32) is not None
    assert [r.user_hash for r in store.feedback()] == [store.user_hash(7)]


def test_claim_is_once(new_store):
    store = initialised(new_store())
    store.save_answer("1" * 32, fake_answer("q?"))
    assert store.claim("1" * 32, "helper_pinged") and not store.claim("1" * 32, "helper_pinged")
    assert not store.claim("9" * 32, "helper_pinged")
    assert "helper_pinged" in store.load("1" * 32).extra


def test_downvoted_questions_without_a_file(tmp_path):
    assert downvoted_questions(tmp_path / "missing.sqlite3") == []
    assert not (tmp_path / "missing.sqlite3").exists()
