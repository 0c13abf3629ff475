"""The answer object: what ``citebot ask --json`` prints and what the bot formats.

The JSON shape is a public contract (other tools and the eval suite read it):
``{"question", "abstained", "citations": [{"quote", "display", "source", "line", "char_start",
"char_end", "score", "kind", "end_line", ("language"), ("url"), ("parts")}], "passages": [{"text",
"source", "char_start", "char_end", "score"}]}``.
For every citation, ``document_text[char_start:char_end] == quote`` (the source text); ``display`` is
the same text with its markup rendered (what people are shown), and ``url`` a permalink when known.
A citation may span several units (a lead-in and the code it introduces, a sentence and its
follow-up): then ``parts`` lists them (kind, display, offsets, lines, language), and ``display``
shows code parts fenced with their language; ``kind`` is ``code`` when the quote shows code.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class Part:
    """One unit of a citation that spans several (a lead-in and its code block, a sentence and its
    follow-up, a list intro and its items): ``document_text[char_start:char_end]`` is its source."""

    kind: str
    display: str
    char_start: int
    char_end: int
    line: int
    end_line: int
    language: str = ""
    trimmed: bool = False  # a code block cut to the lines ``line``..``end_line`` that match the question

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind, "display": self.display, "char_start": self.char_start, "char_end": self.char_end,
            "line": self.line, "end_line": self.end_line,
        }
        if self.language:
            out["language"] = self.language
        if self.trimmed:
            out["trimmed"] = True
        return out

    @classmethod
    def from_json(cls, data: Any) -> Part:
        if isinstance(data, Part):
            return data
        return _build(cls, data)


@dataclass(frozen=True, slots=True)
class Citation:
    quote: str
    source: str
    line: int
    char_start: int
    char_end: int
    score: float
    page: int | None = None  # PDF page; shown in plain output, not part of the JSON contract
    display: str = ""  # the quote with its markup rendered ("" = the quote itself)
    kind: str = "paragraph"  # its block's kind: paragraph, list_item, code…
    language: str = ""  # code: its language ("python", "console"…), "" when unknown
    end_line: int | None = None  # the line of its last character (None = ``line``)
    url: str | None = None  # a permalink to its lines, when the index knows one
    parts: tuple[Part, ...] = ()  # a quote over several units: each of them, in order (() = one unit)

    def __post_init__(self) -> None:
        if self.display == self.quote:  # one spelling for "the same as the quote" (JSON round trips)
            object.__setattr__(self, "display", "")
        if self.end_line is None:  # one spelling for "its first line" (the JSON has end_line)
            object.__setattr__(self, "end_line", self.line)
        if self.parts and not all(isinstance(p, Part) for p in self.parts):  # from JSON
            object.__setattr__(self, "parts", tuple(Part.from_json(p) for p in self.parts))
        elif isinstance(self.parts, list):
            object.__setattr__(self, "parts", tuple(self.parts))

    @property
    def shown(self) -> str:
        """What people are shown: the display text."""
        return self.display or self.quote

    @property
    def last_line(self) -> int:
        return self.end_line if self.end_line is not None else self.line

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "quote": self.quote,
            "display": self.shown,
            "source": self.source,
            "line": self.line,
            "char_start": self.char_start,
            "char_end": self.char_end,
            "score": round(float(self.score), 6),
            "kind": self.kind,
            "end_line": self.last_line,
        }
        if self.language:
            out["language"] = self.language
        if self.url:
            out["url"] = self.url
        if self.parts:
            out["parts"] = [p.to_json() for p in self.parts]
        return out


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


# --------------------------------------------------------------------------- round trip


def answer_record(answer: Answer) -> dict[str, Any]:
    """Every field of the answer, its citations and passages (``page`` and a passage's ``line``
    included): what a store keeps so that :func:`answer_from_json` gives the same answer back."""
    return {
        "question": answer.question,
        "abstained": answer.abstained,
        "citations": [_fields(c) for c in answer.citations],
        "passages": [_fields(p) for p in answer.passages],
    }


def answer_from_json(data: dict[str, Any]) -> Answer:
    """The answer of ``Answer.to_json()`` or ``answer_record()`` output. Every key a ``Citation`` or
    ``Passage`` field has is kept (fields added later included); keys it does not know are ignored,
    and fields the JSON lacks keep their defaults."""
    return Answer(
        question=data["question"],
        abstained=bool(data["abstained"]),
        citations=[_build(Citation, c) for c in data.get("citations", [])],
        passages=[_build(Passage, p) for p in data.get("passages", [])],
    )


def _fields(obj: Any) -> dict[str, Any]:
    out = {f.name: getattr(obj, f.name) for f in fields(obj)}
    if isinstance(obj, Citation):
        out["parts"] = [_fields(p) for p in obj.parts]
    return out


def _build(cls: Any, data: dict[str, Any]) -> Any:
    known = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in known})
