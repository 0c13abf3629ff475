"""What an ingest copies into a new generation: a built local index, as plain arrays.

``from_index_dir`` reads the directory ``citebot index build`` writes (through
``index.storage.store.read_index``, so it accepts exactly what the local backend accepts): its
records, vectors and its own BM25 weights over chunks and documents (bm25s's matrices, so scores
are the local index's by construction); a unit's BM25 is computed from its display text. A
benchmark builds an ``IngestSource`` from synthetic data directly; then BM25 is computed from the
texts: a unit's source slice, a chunk's context line + text, a whole document's text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.storage.postgres.lexicon import Pieces
from index.storage.schema import BLOCK_DTYPE

UNIT_KIND = "sentence"  # what the local index's units are today


@dataclass
class Document:
    source: str
    title: str
    hash: str
    text: str
    format: str = "text"
    role: str = "docs"
    repo_path: str = ""
    blocks: bytes = b""  # its blocks as ``index.storage.schema.BLOCK_DTYPE`` rows (little-endian)


@dataclass
class LevelWeights:
    """BM25 of one level as the local index stores it: CSR rows over ``terms`` with their weights."""

    terms: list[str]  # the local vocabulary (column ids)
    indptr: np.ndarray  # int64 (rows + 1)
    ids: np.ndarray  # int64, ascending within a row
    weights: np.ndarray  # float32

    @classmethod
    def from_bm25(cls, index: object) -> LevelWeights:
        """bm25s's term-major score matrix turned into rows (one per chunk or document)."""
        m = index._retriever.scores  # type: ignore[attr-defined]
        n = int(m["num_docs"])
        col_ptr = np.asarray(m["indptr"], dtype=np.int64)
        rows = np.asarray(m["indices"], dtype=np.int64)
        term = np.repeat(np.arange(len(col_ptr) - 1, dtype=np.int64), np.diff(col_ptr))
        order = np.lexsort((term, rows))
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
        by_id = {i: t for t, i in index.vocab.items()}  # type: ignore[attr-defined]
        terms = [by_id.get(i, "") for i in range(len(col_ptr) - 1)]
        return cls(terms, indptr, term[order], np.asarray(m["data"], dtype=np.float32)[order])


@dataclass
class IngestSource:
    documents: list[Document]
    units: np.ndarray  # int64 (n, 5): doc, char_start, char_end, line, page (-1 = none)
    unit_chunk: np.ndarray  # int64 (n,): the first chunk holding each unit
    chunks: np.ndarray  # int64 (m, 5): doc, char_start, char_end, first unit, one past the last
    contexts: list[str]
    unit_vectors: np.ndarray  # float32 (n, dim)
    chunk_vectors: np.ndarray  # float32 (m, dim)
    document_vectors: np.ndarray  # float32 (d, dim)
    model: dict[str, object]
    manifest: dict[str, object] = field(default_factory=dict)
    unit_kinds: list[str] | None = None  # per unit; None: all UNIT_KIND
    # the local BM25 statistics, when there are any: ingest checks its own against them
    local_df: dict[str, dict[str, int]] | None = None  # level -> term -> document frequency
    # what the local index records beside offsets (None: the defaults of a plain-text sentence)
    unit_blocks: np.ndarray | None = None  # int64 (n,)
    unit_end_lines: np.ndarray | None = None  # int64 (n,)
    unit_languages: list[str] | None = None
    unit_displays: list[str | None] | None = None  # None: the same as its source text
    tables: dict[str, list[str]] | None = None  # index.storage.schema.Tables.to_json()
    # the local index's own BM25 weights of chunks and documents (then they are not computed again)
    lexical: dict[str, LevelWeights] | None = None  # "chunks" | "documents" -> weights

    @property
    def dim(self) -> int:
        return int(self.unit_vectors.shape[1])

    def unit_text(self, i: int) -> str:
        d, s, e = (int(x) for x in self.units[i, :3])
        return self.documents[d].text[s:e]

    def unit_texts(self) -> list[str]:
        docs = self.documents
        return [docs[d].text[s:e] for d, s, e in self.units[:, :3].tolist()]

    def unit_search_texts(self, sources: list[str]) -> list[str]:
        """What a unit's BM25 sees: its display text (given its source texts)."""
        if self.unit_displays is None:
            return sources
        return [s if d is None else d for s, d in zip(sources, self.unit_displays, strict=True)]

    def chunk_texts(self) -> list[str]:
        """What BM25 sees of each chunk: its context line, then its verbatim text (as ``embed_text``)."""
        out = []
        for (d, s, e, _first, _last), ctx in zip(self.chunks.tolist(), self.contexts, strict=True):
            body = self.documents[d].text[s:e]
            out.append(f"{ctx}\n{body}" if ctx and not body.startswith(ctx) else body)
        return out

    def document_texts(self) -> list[str]:
        return [d.text for d in self.documents]

    def chunk_pieces(self) -> Pieces:
        """Each chunk's BM25 text (``chunk_texts``) as its units plus the rest (``lexicon.Pieces``)."""
        spans = []
        for (d, s, e, first, last), ctx in zip(self.chunks.tolist(), self.contexts, strict=True):
            text = self.documents[d].text
            head = [ctx] if ctx and not text.startswith(ctx, s) else []  # joined by "\n": no word crosses it
            spans.append((text, s, e, first, last, head))
        return self._pieces(spans)

    def document_pieces(self) -> Pieces:
        """Each document's text as its units plus the text between them."""
        starts = np.searchsorted(self.units[:, 0], np.arange(len(self.documents) + 1)).tolist()
        return self._pieces(
            [(doc.text, 0, len(doc.text), starts[d], starts[d + 1], []) for d, doc in enumerate(self.documents)]
        )

    def _pieces(self, spans: list[tuple[str, int, int, int, int, list[str]]]) -> Pieces:
        """A target ``text[s:e]`` is its units ``[first, last)`` plus the gaps between them when the
        units lie in order inside it and whitespace (or the target's edge) surrounds each one: then
        no word and no lower-casing context (a final sigma) crosses a unit's edge, and analyzing the
        pieces gives exactly the terms of the whole. Otherwise the whole text is analyzed."""
        units = self.units[:, 1:3].tolist()
        first, last, texts, target = [], [], [], []
        for t, (text, s, e, a, b, head) in enumerate(spans):
            texts.extend(head)
            target.extend([t] * len(head))
            pos, ok = s, True
            gaps = []
            for u in range(a, b):
                us, ue = units[u]
                if us < pos or ue > e or (us > s and not text[us - 1].isspace()) or (ue < e and not text[ue].isspace()):
                    ok = False
                    break
                if us > pos and not text[pos:us].isspace():  # no word in plain whitespace
                    gaps.append(text[pos:us])
                pos = ue
            if ok:
                if pos < e and not text[pos:e].isspace():
                    gaps.append(text[pos:e])
                first.append(a)
                last.append(b)
            else:
                gaps = [text[s:e]]
                first.append(a)
                last.append(a)
            texts.extend(gaps)
            target.extend([t] * len(gaps))
        return Pieces(
            np.asarray(first, dtype=np.int64), np.asarray(last, dtype=np.int64), texts,
            np.asarray(target, dtype=np.int64),
        )


