"""The bot's threads and what was said in them, in the feedback database (so a restart forgets
nothing): which threads are citebot's (an answer thread, or a forum post it answered), who opened
them (keyed hash), and each turn's question, query and shown quotes.

A follow-up in a thread is asked with the conversation: its last query as context (when the
follow-up needs it) and every quote shown in the thread excluded. A forum post is answered once:
``open_thread`` is the claim.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from bot.feedback.store import FeedbackStore, Table, now_iso
from bot.shaping import Span

ThreadKind = Literal["answer", "forum"]

THREADS = Table(
    "threads",
    """
    CREATE TABLE IF NOT EXISTS threads (
        thread_id  TEXT PRIMARY KEY,
        kind       TEXT NOT NULL,
        owner_hash TEXT,
        created_at TEXT NOT NULL
    );
    """,
    user_column="owner_hash",
)
TURNS = Table(
    "turns",
    """
    CREATE TABLE IF NOT EXISTS turns (
        id         {serial},
        thread_id  TEXT NOT NULL,
        answer_id  TEXT NOT NULL,
        question   TEXT NOT NULL,
        query      TEXT NOT NULL,
        shown_json TEXT NOT NULL,
        asker_hash TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS turns_thread ON turns (thread_id, id);
    """,
    user_column="asker_hash",
)


@dataclass(frozen=True, slots=True)
class ThreadRecord:
    thread_id: int
    kind: ThreadKind
    owner_hash: str | None


@dataclass(frozen=True, slots=True)
class Conversation:
    last_query: str | None  # what the engine was last asked in the thread
    shown: frozenset[Span]  # every quote shown in it
    turns: int


class ThreadStore:
    def __init__(self, store: FeedbackStore) -> None:
        self.store = store
        for table in (THREADS, TURNS):
            if table not in store.tables:
                store.tables.append(table)

    def open_thread(self, thread_id: int, kind: ThreadKind, owner: int | None) -> bool:
        """Record a citebot thread; False if it was already recorded (a forum post answered before)."""
        owner_hash = self.store.user_hash(owner) if owner is not None else None
        with self.store.connect() as conn:
            cur = conn.execute(
                "INSERT INTO threads (thread_id, kind, owner_hash, created_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (thread_id) DO NOTHING",
                (str(thread_id), kind, owner_hash, now_iso()),
            )
        return cur.rowcount == 1

    def drop(self, thread_id: int) -> None:
        """Forget a thread recorded ahead of its creation that could not be made."""
        with self.store.connect() as conn:
            conn.execute("DELETE FROM turns WHERE thread_id = ?", (str(thread_id),))
            conn.execute("DELETE FROM threads WHERE thread_id = ?", (str(thread_id),))

    def get(self, thread_id: int) -> ThreadRecord | None:
        with self.store.connect() as conn:
            row = conn.execute("SELECT kind, owner_hash FROM threads WHERE thread_id = ?", (str(thread_id),)).fetchone()
        return ThreadRecord(thread_id, row[0], row[1]) if row else None

    def add_turn(
        self, thread_id: int, answer_id: str, question: str, query: str, shown: list[Span], asker: int | None
    ) -> None:
        with self.store.connect() as conn:
            conn.execute(
                "INSERT INTO turns (thread_id, answer_id, question, query, shown_json, asker_hash, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (str(thread_id), answer_id, question, query, json.dumps(shown),
                 self.store.user_hash(asker) if asker is not None else None, now_iso()),
            )

    def conversation(self, thread_id: int) -> Conversation:
        with self.store.connect() as conn:
            rows = conn.execute(
                "SELECT query, shown_json FROM turns WHERE thread_id = ? ORDER BY id", (str(thread_id),)
            ).fetchall()
        shown = frozenset(tuple(s) for _, shown_json in rows for s in json.loads(shown_json))
        return Conversation(rows[-1][0] if rows else None, shown, len(rows))  # type: ignore[arg-type]
