"""Refining a question's top quote candidates with token-level matching.

The sentence ranker (``index.quotes``) sees a sentence through its vector and its stemmed terms:
"what ruined Richard's plans?" and "a storm dispersed the fleet" share neither. Here the top
``QuoteParams.refine`` candidates and the question go through the model once more, token by token,
and each candidate gets BERTScore-like features: how well its contextual token vectors cover the
question's (recall), the reverse (precision), their harmonic mean, and the share of its tokens that
match nothing in the question (an answer says something new). With its sentence features and how
its document fared in the reranking (``index.rerank``), a third linear ranker learned on SQuAD's
tuning articles (``index/rankers/answers.json``) reorders them. Questions only: it costs one more
model pass over six short texts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from index.quotes import SENTENCE_FEATURES, Candidate, QuoteParams, type_penalized
from index.ranker import LinearRanker, packaged, softmax
from index.rerank import GAP_FLOOR
from index.retrieval import DocRanking

TOKEN_FEATURES = ("token_recall", "token_precision", "token_f", "token_new")
ANSWER_FEATURES = (*SENTENCE_FEATURES, *TOKEN_FEATURES, "reranked_doc_gap", "reranked_doc_top")
NEW_TOKEN = 0.5  # a sentence token whose best cosine to the question's tokens is below this is new


def answer_ranker() -> LinearRanker:
    return packaged("answers", ANSWER_FEATURES)


def token_match(question: np.ndarray, sentence: np.ndarray) -> list[float]:
    """``TOKEN_FEATURES`` of a sentence's token vectors against the question's (rows L2-normalized)."""
    if not len(question) or not len(sentence):
        return [0.0, 0.0, 0.0, 1.0]
    sim = question @ sentence.T
    recall = float(sim.max(axis=1).mean())
    precision = float(sim.max(axis=0).mean())
    f = 2 * recall * precision / (recall + precision) if recall + precision > 0 else 0.0
    return [recall, precision, f, float((sim.max(axis=0) < NEW_TOKEN).mean())]


def answer_rows(
    question: str,
    candidates: Sequence[Candidate],
    text_of: Callable[[int], str],
    token_states: Callable[[list[str]], list[np.ndarray]],
    documents: DocRanking,
    doc_of_sentence: Callable[[int], int],
) -> np.ndarray:
    """``ANSWER_FEATURES`` of the candidates (their ``row`` holds their sentence features)."""
    states = token_states([question] + [text_of(c.sentence) for c in candidates])
    top = float(documents.scores[0]) if len(documents) else 0.0
    rank = {int(d): r for r, d in enumerate(documents.docs.tolist())}
    rows = []
    for c, s in zip(candidates, states[1:], strict=True):
        r = rank.get(int(doc_of_sentence(c.sentence)))
        gap = max(GAP_FLOOR, float(documents.scores[r]) - top) if r is not None else GAP_FLOOR
        rows.append([*c.row, *token_match(states[0], s), gap, float(r == 0)])
    return np.asarray(rows, dtype=np.float64).reshape(len(candidates), len(ANSWER_FEATURES))


def refine(
    candidates: Sequence[Candidate], rows: np.ndarray, params: QuoteParams, ranker: LinearRanker | None = None
) -> list[Candidate]:
    """The first ``len(rows)`` candidates (their ``answer_rows``) reordered by the answer ranker; they keep
    their share of the probability mass, the rest follow unchanged."""
    k = len(rows)
    if k < 2:
        return list(candidates)
    top = list(candidates[:k])
    probs = softmax(type_penalized((ranker or answer_ranker()).score(rows), rows, params)) * sum(c.score for c in top)
    refined = sorted((replace(c, score=float(p)) for c, p in zip(top, probs, strict=True)), key=lambda c: -c.score)
    return refined + list(candidates[k:])
