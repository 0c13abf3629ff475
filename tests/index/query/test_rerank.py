import numpy as np

from index.models.ranker import LinearRanker
from index.query.quotes import Candidate
from index.query.rerank import DOCUMENT_FEATURES, GAP_FLOOR, document_rows, rerank
from index.query.retrieval import DOC_FEATURES, DocRanking


def ranking(n: int) -> DocRanking:
    rng = np.random.default_rng(0)
    scores = np.sort(rng.random(n))[::-1]
    return DocRanking(np.arange(10, 10 + n), scores, rng.random((n, len(DOC_FEATURES))), rng.random(n), rng.random(n))


def closeness_only() -> LinearRanker:
    w = np.zeros(len(DOCUMENT_FEATURES))
    w[DOCUMENT_FEATURES.index("quote_closeness")] = 1.0
    return LinearRanker("t", DOCUMENT_FEATURES, w)


def test_quote_features_follow_the_best_candidate_of_each_document() -> None:
    cands = [Candidate(0, 0.6, 0, 0, 0), Candidate(1, 0.3, 0, 0, 0), Candidate(2, 0.1, 0, 0, 0)]
    doc_of = {0: 12, 1: 12, 2: 11}.__getitem__
    rows = document_rows(ranking(4), cands, doc_of, depth=3)
    gap = rows[:, DOCUMENT_FEATURES.index("quote_gap")]
    has = rows[:, DOCUMENT_FEATURES.index("has_quote")]
    assert rows.shape == (3, len(DOCUMENT_FEATURES))
    assert has.tolist() == [0.0, 1.0, 1.0]
    assert gap[2] == 0.0 and np.isclose(gap[1], np.log(0.1 / 0.6)) and gap[0] == GAP_FLOOR


def test_rerank_reorders_the_top_and_keeps_the_tail() -> None:
    r = ranking(6)
    cands = [Candidate(0, 0.9, 0, 0, 0), Candidate(1, 0.1, 0, 0, 0)]
    out = rerank(r, cands, {0: 12, 1: 10}.__getitem__, depth=4, ranker=closeness_only())
    assert out.docs[:2].tolist() == [12, 10]
    assert out.docs[4:].tolist() == [14, 15]  # beyond the depth: first-stage order
    assert sorted(out.docs.tolist()) == r.docs.tolist()
    assert (np.diff(out.scores) <= 0).all()
    assert len(rerank(DocRanking.empty(), cands, lambda i: 0)) == 0
