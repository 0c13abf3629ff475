"""The answer object: what ``citebot ask --json`` prints and what the bot formats.

The JSON shape is a public contract (other tools and the eval suite read it):
``{"question", "abstained", "citations": [{"quote", "source", "line", "char_start",
"char_end", "score"}], "passages": [{"text", "source", "char_start", "char_end", "score"}]}``.
For every citation, ``document_text[char_start:char_end] == quote``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Citation:
    quote: str
    source: str
    line: int
    char_start: int
    char_end: int
    score: float
    page: int | None = None  # PDF page; shown in plain output, not part of the JSON contract

    def to_json(self) -> dict[str, Any]:
        return {
            "quote": self.quote,
            "source": self.source,
            "line": self.line,
            "char_start": self.char_start,
            "char_end": self.char_end,
            "score": round(float(self.score), 6),
        }


@dataclass(frozen=True, slots=True)
class Passage:
    text: str
    source: str
    char_start: int
    char_end: int
    score: float
    line: int = 1
    page: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "source": self.source,
            "char_start": self.char_start,
            "char_end": self.char_end,
            "score": round(float(self.score), 6),
        }


@dataclass(slots=True)
class Answer:
    question: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "abstained": self.abstained,
            "citations": [c.to_json() for c in self.citations],
            "passages": [p.to_json() for p in self.passages],
        }
