"""``LocalBackend``: the ``Backend`` over one local generation (FAISS + bm25s + .npy), the default store."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from index.models.embeddings import Tokens
from index.models.lexical import BM25Index
from index.storage.backend import ChunkRecord, UnitRecord, register
from index.storage.manifest import Manifest
from index.storage.schema import DocRecord
from index.storage.store import IndexData, read_index


class _AllScores:
    """BM25 of one question: every score computed once (a sparse product), then read by id."""

    def __init__(self, index: BM25Index, terms: list[str]) -> None:
        self._all = index.scores(terms)

    def top(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        n = len(self._all)
        k = min(k, n)
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        top = np.argpartition(-self._all, k - 1)[:k] if k < n else np.arange(n)
        top = top[self._all[top] > 0]
        return top.astype(np.int64), self._all[top]

    def scores(self, ids: np.ndarray) -> np.ndarray:
        return self._all[np.asarray(ids, dtype=np.int64)]


class LocalBackend:
    def __init__(self, data: IndexData) -> None:
        self.data = data
        self.manifest = data.manifest
        self.generation = data.generation
        self._doc_units = data.doc_unit_start
        starts = [r.start for r in data.doc_chunks] + [len(data.chunks)]
        self._doc_chunk_start = np.asarray(starts, dtype=np.int64)
        self._chunk_first = np.ascontiguousarray(data.chunks["first"], dtype=np.int64)
        self._chunk_last = np.ascontiguousarray(data.chunks["last"], dtype=np.int64)

    @classmethod
    def open(cls, settings: object, index_dir: Path, on_manifest: Callable[[Manifest], None] | None = None) -> LocalBackend:
        return cls(read_index(index_dir, on_manifest=on_manifest))

    @property
    def n_documents(self) -> int:
        return len(self.data.docs)

    @property
    def n_chunks(self) -> int:
        return len(self.data.chunks)

    @property
    def n_units(self) -> int:
        return len(self.data.units)

    def prefetch(self, q_vec: np.ndarray | None, terms: list[str] | None, dense_k: int, chunk_k: int,
                 doc_k: int, idf_terms: Sequence[str] = ()) -> None:
        """Nothing to fetch: everything is memory-mapped."""

    # -- dense -----------------------------------------------------------------------------------
    def dense_units(self, q_vec: np.ndarray, k: int) -> np.ndarray:
        _, ids = self.data.vectors.search(q_vec.reshape(1, -1), k)
        return ids[0][ids[0] >= 0].astype(np.int64)

    def unit_cosines(self, ids: np.ndarray, q_vec: np.ndarray) -> np.ndarray:
        return np.asarray(self.data.unit_vectors[ids], dtype=np.float32) @ q_vec.astype(np.float32)

    def chunk_cosines(self, ids: np.ndarray, q_vec: np.ndarray) -> np.ndarray:
        return np.asarray(self.data.chunk_vectors[ids], dtype=np.float32) @ q_vec.astype(np.float32)

    def document_cosines(self, ids: np.ndarray, q_vec: np.ndarray) -> np.ndarray:
        return np.asarray(self.data.document_vectors[ids], dtype=np.float32) @ np.asarray(q_vec, dtype=np.float32)

    # -- lexical ---------------------------------------------------------------------------------
    def bm25_chunks(self, terms: list[str]) -> _AllScores:
        return _AllScores(self.data.bm25, terms)

    def bm25_documents(self, terms: list[str]) -> _AllScores:
        return _AllScores(self.data.doc_bm25, terms)

    def idf(self, term: str) -> float:
        return self.data.bm25.idf(term)

    # -- structure and records ---------------------------------------------------------------------
    def unit_chunks(self, ids: np.ndarray) -> np.ndarray:
        return self.data.unit_chunk[ids]

    def chunk_spans(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self._chunk_first[ids], self._chunk_last[ids]

    def chunk_documents(self, ids: np.ndarray) -> np.ndarray:
        return self.data.chunk_doc[ids]

    def unit_documents(self, ids: np.ndarray) -> np.ndarray:
        return self.data.unit_doc[ids]

    def document_units(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ids = np.asarray(ids, dtype=np.int64)
        return self._doc_units[ids], self._doc_units[ids + 1]

    def document_chunks(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ids = np.asarray(ids, dtype=np.int64)
        return self._doc_chunk_start[ids], self._doc_chunk_start[ids + 1]

    def unit(self, i: int) -> UnitRecord:
        data = self.data
        u = data.units[i]
        quote = data.unit_text(i)
        return UnitRecord(
            doc=int(u["doc"]), block=int(u["block"]), kind=data.unit_kind(i), start=int(u["start"]),
            end=int(u["end"]), line=int(u["line"]), end_line=int(u["end_line"]), page=int(u["page"]) or None,
            language=data.unit_language(i), quote=quote, display=data.unit_display(i),
        )

    def unit_display(self, i: int) -> str:
        return self.data.unit_display(i)

    def chunk(self, c: int) -> ChunkRecord:
        data = self.data
        ch = data.chunks[c]
        first = data.units[int(ch["first"])]
        d, s, e = int(ch["doc"]), int(ch["start"]), int(ch["end"])
        return ChunkRecord(d, s, e, range(int(ch["first"]), int(ch["last"])), int(first["line"]),
                           int(first["page"]) or None, data.docs[d].text[s:e])

    def chunk_text(self, c: int) -> str:
        return self.data.chunk_text(c)

    def document(self, d: int) -> DocRecord:
        return self.data.docs[d]

    def documents(self) -> Sequence[DocRecord]:
        return self.data.docs

    def document_blocks(self, d: int) -> np.ndarray:
        return self.data.doc_blocks(d)

    def tables(self) -> tuple[list[str], list[str]]:
        return self.data.tables.kinds, self.data.tables.contexts

    # -- optional --------------------------------------------------------------------------------
    def unit_token_states(self, ids: Sequence[int]) -> list[Tokens] | None:
        """The build's stored token states of these units (None: this generation has none)."""
        tokens = self.data.tokens
        return None if tokens is None else [tokens.get(int(i)) for i in ids]


register("local", LocalBackend.open)
