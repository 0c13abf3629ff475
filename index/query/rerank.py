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
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from index.models.ranker import LinearRanker, packaged
from index.query.cues import asks_about_versions
from index.query.features import FeatureRows
from index.query.records import DOC_FEATURES, Candidate, DocRanking

if TYPE_CHECKING:
    from index.query.state import Context, QueryState

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
    top = float(chunk_scores.max()) if len(chunk_scores) and chunk_scores.max() > 0 else 1.0
    for rank, (d, sc) in enumerate(zip(chunk_docs.tolist(), chunk_scores.tolist(), strict=True)):
        if d not in out:
            out[d] = (sc / top, rank)
    return out


def _gap(p: float | None, top: float) -> float:
    return max(GAP_FLOOR, math.log(p / top)) if p and top > 0 else GAP_FLOOR


def document_rows(
    ranking: DocRanking,
    candidates: Sequence[Candidate],
    doc_of_units: Callable[[np.ndarray], np.ndarray],
    depth: int,
    passages: dict[int, tuple[float, int]] | None = None,
) -> FeatureRows:
    """``DOCUMENT_FEATURES`` of the top ``depth`` documents of ``ranking``; ``passages``: ``best_passages``."""
    n = min(depth, len(ranking))
    scores: dict[int, list[float]] = {}
    lex: dict[int, float] = {}
    docs_of = doc_of_units(np.array([c.unit for c in candidates], dtype=np.int64)).tolist()
    for c, d in zip(candidates, docs_of, strict=True):  # best first
        scores.setdefault(int(d), []).append(c.score)
        lex[int(d)] = max(lex.get(int(d), 0.0), c.lex)
    top = max((v[0] for v in scores.values()), default=0.0)
    passages = passages or {}
    rows = []
    for r in range(n):
        d = int(ranking.docs[r])
        mine = scores.get(d, [])
        gap = _gap(mine[0] if mine else None, top)
        p_score, p_rank = passages.get(d, (0.0, -1))
        rows.append({
            "first_stage": ranking.scores[r],
            "first_stage_rr": 1.0 / (1.0 + r),
            "first_stage_top": float(r == 0),
            "best_cos": ranking.best_cos[r],
            "mean_cos": ranking.mean_cos[r],
            "has_quote": float(bool(mine)),
            "quote_gap": gap,
            "quote_closeness": math.exp(gap),
            "quote_second_gap": _gap(mine[1] if len(mine) > 1 else None, top),
            "quote_lex": lex.get(d, 0.0),
            "passage_score": p_score,
            "passage_rr": 1.0 / (1.0 + p_rank) if p_rank >= 0 else 0.0,
        })
    evidence = ranking.features.take(np.arange(n))
    return evidence.join(FeatureRows.from_dicts(DOCUMENT_FEATURES[len(DOC_FEATURES) :], rows))


def rerank(
    ranking: DocRanking, candidates: Sequence[Candidate], doc_of_units: Callable[[np.ndarray], np.ndarray],
    depth: int = 30, ranker: LinearRanker | None = None, passages: dict[int, tuple[float, int]] | None = None,
    demote: Callable[[np.ndarray], np.ndarray] | None = None, demote_by: float = 0.0,
) -> DocRanking:
    """The top ``depth`` documents reordered by the ranker (scores: its logits, ``demote_by`` less for the
    documents ``demote`` marks); the rest follow unchanged (scores shifted below the reranked ones, so the
    scores stay in rank order)."""
    if not len(ranking):
        return ranking
    x = document_rows(ranking, candidates, doc_of_units, depth, passages)
    logits = (ranker or document_ranker()).score_rows(x)
    if demote is not None and demote_by:
        logits = logits - demote_by * demote(ranking.docs[: len(logits)])
    n = len(logits)
    order = np.concatenate([np.argsort(-logits, kind="stable"), np.arange(n, len(ranking))])
    tail = ranking.scores[n:] - (ranking.scores[n:].max(initial=0.0) if n < len(ranking) else 0.0)
    scores = np.concatenate([np.sort(logits)[::-1], logits.min() - 1.0 + tail]) if n < len(ranking) else np.sort(logits)[::-1]
    return ranking.take(order, scores)


def rerank_documents(ctx: Context, state: QueryState) -> None:
    """Stage (questions): the top documents reordered with what quote selection found in them."""
    if not state.asks or state.hits is None or state.documents is None:
        return
    hits = state.hits
    passages = best_passages(ctx.backend.chunk_documents(hits.chunks), hits.scores)
    demote = None if asks_about_versions(state.question) else ctx.texts.facts.changelog_documents
    state.documents = rerank(state.documents, state.candidates, ctx.backend.unit_documents,
                             ctx.retrieval.rerank_depth, ctx.rankers.documents, passages, demote,
                             ctx.retrieval.changelog_rerank)
