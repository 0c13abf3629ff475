"""Sentence splitting with exact character offsets (``index.ingest.units`` applies it to prose blocks).

A sentence is a span ``(start, end)`` of the text it is split in: quoting it is a slice,
so it is verbatim by construction. The splitter is tuned for what documents look
like in practice:

* line-per-paragraph text (news articles, HTML blocks): every newline ends a sentence;
* hard-wrapped text (Markdown, PDF, plain-text mail): single newlines are soft;
* quotations are kept whole (``wrote: ‘Impressive courage … recognition of Paris.’``)
  unless they run past ``MAX_QUOTED_CHARS``;
* abbreviations (``Dr.``, ``e.g.``, ``et al.``, initials) and decimals never end a sentence;
* neither does a period inside inline code (```FAIL Required coverage not reached. Total: 99%```).
"""

from __future__ import annotations

import re

from index.models.documents import Block

# A sentence boundary candidate: terminal punctuation, optional closing quotes or
# brackets, whitespace, then something that can start a sentence.
_BOUNDARY = re.compile(r"""([.!?…]+)(["'’”)\]]*)(\s+)(?=["'‘“(\[]?[\w])""")
_ABBREVIATIONS = frozenset(
    ["mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "vs", "etc", "al", "fig", "figs", "eq", "eqs", "no", "nos", "vol", "pp", "ca", "approx", "e.g", "i.e", "cf", "resp", "dept", "univ", "inc", "ltd", "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "a.m", "p.m", "ph.d", "gen", "col", "lt", "sgt", "capt", "rev", "est", "min", "max"]
)
_TERMINAL = ".!?…:;’”\"')]"
MAX_QUOTED_CHARS = 400  # a quotation longer than this is split at its own sentence ends
_OPEN_QUOTES = {"‘": "’", "“": "”"}
_INLINE_CODE = re.compile(r"(?<!`)`(?!`)[^`\n]{1,300}?`(?!`)")  # `code` as display text shows it


def split_block(text: str, seg: Block) -> list[tuple[int, int]]:
    """Sentence spans (absolute offsets into ``text``) inside one prose block."""
    wrapped = seg.wrapped if seg.wrapped is not None else guess_wrapped(text[seg.start : seg.end])
    spans: list[tuple[int, int]] = []
    if wrapped:
        blocks = _split_blank_lines(text, seg.start, seg.end)
    else:
        blocks = _split_lines(text, seg.start, seg.end)
    for b_start, b_end in blocks:
        spans.extend(_split_block(text, b_start, b_end))
    return spans


def guess_wrapped(block: str) -> bool:
    """True when single newlines look like soft wraps (a line break inside a sentence)."""
    lines = [ln.rstrip() for ln in block.split("\n")]
    breaks = soft = 0
    for prev, nxt in zip(lines, lines[1:], strict=False):
        if not prev.strip() or not nxt.strip():
            continue
        breaks += 1
        first = nxt.lstrip()[:1]
        if prev[-1] not in _TERMINAL and (first.islower() or first.isdigit() or prev[-1] in ",-("):
            soft += 1
    return breaks > 0 and soft * 3 >= breaks


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _split_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    pos = start
    while pos <= end:
        nl = text.find("\n", pos, end)
        stop = end if nl == -1 else nl
        span = _trimmed(text, pos, stop)
        if span:
            out.append(span)
        if nl == -1:
            break
        pos = nl + 1
    return out


def _split_blank_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    pos = start
    for m in re.finditer(r"\n[ \t\r\f\v]*\n", text[start:end]):
        span = _trimmed(text, pos, start + m.start())
        if span:
            out.append(span)
        pos = start + m.end()
    span = _trimmed(text, pos, end)
    if span:
        out.append(span)
    return out


def _is_abbreviation(text: str, block_start: int, dot_pos: int) -> bool:
    """Whether the period at ``dot_pos`` ends an abbreviation or an initial."""
    i = dot_pos
    while i > block_start and (text[i - 1].isalpha() or text[i - 1] == "."):
        i -= 1
    word = text[i:dot_pos].lower()
    if not word:
        return False
    if word in _ABBREVIATIONS:
        return True
    # single-letter initials ("J. Smith"), and dotted acronyms ("U.S.")
    return len(word) == 1 and word.isalpha() and text[i].isupper() or "." in word and len(word) <= 5


def _quote_depth_at(text: str, start: int, positions: list[int]) -> list[int]:
    """Open-quotation depth at each position (curly and straight double quotes)."""
    depths = []
    depth = 0
    straight_open = False
    pi = 0
    for i in range(start, positions[-1] + 1 if positions else start):
        while pi < len(positions) and positions[pi] == i:
            depths.append(depth + int(straight_open))
            pi += 1
        ch = text[i]
        if ch in _OPEN_QUOTES:
            depth += 1
        elif ch in "’”" and depth > 0:
            before = text[i - 1] if i > 0 else " "
            after = text[i + 1] if i + 1 < len(text) else " "
            if not (ch == "’" and before.isalnum() and after.isalnum()):  # not an apostrophe
                depth -= 1
        elif ch == '"':
            straight_open = not straight_open
    while pi < len(positions):
        depths.append(depth + int(straight_open))
        pi += 1
    return depths


def _split_block(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split one block (a line, or a paragraph of soft-wrapped lines) into sentences."""
    cuts: list[int] = []  # positions where a new sentence starts
    ends: list[int] = []  # matching end of the previous sentence
    code = [m.span() for m in _INLINE_CODE.finditer(text, start, end)] if "`" in text[start:end] else []
    for m in _BOUNDARY.finditer(text, start, end):
        punct_start = m.start(1)
        if m.group(1) == "." and _is_abbreviation(text, start, punct_start):
            continue
        if any(cs < punct_start < ce - 1 for cs, ce in code):
            continue
        ends.append(m.end(2))
        cuts.append(m.end(3))
    if not cuts:
        span = _trimmed(text, start, end)
        return [span] if span else []
    depths = _quote_depth_at(text, start, cuts)
    spans: list[tuple[int, int]] = []
    sent_start = start
    pending: list[tuple[int, int]] = []  # boundaries inside a quotation, used if it runs long
    for cut, stop, depth in zip(cuts, ends, depths, strict=True):
        if depth > 0:
            pending.append((stop, cut))
            continue
        spans.extend(_close(text, sent_start, stop, pending))
        pending = []
        sent_start = cut
    spans.extend(_close(text, sent_start, end, pending))
    return spans


def _close(text: str, start: int, end: int, inner: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Emit one sentence, or split it at its inner boundaries when it is too long."""
    if end - start <= MAX_QUOTED_CHARS or not inner:
        span = _trimmed(text, start, end)
        return [span] if span else []
    out = []
    for stop, cut in inner:
        span = _trimmed(text, start, stop)
        if span:
            out.append(span)
        start = cut
    span = _trimmed(text, start, end)
    if span:
        out.append(span)
    return out
