"""Hybrid retrieval over a ``Backend``: dense (unit vectors) + BM25 (chunks), fused per chunk; then
the documents ranked on their own evidence.

A chunk's dense score mixes its best unit's cosine with the cosine of its mean vector; its lexical
score is BM25 over the chunk's display text with its context line. Both are min-max normalized over
the candidate set and summed with weight ``alpha``.

Documents (``rank_documents``) are ranked on their own evidence: their best unit, the mean of their
best two units, their mean vector, BM25 over the whole document and their best chunk's BM25, each
min-max normalized over the candidate documents and summed with the ``doc_*`` weights (tuned on
SciFact's tuning split; see BENCHMARKS.md).

Stages (``index.query.state``): ``retrieve`` (question → hits) and ``rank_first_stage`` (hits →
documents, then the hits reordered with their documents' scores: ``RetrievalParams.chunk_document_prior``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from index.query.addresses import searched_text
from index.query.cues import asks_about_versions, base_stem, corpus_has
from index.query.features import FeatureRows
from index.query.fusion import minmax, with_document_prior
from index.query.records import DOC_FEATURES, DocRanking, Hits, Mode, RetrievalParams

if TYPE_CHECKING:
    from index.query.state import Context, QueryState
    from index.storage.backend import Backend

def search(
    backend: Backend, p: RetrievalParams, q_vec: np.ndarray, q_terms: list[str], mode: Mode = "hybrid",
    limit: int | None = None,
) -> Hits:
    """Candidate chunks of one question, best first."""
    n_chunks = backend.n_chunks
    candidates: set[int] = set()
    lexical = None
    backend.prefetch(q_vec, q_terms if mode in ("hybrid", "bm25") else None,  # a remote store's round trips
                     p.dense_candidates if mode in ("hybrid", "dense") else 0, p.bm25_candidates, p.doc_candidates,
                     idf_terms=sorted({base_stem(t) for t in q_terms}))  # what the quote spans weigh
    if mode in ("hybrid", "dense"):
        units = backend.dense_units(q_vec, p.dense_candidates)
        first_chunk = backend.unit_chunks(units).tolist()
        nxt = [c + 1 for c in first_chunk if c + 1 < n_chunks]
        next_first = dict(zip(nxt, backend.chunk_spans(np.asarray(nxt, dtype=np.int64))[0].tolist(), strict=True))
        for s, c in zip(units.tolist(), first_chunk, strict=True):
            candidates.add(c)
            if c + 1 < n_chunks and next_first[c + 1] <= s:  # also in the next (overlapping) chunk
                candidates.add(c + 1)
    if mode in ("hybrid", "bm25"):
        lexical = backend.bm25_chunks(q_terms)
        top, _ = lexical.top(p.bm25_candidates)
        candidates.update(top.tolist())
    if not candidates:
        return Hits(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), {}, q_vec, q_terms, mode, lexical)
    cand = np.fromiter(sorted(candidates), dtype=np.int64)

    # exact dense scores for every candidate chunk and every unit in it
    firsts, lasts = backend.chunk_spans(cand)
    spans = list(zip(firsts.tolist(), lasts.tolist(), strict=True))
    unit_ids = np.unique(np.concatenate([np.arange(f, e) for f, e in spans]))
    cos = backend.unit_cosines(unit_ids, q_vec)
    sentence_cos = dict(zip(unit_ids.tolist(), cos.tolist(), strict=True))
    best_unit = np.array([max(sentence_cos[s] for s in range(f, e)) for f, e in spans], dtype=np.float32)
    mean_cos = backend.chunk_cosines(cand, q_vec)
    dense = p.sentence_max * best_unit + (1.0 - p.sentence_max) * mean_cos

    if mode == "dense":
        fused = dense
    else:
        assert lexical is not None
        bm25 = lexical.scores(cand)
        fused = bm25 if mode == "bm25" else p.alpha * minmax(dense) + (1.0 - p.alpha) * minmax(bm25)
    order = np.argsort(-fused, kind="stable")
    if limit is not None:
        order = order[:limit]
    return Hits(cand[order], fused[order].astype(np.float32), sentence_cos, q_vec, q_terms, mode, lexical)


def rank_documents(
    backend: Backend, p: RetrievalParams, hits: Hits, demote: Callable[[np.ndarray], np.ndarray] | None = None
) -> DocRanking:
    """Documents that the hits touch, plus the best by document BM25, best first (see module doc).

    ``demote``: which documents lose ``p.changelog_prior`` (bool per document id; the changelogs, when
    the question is not about versions)."""
    candidates = set(backend.chunk_documents(hits.chunks).tolist()) if len(hits.chunks) else set()
    lexical = hits.mode in ("hybrid", "bm25") and hits.q_terms is not None
    dense = hits.mode in ("hybrid", "dense") and hits.q_vec is not None
    doc_lexical = None
    if lexical:
        doc_lexical = backend.bm25_documents(hits.q_terms or [])
        top, _ = doc_lexical.top(p.doc_candidates)
        candidates.update(top.tolist())
    if not candidates:
        return DocRanking.empty()
    docs = np.fromiter(sorted(candidates), dtype=np.int64)
    columns = {name: np.zeros(len(docs)) for name in DOC_FEATURES}
    best = mean = np.zeros(len(docs))
    if dense:
        q = np.asarray(hits.q_vec, dtype=np.float32)
        best, top2 = _best_two(backend, docs, q)
        mean = backend.document_cosines(docs, q)
        columns |= {"best_sentence": minmax(best), "best_two_sentences": minmax(top2), "mean_vector": minmax(mean)}
    if lexical and doc_lexical is not None:
        chunk_lexical = hits.lexical if hits.lexical is not None else backend.bm25_chunks(hits.q_terms or [])
        starts, ends = backend.document_chunks(docs)
        scores = chunk_lexical.scores(np.concatenate([np.arange(a, b) for a, b in zip(starts, ends, strict=True)]))
        offsets = np.concatenate([[0], np.cumsum(ends - starts)])
        best_chunk = np.array([scores[offsets[i] : offsets[i + 1]].max(initial=0.0) for i in range(len(docs))])
        columns |= {"document_bm25": minmax(doc_lexical.scores(docs)), "best_chunk_bm25": minmax(best_chunk)}
    features = FeatureRows.from_columns(columns)
    weights = np.array([p.doc_best, p.doc_top2, p.doc_mean, p.doc_bm25, p.doc_chunk_bm25])
    total = features.values @ weights
    if demote is not None:
        total = total - p.changelog_prior * demote(docs)
    order = np.argsort(-total, kind="stable")
    return DocRanking(docs[order], total[order], features.take(order), best[order], mean[order])


def _best_two(backend: Backend, docs: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per document: its best unit cosine and the mean of its best two (one unit: itself)."""
    starts, ends = backend.document_units(docs)
    lengths = ends - starts
    ids = np.concatenate([np.arange(a, b) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)])
    if not len(ids):
        z = np.zeros(len(docs))
        return z, z
    cos = backend.unit_cosines(ids, q)
    seg = np.repeat(np.arange(len(docs)), lengths)
    ranked = cos[np.lexsort((-cos, seg))]  # each document's units together, best first
    first = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    has = lengths > 0
    best, second = np.zeros(len(docs)), np.zeros(len(docs))
    best[has] = ranked[first[has]]
    two = lengths > 1
    second[two] = ranked[first[two] + 1]
    second[~two] = best[~two]
    return best, (best + second) / 2.0


