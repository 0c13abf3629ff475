"""One index generation on disk (``index.storage.generations``): its files, read and written.

Its in-memory form is ``index.storage.index_data.IndexData``; the files:

    manifest.json          format version, model id + checksum, chunking, counts, document hashes,
                           git commit, size + sha256 of every other file
    documents.jsonl        one document a line: source, title, hash, text (what offsets point into),
                           format, role, repo_path
    blocks.npy             the documents' blocks (``schema.BLOCK_DTYPE``: doc, kind, start, end, level,
                           context, page, next = the block a lead-in introduces)
    units.npy              the units (``schema.UNIT_DTYPE``: doc, block, kind, start, end, line, end_line,
                           page, language, where its display text is, what of it was embedded)
    displays.txt           the display texts that differ from their source text, one after the other
    chunks.npy             runs of units (``schema.CHUNK_DTYPE``: doc, start, end, first, last, context)
    tables.json            the strings the arrays number: block kinds, languages, contexts
    unit_vectors.npy       float32 (n, dim): one embedding per unit (the dense unit)
    chunk_vectors.npy      float32 (m, dim): normalized mean of each chunk's unit vectors
    vectors.faiss/.json    the vector store over unit vectors
    document_vectors.npy   float32 (d, dim): normalized mean of each document's unit vectors
    bm25/                  bm25s index over chunk search texts (context line + display text)
    bm25_docs/             bm25s index over whole documents' display text (for document ranking)
    tokens/                optional: the units' token states for the answer ranker (``index.storage.tokens``;
                           corpora up to ``token_states_max_tokens`` word pieces)

No pickle anywhere: arrays (structured ones included) are .npy loaded with ``allow_pickle=False``,
and read by field name.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from index.errors import CitebotError, CorruptIndex
from index.models.lexical import BM25_DIR, BM25_DOCS_DIR, BM25Index
from index.storage import structure, validate
from index.storage import tokens as token_store
from index.storage.generations import Generation, current, read_pointer
from index.storage.index_data import IndexData
from index.storage.manifest import Manifest
from index.storage.schema import BLOCK_DTYPE, CHUNK_DTYPE, UNIT_DTYPE, DocRecord, Tables
from index.storage.vectorstore import FAISS_FILE, FAISS_META, FaissStore

DOCS = "documents.jsonl"
BLOCKS = "blocks.npy"
UNITS = "units.npy"
DISPLAYS = "displays.txt"
CHUNKS = "chunks.npy"
TABLES = "tables.json"
UNIT_VECS = "unit_vectors.npy"
CHUNK_VECS = "chunk_vectors.npy"
DOC_VECS = "document_vectors.npy"
REQUIRED = (DOCS, BLOCKS, UNITS, DISPLAYS, CHUNKS, TABLES, UNIT_VECS, CHUNK_VECS, DOC_VECS, FAISS_FILE, FAISS_META,
            BM25_DIR, BM25_DOCS_DIR)
__all__ = ["DocRecord", "IndexData", "Tables", "read_index", "write_index"]


def write_index(directory: Path, data: IndexData) -> None:
    """Write every part into ``directory`` (a fresh staging directory), then the manifest with the size
    and checksum of every file; nothing is written after the manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / DOCS, "w", encoding="utf-8") as f:
        for doc in data.docs:
            f.write(json.dumps(asdict(doc), ensure_ascii=False) + "\n")
    (directory / DISPLAYS).write_text(data.displays, encoding="utf-8")
    (directory / TABLES).write_text(json.dumps(data.tables.to_json(), ensure_ascii=False), encoding="utf-8")
    for name, array, dtype in ((BLOCKS, data.blocks, BLOCK_DTYPE), (UNITS, data.units, UNIT_DTYPE),
                               (CHUNKS, data.chunks, CHUNK_DTYPE), (UNIT_VECS, data.unit_vectors, np.float32),
                               (CHUNK_VECS, data.chunk_vectors, np.float32),
                               (DOC_VECS, data.document_vectors, np.float32)):
        np.save(directory / name, np.ascontiguousarray(array, dtype=dtype), allow_pickle=False)
    data.vectors.save(directory)
    data.bm25.save(directory)
    data.doc_bm25.save(directory, BM25_DOCS_DIR)
    if data.tokens is not None:
        data.tokens.save(directory)
    data.manifest.files = validate.file_records(directory)  # type: ignore[assignment]
    data.manifest.write(directory)


def read_index(
    index: Path | Generation,
    mmap: bool = True,
    full_check: bool = False,
    on_manifest: Callable[[Manifest], None] | None = None,
) -> IndexData:
    """The live generation of an index directory (or the given generation), checked
    (``index.storage.validate``; ``full_check``: every checksum and every vector row).

    A reader sees one generation only: everything is opened through the one generation directory the
    pointer named when the read began. Should that generation be deleted while it is being opened (two
    builds finished meanwhile), the read starts again from the new pointer. ``on_manifest`` sees the
    manifest before anything else is loaded (``Engine.open`` checks the model there)."""
    for _attempt in range(3):
        gen = index if isinstance(index, Generation) else current(index)
        try:
            return _read_generation(gen, mmap, full_check, on_manifest)
        except CorruptIndex:
            if isinstance(index, Generation) or not gen.name or _pointer_of(gen.root) == gen.name:
                raise
    raise CorruptIndex(gen.root, "it changed three times while it was being opened")