def text_hashes(texts: list[str]) -> np.ndarray:
    """(n, 16) uint8: the first 16 bytes of each text's SHA-256 (UTF-8), for vector reuse."""
    sha = hashlib.sha256
    raw = b"".join([sha(t.encode("utf-8")).digest()[:16] for t in texts])
    return np.frombuffer(raw, dtype=np.uint8).reshape(len(texts), 16).copy()


def from_index_dir(directory: Path) -> IngestSource:
    """A local index directory as an ingest source (raises CorruptIndex / IndexNotFound as the
    local backend does)."""
    from dataclasses import asdict

    from index.storage.store import read_index

    data = read_index(Path(directory), mmap=True)
    u, c = data.units, data.chunks  # structured arrays, read by field name
    page = np.where(u["page"] > 0, u["page"], -1)
    displays = [None if int(x["display_start"]) < 0 else data.unit_display(i) for i, x in enumerate(u)]
    docs = []
    for d, rec in enumerate(data.docs):
        blocks = np.ascontiguousarray(data.doc_blocks(d)).astype(BLOCK_DTYPE.newbyteorder("<"))
        docs.append(Document(rec.source, rec.title, rec.hash, rec.text, rec.format, rec.role, rec.repo_path,
                             blocks.tobytes()))
    manifest = asdict(data.manifest)
    manifest.pop("files", None)
    return IngestSource(
        documents=docs,
        units=np.column_stack([u["doc"], u["start"], u["end"], u["line"], page]).astype(np.int64).reshape(-1, 5),
        unit_chunk=np.asarray(data.unit_chunk, dtype=np.int64),
        chunks=np.column_stack([c["doc"], c["start"], c["end"], c["first"], c["last"]]).astype(np.int64).reshape(-1, 5),
        contexts=[data.chunk_context(i) for i in range(len(c))],
        unit_kinds=[data.unit_kind(i) for i in range(len(u))],
        unit_vectors=np.asarray(data.unit_vectors, dtype=np.float32),
        chunk_vectors=np.asarray(data.chunk_vectors, dtype=np.float32),
        document_vectors=np.asarray(data.document_vectors, dtype=np.float32),
        model=dict(data.manifest.model),
        manifest=manifest,
        unit_blocks=np.asarray(u["block"], dtype=np.int64),
        unit_end_lines=np.asarray(u["end_line"], dtype=np.int64),
        unit_languages=[data.unit_language(i) for i in range(len(u))],
        unit_displays=displays,
        tables=data.tables.to_json(),
        lexical={"chunks": LevelWeights.from_bm25(data.bm25), "documents": LevelWeights.from_bm25(data.doc_bm25)},
    )
