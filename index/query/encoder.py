"""The embedding model as the query path uses it: one question at a time across threads.

An embedder with ``encode_with_tokens`` gives the question's token states from the same run as its
vector; the last ``QuestionEncoder.RECENT`` questions' states are kept for the refine stage
(``index.query.tokens``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from index.models.embeddings import Embedder, Tokens


class QuestionEncoder:
    """The model, for questions: one encode (or token pass) at a time across threads. An embedder with
    ``encode_with_tokens`` gives the question's token states from the same run as its vector; the last
    ``RECENT`` questions' are kept for the refine stage (``index.query.tokens``)."""

    RECENT = 32

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._lock = threading.Lock()
        self._recent: OrderedDict[str, Tokens] = OrderedDict()

    def encode(self, text: str) -> np.ndarray:
        with self._lock:
            both = getattr(self.embedder, "encode_with_tokens", None)
            if both is None:
                return self.embedder.encode([text], batch_size=1)[0]
            vec, tokens = both(text)
            self._recent[text] = tokens
            self._recent.move_to_end(text)
            if len(self._recent) > self.RECENT:
                self._recent.popitem(last=False)
            return vec

    def recent_tokens(self, text: str) -> Tokens | None:
        """The token states of a question encoded lately (None if it was not)."""
        with self._lock:
            return self._recent.get(text)

    def encode_many(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return self.embedder.encode(texts, batch_size=max(1, len(texts)))

    def token_states(self, texts: list[str]) -> list[Tokens]:
        with self._lock:
            return self.embedder.token_states(texts)
