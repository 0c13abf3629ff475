"""Answers and 👍/👎 feedback in one small SQLite file (setting ``CITEBOT_FEEDBACK_DB``), or in PostgreSQL
(``bot.feedback.postgres``: the same tables and SQL, shared by several bot replicas).

Tables:

* ``answers``  — every answer the bot gave, keyed by ``answer_id`` (what the buttons need after a
  restart), with the keyed hash of who asked and the candidates after the shown quotes;
* ``feedback`` — one vote per (answer, user): question, answer JSON, keyed hash of the user,
  ``up``/``down``, UTC timestamp;
* ``meta``     — the hashing scheme and the fingerprint of the key in use.

User ids are never stored: only ``keys.UserHasher`` hashes (HMAC with the secret beside the
database). ``purge`` drops what is older than the retention period, ``forget`` everything one user
asked or voted. The eval suite reads the questions answered badly with::

    from bot.feedback import downvoted_questions
    downvoted_questions(".citebot/feedback.sqlite3")   # -> ["who praised him?", ...]

This module imports neither discord nor the model: it is safe to use anywhere.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from bot.feedback.keys import UserHasher, key_path, load_or_create_key
from index.query.answer import Answer, Citation, answer_from_json, answer_record

log = logging.getLogger("citebot.bot")

Vote = Literal["up", "down"]
HASH_SCHEME = "hmac-sha256(sha256(id))/v1"

# One schema for both stores: ``{serial}`` is the dialect's auto-numbered primary key, ``{answers_order}``
# the column that orders answers stored within one second (rowid in SQLite).
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS answers (
    answer_id   TEXT PRIMARY KEY,
    question    TEXT NOT NULL,
    answer_json TEXT NOT NULL,
    created_at  TEXT NOT NULL{answers_order}
);
CREATE TABLE IF NOT EXISTS feedback (
    id          {serial},
    answer_id   TEXT NOT NULL,
    question    TEXT NOT NULL,
    answer_json TEXT NOT NULL,
    user_hash   TEXT NOT NULL,
    vote        TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    created_at  TEXT NOT NULL,
    UNIQUE (answer_id, user_hash)
);
CREATE INDEX IF NOT EXISTS feedback_vote ON feedback (vote, created_at);
CREATE INDEX IF NOT EXISTS answers_created ON answers (created_at);
"""
# columns added after the first release: (table, column, declaration)
UPSERT_META = "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
ADDED_COLUMNS = (
    ("answers", "asker_hash", "TEXT"),
    ("answers", "extra_json", "TEXT NOT NULL DEFAULT '{}'"),
)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def cutoff_iso(days: float, now: datetime | None = None) -> str:
    return ((now or datetime.now(UTC)) - timedelta(days=days)).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    answer_id: str
    answer: Answer
    created_at: str
    asker_hash: str | None = None
    more: list[Citation] = field(default_factory=list)  # the candidates after the shown quotes, best first
    extra: dict[str, Any] = field(default_factory=dict)  # what the bot keeps about where it was asked


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    answer_id: str
    question: str
    answer: dict[str, Any]
    user_hash: str
    vote: Vote
    created_at: str


@dataclass(frozen=True, slots=True)
class Forgotten:
    votes: int
    answers: int
    rows: dict[str, int] = field(default_factory=dict)  # per extra table


