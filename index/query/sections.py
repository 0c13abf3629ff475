"""What surrounds a quote, for "show more": its heading section, and ±N lines around it.

Pure functions over one document's source text and stored blocks (``schema.BLOCK_DTYPE`` rows);
``Engine.section`` / ``Engine.lines_around`` look the document up by source.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.models.documents import HEADING, LineIndex


@dataclass(frozen=True, slots=True)
class Excerpt:
    """A verbatim stretch ``text[start:end]`` of a document, with its lines."""

    text: str
    start: int
    end: int
    line: int  # 1-based line of ``start``
    end_line: int  # 1-based line of its last character
    heading: str = ""  # sections: the heading path it is under ("" before the first heading)


def section(text: str, blocks: np.ndarray, kinds: list[str], contexts: list[str], offset: int) -> Excerpt:
    """The heading section holding ``offset``: from the nearest heading at or before it to the next
    heading (its own text, without its subsections; the whole text when the document has no headings)."""
    heading_kind = kinds.index(HEADING)
    is_heading = blocks["kind"] == heading_kind
    starts = blocks["start"]
    before = np.flatnonzero(is_heading & (starts <= offset))
    lines = LineIndex(text)
    if len(before):
        h = int(before[-1])
        start = int(starts[h])
        later = np.flatnonzero(is_heading & (starts > start))
        after = [b for b in range(h + 1, len(blocks)) if not is_heading[b]]
        heading = contexts[int(blocks["context"][after[0]])] if after else contexts[int(blocks["context"][h])]
    else:
        start, heading = 0, ""
        later = np.flatnonzero(is_heading & (starts > offset))
    end = int(starts[later[0]]) if len(later) else len(text)
    body = text[start:end].rstrip()
    end = start + len(body)
    return Excerpt(body, start, end, lines.line(start), lines.line(max(start, end - 1)), heading)


def lines_around(text: str, line: int, end_line: int, n: int) -> Excerpt:
    """Lines ``line - n`` .. ``end_line + n`` of ``text`` (clipped to the document), verbatim."""
    lines = LineIndex(text)
    starts = lines.starts
    first = max(1, line - n)
    last = min(len(starts), max(end_line, line) + n)
    start = starts[first - 1]
    end = starts[last] - 1 if last < len(starts) else len(text)
    return Excerpt(text[start:end], start, end, first, last)
