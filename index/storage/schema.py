"""The records of an index generation: field names and types, read by name (never ``row[3]``).

Arrays are numpy structured arrays saved as .npy (no object fields, so ``allow_pickle=False`` reads
them); the strings they refer to by number (block kinds, languages, contexts) live in ``tables.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from index.models.documents import BLOCK_KINDS, DOCS

KINDS: tuple[str, ...] = tuple(sorted(BLOCK_KINDS))

BLOCK_DTYPE = np.dtype([
    ("doc", "<i4"),
    ("kind", "u1"),  # index into Tables.kinds
    ("start", "<i8"),  # source span in the document's text
    ("end", "<i8"),
    ("level", "<i2"),  # heading level; nesting depth of list items
    ("context", "<i4"),  # index into Tables.contexts (the heading path, an admonition's title)
    ("page", "<i4"),  # 1-based PDF page, 0 = none
    ("next", "<i4"),  # a lead-in ending in ":": the block it introduces; -1 = none
])

UNIT_DTYPE = np.dtype([
    ("doc", "<i4"),
    ("block", "<i4"),  # row of blocks.npy
    ("kind", "u1"),  # its block's kind (index into Tables.kinds)
    ("start", "<i8"),  # source span: document_text[start:end] is the quote
    ("end", "<i8"),
    ("line", "<i4"),  # 1-based line of start
    ("end_line", "<i4"),  # 1-based line of its last character
    ("page", "<i4"),  # 1-based PDF page, 0 = none
    ("language", "<i2"),  # code: index into Tables.languages ("" = unknown / prose)
    ("display_start", "<i8"),  # its display text in displays.txt; -1 = the same as its source text
    ("display_end", "<i8"),
    ("embed_end", "<i4"),  # a code block over the token budget: display[:embed_end] was embedded; -1 = all
])

CHUNK_DTYPE = np.dtype([
    ("doc", "<i4"),
    ("start", "<i8"),  # source span of its first unit's start .. last unit's end
    ("end", "<i8"),
    ("first", "<i8"),  # its units: first .. last - 1
    ("last", "<i8"),
    ("context", "<i4"),  # index into Tables.contexts ("" when the context is too long to prepend)
])


@dataclass
class DocRecord:
    source: str  # path relative to the docs folder (or a BEIR _id)
    title: str
    hash: str  # Document.content_hash
    text: str  # the source text every offset points into
    format: str = "text"
    role: str = DOCS  # docs | changelog | source
    repo_path: str = ""  # path from the git repository root ("" = no permalink)


@dataclass
class Tables:
    kinds: list[str] = field(default_factory=lambda: list(KINDS))
    languages: list[str] = field(default_factory=lambda: [""])
    contexts: list[str] = field(default_factory=lambda: [""])

    def to_json(self) -> dict[str, Any]:
        return {"kinds": self.kinds, "languages": self.languages, "contexts": self.contexts}

    @classmethod
    def from_json(cls, data: Any) -> Tables:
        if not isinstance(data, dict):
            raise TypeError("tables.json is not an object")
        out = cls(list(data["kinds"]), list(data["languages"]), list(data["contexts"]))
        if not all(isinstance(s, str) for s in (*out.kinds, *out.languages, *out.contexts)):
            raise TypeError("tables.json holds something else than strings")
        return out


class Interner:
    """Strings to table numbers while building."""

    def __init__(self, first: tuple[str, ...] = ("",)) -> None:
        self.items: list[str] = list(first)
        self._ids = {s: i for i, s in enumerate(self.items)}

    def __call__(self, s: str) -> int:
        i = self._ids.get(s)
        if i is None:
            i = self._ids[s] = len(self.items)
            self.items.append(s)
        return i
