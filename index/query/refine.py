"""Refining a question's top quote candidates with token-level matching.

The sentence ranker (``index.query.quotes``) sees a sentence through its vector and its stemmed terms:
"what ruined Richard's plans?" and "a storm dispersed the fleet" share neither. Here the top
``QuoteParams.refine`` candidates and the question go through the model once more, token by token,
and each candidate gets BERTScore-like features: how well its contextual token vectors cover the
question's (recall), the reverse (precision), their harmonic mean, and the share of its tokens that
match nothing in the question (an answer says something new). With its sentence features and how
its document fared in the reranking (``index.query.rerank``), a third linear ranker learned on SQuAD's
tuning articles (``index/models/rankers/answers.json``) reorders them. Questions only: it costs one more
model pass over six short texts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
from bm25s.stopwords import STOPWORDS_EN

from index.models.embeddings import Tokens
from index.models.ranker import LinearRanker, packaged, softmax
from index.query.features import FeatureRows
from index.query.quotes import SENTENCE_FEATURES, type_penalized
from index.query.records import Candidate, DocRanking, QuoteParams
from index.query.rerank import GAP_FLOOR

if TYPE_CHECKING:
    from index.query.state import Context, QueryState

TOKEN_FEATURES = (
    "token_recall",  # mean over the question's tokens of their best cosine to the sentence's
    "token_precision",  # mean over the sentence's tokens of their best cosine to the question's
    "token_f",  # harmonic mean of the two
    "token_new",  # share of the sentence's tokens that match nothing in the question
    "content_recall",  # token_recall over the question's content pieces (no stopwords, question words)
    "content_min",  # the worst-covered content piece of the question
    "content_precision",  # token_precision over the sentence's content pieces
    "content_new",  # token_new over the sentence's content pieces
)
ANSWER_FEATURES = (*SENTENCE_FEATURES, *TOKEN_FEATURES, "reranked_doc_gap", "reranked_doc_top")
NEW_TOKEN = 0.5  # a sentence token whose best cosine to the question's tokens is below this is new


def answer_ranker() -> LinearRanker:
    return packaged("answers", ANSWER_FEATURES)


_NOT_CONTENT = frozenset(STOPWORDS_EN) | {"what", "which", "who", "whom", "whose", "when", "where", "why", "how",
                                          "did", "does", "do"}


def content_mask(pieces: list[str]) -> np.ndarray:
    """Pieces that carry meaning: not a stopword or question word, not punctuation (all True if none)."""
    mask = np.array([p.lstrip("#").lower() not in _NOT_CONTENT and any(ch.isalnum() for ch in p) for p in pieces],
                    dtype=bool)
    return mask if mask.any() else np.ones(len(pieces), dtype=bool)


def token_match(question: Tokens, sentence: Tokens) -> list[float]:
    """``TOKEN_FEATURES`` of a sentence's tokens against the question's."""
    if not len(question.vectors) or not len(sentence.vectors):
        return [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
    sim = question.vectors @ sentence.vectors.T
    q_best, s_best = sim.max(axis=1), sim.max(axis=0)
    recall, precision = float(q_best.mean()), float(s_best.mean())
    f = 2 * recall * precision / (recall + precision) if recall + precision > 0 else 0.0
    qc, sc = content_mask(question.pieces), content_mask(sentence.pieces)
    s_content = sim[:, sc].max(axis=0)
    return [recall, precision, f, float((s_best < NEW_TOKEN).mean()), float(q_best[qc].mean()),
            float(q_best[qc].min()), float(s_content.mean()), float((s_content < NEW_TOKEN).mean())]


def answer_rows(
    question: str,
    candidates: Sequence[Candidate],
    rows: FeatureRows,
    text_of: Callable[[int], str],
    token_states: Callable[[list[str]], list[Tokens]],
    documents: DocRanking,
    doc_of_units: Callable[[np.ndarray], np.ndarray],
) -> FeatureRows:
    """``ANSWER_FEATURES`` of the candidates: their sentence features (``rows``, the ``SENTENCE_FEATURES``
    they were ranked on), their token features and how their document fared in the reranking."""
    states = token_states([question] + [text_of(c.unit) for c in candidates])
    top = float(documents.scores[0]) if len(documents) else 0.0
    rank = {int(d): r for r, d in enumerate(documents.docs.tolist())}
    docs = doc_of_units(np.array([c.unit for c in candidates], dtype=np.int64)).tolist()
    extra = []
    for s, d in zip(states[1:], docs, strict=True):
        r = rank.get(int(d))
        gap = max(GAP_FLOOR, float(documents.scores[r]) - top) if r is not None else GAP_FLOOR
        extra.append(dict(zip(TOKEN_FEATURES, token_match(states[0], s), strict=True))
                     | {"reranked_doc_gap": gap, "reranked_doc_top": float(r == 0)})
    names = ANSWER_FEATURES[len(SENTENCE_FEATURES) :]
    return rows.take([c.row for c in candidates]).join(FeatureRows.from_dicts(names, extra))


def refine(
    candidates: Sequence[Candidate], rows: FeatureRows, params: QuoteParams, ranker: LinearRanker | None = None
) -> list[Candidate]:
    """The first ``len(rows)`` candidates (their ``answer_rows``) reordered by the answer ranker; they keep
    their share of the probability mass, the rest follow unchanged."""
    k = len(rows)
    if k < 2:
        return list(candidates)
    top = list(candidates[:k])
    logits = (ranker or answer_ranker()).score_rows(rows)
    probs = softmax(type_penalized(logits, rows, params)) * sum(c.score for c in top)
    refined = sorted((replace(c, score=float(p)) for c, p in zip(top, probs, strict=True)), key=lambda c: -c.score)
    return refined + list(candidates[k:])


def refine_candidates(ctx: Context, state: QueryState) -> None:
    """Stage (questions): the top candidates rescored with token-level matching."""
    top = state.candidates[: ctx.quotes.refine]
    if not state.asks or len(top) < 2 or state.rows is None or state.documents is None:
        return
    rows = answer_rows(state.question, top, state.rows, ctx.backend.unit_display, ctx.token_states,
                       state.documents, ctx.backend.unit_documents)
    state.candidates = refine(state.candidates, rows, ctx.quotes, ctx.rankers.answers)
