"""The structure of a loaded generation (``IndexData``): counts, shapes, offsets, ids, lines, vectors.

Built from the single checks of ``index.storage.validate``; ``index.storage.store`` runs it on every open.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.errors import CorruptIndex
from index.storage.index_data import IndexData
from index.storage.validate import check_finite, check_shape, check_spans, in_range


def check_index(directory: Path, data: IndexData, full: bool = False) -> None:
    """The structure of a loaded generation: counts, shapes, offsets, ids, lines, vectors."""
    m = data.manifest
    dim = m.model["dim"]
    units, blocks, chunks, tables = data.units, data.blocks, data.chunks, data.tables
    n, b, c, d = len(units), len(blocks), len(chunks), len(data.docs)
    got = {"documents": d, "units": n, "chunks": c, "blocks": b}
    if any(m.counts.get(k) != v for k, v in got.items()):
        raise CorruptIndex(directory, f"its files disagree with the manifest's counts ({got})")
    check_shape(directory, "unit_vectors.npy", data.unit_vectors, (n, dim), np.float32)
    check_shape(directory, "chunk_vectors.npy", data.chunk_vectors, (c, dim), np.float32)
    check_shape(directory, "document_vectors.npy", data.document_vectors, (d, dim), np.float32)
    if len(data.vectors) != n or data.vectors.dim != dim:
        raise CorruptIndex(directory, f"vectors.faiss holds {len(data.vectors)} vectors of {data.vectors.dim}, "
                                      f"expected {n} of {dim}")
    lengths = np.fromiter((len(doc.text) for doc in data.docs), dtype=np.int64, count=d)
    for name, arr in (("blocks.npy", blocks), ("units.npy", units), ("chunks.npy", chunks)):
        check_spans(directory, name, arr["doc"], arr["start"], arr["end"], lengths)
        if len(arr) and (np.diff(arr["doc"]) < 0).any():
            raise CorruptIndex(directory, f"{name} is not in document order")
    in_range(directory, "blocks.npy kinds", blocks["kind"], len(tables.kinds))
    in_range(directory, "blocks.npy contexts", blocks["context"], len(tables.contexts))
    in_range(directory, "blocks.npy lead-in links", blocks["next"], b, allow_none=True)
    in_range(directory, "units.npy blocks", units["block"], b)
    in_range(directory, "units.npy kinds", units["kind"], len(tables.kinds))
    in_range(directory, "units.npy languages", units["language"], len(tables.languages))
    in_range(directory, "chunks.npy contexts", chunks["context"], len(tables.contexts))
    if n and (blocks["doc"][units["block"]] != units["doc"]).any():
        raise CorruptIndex(directory, "units.npy puts units in blocks of other documents")
    if n and ((units["line"] < 1) | (units["end_line"] < units["line"])).any():
        raise CorruptIndex(directory, "units.npy has impossible line numbers")
    ds, de = units["display_start"], units["display_end"]
    shown = ds >= 0
    if ((ds < -1) | (shown & ((de < ds) | (de > len(data.displays)))) | (~shown & (de != -1))).any():
        raise CorruptIndex(directory, "units.npy points outside displays.txt")
    if c and ((chunks["first"] < 0) | (chunks["first"] >= chunks["last"]) | (chunks["last"] > n)).any():
        raise CorruptIndex(directory, "chunks.npy has unit ranges outside the units")
    for name, arr in (("unit_vectors.npy", data.unit_vectors), ("chunk_vectors.npy", data.chunk_vectors),
                      ("document_vectors.npy", data.document_vectors)):
        check_finite(directory, name, arr, full)
    for name, index, size in (("bm25", data.bm25, c), ("bm25_docs", data.doc_bm25, d)):
        if index.n_docs != size or not index.consistent():
            raise CorruptIndex(directory, f"{name} does not match the index ({index.n_docs} entries for {size})")
