"""A loaded index generation in memory (``IndexData``): its arrays, records and models, read by name.

``index.storage.store`` reads and writes it (the files are listed there); ``index.storage.validate``
checks it. Units, chunks and blocks are looked up here by id: their source text (the verbatim quote),
display text, kind, language and passage.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.models.lexical import BM25Index, join_displays, search_text
from index.storage import tokens as token_store
from index.storage.manifest import Manifest
from index.storage.schema import DocRecord, Tables
from index.storage.vectorstore import VectorStore


@dataclass
class IndexData:
    directory: Path  # the index directory (its generations inside)
    manifest: Manifest
    docs: list[DocRecord]
    blocks: np.ndarray  # schema.BLOCK_DTYPE, in document order
    units: np.ndarray  # schema.UNIT_DTYPE, in document order
    chunks: np.ndarray  # schema.CHUNK_DTYPE, in document order
    tables: Tables
    displays: str
    unit_vectors: np.ndarray
    chunk_vectors: np.ndarray
    vectors: VectorStore
    bm25: BM25Index
    document_vectors: np.ndarray
    doc_bm25: BM25Index
    generation: str = ""  # which generation of ``directory`` this is
    tokens: token_store.StoredTokens | None = None  # the units' token states, when the build stored them

    def __post_init__(self) -> None:
        n_docs = len(self.docs)
        # units of document d: doc_unit_start[d] .. doc_unit_start[d + 1]; blocks likewise
        self.doc_unit_start = np.searchsorted(self.units["doc"], np.arange(n_docs + 1))
        self.doc_block_start = np.searchsorted(self.blocks["doc"], np.arange(n_docs + 1))
        # first chunk of each unit, for unit -> passage lookups
        self.unit_chunk = np.zeros(len(self.units), dtype=np.int64)
        first, last = self.chunks["first"], self.chunks["last"]
        for c in range(len(self.chunks) - 1, -1, -1):
            self.unit_chunk[first[c] : last[c]] = c
        starts = np.searchsorted(self.chunks["doc"], np.arange(n_docs + 1))
        self.doc_chunks: list[range] = [range(int(starts[d]), int(starts[d + 1])) for d in range(n_docs)]
        self.unit_doc = np.ascontiguousarray(self.units["doc"], dtype=np.int64)
        self.chunk_doc = np.ascontiguousarray(self.chunks["doc"], dtype=np.int64)

    # -- units ----------------------------------------------------------------------------------

    def unit_text(self, i: int) -> str:
        """Its source text: the verbatim quote."""
        u = self.units[i]
        return self.docs[int(u["doc"])].text[int(u["start"]) : int(u["end"])]

    def unit_display(self, i: int) -> str:
        """Its display text: what was embedded and searched, and what is shown."""
        u = self.units[i]
        if u["display_start"] < 0:
            return self.docs[int(u["doc"])].text[int(u["start"]) : int(u["end"])]
        return self.displays[int(u["display_start"]) : int(u["display_end"])]

    def unit_embed_text(self, i: int) -> str:
        """What the model embedded for it (a long code block: its first window)."""
        display = self.unit_display(i)
        end = int(self.units[i]["embed_end"])
        return display if end < 0 else display[:end]

    def unit_kind(self, i: int) -> str:
        return self.tables.kinds[int(self.units[i]["kind"])]

    def unit_language(self, i: int) -> str:
        return self.tables.languages[int(self.units[i]["language"])]

    # -- chunks ---------------------------------------------------------------------------------

    def chunk_text(self, c: int) -> str:
        """Its source text (a passage)."""
        ch = self.chunks[c]
        return self.docs[int(ch["doc"])].text[int(ch["start"]) : int(ch["end"])]

    def chunk_context(self, c: int) -> str:
        return self.tables.contexts[int(self.chunks[c]["context"])]

    def chunk_units(self, c: int) -> range:
        ch = self.chunks[c]
        return range(int(ch["first"]), int(ch["last"]))

    def chunk_search_text(self, c: int) -> str:
        """What BM25 indexes for it: its context line, then its units' display texts."""
        units = self.chunk_units(c)
        blocks = self.units["block"][units.start : units.stop].tolist()
        return search_text(self.chunk_context(c), join_displays(blocks, [self.unit_display(i) for i in units]))

    # -- blocks ---------------------------------------------------------------------------------

    def doc_blocks(self, d: int) -> np.ndarray:
        return self.blocks[int(self.doc_block_start[d]) : int(self.doc_block_start[d + 1])]
