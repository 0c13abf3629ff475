"""Sentence-aware chunking under the model's own word-piece budget.

Documents become sentences (exact offsets, duplicates collapsed, sentences longer
than the budget cut at whitespace), then chunks: runs of consecutive sentences of
at most ``max_tokens`` word pieces including the context line (heading path or
title) that is prepended for embedding, with ``overlap`` sentences shared between
neighbours. A chunk never spans a collapsed duplicate or a change of context, so
its text is always one verbatim slice ``doc.text[start:end]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from index.ingest.dedup import Deduper
from index.ingest.documents import Document
from index.ingest.sentences import split_document


class TokenCounter(Protocol):
    def count_tokens(self, texts: list[str]) -> list[int]: ...

    def token_cuts(self, text: str, max_tokens: int) -> list[int]: ...


@dataclass(slots=True)
class Sentence:
    doc: int
    start: int
    end: int
    block: int
    tokens: int
    gap_before: bool = False  # a collapsed duplicate or a context change precedes it


@dataclass(slots=True)
class Chunk:
    doc: int
    first: int  # index of its first sentence (global)
    last: int  # one past its last sentence
    start: int
    end: int
    context: str
    tokens: int


@dataclass(slots=True)
class ChunkedCorpus:
    sentences: list[Sentence]
    chunks: list[Chunk]
    duplicates: int  # sentences collapsed into an earlier one


def embed_text(doc: Document, chunk: Chunk) -> str:
    """What the model and BM25 see for a chunk: its context line, then its verbatim text."""
    body = doc.text[chunk.start : chunk.end]
    if chunk.context and not body.startswith(chunk.context):
        return f"{chunk.context}\n{body}"
    return body


def chunk_documents(
    docs: list[Document],
    counter: TokenCounter,
    *,
    max_tokens: int = 128,
    overlap: int = 1,
    deduper: Deduper | None = None,
    doc_offset: int = 0,
) -> ChunkedCorpus:
    """Split and chunk ``docs``; sentence and chunk ``doc`` fields are ``doc_offset + position``."""
    deduper = deduper if deduper is not None else Deduper()
    raw: list[tuple[int, int, int, int, bool]] = []  # (doc, start, end, block, gap_before)
    duplicates = 0
    for d, doc in enumerate(docs):
        gap = True
        prev_context: str | None = None
        for start, end, seg in split_document(doc):
            context = doc.blocks[seg].context
            if context != prev_context:
                gap, prev_context = True, context
            if deduper.seen(doc.text[start:end], len(raw) + duplicates) is not None:
                duplicates += 1
                gap = True
                continue
            raw.append((d, start, end, seg, gap))
            gap = False

    counts = counter.count_tokens([docs[d].text[s:e] for d, s, e, _, _ in raw])
    context_cost = _context_costs(docs, counter, max_tokens)

    sentences: list[Sentence] = []
    for (d, start, end, seg, gap), n in zip(raw, counts, strict=True):
        budget = max_tokens - context_cost[(d, docs[d].blocks[seg].context)]
        if n <= budget:
            sentences.append(Sentence(doc_offset + d, start, end, seg, n, gap))
            continue
        text = docs[d].text[start:end]
        bounds = [0, *counter.token_cuts(text, budget), len(text)]
        for i, (lo, hi) in enumerate(zip(bounds, bounds[1:], strict=False)):
            piece = text[lo:hi].rstrip()
            if not piece:
                continue
            sentences.append(
                Sentence(doc_offset + d, start + lo, start + lo + len(piece), seg, 0, gap and i == 0)
            )
    _recount(sentences, docs, counter, doc_offset)
    chunks = _pack(sentences, docs, max_tokens, overlap, context_cost, doc_offset)
    return ChunkedCorpus(sentences, chunks, duplicates)


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


def _recount(sentences: list[Sentence], docs: list[Document], counter: TokenCounter, doc_offset: int) -> None:
    todo = [i for i, s in enumerate(sentences) if s.tokens == 0]
    if not todo:
        return
    texts = [docs[sentences[i].doc - doc_offset].text[sentences[i].start : sentences[i].end] for i in todo]
    for i, n in zip(todo, counter.count_tokens(texts), strict=True):
        sentences[i].tokens = max(n, 1)


def _pack(
    sentences: list[Sentence],
    docs: list[Document],
    max_tokens: int,
    overlap: int,
    context_cost: dict[tuple[int, str], int],
    doc_offset: int,
) -> list[Chunk]:
    chunks: list[Chunk] = []
    i = 0
    n = len(sentences)
    while i < n:
        s0 = sentences[i]
        doc = docs[s0.doc - doc_offset]
        context = doc.blocks[s0.block].context
        cost = context_cost[(s0.doc - doc_offset, context)]
        total = cost + s0.tokens
        j = i + 1
        while j < n:
            s = sentences[j]
            if s.doc != s0.doc or s.gap_before or total + s.tokens > max_tokens:
                break
            total += s.tokens
            j += 1
        chunks.append(
            Chunk(s0.doc, i, j, s0.start, sentences[j - 1].end, context if cost else "", total)
        )
        if j >= n or sentences[j].doc != s0.doc or sentences[j].gap_before:
            i = j
            continue
        # step back ``overlap`` sentences, but always make progress and stay within budget
        back = min(overlap, j - i - 1)
        while back > 0 and sum(s.tokens for s in sentences[j - back : j + 1]) + cost > max_tokens:
            back -= 1
        i = j - back
    return chunks
