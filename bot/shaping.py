"""From what the engine returned to what the bot shows: limits to a source, quotes not shown twice,
the shown quotes and the next candidates. Pure functions, no I/O.

The engine is asked for more quotes than are shown (``service.NEXT_MATCHES`` more); the first
``shown`` that are in the requested source and were not already shown in the conversation are the
answer, the rest (best first) are what "Next match" reveals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from index.query.answer import Answer, Citation

Span = tuple[str, int, int]  # (source, char_start, char_end) of a quote


def span(citation: Citation) -> Span:
    return (citation.source, citation.char_start, citation.char_end)


def in_source(path: str, source: str | None) -> bool:
    """``path`` is the document ``source`` or lies in the folder ``source``."""
    if not source:
        return True
    folder = source.strip().strip("/")
    return path == source.strip() or path.startswith(folder + "/") or folder == ""


def overlaps(citation: Citation, spans: Iterable[Span]) -> bool:
    return any(
        s == citation.source and citation.char_start < e and b < citation.char_end for s, b, e in spans
    )


def shape(
    raw: Answer,
    *,
    question: str,
    shown: int,
    passages: int,
    source: str | None = None,
    exclude: Iterable[Span] = (),
) -> tuple[Answer, list[Citation]]:
    """(the answer to show, the next candidates). An answer with nothing left to quote abstains."""
    exclude = list(exclude)
    kept_passages = [p for p in raw.passages if in_source(p.source, source)][:passages]
    if raw.abstained:
        return Answer(question, True, [], kept_passages), []
    citations = [c for c in raw.citations if in_source(c.source, source) and not overlaps(c, exclude)]
    if not citations:
        return Answer(question, True, [], kept_passages), []
    return replace(raw, question=question, citations=citations[:shown], passages=kept_passages), citations[shown:]
