"""The vector store behind a small interface, so that a distributed engine (e.g. Qdrant)
can replace FAISS without touching retrieval, quote selection or the bot.

Vectors are L2-normalized float32; scores are inner products (= cosine similarity).
Ids are the chunk numbers of the index (int64).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

import numpy as np

FAISS_FILE = "vectors.faiss"
FAISS_META = "vectors.json"
FLAT_MAX = 100_000  # up to this many vectors, exact search is fast enough and exact


class VectorStore(Protocol):
    dim: int

    def __len__(self) -> int: ...

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None: ...

    def remove(self, ids: np.ndarray) -> None: ...

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids), each (n_queries, k); missing hits have id -1."""
        ...

    def save(self, directory: Path) -> None: ...


def choose_factory(n_vectors: int) -> str:
    """FAISS index type for a corpus size: exact up to FLAT_MAX vectors, HNSW beyond."""
    return "Flat" if n_vectors <= FLAT_MAX else "HNSW32,Flat"


class FaissStore:
    def __init__(self, dim: int, factory: str = "Flat") -> None:
        import faiss

        self.dim = dim
        self.factory = factory
        base = faiss.index_factory(dim, factory, faiss.METRIC_INNER_PRODUCT)
        if factory.startswith("HNSW"):
            faiss.downcast_index(base).hnsw.efConstruction = 80
            faiss.downcast_index(base).hnsw.efSearch = 64
        self._index = faiss.IndexIDMap2(base)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self._index.add_with_ids(vectors, np.ascontiguousarray(ids, dtype=np.int64))

    def remove(self, ids: np.ndarray) -> None:
        import faiss

        sel = faiss.IDSelectorBatch(np.ascontiguousarray(ids, dtype=np.int64))
        self._index.remove_ids(sel)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = max(1, min(k, len(self)))
        scores, ids = self._index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
        return scores, ids

    def save(self, directory: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(directory / FAISS_FILE))
        (directory / FAISS_META).write_text(json.dumps({"dim": self.dim, "factory": self.factory}))

    @classmethod
    def load(cls, directory: Path, mmap: bool = True) -> FaissStore:
        import faiss

        meta = json.loads((directory / FAISS_META).read_text())
        store = cls.__new__(cls)
        store.dim = int(meta["dim"])
        store.factory = meta["factory"]
        flags = faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY if mmap else 0
        try:
            store._index = faiss.read_index(str(directory / FAISS_FILE), flags)
        except RuntimeError:  # index types that cannot be memory-mapped
            store._index = faiss.read_index(str(directory / FAISS_FILE))
        return store
