"""Hybrid retrieval: dense (FAISS over unit vectors) + BM25 (over chunks), fused per chunk.

A chunk's dense score mixes its best unit's cosine with the cosine of its mean
vector; its lexical score is BM25 over the chunk's display text with its context line. Both
are min-max normalized over the candidate set and summed with weight ``alpha``.

Documents (``rank_documents``) are ranked on their own evidence: their best sentence,
the mean of their best two sentences, their mean vector, BM25 over the whole document
and their best chunk's BM25, each min-max normalized over the candidate documents and
summed with the ``doc_*`` weights (tuned on SciFact's tuning split; see BENCHMARKS.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from index.query.fusion import minmax
from index.storage.store import IndexData

Mode = Literal["hybrid", "dense", "bm25"]


@dataclass(frozen=True)
class RetrievalParams:
    alpha: float = 0.5  # weight of the dense score in the fusion
    sentence_max: float = 0.5  # dense chunk score = this · best sentence + rest · chunk mean vector
    dense_candidates: int = 100  # sentences fetched from the vector store
    bm25_candidates: int = 100  # chunks fetched from BM25
    # document ranking: weights of best sentence, mean of best two, mean vector, document BM25, best chunk BM25
    doc_best: float = 0.2
    doc_top2: float = 0.2
    doc_mean: float = 0.1
    doc_bm25: float = 0.3
    doc_chunk_bm25: float = 0.1
    doc_candidates: int = 100  # documents fetched from the document BM25
    rerank_depth: int = 30  # questions: how many top documents the document ranker reorders


@dataclass
class Hits:
    chunks: np.ndarray  # chunk ids, best first
    scores: np.ndarray  # fused (or single-mode) scores, same order
    sentence_cos: dict[int, float]  # cosine to the question of every unit in the candidate chunks
    q_vec: np.ndarray | None = None
    q_terms: list[str] | None = None
    mode: Mode = "hybrid"
    chunk_bm25: np.ndarray | None = None  # BM25 of every chunk (hybrid and bm25 modes)


class Retriever:
    def __init__(self, data: IndexData, params: RetrievalParams | None = None) -> None:
        self.data = data
        self.params = params or RetrievalParams()

    def search(self, q_vec: np.ndarray, q_terms: list[str], mode: Mode = "hybrid", limit: int | None = None) -> Hits:
        p = self.params
        data = self.data
        n_chunks = len(data.chunks)
        chunk_first, chunk_last = data.chunks["first"], data.chunks["last"]
        candidates: set[int] = set()
        bm25_all: np.ndarray | None = None
        if mode in ("hybrid", "dense"):
            _, ids = data.vectors.search(q_vec.reshape(1, -1), p.dense_candidates)
            for s in ids[0]:
                if s < 0:
                    continue
                c = int(data.unit_chunk[s])
                candidates.add(c)
                if c + 1 < n_chunks and chunk_first[c + 1] <= s:  # also in the next (overlapping) chunk
                    candidates.add(c + 1)
        if mode in ("hybrid", "bm25"):
            bm25_all = data.bm25.scores(q_terms)
            k = min(p.bm25_candidates, n_chunks)
            top = np.argpartition(-bm25_all, k - 1)[:k] if k < n_chunks else np.arange(n_chunks)
            candidates.update(int(c) for c in top if bm25_all[c] > 0)
        if not candidates:
            return Hits(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), {}, q_vec, q_terms, mode, bm25_all)
        cand = np.fromiter(sorted(candidates), dtype=np.int64)

        # exact dense scores for every candidate chunk and every sentence in it
        sentence_cos: dict[int, float] = {}
        spans = list(zip(chunk_first[cand].tolist(), chunk_last[cand].tolist(), strict=True))
        sent_ids = np.concatenate([np.arange(f, e) for f, e in spans])
        sent_ids = np.unique(sent_ids)
        cos = np.asarray(data.unit_vectors[sent_ids], dtype=np.float32) @ q_vec.astype(np.float32)
        sentence_cos = dict(zip(sent_ids.tolist(), cos.tolist(), strict=True))
        best_sent = np.array([max(sentence_cos[s] for s in range(f, e)) for f, e in spans], dtype=np.float32)
        mean_cos = np.asarray(data.chunk_vectors[cand], dtype=np.float32) @ q_vec.astype(np.float32)
        dense = p.sentence_max * best_sent + (1.0 - p.sentence_max) * mean_cos

        if mode == "dense":
            fused = dense
        elif mode == "bm25":
            assert bm25_all is not None
            fused = bm25_all[cand]
        else:
            assert bm25_all is not None
            fused = p.alpha * minmax(dense) + (1.0 - p.alpha) * minmax(bm25_all[cand])
        order = np.argsort(-fused, kind="stable")
        if limit is not None:
            order = order[:limit]
        return Hits(cand[order], fused[order].astype(np.float32), sentence_cos, q_vec, q_terms, mode, bm25_all)

    def rank_documents(self, hits: Hits) -> DocRanking:
        """Documents that the hits touch, plus the best by document BM25, best first (see module doc)."""
        data, p = self.data, self.params
        candidates = {int(d) for d in data.chunk_doc[hits.chunks]} if len(hits.chunks) else set()
        lexical = hits.mode in ("hybrid", "bm25") and hits.q_terms is not None
        dense = hits.mode in ("hybrid", "dense") and hits.q_vec is not None
        doc_bm25 = None
        if lexical:
            doc_bm25 = data.doc_bm25.scores(hits.q_terms or [])
            k = min(p.doc_candidates, len(doc_bm25))
            top = np.argpartition(-doc_bm25, k - 1)[:k] if k < len(doc_bm25) else np.arange(len(doc_bm25))
            candidates.update(int(d) for d in top if doc_bm25[d] > 0)
        if not candidates:
            return DocRanking.empty()
        docs = np.fromiter(sorted(candidates), dtype=np.int64)
        features = np.zeros((len(docs), len(DOC_FEATURES)), dtype=np.float64)
        best = mean = np.zeros(len(docs))
        if dense:
            best, top2 = _best_two(data, docs, np.asarray(hits.q_vec, dtype=np.float32))
            mean = np.asarray(data.document_vectors[docs], dtype=np.float32) @ np.asarray(hits.q_vec, dtype=np.float32)
            features[:, 0], features[:, 1], features[:, 2] = minmax(best), minmax(top2), minmax(mean)
        if lexical and doc_bm25 is not None:
            chunk_bm25 = hits.chunk_bm25 if hits.chunk_bm25 is not None else data.bm25.scores(hits.q_terms or [])
            best_chunk = np.array(
                [chunk_bm25[data.doc_chunks[d].start : data.doc_chunks[d].stop].max(initial=0.0) for d in docs]
            )
            features[:, 3], features[:, 4] = minmax(doc_bm25[docs]), minmax(best_chunk)
        weights = np.array([p.doc_best, p.doc_top2, p.doc_mean, p.doc_bm25, p.doc_chunk_bm25])
        total = features @ weights
        order = np.argsort(-total, kind="stable")
        return DocRanking(docs[order], total[order], features[order], best[order], mean[order])


# the document evidence, each min-max normalized over the candidate documents
DOC_FEATURES = ("best_sentence", "best_two_sentences", "mean_vector", "document_bm25", "best_chunk_bm25")


@dataclass
class DocRanking:
    """Candidate documents best first, with the evidence they were ranked on."""

    docs: np.ndarray  # document ids, best first
    scores: np.ndarray  # weighted sum of the features
    features: np.ndarray  # (n, len(DOC_FEATURES)), min-max normalized
    best_cos: np.ndarray  # raw cosine of each document's best sentence
    mean_cos: np.ndarray  # raw cosine of each document's mean vector

    @classmethod
    def empty(cls) -> DocRanking:
        z = np.zeros(0)
        return cls(np.zeros(0, dtype=np.int64), z, np.zeros((0, len(DOC_FEATURES))), z, z)

    def __len__(self) -> int:
        return len(self.docs)

    def pairs(self) -> list[tuple[int, float]]:
        return list(zip(self.docs.tolist(), self.scores.tolist(), strict=True))


def _best_two(data: IndexData, docs: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per document: its best sentence cosine and the mean of its best two (one sentence: itself)."""
    starts, ends = data.doc_unit_start[docs], data.doc_unit_start[docs + 1]
    lengths = ends - starts
    ids = np.concatenate([np.arange(a, b) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)])
    if not len(ids):
        z = np.zeros(len(docs))
        return z, z
    cos = np.asarray(data.unit_vectors[ids], dtype=np.float32) @ q
    seg = np.repeat(np.arange(len(docs)), lengths)
    ranked = cos[np.lexsort((-cos, seg))]  # each document's sentences together, best first
    first = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    has = lengths > 0
    best, second = np.zeros(len(docs)), np.zeros(len(docs))
    best[has] = ranked[first[has]]
    two = lengths > 1
    second[two] = ranked[first[two] + 1]
    second[~two] = best[~two]
    return best, (best + second) / 2.0
