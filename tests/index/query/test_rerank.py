import numpy as np

from index.models.ranker import LinearRanker
from index.query.features import FeatureRows, weights
from index.query.records import DOC_FEATURES, Candidate, DocRanking
from index.query.rerank import DOCUMENT_FEATURES, GAP_FLOOR, document_rows, rerank


def ranking(n: int) -> DocRanking:
    rng = np.random.default_rng(0)
    scores = np.sort(rng.random(n))[::-1]
    features = FeatureRows(DOC_FEATURES, rng.random((n, len(DOC_FEATURES))))
    return DocRanking(np.arange(10, 10 + n), scores, features, rng.random(n), rng.random(n))


def closeness_only() -> LinearRanker:
    return LinearRanker("t", DOCUMENT_FEATURES, weights(DOCUMENT_FEATURES, quote_closeness=1.0))


def docs_of(mapping: dict[int, int]):  # noqa: ANN201
    return lambda ids: np.array([mapping[int(i)] for i in ids], dtype=np.int64)


def test_quote_features_follow_the_best_candidate_of_each_document() -> None:
    cands = [Candidate(0, 0.6, 0, 0, 0), Candidate(1, 0.3, 0, 0, 0), Candidate(2, 0.1, 0, 0, 0)]
    rows = document_rows(ranking(4), cands, docs_of({0: 12, 1: 12, 2: 11}), depth=3)
    gap = rows.column("quote_gap")
    has = rows.column("has_quote")
    assert rows.names == DOCUMENT_FEATURES and len(rows) == 3
    assert has.tolist() == [0.0, 1.0, 1.0]
    assert gap[2] == 0.0 and np.isclose(gap[1], np.log(0.1 / 0.6)) and gap[0] == GAP_FLOOR


def test_rerank_reorders_the_top_and_keeps_the_tail() -> None:
    r = ranking(6)
    cands = [Candidate(0, 0.9, 0, 0, 0), Candidate(1, 0.1, 0, 0, 0)]
    out = rerank(r, cands, docs_of({0: 12, 1: 10}), depth=4, ranker=closeness_only())
    assert out.docs[:2].tolist() == [12, 10]
    assert out.docs[4:].tolist() == [14, 15]  # beyond the depth: first-stage order
    assert sorted(out.docs.tolist()) == r.docs.tolist()
    assert (np.diff(out.scores) <= 0).all()
    assert len(rerank(DocRanking.empty(), cands, docs_of({}))) == 0


def test_a_ranker_refuses_rows_of_other_features() -> None:
    import pytest

    from index.models.ranker import RankerMismatch

    rows = FeatureRows(("a", "b"), np.ones((1, 2)))
    with pytest.raises(RankerMismatch, match="other features"):
        LinearRanker("t", ("b", "a"), np.ones(2)).score_rows(rows)
    assert LinearRanker("t", ("a", "b"), np.array([1.0, 2.0])).score_rows(rows).tolist() == [3.0]
