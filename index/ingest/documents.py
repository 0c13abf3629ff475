"""What a loader hands to the indexer: a document's extracted text and its content segments.

Every offset in citebot points into ``Document.text``. A loader decides what that
text is (the file itself for .txt and .md, the extracted text for .html and .pdf)
and marks the regions worth indexing as segments, each with its context
(a Markdown heading path, a title) and page (PDF).
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Segment:
    """A region ``text[start:end]`` of a document that holds indexable prose."""

    start: int
    end: int
    context: str = ""  # e.g. "Install > Linux" for Markdown; prepended for embedding/BM25, never quoted
    page: int | None = None  # 1-based PDF page
    wrapped: bool | None = None  # True: single newlines are soft line wraps; None: guess


@dataclass(slots=True)
class Document:
    source: str  # path relative to the docs dir, or the BEIR ``_id``
    text: str
    segments: list[Segment] = field(default_factory=list)
    title: str = ""

    def __post_init__(self) -> None:
        if not self.segments and self.text.strip():
            self.segments = [Segment(0, len(self.text))]
        for s in self.segments:
            if not (0 <= s.start <= s.end <= len(self.text)):
                raise ValueError(f"segment {s.start}:{s.end} outside {self.source} ({len(self.text)} chars)")

    @property
    def content_hash(self) -> str:
        h = hashlib.sha256()
        h.update(self.text.encode("utf-8"))
        for s in self.segments:
            h.update(f"|{s.start}:{s.end}:{s.context}:{s.page}:{s.wrapped}".encode())
        return h.hexdigest()

    def line_of(self, offset: int) -> int:
        """1-based line number of a character offset."""
        return self.text.count("\n", 0, offset) + 1


class LineIndex:
    """Fast offset → line lookups for one text."""

    def __init__(self, text: str) -> None:
        self._starts = [0]
        pos = text.find("\n")
        while pos != -1:
            self._starts.append(pos + 1)
            pos = text.find("\n", pos + 1)

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset)