def _pointer_of(root: Path) -> str | None:
    try:
        return read_pointer(root)
    except CorruptIndex:
        return None


def _read_generation(
    gen: Generation, mmap: bool, full_check: bool, on_manifest: Callable[[Manifest], None] | None
) -> IndexData:
    directory = gen.path
    manifest = Manifest.read(directory)
    if on_manifest is not None:
        on_manifest(manifest)
    if gen.name and manifest.generation != gen.name.split(".")[0]:
        raise CorruptIndex(directory, f"its manifest belongs to generation {manifest.generation or '(none)'}")
    validate.check_files(directory, manifest.files, REQUIRED, full=full_check)
    mode = "r" if mmap else None
    try:
        with open(directory / DOCS, encoding="utf-8") as f:
            docs = [DocRecord(**json.loads(line)) for line in f]
        tables = Tables.from_json(json.loads((directory / TABLES).read_text(encoding="utf-8")))
        displays = (directory / DISPLAYS).read_text(encoding="utf-8")
        blocks = np.load(directory / BLOCKS, allow_pickle=False)
        units = np.load(directory / UNITS, allow_pickle=False)
        chunks = np.load(directory / CHUNKS, allow_pickle=False)
        unit_vecs = np.load(directory / UNIT_VECS, mmap_mode=mode, allow_pickle=False)
        chunk_vecs = np.load(directory / CHUNK_VECS, mmap_mode=mode, allow_pickle=False)
        doc_vecs = np.load(directory / DOC_VECS, mmap_mode=mode, allow_pickle=False)
        vectors = FaissStore.load(directory, mmap=mmap)
        bm25 = BM25Index.load(directory, mmap=mmap)
        doc_bm25 = BM25Index.load(directory, mmap=mmap, name=BM25_DOCS_DIR)
        tokens = token_store.load(directory, mmap=mmap) if token_store.present(manifest.files) else None
    except (OSError, ValueError, KeyError, TypeError, RuntimeError, AttributeError) as exc:
        raise CorruptIndex(directory, f"{type(exc).__name__}: {str(exc)[:200]}") from exc
    arrays = {BLOCKS: (blocks, BLOCK_DTYPE), UNITS: (units, UNIT_DTYPE), CHUNKS: (chunks, CHUNK_DTYPE)}
    for name, (array, dtype) in arrays.items():
        validate.check_shape(directory, name, array, (None,), dtype)
    try:
        data = IndexData(gen.root, manifest, docs, blocks, units, chunks, tables, displays, unit_vecs, chunk_vecs,
                         vectors, bm25, doc_vecs, doc_bm25, gen.name, tokens)
    except (IndexError, ValueError, TypeError) as exc:
        raise CorruptIndex(directory, f"inconsistent arrays ({type(exc).__name__}: {str(exc)[:200]})") from exc
    structure.check_index(directory, data, full_check)
    if tokens is None and manifest.counts.get("token_states"):
        raise CorruptIndex(directory, f"the manifest counts token states but lists no {token_store.TOKENS_DIR}/ files")
    if tokens is not None:
        token_store.check(directory, tokens, len(units), manifest.model["dim"], manifest.counts.get("token_states"),
                          full_check)
    return data


@dataclass
class ReusableVectors:
    """What a rebuild can take from a previous index: the texts that were embedded and their vectors."""

    model: dict[str, object]
    texts: list[str]
    vectors: np.ndarray
    displays: list[str] = field(default_factory=list)  # each unit's display text (what its token states are of)
    tokens: token_store.StoredTokens | None = None  # its stored token states, if any


def read_reusable_vectors(index_dir: Path, model: dict[str, object]) -> ReusableVectors | None:
    """The previous index's unit vectors (keyed by the text that was embedded) when it passes every check
    (all checksums, every row) and was made by ``model``; only finite vectors of the model's dimension
    and unit length are then reused (``usable_rows``). None when there is nothing trustworthy to reuse
    (then everything is embedded again)."""
    try:
        data = read_index(index_dir, mmap=True, full_check=True)
    except CitebotError:
        return None
    if dict(data.manifest.model) != dict(model):
        return None
    texts = [data.unit_embed_text(i) for i in range(len(data.units))]
    displays = [data.unit_display(i) for i in range(len(data.units))] if data.tokens is not None else []
    return ReusableVectors(dict(data.manifest.model), texts, np.asarray(data.unit_vectors), displays, data.tokens)


def usable_rows(vectors: np.ndarray, dim: int) -> np.ndarray:
    """Which rows are finite unit vectors of ``dim`` values (what a rebuild may reuse)."""
    if vectors.ndim != 2 or vectors.shape[1] != dim:
        return np.zeros(len(vectors), dtype=bool)
    finite = np.isfinite(vectors).all(axis=1)
    norms = np.linalg.norm(np.where(finite[:, None], vectors, 0.0), axis=1)
    return finite & (np.abs(norms - 1.0) < 1e-3)
