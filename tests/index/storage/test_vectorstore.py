"""The FAISS vector store: add / remove / search / save / load, and the index type by size."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.bench.synthetic import clustered_vectors
from index.storage.vectorstore import FLAT_MAX, FaissStore, choose_factory, default_nprobe, ivf_cells


def _vectors(n: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_factory_by_size() -> None:
    assert choose_factory(1_000) == "Flat"
    assert choose_factory(FLAT_MAX) == "Flat"
    assert choose_factory(1_000_000) == "IVF4096,Flat"
    assert choose_factory(10_000_000).startswith("IVF")
    assert ivf_cells(1_000_000) == 4096
    assert default_nprobe(4096) == 112


def test_flat_round_trip(tmp_path: Path) -> None:
    x = _vectors(500)
    ids = np.arange(1000, 1500, dtype=np.int64)
    store = FaissStore(32, "Flat")
    store.add(ids, x)
    assert len(store) == 500
    scores, found = store.search(x[:3], 1)
    assert found[:, 0].tolist() == [1000, 1001, 1002]
    assert np.allclose(scores[:, 0], 1.0, atol=1e-5)

    store.remove(np.array([1001], dtype=np.int64))
    assert len(store) == 499
    _, found = store.search(x[1:2], 5)
    assert 1001 not in found[0].tolist()

    store.save(tmp_path)
    for mmap in (True, False):
        loaded = FaissStore.load(tmp_path, mmap=mmap)
        assert (loaded.dim, loaded.factory, len(loaded)) == (32, "Flat", 499)
        s2, f2 = loaded.search(x[:50], 10)
        s1, f1 = store.search(x[:50], 10)
        assert np.array_equal(f1, f2) and np.allclose(s1, s2)


def test_single_query_and_batch_agree() -> None:
    x = _vectors(2000, seed=3)
    store = FaissStore(32, "Flat")
    store.add(np.arange(2000), x)
    _, batch = store.search(x[:20], 10)
    for i in range(20):
        _, one = store.search(x[i], 10)  # a 1-d query is accepted too
        assert np.array_equal(one[0], batch[i])


def test_k_larger_than_the_store() -> None:
    store = FaissStore(32, "Flat")
    store.add(np.arange(3), _vectors(3))
    scores, found = store.search(_vectors(1, seed=9), 10)
    assert found.shape == (1, 3) and sorted(found[0].tolist()) == [0, 1, 2]


def test_ivf_trains_adds_saves_and_memory_maps(tmp_path: Path) -> None:
    x, q = clustered_vectors(6000, dim=48, queries=50)
    assert FaissStore(48, "IVF64,Flat").nprobe == default_nprobe(64)
    store = FaissStore(48, "IVF64,Flat", nprobe=64)  # every cell: must equal exact search
    store.add(np.arange(6000, dtype=np.int64), x)
    assert store.is_trained and len(store) == 6000
    store.remove(np.arange(0, 6000, 2, dtype=np.int64))
    assert len(store) == 3000
    store.save(tmp_path)
    loaded = FaissStore.load(tmp_path, mmap=True)
    assert loaded.nprobe == store.nprobe and len(loaded) == 3000
    _, found = loaded.search(q, 10)
    assert (found[found >= 0] % 2 == 1).all()  # removed ids never come back

    exact = FaissStore(48, "Flat")
    exact.add(np.arange(1, 6000, 2, dtype=np.int64), x[1::2])
    _, truth = exact.search(q, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found.tolist(), truth.tolist(), strict=True)])
    assert recall == 1.0


def test_synthetic_vectors_are_deterministic_and_normalized() -> None:
    a, qa = clustered_vectors(1000, dim=64, queries=10)
    b, qb = clustered_vectors(1000, dim=64, queries=10)
    assert np.array_equal(a, b) and np.array_equal(qa, qb)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert not np.array_equal(a[:10], qa)


@pytest.mark.slow
def test_large_store_is_ivf_with_high_recall() -> None:
    n = 120_000
    x, q = clustered_vectors(n, queries=200)
    factory = choose_factory(n)
    assert factory.startswith("IVF")
    store = FaissStore(384, factory)
    store.add(np.arange(n, dtype=np.int64), x)
    exact = FaissStore(384, "Flat")
    exact.add(np.arange(n, dtype=np.int64), x)
    _, found = store.search(q, 10)
    _, truth = exact.search(q, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found.tolist(), truth.tolist(), strict=True)])
    assert recall >= 0.95
