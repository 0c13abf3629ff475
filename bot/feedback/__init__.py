"""What users told the bot: stored answers, 👍/👎 votes, keyed user hashes, and the reports made from them.

``store`` (SQLite), ``keys`` (HMAC of user ids with a secret beside the database). Nothing here
imports discord or the model.
"""

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

__all__ = [
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
