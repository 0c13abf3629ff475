import numpy as np
import pytest

from index.query.fusion import minmax, rrf, weighted


def test_minmax() -> None:
    assert minmax(np.array([1.0, 3.0, 2.0])).tolist() == [0.0, 1.0, 0.5]
    assert minmax(np.array([2.0, 2.0])).tolist() == [1.0, 1.0]
    assert minmax(np.array([])).size == 0


def test_weighted_fusion_union_and_weights() -> None:
    fused = weighted({1: 0.9, 2: 0.5}, {2: 10.0, 3: 4.0}, alpha=0.5)
    assert set(fused) == {1, 2, 3}
    assert fused[1] == pytest.approx(0.5)  # best dense, missing from BM25
    assert fused[2] == pytest.approx(0.5)  # worst dense, best BM25
    assert fused[3] == pytest.approx(0.0)
    only_dense = weighted({1: 0.9, 2: 0.5}, {2: 10.0, 3: 4.0}, alpha=1.0)
    assert max(only_dense, key=only_dense.get) == 1


def test_rrf() -> None:
    fused = rrf([[1, 2, 3], [3, 1]], k=60)
    assert fused[1] == pytest.approx(1 / 61 + 1 / 62)
    assert max(fused, key=fused.get) == 1


def test_best_two_matches_a_plain_loop() -> None:
    from types import SimpleNamespace

    import numpy as np

    from index.query.retrieval import _best_two

    rng = np.random.default_rng(0)
    lengths = [3, 1, 0, 5, 2]
    vecs = rng.normal(size=(sum(lengths), 8)).astype(np.float32)
    starts = np.concatenate([[0], np.cumsum(lengths)])
    backend = SimpleNamespace(document_units=lambda ids: (starts[ids], starts[np.asarray(ids) + 1]),
                              unit_cosines=lambda ids, q: vecs[ids] @ q)
    q = rng.normal(size=8).astype(np.float32)
    docs = np.array([3, 0, 1, 2, 4])
    best, top2 = _best_two(backend, docs, q)
    for i, d in enumerate(docs):
        cos = np.sort(vecs[starts[d] : starts[d + 1]] @ q)
        want_best = cos[-1] if len(cos) else 0.0
        want_two = cos[-2:].mean() if len(cos) else 0.0
        assert np.isclose(best[i], want_best, atol=1e-6) and np.isclose(top2[i], want_two, atol=1e-6)


def test_document_prior_lifts_a_chunk_of_the_best_document() -> None:
    from index.query.fusion import with_document_prior

    chunk_scores = np.array([1.0, 0.8, 0.6, 0.0])
    chunk_docs = np.array([5, 5, 7, 9])  # document 9 is not ranked: no prior
    combined = with_document_prior(chunk_scores, chunk_docs, np.array([7, 5]), np.array([2.0, 1.0]), weight=0.5)
    assert combined.tolist() == pytest.approx([1.0 / 1.5, 0.8 / 1.5, (0.6 + 0.5) / 1.5, 0.0])
    assert combined.max() <= 1.0
    assert with_document_prior(chunk_scores, chunk_docs, np.array([7, 5]), np.array([2.0, 1.0]), 0.0).tolist() == \
        pytest.approx(chunk_scores.tolist())


def _hits(chunks: list[int], scores: list[float]):  # noqa: ANN202
    from index.query.records import Hits

    return Hits(np.array(chunks, dtype=np.int64), np.array(scores, dtype=np.float32), {})


def test_document_prior_chooses_the_window_and_keeps_fused_order() -> None:
    from types import SimpleNamespace

    from index.query.records import DocRanking, RetrievalParams
    from index.query.retrieval import document_prior

    doc_of = {10: 0, 11: 0, 12: 1, 13: 2}
    backend = SimpleNamespace(chunk_documents=lambda ids: np.array([doc_of[int(c)] for c in ids]))
    hits = _hits([10, 11, 12, 13], [1.0, 0.9, 0.5, 0.45])
    ranking = DocRanking(np.array([2, 0, 1]), np.array([1.0, 0.0, 0.0]), None, np.zeros(3), np.zeros(3))  # type: ignore[arg-type]
    out = document_prior(backend, RetrievalParams(chunk_document_prior=1.0), hits, ranking, window=2)  # type: ignore[arg-type]
    # chunk 13 (the best document) enters the window of two; the window stays in fused order, scores as fused
    assert out.chunks.tolist() == [10, 13, 11, 12]
    assert out.scores.tolist() == pytest.approx([1.0, 0.45, 0.9, 0.5])
    off = document_prior(backend, RetrievalParams(chunk_document_prior=0.0), hits, ranking, window=2)  # type: ignore[arg-type]
    assert off is hits


def test_best_passages_are_relative_to_the_best_score_in_any_order() -> None:
    from index.query.rerank import best_passages

    out = best_passages(np.array([3, 4, 3]), np.array([0.5, 1.0, 0.2]))
    assert out == {3: (pytest.approx(0.5), 0), 4: (pytest.approx(1.0), 1)}
