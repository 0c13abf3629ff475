"""Answers and 👍/👎 feedback in one small SQLite file (setting ``CITEBOT_FEEDBACK_DB``).

Two tables:

* ``answers``  — every answer the bot gave, keyed by ``answer_id`` (what the
  "Sources" button needs after a restart);
* ``feedback`` — one vote per (answer, user): question, answer JSON, sha256 of
  the Discord user id, ``up``/``down``, UTC timestamp.

The eval suite reads the questions we answered badly with::

    from bot.feedback import downvoted_questions
    downvoted_questions(".citebot/feedback.sqlite3")   # -> ["who praised him?", ...]

This module imports neither discord nor the model: it is safe to use anywhere.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from index.query.answer import Answer, Citation, Passage

Vote = Literal["up", "down"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    answer_id   TEXT PRIMARY KEY,
    question    TEXT NOT NULL,
    answer_json TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    answer_id   TEXT NOT NULL,
    question    TEXT NOT NULL,
    answer_json TEXT NOT NULL,
    user_hash   TEXT NOT NULL,
    vote        TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    created_at  TEXT NOT NULL,
    UNIQUE (answer_id, user_hash)
);
CREATE INDEX IF NOT EXISTS feedback_vote ON feedback (vote, created_at);
"""


def hash_user(user_id: int | str) -> str:
    """sha256 (hex) of a Discord user id: votes are attributable to no one by name."""
    return hashlib.sha256(str(user_id).encode()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def answer_to_json(answer: Answer) -> dict[str, Any]:
    """The public answer JSON, plus each passage's ``line`` (an extra key) for the Sources view."""
    data = answer.to_json()
    for passage_json, passage in zip(data["passages"], answer.passages, strict=True):
        passage_json["line"] = passage.line
    return data


def answer_from_json(data: dict[str, Any]) -> Answer:
    return Answer(
        question=data["question"],
        abstained=bool(data["abstained"]),
        citations=[
            Citation(
                quote=c["quote"],
                source=c["source"],
                line=int(c["line"]),
                char_start=int(c["char_start"]),
                char_end=int(c["char_end"]),
                score=float(c["score"]),
            )
            for c in data.get("citations", [])
        ],
        passages=[
            Passage(
                text=p["text"],
                source=p["source"],
                char_start=int(p["char_start"]),
                char_end=int(p["char_end"]),
                score=float(p["score"]),
                line=int(p.get("line", 1)),
            )
            for p in data.get("passages", [])
        ],
    )


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    answer_id: str
    question: str
    answer: dict[str, Any]
    user_hash: str
    vote: Vote
    created_at: str


class FeedbackStore:
    """Tiny synchronous store; every call opens its own connection (safe from any thread)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=10)
        try:
            with conn:
                yield conn
        finally:
            conn.close()

    def init(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(SCHEMA)

    def save_answer(self, answer_id: str, answer: Answer) -> None:
        data = answer_to_json(answer)
        with self._connect() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO answers (answer_id, question, answer_json, created_at) VALUES (?, ?, ?, ?)",
                (answer_id, answer.question, json.dumps(data, ensure_ascii=False), _now()),
            )

    def load_answer(self, answer_id: str) -> Answer | None:
        with self._connect() as conn:
            row = conn.execute("SELECT answer_json FROM answers WHERE answer_id = ?", (answer_id,)).fetchone()
        return answer_from_json(json.loads(row[0])) if row else None

    def record_vote(self, answer_id: str, user_id: int | str, vote: Vote) -> bool:
        """Store (or change) this user's vote on an answer; False if the answer is unknown."""
        if vote not in ("up", "down"):
            raise ValueError(f"vote must be 'up' or 'down', not {vote!r}")
        with self._connect() as conn:
            row = conn.execute(
                "SELECT question, answer_json FROM answers WHERE answer_id = ?", (answer_id,)
            ).fetchone()
            if row is None:
                return False
            conn.execute(
                "INSERT INTO feedback (answer_id, question, answer_json, user_hash, vote, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (answer_id, user_hash) DO UPDATE SET vote = excluded.vote, created_at = excluded.created_at",
                (answer_id, row[0], row[1], hash_user(user_id), vote, _now()),
            )
        return True

    def feedback(self, vote: Vote | None = None) -> list[FeedbackRow]:
        query = "SELECT answer_id, question, answer_json, user_hash, vote, created_at FROM feedback"
        args: tuple[Any, ...] = ()
        if vote is not None:
            query += " WHERE vote = ?"
            args = (vote,)
        with self._connect() as conn:
            rows = conn.execute(query + " ORDER BY created_at, id", args).fetchall()
        return [FeedbackRow(r[0], r[1], json.loads(r[2]), r[3], r[4], r[5]) for r in rows]


def downvoted_questions(path: str | Path) -> list[str]:
    """Distinct questions with at least one 👎, most recently downvoted first ([] if no file yet)."""
    path = Path(path)
    if not path.exists():
        return []
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=10)
    try:
        has_table = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'feedback'"
        ).fetchone()
        if not has_table:
            return []
        rows = conn.execute(
            "SELECT question FROM feedback WHERE vote = 'down' GROUP BY question ORDER BY MAX(created_at) DESC, MAX(id) DESC"
        ).fetchall()
    finally:
        conn.close()
    return [r[0] for r in rows]
