"""Fusing the dense and the BM25 ranking into one, and a chunk's own score with its document's."""

from __future__ import annotations

import numpy as np


def minmax(scores: np.ndarray) -> np.ndarray:
    if scores.size == 0:
        return scores
    lo, hi = float(scores.min()), float(scores.max())
    if hi - lo < 1e-9:
        return np.ones_like(scores) if hi > 0 else np.zeros_like(scores)
    return (scores - lo) / (hi - lo)


def weighted(dense: dict[int, float], lexical: dict[int, float], alpha: float) -> dict[int, float]:
    """``alpha`` · min-max(dense) + (1 − alpha) · min-max(BM25) over the union of both candidate lists;
    a candidate missing from one list gets 0 from it."""
    keys = list(dense.keys() | lexical.keys())
    if not keys:
        return {}
    d = np.array([dense.get(k, np.nan) for k in keys], dtype=np.float64)
    b = np.array([lexical.get(k, np.nan) for k in keys], dtype=np.float64)
    d_norm = np.zeros_like(d)
    b_norm = np.zeros_like(b)
    if np.isfinite(d).any():
        d_norm[np.isfinite(d)] = minmax(d[np.isfinite(d)])
    if np.isfinite(b).any():
        b_norm[np.isfinite(b)] = minmax(b[np.isfinite(b)])
    fused = alpha * d_norm + (1.0 - alpha) * b_norm
    return dict(zip(keys, fused.tolist(), strict=True))


def rrf(rankings: list[list[int]], k: int = 60) -> dict[int, float]:
    """Reciprocal rank fusion: sum of 1 / (k + rank) over the rankings (rank from 1)."""
    out: dict[int, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            out[key] = out.get(key, 0.0) + 1.0 / (k + rank)
    return out


def with_document_prior(chunk_scores: np.ndarray, chunk_docs: np.ndarray, docs: np.ndarray, doc_scores: np.ndarray,
                        weight: float) -> np.ndarray:
    """(min-max(chunk scores) + ``weight`` · min-max(the score of each chunk's document among ``docs``)) / (1 +
    ``weight``), in [0, 1] as a fused score is; a chunk whose document is not ranked gets 0 from it. A passage is read in its page: one sentence matching a few
    question words in a page about something else loses to a near match in the page the question is about."""
    by_doc = dict(zip(docs.tolist(), minmax(np.asarray(doc_scores, dtype=np.float64)).tolist(), strict=True))
    prior = np.array([by_doc.get(d, 0.0) for d in chunk_docs.tolist()], dtype=np.float64)
    return (minmax(np.asarray(chunk_scores, dtype=np.float64)) + weight * prior) / (1.0 + weight)
