"""Reranking the top documents for a question with what answer selection found in them.

A question ("what ruined Richard's plans?") is usually answered by one sentence, so a document
holding a sentence the quote ranker likes is likely the one that answers. The top ``depth``
documents of ``Retriever.rank_documents`` get a ``DOCUMENT_FEATURES`` row (their evidence, their
first-stage score and rank, and how close their best quote candidate comes to the question's best)
and a linear ranker learned on SQuAD's tuning articles reorders them
(``index/models/rankers/documents.json``). Statements and keywords (SciFact's claims) keep the first-stage
order: the ranker was fit on questions and does not help there (see BENCHMARKS.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from index.models.ranker import LinearRanker, packaged
from index.query.quotes import Candidate
from index.query.retrieval import DOC_FEATURES, DocRanking

DOCUMENT_FEATURES = (
    *DOC_FEATURES,
    "first_stage",  # the first-stage score (the weighted sum of the five above)
    "first_stage_rr",  # 1 / (1 + first-stage rank)
    "first_stage_top",
    "best_cos",  # raw cosine of its best sentence
    "mean_cos",  # raw cosine of its mean vector
    "has_quote",  # one of its sentences is a quote candidate
    "quote_gap",  # log(probability of its best candidate / the best candidate's), floored at -10
    "quote_closeness",  # exp(quote_gap)
    "quote_second_gap",  # the same for its second-best candidate
    "quote_lex",  # the best share of the question's IDF mass among its candidates
    "passage_score",  # retrieval score of its best passage / the best passage's (0: none retrieved)
    "passage_rr",  # 1 / (1 + rank of its best passage) (0: none retrieved)
)
GAP_FLOOR = -10.0


def document_ranker() -> LinearRanker:
    return packaged("documents", DOCUMENT_FEATURES)


def best_passages(chunk_docs: np.ndarray, chunk_scores: np.ndarray) -> dict[int, tuple[float, int]]:
    """Each document's best passage among the hits (ranked best first): (score / the best score, rank)."""
    out: dict[int, tuple[float, int]] = {}
    top = float(chunk_scores[0]) if len(chunk_scores) and chunk_scores[0] else 1.0
    for rank, (d, sc) in enumerate(zip(chunk_docs.tolist(), chunk_scores.tolist(), strict=True)):
        if d not in out:
            out[d] = (sc / top, rank)
    return out


def _gap(p: float | None, top: float) -> float:
    return max(GAP_FLOOR, math.log(p / top)) if p and top > 0 else GAP_FLOOR


def document_rows(
    ranking: DocRanking,
    candidates: Sequence[Candidate],
    doc_of_sentence,  # noqa: ANN001
    depth: int,
    passages: dict[int, tuple[float, int]] | None = None,
) -> np.ndarray:
    """``DOCUMENT_FEATURES`` of the top ``depth`` documents of ``ranking``; ``passages``: ``best_passages``."""
    n = min(depth, len(ranking))
    scores: dict[int, list[float]] = {}
    lex: dict[int, float] = {}
    for c in candidates:  # best first
        d = int(doc_of_sentence(c.sentence))
        scores.setdefault(d, []).append(c.score)
        lex[d] = max(lex.get(d, 0.0), c.lex)
    top = max((v[0] for v in scores.values()), default=0.0)
    passages = passages or {}
    rows = np.zeros((n, len(DOCUMENT_FEATURES)))
    rows[:, : len(DOC_FEATURES)] = ranking.features[:n]
    k = len(DOC_FEATURES)
    for r in range(n):
        d = int(ranking.docs[r])
        mine = scores.get(d, [])
        gap = _gap(mine[0] if mine else None, top)
        p_score, p_rank = passages.get(d, (0.0, -1))
        rows[r, k:] = [ranking.scores[r], 1.0 / (1.0 + r), float(r == 0), ranking.best_cos[r], ranking.mean_cos[r],
                       float(bool(mine)), gap, math.exp(gap), _gap(mine[1] if len(mine) > 1 else None, top),
                       lex.get(d, 0.0), p_score, 1.0 / (1.0 + p_rank) if p_rank >= 0 else 0.0]
    return rows


def rerank(
    ranking: DocRanking, candidates: Sequence[Candidate], doc_of_sentence, depth: int = 30,  # noqa: ANN001
    ranker: LinearRanker | None = None, passages: dict[int, tuple[float, int]] | None = None,
) -> DocRanking:
    """The top ``depth`` documents reordered by the ranker (scores: its logits); the rest follow unchanged
    (scores shifted below the reranked ones, so the scores stay in rank order)."""
    if not len(ranking):
        return ranking
    x = document_rows(ranking, candidates, doc_of_sentence, depth, passages)
    logits = (ranker or document_ranker()).score(x)
    n = len(logits)
    order = np.concatenate([np.argsort(-logits, kind="stable"), np.arange(n, len(ranking))])
    tail = ranking.scores[n:] - (ranking.scores[n:].max(initial=0.0) if n < len(ranking) else 0.0)
    scores = np.concatenate([np.sort(logits)[::-1], logits.min() - 1.0 + tail]) if n < len(ranking) else np.sort(logits)[::-1]
    return DocRanking(ranking.docs[order], scores, ranking.features[order], ranking.best_cos[order], ranking.mean_cos[order])

