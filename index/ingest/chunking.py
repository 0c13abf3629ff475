"""Units packed into chunks under the model's own word-piece budget.

Documents become units (``index.ingest.units``: sentences of prose blocks split on their display
text, whole code blocks), duplicates collapsed (on display text), prose units longer than the budget
cut at whitespace; then chunks: runs of consecutive units of at most ``max_tokens`` word pieces
including the context line (heading path or title) that is prepended for search, with ``overlap``
units shared between neighbours. A chunk never spans a collapsed duplicate or a change of context,
so its source text is always one verbatim slice ``doc.text[start:end]``.

A code block over the budget stays one unit (quoted whole) and one chunk of its own; only its first
window of ``max_tokens`` word pieces is embedded (``Unit.embed_end``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from index.ingest.units import RawUnit, document_units, piece_span
from index.models.dedup import Deduper
from index.models.documents import CODE, Document


class TokenCounter(Protocol):
    def count_tokens(self, texts: list[str]) -> list[int]: ...

    def token_cuts(self, text: str, max_tokens: int) -> list[int]: ...


@dataclass(slots=True)
class Unit:
    doc: int
    start: int  # source span (the quote)
    end: int
    block: int  # index of its block in the document
    display: str  # what is searched and shown
    tokens: int
    gap_before: bool = False  # a collapsed duplicate or a context change precedes it
    embed_end: int = -1  # a code block over the budget: only display[:embed_end] is embedded

    @property
    def embed_text(self) -> str:
        """What the model embeds for this unit."""
        return self.display if self.embed_end < 0 else self.display[: self.embed_end]


@dataclass(slots=True)
class Chunk:
    doc: int
    first: int  # index of its first unit (global)
    last: int  # one past its last unit
    start: int
    end: int
    context: str
    tokens: int


@dataclass(slots=True)
class ChunkedCorpus:
    units: list[Unit]
    chunks: list[Chunk]
    duplicates: int  # units collapsed into an earlier one


def chunk_documents(
    docs: list[Document],
    counter: TokenCounter,
    *,
    max_tokens: int = 128,
    overlap: int = 1,
    deduper: Deduper | None = None,
    doc_offset: int = 0,
) -> ChunkedCorpus:
    """Split and chunk ``docs``; unit and chunk ``doc`` fields are ``doc_offset + position``."""
    deduper = deduper if deduper is not None else Deduper()
    raw: list[tuple[int, RawUnit, bool]] = []  # (doc, unit, gap_before)
    duplicates = 0
    for d, doc in enumerate(docs):
        gap = True
        prev_context: str | None = None
        for unit in document_units(doc):
            context = doc.blocks[unit.block].context
            if context != prev_context:
                gap, prev_context = True, context
            near = doc.blocks[unit.block].kind != CODE  # a code block repeats only when it is the same
            if deduper.seen(unit.display, len(raw) + duplicates, near=near) is not None:
                duplicates += 1
                gap = True
                continue
            raw.append((d, unit, gap))
            gap = False

    counts = counter.count_tokens([u.display for _, u, _ in raw])
    context_cost = _context_costs(docs, counter, max_tokens)

    units: list[Unit] = []
    for (d, u, gap), n in zip(raw, counts, strict=True):
        doc = docs[d]
        budget = max_tokens - context_cost[(d, doc.blocks[u.block].context)]
        if n <= budget:
            units.append(Unit(doc_offset + d, u.start, u.end, u.block, u.display, n, gap))
            continue
        if doc.blocks[u.block].kind == CODE:  # whole, embedded by its first window
            cuts = counter.token_cuts(u.display, budget)
            units.append(Unit(doc_offset + d, u.start, u.end, u.block, u.display, n, gap, cuts[0] if cuts else -1))
            continue
        cuts = even_cuts(counter, u.display, n, budget)
        bounds = [0, *cuts, len(u.display)]
        for i, (lo, hi) in enumerate(zip(bounds, bounds[1:], strict=False)):
            piece = u.display[lo:hi].rstrip()
            if not piece:
                continue
            s, e = piece_span(doc, u, lo, lo + len(piece))
            units.append(Unit(doc_offset + d, s, e, u.block, piece, 0, gap and i == 0))
    _recount(units, counter)
    chunks = _pack(units, docs, max_tokens, overlap, context_cost, doc_offset)
    return ChunkedCorpus(units, chunks, duplicates)


# the shortest last piece a prose unit cut at the budget may leave, as a share of the budget: shorter, it
# is a stub ("PostgreSQL):" after 120 word pieces of its sentence) embedded, ranked and quoted alone
MIN_TAIL_SHARE = 0.25


def even_cuts(counter: TokenCounter, text: str, n_tokens: int, budget: int) -> list[int]:
    """Where to cut a prose unit of ``n_tokens`` word pieces over ``budget``: greedily at the budget (the
    first pieces as long as they may be: cutting every long sentence into even halves cost SciFact 0.005
    nDCG@10), unless that leaves a last piece under ``MIN_TAIL_SHARE`` of the budget; then at the largest
    per-piece budget that leaves a long enough last piece in as many pieces (bisection: the number of
    pieces never grows with the per-piece budget, the last piece never shrinks as it falls)."""
    greedy = counter.token_cuts(text, budget)
    if not greedy:
        return greedy
    floor = max(1, int(budget * MIN_TAIL_SHARE))

    def fits(cuts: list[int]) -> bool:
        return len(cuts) == len(greedy) and counter.count_tokens([text[cuts[-1]:]])[0] >= floor

    if fits(greedy):
        return greedy
    # the smallest per-piece budget that needs no more pieces: the most even cut
    lo, hi = -(-n_tokens // (len(greedy) + 1)), budget
    even = greedy
    while lo < hi:
        mid = (lo + hi) // 2
        cuts = counter.token_cuts(text, mid)
        if len(cuts) <= len(greedy):
            even, hi = cuts, mid
        else:
            lo = mid + 1
    if not fits(even):
        return even
    # the largest per-piece budget, from there, whose last piece is still long enough
    best, hi = even, budget - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        cuts = counter.token_cuts(text, mid)
        if fits(cuts):
            best, lo = cuts, mid
        else:
            hi = mid - 1
    return best


def _context_costs(docs: list[Document], counter: TokenCounter, max_tokens: int) -> dict[tuple[int, str], int]:
    keys = sorted({(d, seg.context) for d, doc in enumerate(docs) for seg in doc.blocks if seg.context})
    costs = counter.count_tokens([f"{c}\n" for _, c in keys])
    out: dict[tuple[int, str], int] = {}
    for d, doc in enumerate(docs):
        for seg in doc.blocks:
            out[(d, seg.context)] = 0
    for key, cost in zip(keys, costs, strict=True):
        # a context that would eat more than a quarter of the budget is left out of the chunk text
        out[key] = cost if cost <= max_tokens // 4 else 0
    return out


def _recount(units: list[Unit], counter: TokenCounter) -> None:
    todo = [i for i, u in enumerate(units) if u.tokens == 0]
    if not todo:
        return
    for i, n in zip(todo, counter.count_tokens([units[i].display for i in todo]), strict=True):
        units[i].tokens = max(n, 1)


def _pack(
    units: list[Unit],
    docs: list[Document],
    max_tokens: int,
    overlap: int,
    context_cost: dict[tuple[int, str], int],
    doc_offset: int,
) -> list[Chunk]:
    chunks: list[Chunk] = []
    i = 0
    n = len(units)
    while i < n:
        u0 = units[i]
        doc = docs[u0.doc - doc_offset]
        context = doc.blocks[u0.block].context
        cost = context_cost[(u0.doc - doc_offset, context)]
        total = cost + u0.tokens
        j = i + 1
        while j < n:
            u = units[j]
            if u.doc != u0.doc or u.gap_before or total + u.tokens > max_tokens:
                break
            total += u.tokens
            j += 1
        chunks.append(Chunk(u0.doc, i, j, u0.start, units[j - 1].end, context if cost else "", total))
        if j >= n or units[j].doc != u0.doc or units[j].gap_before:
            i = j
            continue
        # step back ``overlap`` units, but always make progress and stay within budget
        back = min(overlap, j - i - 1)
        while back > 0 and sum(u.tokens for u in units[j - back : j + 1]) + cost > max_tokens:
            back -= 1
        i = j - back
    return chunks