class FeedbackStore:
    """Tiny synchronous store; every call opens its own connection (safe from any thread).

    Other bot tables that live in the same file register a ``Table`` (``tables``) so that ``purge``
    and ``forget`` reach them too. SQL is written once, with ``?`` parameters and ``ON CONFLICT``
    upserts, for SQLite and PostgreSQL alike; the few differences are these class attributes.
    """

    dialect = "sqlite"
    serial = "INTEGER PRIMARY KEY AUTOINCREMENT"  # DDL of an auto-numbered primary key
    answers_order_ddl = ""  # an extra column of ``answers`` that orders insertions (SQLite has rowid)
    answers_order = "rowid"
    begin_write = "BEGIN IMMEDIATE"  # before a read-modify-write (None: rows are locked FOR UPDATE)
    for_update = ""

    def __init__(self, path: str | Path, *, key: bytes | None = None, key_file: str | Path | None = None) -> None:
        self.path = Path(path)
        self.key_file = Path(key_file) if key_file is not None else key_path(self.path)
        self._key = key
        self._hasher: UserHasher | None = UserHasher(key) if key is not None else None
        self.tables: list[Table] = []

    @property
    def where(self) -> str:
        """Where the store lives, for messages (never a password)."""
        return str(self.path)

    def ddl(self, schema: str) -> str:
        return schema.replace("{serial}", self.serial).replace("{answers_order}", self.answers_order_ddl)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=10)
        try:
            with conn:
                yield conn
        finally:
            conn.close()

    # ------------------------------------------------------------------ setup

    def init(self) -> None:
        """Create the tables, the key (first run), and re-key rows written with unsalted sha256."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._load_key()
        with self.connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(self.ddl(SCHEMA))
            for table, column, declaration in ADDED_COLUMNS:
                have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
                if column not in have:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
            for table in self.tables:
                conn.executescript(self.ddl(table.schema))
            self._migrate_hashes(conn)

    def _load_key(self) -> None:
        if self._hasher is None:
            self._key = load_or_create_key(self.key_file, exact=True)
            self._hasher = UserHasher(self._key)

    def key_mismatch(self) -> None:
        """The key in use is not the one the stored votes were hashed with (SQLite: said, not fatal)."""
        log.warning(
            "Feedback: the key %s is not the one the votes in %s were hashed with; earlier votes can no "
            "longer be matched to users (`citebot feedback forget` will not find them)", self.key_file, self.where
        )

    def _migrate_hashes(self, conn: sqlite3.Connection) -> None:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        fingerprint = hashlib.sha256(b"citebot-key-id:" + (self._key or b"")).hexdigest()[:16]
        if meta.get("user_hash") != HASH_SCHEME:
            rows = conn.execute("SELECT id, user_hash FROM feedback").fetchall()
            for row_id, legacy in rows:
                conn.execute("UPDATE feedback SET user_hash = ? WHERE id = ?", (self.hasher.rekey_legacy(legacy), row_id))
            if rows:
                log.info("Feedback: re-keyed %d user hashes (sha256 → HMAC)", len(rows))
            conn.execute(UPSERT_META, ("user_hash", HASH_SCHEME))
        elif meta.get("key_id") not in (None, fingerprint):
            self.key_mismatch()
        conn.execute(UPSERT_META, ("key_id", fingerprint))

    @property
    def hasher(self) -> UserHasher:
        if self._hasher is None:
            raise RuntimeError("FeedbackStore.init() has not run")
        return self._hasher

    def user_hash(self, user_id: int | str) -> str:
        return self.hasher(user_id)

    # ------------------------------------------------------------------ answers

    def save_answer(
        self,
        answer_id: str,
        answer: Answer,
        *,
        asker: int | None = None,
        more: list[Citation] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        data = answer_record(answer)
        data["more"] = answer_record(Answer("", False, list(more or [])))["citations"]
        with self.connect() as conn:
            conn.execute(
                "INSERT INTO answers (answer_id, question, answer_json, created_at, asker_hash, extra_json) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (answer_id) DO UPDATE SET question = excluded.question, "
                "answer_json = excluded.answer_json, created_at = excluded.created_at, "
                "asker_hash = excluded.asker_hash, extra_json = excluded.extra_json",
                (
                    answer_id,
                    answer.question,
                    json.dumps(data, ensure_ascii=False),
                    now_iso(),
                    self.user_hash(asker) if asker is not None else None,
                    json.dumps(extra or {}, ensure_ascii=False),
                ),
            )

    def load(self, answer_id: str) -> StoredAnswer | None:
        with self.connect() as conn:
            row = conn.execute(
                "SELECT answer_json, created_at, asker_hash, extra_json FROM answers WHERE answer_id = ?", (answer_id,)
            ).fetchone()
        if row is None:
            return None
        data = json.loads(row[0])
        more = answer_from_json({"question": "", "abstained": False, "citations": data.get("more", [])}).citations
        return StoredAnswer(answer_id, answer_from_json(data), row[1], row[2], more, json.loads(row[3] or "{}"))

    def load_answer(self, answer_id: str) -> Answer | None:
        stored = self.load(answer_id)
        return stored.answer if stored is not None else None

    def update_extra(self, answer_id: str, **values: Any) -> dict[str, Any] | None:
        """Merge ``values`` into the answer's extra JSON (atomically); the new extra, or None if unknown."""
        with self.connect() as conn:
            row = self._locked_extra(conn, answer_id)
            if row is None:
                return None
            extra = {**json.loads(row[0] or "{}"), **values}
            conn.execute("UPDATE answers SET extra_json = ? WHERE answer_id = ?", (json.dumps(extra), answer_id))
        return extra

    def claim(self, answer_id: str, flag: str) -> bool:
        """Set ``extra[flag]`` once: True for the first caller, False afterwards (or if unknown)."""
        with self.connect() as conn:
            row = self._locked_extra(conn, answer_id)
            if row is None:
                return False
            extra = json.loads(row[0] or "{}")
            if extra.get(flag):
                return False
            extra[flag] = now_iso()
            conn.execute("UPDATE answers SET extra_json = ? WHERE answer_id = ?", (json.dumps(extra), answer_id))
        return True

    def _locked_extra(self, conn: Any, answer_id: str) -> Any:
        """The answer's extra JSON, its row locked against a concurrent read-modify-write until commit."""
        if self.begin_write:
            conn.execute(self.begin_write)
        return conn.execute(
            "SELECT extra_json FROM answers WHERE answer_id = ?" + self.for_update, (answer_id,)
        ).fetchone()

    def answers(self, since: str | None = None) -> list[tuple[str, str, dict[str, Any], str]]:
        """(answer_id, question, answer JSON, created_at) of every stored answer, oldest first."""
        query = "SELECT answer_id, question, answer_json, created_at FROM answers"
        args: tuple[Any, ...] = ()
        if since:
            query += " WHERE created_at >= ?"
            args = (since,)
        with self.connect() as conn:
            rows = conn.execute(query + f" ORDER BY created_at, {self.answers_order}", args).fetchall()
        return [(r[0], r[1], json.loads(r[2]), r[3]) for r in rows]

    def answer_corpora(self) -> dict[str, str]:
        """answer_id -> the corpus it was answered from (``default`` for answers stored before corpora)."""
        with self.connect() as conn:
            rows = conn.execute("SELECT answer_id, extra_json FROM answers").fetchall()
        return {r[0]: json.loads(r[1] or "{}").get("corpus", "default") for r in rows}

    # ------------------------------------------------------------------ votes

    def record_vote(self, answer_id: str, user_id: int | str, vote: Vote) -> bool:
        """Store (or change) this user's vote on an answer; False if the answer is unknown."""
        if vote not in ("up", "down"):
            raise ValueError(f"vote must be 'up' or 'down', not {vote!r}")
        with self.connect() as conn:
            row = conn.execute(
                "SELECT question, answer_json FROM answers WHERE answer_id = ?", (answer_id,)
            ).fetchone()
            if row is None:
                return False
            conn.execute(
                "INSERT INTO feedback (answer_id, question, answer_json, user_hash, vote, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (answer_id, user_hash) DO UPDATE SET vote = excluded.vote, created_at = excluded.created_at",
                (answer_id, row[0], row[1], self.user_hash(user_id), vote, now_iso()),
            )
        return True

    def feedback(self, vote: Vote | None = None) -> list[FeedbackRow]:
        query = "SELECT answer_id, question, answer_json, user_hash, vote, created_at FROM feedback"
        args: tuple[Any, ...] = ()
        if vote is not None:
            query += " WHERE vote = ?"
            args = (vote,)
        with self.connect() as conn:
            rows = conn.execute(query + " ORDER BY created_at, id", args).fetchall()
        return [FeedbackRow(r[0], r[1], json.loads(r[2]), r[3], r[4], r[5]) for r in rows]

    # ------------------------------------------------------------------ privacy

    def purge(self, days: float, *, now: datetime | None = None) -> dict[str, int]:
        """Delete answers, votes and bot rows older than ``days``; the count deleted per table."""
        cutoff = cutoff_iso(days, now)
        counts: dict[str, int] = {}
        with self.connect() as conn:
            counts["answers"] = conn.execute("DELETE FROM answers WHERE created_at < ?", (cutoff,)).rowcount
            counts["feedback"] = conn.execute("DELETE FROM feedback WHERE created_at < ?", (cutoff,)).rowcount
            for table in self.tables:
                counts[table.name] = conn.execute(
                    f"DELETE FROM {table.name} WHERE created_at < ?", (cutoff,)
                ).rowcount
        return counts

    def downvoted_questions(self) -> list[str]:
        """Distinct questions with at least one 👎, most recently downvoted first (``init()`` first)."""
        with self.connect() as conn:
            return [r[0] for r in conn.execute(DOWNVOTED).fetchall()]

    def forget(self, user_id: int | str) -> Forgotten:
        """Delete everything of one user: their votes, the answers to their questions (and the votes on
        those), and their rows in the bot's other tables."""
        who = self.user_hash(user_id)
        with self.connect() as conn:
            asked = [r[0] for r in conn.execute("SELECT answer_id FROM answers WHERE asker_hash = ?", (who,))]
            votes = conn.execute("DELETE FROM feedback WHERE user_hash = ?", (who,)).rowcount
            for answer_id in asked:
                votes += conn.execute("DELETE FROM feedback WHERE answer_id = ?", (answer_id,)).rowcount
            answers = conn.execute("DELETE FROM answers WHERE asker_hash = ?", (who,)).rowcount
            rows = {t.name: conn.execute(f"DELETE FROM {t.name} WHERE {t.user_column} = ?", (who,)).rowcount
                    for t in self.tables if t.user_column}
        return Forgotten(votes, answers, rows)


@dataclass(frozen=True, slots=True)
class Table:
    """A bot table in the feedback database: its DDL (``{serial}``: the store's auto-numbered key), and
    the columns ``purge``/``forget`` use."""

    name: str
    schema: str
    user_column: str | None = None  # keyed user hash, for ``forget``; every table has ``created_at``


DOWNVOTED = ("SELECT question FROM feedback WHERE vote = 'down' GROUP BY question "
             "ORDER BY MAX(created_at) DESC, MAX(id) DESC")


def downvoted_questions(where: str | Path | FeedbackStore) -> list[str]:
    """Distinct questions with at least one 👎, most recently downvoted first: of an opened store (SQLite
    or PostgreSQL), or of a SQLite file read-only ([] if no file yet)."""
    if isinstance(where, FeedbackStore):
        return where.downvoted_questions()
    path = Path(where)
    if not path.exists():
        return []
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=10)
    try:
        has_table = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'feedback'"
        ).fetchone()
        if not has_table:
            return []
        rows = conn.execute(DOWNVOTED).fetchall()
    finally:
        conn.close()
    return [r[0] for r in rows]
