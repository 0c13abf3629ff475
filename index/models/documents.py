"""What a loader hands to the indexer: a document's source text and the blocks found in it.

Every offset in citebot points into ``Document.text`` (the **source text**: the file itself for
.txt, .md, .rst, notebooks' cells and code; the extracted text for .html and .pdf). A loader marks
the structure of the document as ``Block``s: heading, paragraph, list item, table row, admonition,
code block…, each with its exact source span, its context (the heading path, an admonition's
title) and its **display text** (markup rendered: links become their text, emphasis is dropped,
inline code is kept as code, roles are resolved).

Display text is what the model and BM25 see and what people are shown; the source span is what a
quote slices, so a quote stays verbatim. ``Block.runs`` ties the two together: stretches of the
display text that are verbatim copies of the source. ``Block.source_span`` turns a span of display
text (a sentence) into the source span to quote, widened over markup glued to its ends
(``**Typer** is`` rather than ``Typer** is``).

The loaders keep a document's blocks in source order and never let two of them overlap. A
notebook's source text is its cells' sources joined by a blank line, and ``Block.cell`` says which
cell a block is in. Code shown on a page through an include (``--8<--``, ``{* … *}``,
``literalinclude``) is a block of the *included* file's document, at that file's own offsets, with
the page's heading path as its context and ``included_from`` naming the page.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

# what a block can be; every kind but HEADING and CODE holds prose (sentences are split inside it)
PARAGRAPH = "paragraph"
HEADING = "heading"
LIST_ITEM = "list_item"
TABLE_ROW = "table_row"
ADMONITION = "admonition"  # its title goes into the context of the blocks inside it
QUOTE = "quote"  # a block quote
DEFINITION = "definition"  # a definition-list entry (term: definition)
FOOTNOTE = "footnote"
CODE = "code"  # one citable unit, never cut into sentences; ``language`` says what it is
BLOCK_KINDS = frozenset({PARAGRAPH, HEADING, LIST_ITEM, TABLE_ROW, ADMONITION, QUOTE, DEFINITION, FOOTNOTE, CODE})
PROSE_KINDS = BLOCK_KINDS - {HEADING, CODE}

# what a document is, for ranking (changelogs rank below the current docs) and the build summary
DOCS, CHANGELOG, SOURCE = "docs", "changelog", "source"
DOCUMENT_ROLES = frozenset({DOCS, CHANGELOG, SOURCE})

Run = tuple[int, int, int]  # (display start, source start, length): display[d:d+n] == text[s:s+n]


@dataclass(frozen=True, slots=True)
class Block:
    """A structural part ``text[start:end]`` of a document.

    ``display`` is None when the display text is the source slice itself (plain text, HTML and PDF
    extracts, most code); otherwise ``runs`` lists the verbatim stretches (in display order, with
    increasing source positions), and display characters in no run are synthesized (a space for a
    soft line break, a bullet…).
    """

    kind: str
    start: int
    end: int
    context: str = ""  # e.g. "Install > Linux" (+ " > Note" inside an admonition); never quoted
    page: int | None = None  # 1-based PDF page
    wrapped: bool | None = None  # prose: True = single newlines are soft line wraps; None = guess
    display: str | None = None
    runs: tuple[Run, ...] = ()
    language: str = ""  # code blocks: "python", "console", "" when unknown
    lead_in: bool = False  # prose ending in ":" that introduces the next block (a code block, a list)
    level: int = 0  # heading level (1-6); nesting depth of list items
    cell: int | None = None  # notebooks: the 1-based cell the block is in ("cell 3")
    included_from: str = ""  # included code: "<includer source>:<line>" of the page that shows it

    def display_text(self, text: str) -> str:
        """What is embedded, searched and shown."""
        return text[self.start : self.end] if self.display is None else self.display

    def _runs(self) -> tuple[Run, ...]:
        return ((0, self.start, self.end - self.start),) if self.display is None else self.runs

    def source_offset(self, d: int) -> int | None:
        """The source position of display character ``d``; None when it is synthesized."""
        runs = self._runs()
        i = bisect.bisect_right(runs, (d, float("inf"), 0)) - 1
        if i >= 0:
            ds, ss, n = runs[i]
            if d < ds + n:
                return ss + d - ds
        return None

    def source_span(self, d_start: int, d_end: int, text: str) -> tuple[int, int]:
        """The source span to quote for ``display[d_start:d_end]`` (``d_start < d_end``).

        From the source of its first mapped character to just past the source of its last one, then
        widened over unmapped, non-space source characters glued to either end (markup such as
        ``**``, ``[``, ``](url)``, a role's ``:func:```), never past the block."""
        if self.display is None:
            return self.start + d_start, self.start + d_end
        first = next((s for d in range(d_start, d_end) if (s := self.source_offset(d)) is not None), None)
        last = next((s for d in range(d_end - 1, d_start - 1, -1) if (s := self.source_offset(d)) is not None), None)
        if first is None or last is None:  # only synthesized characters: the whole block
            return self.start, self.end
        start, end = first, last + 1
        while start > self.start and not text[start - 1].isspace() and not self._mapped(start - 1):
            start -= 1
        while end < self.end and not text[end].isspace() and not self._mapped(end):
            end += 1
        return start, end

    def _mapped(self, s: int) -> bool:
        """Whether source position ``s`` is copied into the display text (runs ascend in source too)."""
        runs = self._runs()
        i = bisect.bisect_right([r[1] for r in runs], s) - 1
        return i >= 0 and s < runs[i][1] + runs[i][2]

    def check(self, text: str) -> None:
        """Raise ValueError if the block does not fit its document (loaders' own bugs, caught early)."""
        if self.kind not in BLOCK_KINDS:
            raise ValueError(f"unknown block kind {self.kind!r}")
        if not (0 <= self.start <= self.end <= len(text)):
            raise ValueError(f"block {self.start}:{self.end} outside the text ({len(text)} chars)")
        if self.display is None:
            return
        prev_d = prev_s = -1
        for d, s, n in self.runs:
            if n <= 0 or d < prev_d or s < prev_s or not (self.start <= s and s + n <= self.end):
                raise ValueError(f"bad run {(d, s, n)} in block {self.start}:{self.end}")
            if d + n > len(self.display) or self.display[d : d + n] != text[s : s + n]:
                raise ValueError(f"run {(d, s, n)} does not copy the source")
            prev_d, prev_s = d + n, s + n


class DisplayBuilder:
    """Builds a block's display text and its runs: ``copy`` source stretches, ``add`` synthesized text."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._parts: list[str] = []
        self._runs: list[Run] = []
        self._len = 0

    def copy(self, start: int, end: int) -> None:
        if end <= start:
            return
        if self._runs and self._runs[-1][1] + self._runs[-1][2] == start and self._runs[-1][0] + self._runs[-1][2] == self._len:
            d, s, n = self._runs[-1]
            self._runs[-1] = (d, s, n + end - start)
        else:
            self._runs.append((self._len, start, end - start))
        self._parts.append(self._text[start:end])
        self._len += end - start

    def add(self, synthesized: str) -> None:
        self._parts.append(synthesized)
        self._len += len(synthesized)

    def __len__(self) -> int:
        return self._len

    def build(self) -> tuple[str, tuple[Run, ...]]:
        return "".join(self._parts), tuple(self._runs)


@dataclass(slots=True)
class Document:
    source: str  # path relative to the docs dir, or the BEIR ``_id``
    text: str
    blocks: list[Block] = field(default_factory=list)
    title: str = ""
    format: str = "text"  # text | markdown | rst | notebook | code | html | pdf | beir
    role: str = DOCS  # docs | changelog | source (see DOCUMENT_ROLES)
    repo_path: str = ""  # path from the git work tree's root, when the docs folder is in one (permalinks)

    def __post_init__(self) -> None:
        if not self.blocks and self.text.strip():
            self.blocks = [Block(PARAGRAPH, 0, len(self.text))]
        for b in self.blocks:
            b.check(self.text)

    @property
    def content_hash(self) -> str:
        h = hashlib.sha256()
        h.update(self.text.encode("utf-8", "surrogatepass"))
        h.update(f"|{self.format}|{self.role}".encode())
        for b in self.blocks:
            h.update(
                f"|{b.kind}:{b.start}:{b.end}:{b.context}:{b.page}:{b.wrapped}:{b.language}:{b.lead_in}:{b.level}:"
                f"{b.display}:{b.runs}:{b.cell}:{b.included_from}".encode("utf-8", "surrogatepass")
            )
        return h.hexdigest()

    def prose_blocks(self) -> Iterator[tuple[int, Block]]:
        return ((i, b) for i, b in enumerate(self.blocks) if b.kind in PROSE_KINDS)

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

    @property
    def starts(self) -> list[int]:
        """The offset where each line starts (line ``k`` starts at ``starts[k - 1]``)."""
        return self._starts
