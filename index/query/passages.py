"""Passages: the top chunks of a question with near-repeats left out, and their records."""

from __future__ import annotations

from typing import TYPE_CHECKING

from index.models.dedup import similar
from index.query.answer import Passage

if TYPE_CHECKING:
    from index.query.records import Hits
    from index.query.state import Context


def distinct_chunks(ctx: Context, hits: Hits, limit: int) -> list[int]:
    """Top chunks, skipping any that repeats the text of one already taken."""
    out: list[int] = []
    for c in hits.chunks.tolist():
        if len(out) >= limit:
            break
        if any(similar_chunks(ctx, c, o) for o in out):
            continue
        out.append(c)
    return out


def similar_chunks(ctx: Context, a: int, b: int, threshold: float = 0.85) -> bool:
    """``dedup.similar`` of two chunks, skipping difflib when the shared words alone rule it out:
    its ratio 2·matches/(len a + len b) can never exceed 2·|a ∩ b| (multiset) / (len a + len b)."""
    (ca, la), (cb, lb) = ctx.texts.chunk_bag(a), ctx.texts.chunk_bag(b)
    if la and lb:
        small, large = (ca, cb) if len(ca) <= len(cb) else (cb, ca)
        shared = sum(min(n, large.get(w, 0)) for w, n in small.items())
        if 2.0 * shared / (la + lb) < threshold:
            return False
    return similar(ctx.backend.chunk_text(a), ctx.backend.chunk_text(b), threshold)


def passages_of(ctx: Context, hits: Hits, chunks: list[int]) -> list[Passage]:
    """The given chunks as answer passages (verbatim source text, with where they are)."""
    score = dict(zip(hits.chunks.tolist(), hits.scores.tolist(), strict=True))
    out = []
    for c in chunks:
        ch = ctx.backend.chunk(c)
        doc = ctx.backend.document(ch.doc)
        out.append(Passage(text=ch.text, source=doc.source, char_start=ch.start, char_end=ch.end, score=score[c],
                           line=ch.line, page=ch.page))
    return out
