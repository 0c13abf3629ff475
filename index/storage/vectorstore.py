"""The vector store behind a small interface, so that a distributed engine (e.g. Qdrant)
can replace FAISS without touching retrieval, quote selection or the bot.

Vectors are L2-normalized float32; scores are inner products (= cosine similarity).
Ids are the sentence numbers of the index (int64).

Index type by size (``choose_factory``): exact ``Flat`` up to ``FLAT_MAX`` vectors (a SciFact-sized
corpus is searched exactly in well under a millisecond); beyond, an inverted file over k-means
cells (``IVF<nlist>,Flat``) probing ``nprobe`` cells. IVF was chosen over HNSW for large
indexes because on a 2-core machine it builds an order of magnitude faster (k-means on a sample
plus one assignment pass instead of a graph insertion per vector), needs no graph memory, can
be memory-mapped from disk, and supports removal; measured with ``citebot bench --only scale``
(see BENCHMARKS.md): 1M clustered 384-d vectors, p50 under 5 ms at recall@10 >= 0.95.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

import numpy as np

FAISS_FILE = "vectors.faiss"
FAISS_META = "vectors.json"
FLAT_MAX = 100_000  # up to this many vectors, exact search is fast enough and exact
TRAIN_PER_CELL = 64  # k-means training sample: this many vectors per IVF cell (faiss caps at 256)


SMALL_BATCH = 8  # fewer queries than this are searched on one thread


@contextmanager
def _single_thread() -> Iterator[None]:
    import faiss

    before = faiss.omp_get_max_threads()
    if before == 1:
        yield
        return
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


class VectorStore(Protocol):
    dim: int

    def __len__(self) -> int: ...

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None: ...

    def remove(self, ids: np.ndarray) -> None: ...

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids), each (n_queries, k); missing hits have id -1."""
        ...

    def save(self, directory: Path) -> None: ...


def ivf_cells(n_vectors: int) -> int:
    """IVF cells for a corpus size: ~4·sqrt(n) rounded to a power of two (4096 for 1M)."""
    return int(2 ** round(math.log2(max(256.0, 4.0 * math.sqrt(n_vectors)))))


def default_nprobe(nlist: int) -> int:
    """Cells probed per query: 7/256 of them (112 of 4096), scanning ~3 % of the vectors. Measured
    on 1M clustered 384-d vectors (``citebot bench --only scale``): IVF4096 at nprobe 96 gives
    recall@10 0.957 at 3.1 ms p50, at 128 0.964 at 4.0 ms; IVF2048 at 64 only 0.941, and SQ8 / fp16
    codes lose more recall than they save in time."""
    return max(8, nlist * 7 // 256)


def choose_factory(n_vectors: int) -> str:
    """FAISS index type for a corpus size: exact up to FLAT_MAX vectors, IVF beyond."""
    return "Flat" if n_vectors <= FLAT_MAX else f"IVF{ivf_cells(n_vectors)},Flat"


class FaissStore:
    def __init__(self, dim: int, factory: str = "Flat", nprobe: int | None = None) -> None:
        import faiss

        self.dim = dim
        self.factory = factory
        base = faiss.index_factory(dim, factory, faiss.METRIC_INNER_PRODUCT)
        if factory.startswith("HNSW"):
            faiss.downcast_index(base).hnsw.efConstruction = 80
            faiss.downcast_index(base).hnsw.efSearch = 64
        self.nprobe = 0
        if factory.startswith("IVF"):
            # IVF lists store the ids themselves (and remove by id); an IndexIDMap around them
            # would renumber on removal and point at the wrong vectors
            self._index = base
            ivf = faiss.extract_index_ivf(base)
            self.nprobe = nprobe or default_nprobe(ivf.nlist)
            ivf.nprobe = self.nprobe
        else:
            self._index = faiss.IndexIDMap2(base)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    @property
    def is_trained(self) -> bool:
        return bool(self._index.is_trained)

    def train(self, vectors: np.ndarray, seed: int = 1234) -> None:
        """Train IVF cells on (a deterministic sample of) ``vectors``; a no-op for Flat/HNSW."""
        if self.is_trained:
            return
        import faiss

        ivf = faiss.extract_index_ivf(self._index)
        want = min(len(vectors), TRAIN_PER_CELL * ivf.nlist)
        if want < len(vectors):
            rows = np.sort(np.random.default_rng(seed).choice(len(vectors), want, replace=False))
            sample = np.ascontiguousarray(vectors[rows], dtype=np.float32)
        else:
            sample = np.ascontiguousarray(vectors, dtype=np.float32)
        ivf.cp.seed = seed
        ivf.cp.max_points_per_centroid = TRAIN_PER_CELL
        self._index.train(sample)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if not self.is_trained:
            self.train(vectors)
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        step = 1 << 16  # bounded temporary copies for a large memory-mapped input
        for lo in range(0, len(ids), step):
            block = np.ascontiguousarray(vectors[lo : lo + step], dtype=np.float32)
            self._index.add_with_ids(block, ids[lo : lo + step])

    def remove(self, ids: np.ndarray) -> None:
        import faiss

        sel = faiss.IDSelectorBatch(np.ascontiguousarray(ids, dtype=np.int64))
        self._index.remove_ids(sel)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = max(1, min(k, len(self)))
        queries = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.dim)
        if len(queries) >= SMALL_BATCH:
            return self._index.search(queries, k)
        # one question: a single thread. An OpenMP team over a sub-millisecond scan costs more
        # than it saves, and on a busy 2-core machine it waits for a descheduled thread (10 ms).
        with _single_thread():
            return self._index.search(queries, k)

    def save(self, directory: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(directory / FAISS_FILE))
        (directory / FAISS_META).write_text(
            json.dumps({"dim": self.dim, "factory": self.factory, "nprobe": self.nprobe})
        )

    @classmethod
    def load(cls, directory: Path, mmap: bool = True) -> FaissStore:
        """Read the store; memory-mapped (read-only, pages shared between processes) where FAISS
        allows it (Flat, IVF), read into memory otherwise."""
        import faiss

        meta = json.loads((directory / FAISS_META).read_text())
        store = cls.__new__(cls)
        store.dim = int(meta["dim"])
        store.factory = meta["factory"]
        store.nprobe = int(meta.get("nprobe", 0))
        store.mmapped = False
        if mmap:
            try:
                store._index = faiss.read_index(str(directory / FAISS_FILE), faiss.IO_FLAG_MMAP_IFC)
                store.mmapped = True
            except RuntimeError:  # index types that cannot be memory-mapped
                store._index = faiss.read_index(str(directory / FAISS_FILE))
        else:
            store._index = faiss.read_index(str(directory / FAISS_FILE))
        if store.nprobe:
            faiss.extract_index_ivf(store._index).nprobe = store.nprobe
        return store
