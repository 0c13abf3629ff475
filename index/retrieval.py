"""Hybrid retrieval: dense (FAISS over sentence vectors) + BM25 (over chunks), fused per chunk.

A chunk's dense score mixes its best sentence's cosine with the cosine of its mean
vector; its lexical score is BM25 over the chunk text with its context line. Both
are min-max normalized over the candidate set and summed with weight ``alpha``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from index.fusion import minmax
from index.store import IndexData

Mode = Literal["hybrid", "dense", "bm25"]


@dataclass(frozen=True)
class RetrievalParams:
    alpha: float = 0.5  # weight of the dense score in the fusion
    sentence_max: float = 0.5  # dense chunk score = this · best sentence + rest · chunk mean vector
    dense_candidates: int = 100  # sentences fetched from the vector store
    bm25_candidates: int = 100  # chunks fetched from BM25


@dataclass
class Hits:
    chunks: np.ndarray  # chunk ids, best first
    scores: np.ndarray  # fused (or single-mode) scores, same order
    sentence_cos: dict[int, float]  # cosine to the question of every sentence in the candidate chunks


class Retriever:
    def __init__(self, data: IndexData, params: RetrievalParams | None = None) -> None:
        self.data = data
        self.params = params or RetrievalParams()

    def search(self, q_vec: np.ndarray, q_terms: list[str], mode: Mode = "hybrid", limit: int | None = None) -> Hits:
        p = self.params
        data = self.data
        n_chunks = len(data.chunks)
        candidates: set[int] = set()
        bm25_all: np.ndarray | None = None
        if mode in ("hybrid", "dense"):
            _, ids = data.vectors.search(q_vec.reshape(1, -1), p.dense_candidates)
            for s in ids[0]:
                if s < 0:
                    continue
                c = int(data.sentence_chunk[s])
                candidates.add(c)
                if c + 1 < n_chunks and data.chunks[c + 1, 3] <= s:  # also in the next (overlapping) chunk
                    candidates.add(c + 1)
        if mode in ("hybrid", "bm25"):
            bm25_all = data.bm25.scores(q_terms)
            k = min(p.bm25_candidates, n_chunks)
            top = np.argpartition(-bm25_all, k - 1)[:k] if k < n_chunks else np.arange(n_chunks)
            candidates.update(int(c) for c in top if bm25_all[c] > 0)
        if not candidates:
            return Hits(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), {})
        cand = np.fromiter(sorted(candidates), dtype=np.int64)

        # exact dense scores for every candidate chunk and every sentence in it
        sentence_cos: dict[int, float] = {}
        spans = data.chunks[cand]
        sent_ids = np.concatenate([np.arange(f, e) for f, e in spans[:, 3:5]])
        sent_ids = np.unique(sent_ids)
        cos = np.asarray(data.sentence_vectors[sent_ids], dtype=np.float32) @ q_vec.astype(np.float32)
        sentence_cos = dict(zip(sent_ids.tolist(), cos.tolist(), strict=True))
        best_sent = np.array([max(sentence_cos[s] for s in range(f, e)) for f, e in spans[:, 3:5]], dtype=np.float32)
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
        return Hits(cand[order], fused[order].astype(np.float32), sentence_cos)

    def rank_documents(self, hits: Hits) -> list[tuple[int, float]]:
        """Documents by their best chunk (max-over-chunks), best first."""
        best: dict[int, float] = {}
        for c, s in zip(hits.chunks.tolist(), hits.scores.tolist(), strict=True):
            d = int(self.data.chunks[c, 0])
            if d not in best:
                best[d] = s
        return list(best.items())