# -- stages ---------------------------------------------------------------------------------------


def retrieve(ctx: Context, state: QueryState) -> None:
    """The question encoded and its terms, and the candidate chunks (``state.hits``); a URL of the
    asker's own is searched as what docs call it (``index.query.addresses``)."""
    own = ctx.retrieval.own_address
    text = searched_text(state.question, corpus_has(ctx.backend.idf), ctx.texts.terms, own) if own else state.question
    state.q_vec = ctx.encoder.encode(text)
    state.q_terms = ctx.texts.terms(text)
    state.hits = search(ctx.backend, ctx.retrieval, state.q_vec, state.q_terms, state.mode)
    state.chunk_lexical = state.hits.lexical


def rank_first_stage(ctx: Context, state: QueryState) -> None:
    """The documents the hits point to, ranked on their own evidence; then the hits reordered with their
    documents' scores (``RetrievalParams.chunk_document_prior``)."""
    assert state.hits is not None
    demote = None if asks_about_versions(state.question) else ctx.texts.facts.changelog_documents
    state.first_documents = state.documents = rank_documents(ctx.backend, ctx.retrieval, state.hits, demote)
    state.hits = document_prior(ctx.backend, ctx.retrieval, state.hits, state.first_documents, ctx.quotes.passages)


def document_prior(backend: Backend, p: RetrievalParams, hits: Hits, ranking: DocRanking, window: int = 8) -> Hits:
    """``hits`` with the best ``window`` by ``fusion.with_document_prior`` first (in their fused order),
    then the rest (fused order), or as they are."""
    if not p.chunk_document_prior or not len(hits.chunks) or not len(ranking):
        return hits
    scores = with_document_prior(hits.scores, backend.chunk_documents(hits.chunks), ranking.docs, ranking.scores,
                                 p.chunk_document_prior)
    chosen = np.sort(np.argsort(-scores, kind="stable")[:window])  # hits are in fused order
    rest = np.setdiff1d(np.arange(len(hits.chunks)), chosen)
    order = np.concatenate([chosen, rest])
    return replace(hits, chunks=hits.chunks[order], scores=hits.scores[order])
