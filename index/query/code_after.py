"""A code question whose example sits past its prose: the code block after the best prose candidates.

Docs say what to do in prose and show it in the block after ("You can control the connection pool
size using the `limits` keyword argument … It takes instances of `httpx.Limits` which define:" then a
list of its fields, then the block). The chunker cuts where its budget ends, not where the author's
thought does, so the block may open the next chunk, which retrieval need not return: the prose is a
candidate and its example is not, and a question that asks for code gets the prose, or another
section's code. For a question that asks for code (``cues.wants_code``), the first code block after
each of the best ``QuoteParams.code_after`` prose candidates (the sentence ranker's order), within
``code_reach`` units of the same document and heading path, becomes a candidate too: its feature row
is made as every other's (``quotes.unit_rows``, the prose's passage reaching to the block), and
``rank_units`` then ranks it among them.

Stage ``code_after_prose`` (every query kind), between ``candidate_units`` and ``rank_units``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from index.query.cues import wants_code
from index.query.extend import LEAD_IN_END
from index.query.features import FeatureRows
from index.query.quotes import rank_candidates, unit_rows

if TYPE_CHECKING:
    from index.query.state import Context, QueryState


def code_after(ctx: Context, unit: int, reach: int) -> int | None:
    """The first code block after ``unit`` within ``reach`` units of the same document and heading
    path, unless another sentence leads into it (None: the section ends, none is that near, or the block
    has its own lead-in)."""
    b = ctx.backend
    doc, here = b.unit(unit).doc, ctx.texts.facts(unit).context
    for i in range(unit + 1, min(unit + 1 + reach, b.n_units)):
        if b.unit(i).doc != doc or ctx.texts.facts(i).context != here:
            return None
        if ctx.texts.facts(i).code:
            return i if i - 1 == unit or not leads_in(ctx, i - 1) else None
    return None


def leads_in(ctx: Context, unit: int) -> bool:
    """Prose that announces what follows it ("… like this:", "For example..."): the block after it
    shows what that sentence says, not what an earlier one does."""
    return not ctx.texts.facts(unit).code and ctx.backend.unit_display(unit).rstrip().endswith(LEAD_IN_END)


def best_prose(ctx: Context, state: QueryState, n: int) -> list[tuple[int, int]]:
    """The ``n`` best prose candidates (not code) by the sentence ranker, as (unit, passage rank)."""
    assert state.rows is not None
    ranked = rank_candidates(state.question, state.rows, state.meta, ctx.backend.idf, ctx.quotes,
                             ctx.rankers.sentences)
    return [(c.unit, c.passage) for c in ranked if not ctx.texts.facts(c.unit).code][:n]


def code_after_prose(ctx: Context, state: QueryState) -> None:
    """Stage: a code question's candidates gain the code blocks right after its best prose candidates
    (same section, across a chunk boundary), with their feature rows."""
    p = ctx.quotes
    if p.code_after <= 0 or state.rows is None or not len(state.rows) or not wants_code(state.question):
        return
    have = {u for u, _ in state.meta}
    top = state.passages[: p.passages]
    reach: dict[int, int] = {}  # passage rank → the last unit its range must reach
    for unit, rank in best_prose(ctx, state, p.code_after):
        block = code_after(ctx, unit, p.code_reach)
        if block is not None and block not in have and rank < len(top):
            reach[rank] = max(reach.get(rank, block), block)
    if not reach:
        return
    ranks = sorted(reach)
    chunks = [top[r] for r in range(ranks[-1] + 1)]
    firsts, _ = ctx.backend.chunk_spans(np.asarray(chunks, dtype=np.int64))
    units_of = {c: range(0) for c in chunks}
    for r in ranks:
        units_of[chunks[r]] = range(int(firsts[r]), reach[r] + 1)
    rows, meta = unit_rows(ctx, state, chunks, units_of)
    new = [k for k, (u, _) in enumerate(meta) if u not in have and ctx.texts.facts(u).code]
    if not new:
        return
    state.rows = FeatureRows(state.rows.names, np.vstack([state.rows.values, rows.take(new).values]))
    state.meta = [*state.meta, *(meta[k] for k in new)]
