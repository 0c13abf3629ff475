"""One index generation on disk (``index.storage.generations``), and its in-memory form.

    manifest.json          format version, model id + checksum, chunking, counts, document hashes,
                           size + sha256 of every other file
    documents.jsonl        one document a line: source, title, hash, text (what offsets point into)
    chunks.jsonl           one chunk a line: id, source, start, end, sentences, context, text
    sentences.npy          int64 (n, 5): doc, char_start, char_end, line, page (-1 = none)
    sentence_vectors.npy   float32 (n, dim): one embedding per sentence (the dense unit)
    chunk_vectors.npy      float32 (m, dim): normalized mean of each chunk's sentence vectors
    vectors.faiss/.json    the vector store over sentence vectors
    document_vectors.npy   float32 (d, dim): normalized mean of each document's sentence vectors
    bm25/                  bm25s index over chunk texts (numpy arrays + JSON)
    bm25_docs/             bm25s index over whole documents (for document ranking)

No pickle anywhere: arrays are .npy loaded with ``allow_pickle=False``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.errors import CitebotError, CorruptIndex
from index.models.lexical import BM25_DIR, BM25_DOCS_DIR, BM25Index
from index.storage import validate
from index.storage.generations import Generation, current, read_pointer
from index.storage.manifest import Manifest
from index.storage.vectorstore import FAISS_FILE, FAISS_META, FaissStore, VectorStore

DOCS = "documents.jsonl"
CHUNKS = "chunks.jsonl"
SENTENCES = "sentences.npy"
SENT_VECS = "sentence_vectors.npy"
CHUNK_VECS = "chunk_vectors.npy"
DOC_VECS = "document_vectors.npy"
REQUIRED = (DOCS, CHUNKS, SENTENCES, SENT_VECS, CHUNK_VECS, DOC_VECS, FAISS_FILE, FAISS_META, BM25_DIR, BM25_DOCS_DIR)


@dataclass
class DocRecord:
    source: str
    title: str
    hash: str
    text: str


@dataclass
class IndexData:
    directory: Path  # the index directory (its generations inside)
    manifest: Manifest
    docs: list[DocRecord]
    sentences: np.ndarray  # (n, 5) int64
    chunks: np.ndarray  # (m, 5) int64: doc, start, end, first sentence, one past last sentence
    contexts: list[str]
    sentence_vectors: np.ndarray
    chunk_vectors: np.ndarray
    vectors: VectorStore
    bm25: BM25Index
    document_vectors: np.ndarray
    doc_bm25: BM25Index
    generation: str = ""  # which generation of ``directory`` this is

    def __post_init__(self) -> None:
        # sentences of document d: doc_sentence_start[d] .. doc_sentence_start[d + 1]
        self.doc_sentence_start = np.searchsorted(self.sentences[:, 0], np.arange(len(self.docs) + 1))
        # first chunk of each sentence, for sentence -> passage lookups
        self.sentence_chunk = np.zeros(len(self.sentences), dtype=np.int64)
        for c in range(len(self.chunks) - 1, -1, -1):
            self.sentence_chunk[self.chunks[c, 3] : self.chunks[c, 4]] = c
        self.doc_chunks: list[range] = []
        starts = np.searchsorted(self.chunks[:, 0], np.arange(len(self.docs) + 1)) if len(self.chunks) else None
        for d in range(len(self.docs)):
            self.doc_chunks.append(range(int(starts[d]), int(starts[d + 1])) if starts is not None else range(0))

    def sentence_text(self, i: int) -> str:
        d, s, e = self.sentences[i, :3]
        return self.docs[d].text[s:e]

    def chunk_text(self, c: int) -> str:
        d, s, e = self.chunks[c, :3]
        return self.docs[d].text[s:e]


def write_index(directory: Path, data: IndexData) -> None:
    """Write every part into ``directory`` (a fresh staging directory), then the manifest with the size
    and checksum of every file; nothing is written after the manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / DOCS, "w", encoding="utf-8") as f:
        for doc in data.docs:
            f.write(json.dumps(doc.__dict__, ensure_ascii=False) + "\n")
    with open(directory / CHUNKS, "w", encoding="utf-8") as f:
        for c, (d, s, e, first, last) in enumerate(data.chunks.tolist()):
            rec = {
                "id": c,
                "source": data.docs[d].source,
                "char_start": s,
                "char_end": e,
                "sentences": [first, last],
                "context": data.contexts[c],
                "text": data.docs[d].text[s:e],
            }
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    np.save(directory / SENTENCES, np.ascontiguousarray(data.sentences, dtype=np.int64), allow_pickle=False)
    np.save(directory / SENT_VECS, np.ascontiguousarray(data.sentence_vectors, dtype=np.float32), allow_pickle=False)
    np.save(directory / CHUNK_VECS, np.ascontiguousarray(data.chunk_vectors, dtype=np.float32), allow_pickle=False)
    data.vectors.save(directory)
    np.save(directory / DOC_VECS, np.ascontiguousarray(data.document_vectors, dtype=np.float32), allow_pickle=False)
    data.bm25.save(directory)
    data.doc_bm25.save(directory, BM25_DOCS_DIR)
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
    try:
        docs = []
        with open(directory / DOCS, encoding="utf-8") as f:
            for line in f:
                docs.append(DocRecord(**json.loads(line)))
        chunks, contexts = [], []
        with open(directory / CHUNKS, encoding="utf-8") as f:
            source_to_doc = {d.source: i for i, d in enumerate(docs)}
            for line in f:
                rec = json.loads(line)
                first, last = rec["sentences"]
                chunks.append((source_to_doc[rec["source"]], rec["char_start"], rec["char_end"], first, last))
                contexts.append(rec["context"])
        mode = "r" if mmap else None
        sentences = np.load(directory / SENTENCES, allow_pickle=False)
        sent_vecs = np.load(directory / SENT_VECS, mmap_mode=mode, allow_pickle=False)
        chunk_vecs = np.load(directory / CHUNK_VECS, mmap_mode=mode, allow_pickle=False)
        vectors = FaissStore.load(directory, mmap=mmap)
        bm25 = BM25Index.load(directory, mmap=mmap)
        doc_vecs = np.load(directory / DOC_VECS, mmap_mode=mode, allow_pickle=False)
        doc_bm25 = BM25Index.load(directory, mmap=mmap, name=BM25_DOCS_DIR)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError, AttributeError) as exc:
        raise CorruptIndex(directory, f"{type(exc).__name__}: {str(exc)[:200]}") from exc
    chunk_arr = np.asarray(chunks, dtype=np.int64).reshape(-1, 5)
    _check(directory, manifest, docs, sentences, chunk_arr, sent_vecs, chunk_vecs, vectors, bm25, doc_vecs, doc_bm25,
           full_check)
    return IndexData(
        gen.root, manifest, docs, sentences, chunk_arr, contexts, sent_vecs, chunk_vecs, vectors, bm25,
        doc_vecs, doc_bm25, gen.name,
    )


