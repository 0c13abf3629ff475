"""The feedback store in PostgreSQL: answers, votes, threads and turns shared by several bot replicas.

Two ``citebot run`` processes with the same ``CITEBOT_FEEDBACK_DSN`` (or ``CITEBOT_STORE=postgres`` and
its DSN) store every answer where the other finds it, so the buttons of an answer posted by one
replica work when the click reaches the other, and votes, threads, retention and ``forget`` see
everything. The tables and SQL are ``FeedbackStore``'s, in their own schema (``citebot_feedback``)
so that they never meet the index's tables; read-modify-writes lock their row (``FOR UPDATE``) and
``init`` runs under an advisory lock, so replicas starting together create the schema once.

User ids are HMAC-hashed with the key in ``CITEBOT_FEEDBACK_KEY_FILE`` (created on first start), which
never goes into the database: give every replica the same file. A replica with another key is
refused at start (its votes would count the same user twice), in one line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot.feedback.store import ADDED_COLUMNS, HASH_SCHEME, SCHEMA, FeedbackStore
from index.errors import CitebotError

SCHEMA_NAME = "citebot_feedback"
INIT_LOCK = 0x636974626F7466  # pg_advisory_xact_lock key of the schema creation ("citbotf")
CONNECT_TIMEOUT = 10  # seconds


class FeedbackDatabaseUnavailable(CitebotError):
    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"cannot use the feedback database {where}: {reason}")


class FeedbackKeyMismatch(CitebotError):
    def __init__(self, key_file: Path, where: str) -> None:
        super().__init__(
            f"the feedback key {key_file} is not the one the votes in {where} were hashed with: give this "
            "replica the key file of the others (CITEBOT_FEEDBACK_KEY_FILE)"
        )


def redacted(dsn: str) -> str:
    """The DSN without its password, for messages."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    try:
        parts = conninfo_to_dict(dsn)
    except Exception:  # noqa: BLE001 - a malformed DSN: say nothing of it
        return "(the configured DSN)"
    parts.pop("password", None)
    return make_conninfo(**{k: v for k, v in parts.items() if v is not None})


class _Connection:
    """A psycopg connection that speaks the SQLite store's SQL (``?`` parameters)."""

    def __init__(self, conn: Any) -> None:
        self.raw = conn

    def execute(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> Any:
        return self.raw.execute(sql.replace("?", "%s"), tuple(params) if params else None)

    def executescript(self, sql: str) -> None:
        self.raw.execute(sql)  # several statements, no parameters: one simple query


class PostgresFeedbackStore(FeedbackStore):
    dialect = "postgres"
    serial = "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
    answers_order_ddl = ",\n    seq BIGINT GENERATED ALWAYS AS IDENTITY"
    answers_order = "seq"
    begin_write = None
    for_update = " FOR UPDATE"

    def __init__(self, dsn: str, *, key_file: str | Path, key: bytes | None = None) -> None:
        super().__init__(Path(key_file), key=key, key_file=key_file)  # ``path``: nothing lives beside it
        self.dsn = dsn

    @property
    def where(self) -> str:
        return redacted(self.dsn)

    @contextmanager
    def connect(self) -> Iterator[_Connection]:
        import psycopg

        try:
            conn = psycopg.connect(self.dsn, connect_timeout=CONNECT_TIMEOUT,
                                   options=f"-c search_path={SCHEMA_NAME}")
        except psycopg.Error as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise FeedbackDatabaseUnavailable(self.where, reason) from None
        try:
            with conn.transaction():
                yield _Connection(conn)
        finally:
            conn.close()

    def init(self) -> None:
        """Create the schema and tables (once, whichever replica starts first) and check the key."""
        self._load_key()
        with self.connect() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(?)", (INIT_LOCK,))
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA_NAME}")
            conn.executescript(self.ddl(SCHEMA))
            for table, column, declaration in ADDED_COLUMNS:
                conn.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {declaration}")
            for table in self.tables:
                conn.executescript(self.ddl(table.schema))
            self._check_key(conn)

    def _check_key(self, conn: _Connection) -> None:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        fingerprint = hashlib.sha256(b"citebot-key-id:" + (self._key or b"")).hexdigest()[:16]
        if meta.get("key_id") not in (None, fingerprint):
            raise FeedbackKeyMismatch(self.key_file, self.where)
        for key, value in (("user_hash", HASH_SCHEME), ("key_id", fingerprint)):
            conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", (key, value))
