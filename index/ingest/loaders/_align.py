"""Display text from a parser's rendered pieces, aligned back onto the source.

Parsers (markdown-it, docutils) hand over what a block renders to: words, inline code, a role's
title, but not where each piece sits in the file. ``Aligner`` finds every word in the source, in
order, from a cursor that only moves forward inside the block's region, and copies it (a run of
``Block.runs``); a piece the source does not hold verbatim (an entity, an escaped character, a
word the parser synthesized) is added as synthesized text instead. Whitespace between words
becomes one space, copied when the source has exactly one space there.

``prose_block``/``code_block`` turn the result into a ``Block`` whose span covers its copied text
widened over markup glued to its ends (``**`` before a bold first word, ``](url)`` after a link).
"""

from __future__ import annotations

import bisect
import dataclasses
import re

from index.models.documents import CODE, LIST_ITEM, PROSE_KINDS, Block, DisplayBuilder

_WORD = re.compile(r"\S+")


class Aligner:
    def __init__(self, text: str, start: int, end: int) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.pos = start
        self._b = DisplayBuilder(text)
        self._pending_space = False
        self._first: int | None = None  # source span of the copied characters
        self._last: int | None = None
        self._display_tail = ""  # last character added, to collapse spaces

    # -- pieces ---------------------------------------------------------------------------
    def words(self, piece: str) -> None:
        """Copy ``piece`` word by word (its whitespace collapsed to single spaces)."""
        if piece[:1].isspace():
            self.space()
        for m in _WORD.finditer(piece):
            if m.start() > 0:
                self.space()
            self.word(m.group())
        if piece[-1:].isspace():
            self.space()

    def word(self, w: str) -> None:
        """Copy one whitespace-free piece found at or after the cursor; synthesize it if absent."""
        if not w:
            return
        found = self.text.find(w, self.pos, self.end)
        if found < 0:
            self.add(w)
            return
        if w[0] in ".,;:!?)" and found > self.start and not self.text[found - 1].isspace():
            self._pending_space = False  # the space was before something not shown (a footnote mark)
        self._flush_space(found)
        self._b.copy(found, found + len(w))
        self._mark(found, found + len(w))
        self.pos = found + len(w)
        self._display_tail = w[-1]

    def verbatim(self, start: int, end: int) -> None:
        """Copy the source ``text[start:end]`` as it is (code lines)."""
        if end <= start:
            return
        self._flush_space(start)
        self._b.copy(start, end)
        self._mark(start, end)
        self.pos = max(self.pos, end)
        self._display_tail = self.text[end - 1]

    def add(self, synthesized: str) -> None:
        if not synthesized:
            return
        if self._pending_space:
            self._pending_space = False
            if len(self._b) and not self._display_tail.isspace() and not synthesized[0].isspace():
                self._b.add(" ")
        self._b.add(synthesized)
        self._display_tail = synthesized[-1]

    def space(self) -> None:
        """A word boundary: one space before the next piece (none at the start)."""
        if len(self._b):
            self._pending_space = True

    def skip_to(self, pos: int) -> None:
        self.pos = max(self.pos, min(pos, self.end))

    def find(self, s: str) -> int:
        """Where ``s`` next occurs (-1 if not in the region); moves nothing."""
        return self.text.find(s, self.pos, self.end) if s else -1

    # -- results --------------------------------------------------------------------------
    def _flush_space(self, at: int) -> None:
        if not self._pending_space:
            return
        self._pending_space = False
        if not len(self._b) or self._display_tail.isspace():
            return
        if at - 1 >= self.pos and self.text[at - 1] == " ":
            self._b.copy(at - 1, at)
            self._mark(at - 1, at)
        else:
            self._b.add(" ")
        self._display_tail = " "

    def _mark(self, s: int, e: int) -> None:
        if self._first is None:
            self._first = s
        self._last = e

    @property
    def empty(self) -> bool:
        return not len(self._b)

    def span(self, *, widen: bool = True) -> tuple[int, int] | None:
        """The source span of the copied text, widened over glued markup; None if nothing was copied."""
        if self._first is None or self._last is None:
            return None
        s, e = self._first, self._last
        if widen:
            while s > self.start and not self.text[s - 1].isspace():
                s -= 1
            while e < self.end and not self.text[e].isspace():
                e += 1
        return s, e

    def build(self) -> tuple[str, tuple[tuple[int, int, int], ...]]:
        display, runs = self._b.build()
        # trailing synthesized spaces never matter; leading ones cannot exist (space() at start is a no-op)
        stripped = display.rstrip()
        if len(stripped) < len(display):
            cut = len(stripped)
            runs = tuple((d, s, min(n, cut - d)) for d, s, n in runs if d < cut)
            display = stripped
        return display, runs

    def block(self, kind: str, *, context: str = "", widen: bool = True, **fields: object) -> Block | None:
        """The block of everything aligned so far, or None when nothing of the source was copied."""
        span = self.span(widen=widen)
        display, runs = self.build()
        if span is None or not display.strip():
            return None
        start, end = span
        if display == self.text[start:end] and runs == ((0, start, end - start),):
            return Block(kind, start, end, context=context, **fields)  # type: ignore[arg-type]
        return Block(kind, start, end, context=context, display=display, runs=runs, **fields)  # type: ignore[arg-type]