def _check(directory: Path, manifest: Manifest, docs: list[DocRecord], sentences: np.ndarray, chunks: np.ndarray,
           sent_vecs: np.ndarray, chunk_vecs: np.ndarray, vectors: FaissStore, bm25: BM25Index,
           doc_vecs: np.ndarray, doc_bm25: BM25Index, full: bool) -> None:
    """Shapes, offsets, ids and finiteness (``index.storage.validate``)."""
    v = validate
    dim = manifest.model["dim"]
    n, m, d = len(sentences), len(chunks), len(docs)
    counts = manifest.counts
    if (counts.get("documents"), counts.get("sentences"), counts.get("chunks")) != (d, n, m):
        raise CorruptIndex(directory, "its files disagree with the manifest's counts")
    v.check_shape(directory, SENTENCES, sentences, (None, 5), np.int64)
    v.check_shape(directory, SENT_VECS, sent_vecs, (n, dim), np.float32)
    v.check_shape(directory, CHUNK_VECS, chunk_vecs, (m, dim), np.float32)
    v.check_shape(directory, DOC_VECS, doc_vecs, (d, dim), np.float32)
    if len(vectors) != n or vectors.dim != dim:
        raise CorruptIndex(directory, f"{FAISS_FILE} holds {len(vectors)} vectors of {vectors.dim}, expected {n} of {dim}")
    lengths = np.fromiter((len(doc.text) for doc in docs), dtype=np.int64, count=d)
    v.check_spans(directory, SENTENCES, sentences[:, 0], sentences[:, 1], sentences[:, 2], lengths)
    v.check_spans(directory, CHUNKS, chunks[:, 0], chunks[:, 1], chunks[:, 2], lengths)
    if len(sentences) and (np.diff(sentences[:, 0]) < 0).any():
        raise CorruptIndex(directory, f"{SENTENCES} is not in document order")
    v.check_ids(directory, f"{CHUNKS} sentence ranges", chunks[:, 3:5].ravel(), n)
    if m and (chunks[:, 3] >= chunks[:, 4]).any():
        raise CorruptIndex(directory, f"{CHUNKS} has empty sentence ranges")
    for name, arr in ((SENT_VECS, sent_vecs), (CHUNK_VECS, chunk_vecs), (DOC_VECS, doc_vecs)):
        v.check_finite(directory, name, arr, full)
    for name, index, size in ((BM25_DIR, bm25, m), (BM25_DOCS_DIR, doc_bm25, d)):
        if index.n_docs != size or not index.consistent():
            raise CorruptIndex(directory, f"{name} does not match the index ({index.n_docs} entries for {size})")


@dataclass
class ReusableVectors:
    """What a rebuild can take from a previous index: the texts that were embedded and their vectors."""

    model: dict[str, object]
    texts: list[str]
    vectors: np.ndarray


def read_reusable_vectors(index_dir: Path, model: dict[str, object]) -> ReusableVectors | None:
    """The previous index's sentence vectors when it passes every check (all checksums, every row) and
    was made by ``model``; only finite vectors of the model's dimension and unit length are offered.
    None when there is nothing trustworthy to reuse (then everything is embedded again)."""
    try:
        data = read_index(index_dir, mmap=True, full_check=True)
    except CitebotError:
        return None
    if dict(data.manifest.model) != dict(model):
        return None
    texts = [data.sentence_text(i) for i in range(len(data.sentences))]
    return ReusableVectors(dict(data.manifest.model), texts, np.asarray(data.sentence_vectors))


def usable_rows(vectors: np.ndarray, dim: int) -> np.ndarray:
    """Which rows are finite unit vectors of ``dim`` values (what a rebuild may reuse)."""
    if vectors.ndim != 2 or vectors.shape[1] != dim:
        return np.zeros(len(vectors), dtype=bool)
    finite = np.isfinite(vectors).all(axis=1)
    norms = np.linalg.norm(np.where(finite[:, None], vectors, 0.0), axis=1)
    return finite & (np.abs(norms - 1.0) < 1e-3)
