"""Around a quote, from an open index: the document's text, ±N lines around a citation, and the
indexed sources (for a source picker). Used by the bot's "More context" button and ``/ask source:``.

``around`` prefers the engine's own ``lines_around`` / ``section`` when it has them, and checks that
what it returns still holds the quote at its offsets (an index rebuilt since the answer may not):
``ExcerptGone`` otherwise.
"""

from __future__ import annotations

from typing import Any

from index.errors import CitebotError
from index.query.answer import Citation
from index.query.sections import Excerpt  # the one excerpt record, shared with the engine


class ExcerptGone(CitebotError):
    def __init__(self, source: str) -> None:
        super().__init__(f"{source} has changed since this answer (or is no longer indexed): ask again to see it")


def _documents(engine: Any) -> Any:
    """The engine's document records, through its backend when it has one (any store), else ``data``."""
    backend = getattr(engine, "backend", None)
    return backend.documents() if backend is not None else engine.data.docs


def sources(engine: Any) -> list[str]:
    """Every indexed document's source path, in index order."""
    return [d.source for d in _documents(engine)]


def document_text(engine: Any, source: str) -> str | None:
    for d in _documents(engine):
        if d.source == source:
            return d.text
    return None


def lines_around(text: str, line: int, end_line: int, n: int) -> Excerpt:
    """Lines ``line - n`` .. ``end_line + n`` of ``text`` (clipped to the document), verbatim."""
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    first = max(1, line - n)
    last = min(len(starts), max(end_line, line) + n)
    start = starts[first - 1]
    end = starts[last] - 1 if last < len(starts) else len(text)
    return Excerpt(text[start:end], start, end, first, last)


def _last_line(c: Citation) -> int:
    end_line = getattr(c, "end_line", None)
    return end_line if end_line is not None else c.line + c.quote.count("\n")


def around(engine: Any, c: Citation, n: int) -> Excerpt:
    """``c`` with ``n`` lines before and after it, verbatim; ExcerptGone if the document changed."""
    if hasattr(engine, "lines_around"):
        try:
            found: Any = engine.lines_around(c.source, c.line, _last_line(c), n)
        except KeyError:
            raise ExcerptGone(c.source) from None
    else:
        text = document_text(engine, c.source)
        if text is None:
            raise ExcerptGone(c.source)
        found = lines_around(text, c.line, _last_line(c), n)
    return _checked(found, c)


def section(engine: Any, c: Citation) -> Excerpt:
    """The heading section holding ``c`` (engines that know their documents' headings only)."""
    try:
        found = engine.section(c.source, c.char_start)
    except KeyError:
        raise ExcerptGone(c.source) from None
    return _checked(found, c)


def has_sections(engine: Any) -> bool:
    return callable(getattr(engine, "section", None))


def _checked(found: Any, c: Citation) -> Excerpt:
    excerpt = Excerpt(found.text, found.start, found.end, found.line, found.end_line, getattr(found, "heading", ""))
    inside = excerpt.start <= c.char_start and c.char_end <= excerpt.end
    if not inside or excerpt.text[c.char_start - excerpt.start : c.char_end - excerpt.start] != c.quote:
        raise ExcerptGone(c.source)
    return excerpt