_LINE_END = re.compile(r"\r\n|\r|\n")


def line_starts(text: str) -> list[int]:
    """Start offset of every line (``\\n``, ``\\r\\n`` and ``\\r`` end lines, as markdown-it and docutils count)."""
    return [0, *(m.end() for m in _LINE_END.finditer(text))]


class Lines:
    """Line ``i`` (0-based) of a text: its start and the end of its content (line ending excluded)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = line_starts(text)

    def __len__(self) -> int:
        return len(self.starts)

    def start(self, i: int) -> int:
        return self.starts[min(max(i, 0), len(self.starts) - 1)]

    def end(self, i: int) -> int:
        """End of line ``i``'s content."""
        if i + 1 >= len(self.starts):
            return len(self.text)
        e = self.starts[i + 1]
        while e > self.starts[i] and self.text[e - 1] in "\r\n":
            e -= 1
        return e

    def line(self, i: int) -> str:
        return self.text[self.start(i) : self.end(i)]

    def line_index(self, offset: int) -> int:
        """The 0-based line that holds ``offset``."""
        return bisect.bisect_right(self.starts, offset) - 1


def code_block(
    text: str,
    lines: Lines,
    first: int,
    content: list[str],
    *,
    context: str = "",
    language: str = "",
    **fields: object,
) -> Block | None:
    """A code block over source lines ``first …`` whose content (container prefixes and common
    indentation removed by the parser) is ``content``; blank lines at either end are dropped.

    Each content line is found as the tail of its source line; its display is the content lines
    joined by ``\\n`` (None when that is the source slice itself)."""
    while content and not content[-1].strip():
        content = content[:-1]
    lead = 0
    while lead < len(content) and not content[lead].strip():
        lead += 1
    content = content[lead:]
    first += lead
    if not content:
        return None
    b = DisplayBuilder(text)
    spans: list[tuple[int, int]] = []
    for k, want in enumerate(content):
        i = first + k
        ls, le = lines.start(i), lines.end(i)
        src = text[ls:le]
        if k:
            prev_end = lines.end(i - 1)
            # the line break is copied when the previous line ran to its end and this one has no prefix
            if spans and spans[-1][1] == prev_end and src == want and text[prev_end:ls] == "\n":
                b.copy(prev_end, ls)
            else:
                b.add("\n")
        if src.endswith(want):
            b.copy(le - len(want), le)
            spans.append((le - len(want), le))
        else:
            b.add(want)  # a tab expanded by the parser, or a line it rewrote: shown, not mapped
    if not spans:
        return None
    start, end = min(s for s, _ in spans), max(e for _, e in spans)
    if start == end:
        return None
    display, runs = b.build()
    if display == text[start:end]:
        return Block("code", start, end, context=context, language=language, **fields)  # type: ignore[arg-type]
    return Block("code", start, end, context=context, language=language, display=display, runs=runs, **fields)  # type: ignore[arg-type]


def mark_lead_ins(blocks: list[Block], include_marks: list[int], text: str) -> list[Block]:
    """Set ``lead_in`` on prose blocks ending in ":" that a code block, a list item or an include follows."""
    marks = sorted(include_marks)
    out = list(blocks)
    for k, b in enumerate(out):
        if b.kind not in PROSE_KINDS or not b.display_text(text).rstrip().endswith(":"):
            continue
        nxt = out[k + 1] if k + 1 < len(out) else None
        j = bisect.bisect_left(marks, b.end)
        mark = marks[j] if j < len(marks) else None
        if (mark is not None and (nxt is None or mark < nxt.start)) or (
            nxt is not None and nxt.kind in (CODE, LIST_ITEM)
        ):
            out[k] = dataclasses.replace(b, lead_in=True)
    return out
