"""``citebot feedback …`` as an operator meets it: one line out, non-zero exits on bad input."""

from __future__ import annotations

import pytest
from botfakes import fake_answer
from typer.testing import CliRunner

from bot.feedback import FeedbackStore
from bot.feedback.cli import feedback_app


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "fb.sqlite3"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CITEBOT_FEEDBACK_DB", str(path))
    store = FeedbackStore(path)
    store.init()
    store.save_answer("1" * 32, fake_answer("mine?"), asker=123456789012345678)
    store.record_vote("1" * 32, 5, "up")
    store.save_answer("2" * 32, fake_answer("theirs?"), asker=5)
    store.record_vote("2" * 32, 123456789012345678, "down")
    return path


def run(*args: str):
    return CliRunner().invoke(feedback_app, list(args))


def test_forget_a_user(db):
    result = run("forget", "--user", "123456789012345678")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Forgot user 123456789012345678: 2 votes and 1 stored answer deleted."
    store = FeedbackStore(db)
    store.init()
    assert store.load_answer("1" * 32) is None and store.feedback() == []
    assert run("forget", "--user", "123456789012345678").output.strip().startswith("Forgot user 123456789012345678: 0 votes")


def test_forget_refuses_what_is_not_a_user_id(db):
    result = run("forget", "--user", "@someone")
    assert result.exit_code == 2 and "takes a Discord user id" in result.output


def test_forget_without_a_database(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("forget", "--user", "1", "--db", str(tmp_path / "none.sqlite3"))
    assert result.exit_code == 1 and "no feedback database at" in result.output
    assert not (tmp_path / "none.sqlite3").exists()


def test_purge(db, monkeypatch):
    assert run("purge").output.strip() == "Purged what is older than 180 days: 0 answers, 0 feedback."
    monkeypatch.setenv("CITEBOT_FEEDBACK_RETENTION_DAYS", "-1")
    result = run("purge")
    assert result.exit_code == 2 and result.output.startswith("citebot: invalid setting CITEBOT_FEEDBACK_RETENTION_DAYS")
