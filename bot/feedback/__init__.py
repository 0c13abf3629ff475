"""What users told the bot: stored answers, 👍/👎 votes, keyed user hashes, and the reports made from them.

``store`` (SQLite), ``postgres`` (the same store in PostgreSQL, for several replicas), ``keys`` (HMAC
of user ids with a secret kept in a file). ``open_feedback_store(settings)`` picks one. Nothing here
imports discord or the model.
"""

from typing import Any

from bot.feedback.keys import UserHasher, key_path
from bot.feedback.store import (
    FeedbackRow,
    FeedbackStore,
    Forgotten,
    StoredAnswer,
    Table,
    Vote,
    downvoted_questions,
)


def open_feedback_store(settings: Any) -> FeedbackStore:
    """PostgreSQL when ``CITEBOT_FEEDBACK_DSN`` is set (or the index lives in PostgreSQL: CITEBOT_STORE=postgres
    with its DSN), else the SQLite file ``CITEBOT_FEEDBACK_DB``; not yet initialised (``init()``)."""
    dsn = settings.feedback_postgres_dsn()
    key_file = settings.feedback_key_file
    if dsn is None:
        return FeedbackStore(settings.feedback_db, key_file=key_file)
    from bot.feedback.postgres import PostgresFeedbackStore

    return PostgresFeedbackStore(dsn, key_file=key_file or key_path(settings.feedback_db))


__all__ = [
    "open_feedback_store",
    "FeedbackRow",
    "FeedbackStore",
    "Forgotten",
    "StoredAnswer",
    "Table",
    "UserHasher",
    "Vote",
    "downvoted_questions",
    "key_path",
]
