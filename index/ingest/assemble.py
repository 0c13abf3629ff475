"""Documents + units + vectors → the arrays and search structures of one index generation."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index.ingest.chunking import Chunk, ChunkedCorpus
from index.models.documents import Document, LineIndex
from index.models.lexical import BM25Index, join_displays, search_text
from index.storage.manifest import FORMAT_VERSION, Manifest
from index.storage.schema import BLOCK_DTYPE, CHUNK_DTYPE, KINDS, UNIT_DTYPE, DocRecord, Interner, Tables
from index.storage.store import IndexData
from index.storage.vectorstore import FaissStore, choose_factory

_KIND = {k: i for i, k in enumerate(KINDS)}


def document_display(doc: Document) -> str:
    """A whole document's display text (what document-level BM25 sees): its blocks' display texts;
    the source text itself when no block has its own display text."""
    if all(b.display is None for b in doc.blocks):
        return doc.text
    return "\n".join(b.display_text(doc.text) for b in doc.blocks)


def assemble(
    docs: list[Document],
    corpus: ChunkedCorpus,
    unit_vecs: np.ndarray,
    model: dict[str, object],
    chunking: dict[str, object],
    source: dict[str, str] | None = None,
) -> IndexData:
    """The in-memory generation ``write_index`` saves (``source``: git commit and indexed_at, if any)."""
    contexts, languages = Interner(), Interner()
    block_base = np.cumsum([0] + [len(d.blocks) for d in docs])
    blocks = np.zeros(int(block_base[-1]), dtype=BLOCK_DTYPE)
    row = 0
    for d, doc in enumerate(docs):
        for i, b in enumerate(doc.blocks):
            nxt = int(block_base[d]) + i + 1 if b.lead_in and i + 1 < len(doc.blocks) else -1
            blocks[row] = (d, _KIND[b.kind], b.start, b.end, b.level, contexts(b.context), b.page or 0, nxt)
            row += 1

    line_index = [LineIndex(doc.text) for doc in docs]
    units = np.zeros(len(corpus.units), dtype=UNIT_DTYPE)
    displays: list[str] = []
    used = 0
    for i, u in enumerate(corpus.units):
        doc = docs[u.doc]
        b = doc.blocks[u.block]
        lines = line_index[u.doc]
        if u.display == doc.text[u.start : u.end]:
            ds = de = -1
        else:
            displays.append(u.display)
            ds, de = used, used + len(u.display)
            used = de
        units[i] = (u.doc, int(block_base[u.doc]) + u.block, _KIND[b.kind], u.start, u.end, lines.line(u.start),
                    lines.line(max(u.start, u.end - 1)), b.page or 0, languages(b.language), ds, de, u.embed_end)

    chunks = np.zeros(len(corpus.chunks), dtype=CHUNK_DTYPE)
    for c, ch in enumerate(corpus.chunks):
        chunks[c] = (ch.doc, ch.start, ch.end, ch.first, ch.last, contexts(ch.context))
    chunk_vecs = np.stack([unit_vecs[c.first : c.last].mean(axis=0) for c in corpus.chunks]).astype(np.float32)
    chunk_vecs /= np.linalg.norm(chunk_vecs, axis=1, keepdims=True).clip(min=1e-12)
    doc_vecs = np.zeros((len(docs), unit_vecs.shape[1]), dtype=np.float32)
    np.add.at(doc_vecs, units["doc"], unit_vecs)
    doc_vecs /= np.linalg.norm(doc_vecs, axis=1, keepdims=True).clip(min=1e-12)

    store = FaissStore(unit_vecs.shape[1], choose_factory(len(unit_vecs)))
    store.add(np.arange(len(unit_vecs), dtype=np.int64), unit_vecs)
    kinds = Counter(KINDS[k] for k in units["kind"].tolist())
    manifest = Manifest(
        format_version=FORMAT_VERSION,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        model=model,  # type: ignore[arg-type]
        chunking=chunking,
        counts={"documents": len(docs), "units": len(units), "chunks": len(chunks), "blocks": len(blocks),
                "duplicates": corpus.duplicates} | {f"units_{k}": n for k, n in sorted(kinds.items())},
        vector_store={"kind": "faiss", "factory": store.factory, "unit": "unit"},
        documents={doc.source: doc.content_hash for doc in docs},
        **(source or {}),
    )
    records = [DocRecord(doc.source, doc.title, doc.content_hash, doc.text, doc.format, doc.role, doc.repo_path)
               for doc in docs]
    tables = Tables(list(KINDS), languages.items, contexts.items)
    bm25 = BM25Index.build([chunk_search_text(corpus, ch) for ch in corpus.chunks])
    doc_bm25 = BM25Index.build([document_display(doc) for doc in docs])
    return IndexData(Path("."), manifest, records, blocks, units, chunks, tables, "".join(displays), unit_vecs,
                     chunk_vecs, store, bm25, doc_vecs, doc_bm25)


def chunk_search_text(corpus: ChunkedCorpus, chunk: Chunk) -> str:
    """What BM25 sees for a chunk (the same rule as ``IndexData.chunk_search_text``)."""
    us = corpus.units[chunk.first : chunk.last]
    return search_text(chunk.context, join_displays([u.block for u in us], [u.display for u in us]))
