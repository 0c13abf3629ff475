"""Collapse exact and near-duplicate sentences, so the same text is never indexed or cited twice.

Exact duplicates are found by a normalized key (case, punctuation and spacing
folded). Near duplicates (the seed article repeats two photo captions with a few
words changed) are found by comparing word sequences of sentences that share their
first or last three words, with ``difflib``'s ratio.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict

_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


class Deduper:
    """Remembers the sentences seen so far; ``seen(text)`` tells whether one repeats an earlier one."""

    def __init__(self, near: float = 0.85, min_words: int = 4, bucket_cap: int = 32) -> None:
        self.near = near
        self.min_words = min_words
        self.bucket_cap = bucket_cap
        self._exact: dict[str, int] = {}
        self._buckets: dict[tuple[str, ...], list[tuple[list[str], int]]] = defaultdict(list)

    def seen(self, text: str, ident: int) -> int | None:
        """The id of the earlier sentence that ``text`` duplicates, or None (then ``text`` is remembered)."""
        ws = words(text)
        if len(ws) < self.min_words:
            return None  # "Results." or "Methods" repeat legitimately; too short to be a passage
        key = " ".join(ws)
        hit = self._exact.get(key)
        if hit is not None:
            return hit
        for bucket_key in self._bucket_keys(ws):
            for other, other_id in self._buckets.get(bucket_key, ()):
                if abs(len(other) - len(ws)) <= 0.3 * max(len(other), len(ws)) and self._similar(ws, other):
                    return other_id
        self._exact[key] = ident
        for bucket_key in self._bucket_keys(ws):
            bucket = self._buckets[bucket_key]
            if len(bucket) < self.bucket_cap:
                bucket.append((ws, ident))
        return None

    def _similar(self, a: list[str], b: list[str]) -> bool:
        return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= self.near

    @staticmethod
    def _bucket_keys(ws: list[str]) -> tuple[tuple[str, ...], ...]:
        return (("^",) + tuple(ws[:3]), ("$",) + tuple(ws[-3:]))


def similar(a: str, b: str, threshold: float = 0.85) -> bool:
    """Whether two texts are near-duplicates (used to keep answers from repeating themselves)."""
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return wa == wb
    return difflib.SequenceMatcher(None, wa, wb, autojunk=False).ratio() >= threshold
