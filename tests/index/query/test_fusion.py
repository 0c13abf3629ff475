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
