"""The index directory on disk, and its in-memory form.

    manifest.json          format version, model id + checksum, chunking, counts, document hashes
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
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.errors import CorruptIndex
from index.models.lexical import BM25_DOCS_DIR, BM25Index
from index.storage.atomic import resolve
from index.storage.manifest import MANIFEST, Manifest
from index.storage.vectorstore import FaissStore, VectorStore

DOCS = "documents.jsonl"
CHUNKS = "chunks.jsonl"
SENTENCES = "sentences.npy"
SENT_VECS = "sentence_vectors.npy"
CHUNK_VECS = "chunk_vectors.npy"
DOC_VECS = "document_vectors.npy"


@dataclass
class DocRecord:
    source: str
    title: str
    hash: str
    text: str


@dataclass
class IndexData:
    directory: Path
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
    """Write every part into ``directory`` (a fresh staging directory); the manifest last."""
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
    data.manifest.write(directory)


def read_index(directory: Path, mmap: bool = True) -> IndexData:
    directory = resolve(directory)
    manifest = Manifest.read(directory)
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
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CorruptIndex(directory, f"{type(exc).__name__}: {exc}") from exc
    chunk_arr = np.asarray(chunks, dtype=np.int64).reshape(-1, 5)
    if (
        len(sentences) != len(sent_vecs)
        or len(chunk_arr) != len(chunk_vecs)
        or len(vectors) != len(sentences)
        or len(doc_vecs) != len(docs)
        or doc_bm25.n_docs != len(docs)
    ):
        raise CorruptIndex(directory, "array sizes disagree")
    return IndexData(
        directory, manifest, docs, sentences, chunk_arr, contexts, sent_vecs, chunk_vecs, vectors, bm25,
        doc_vecs, doc_bm25,
    )


@dataclass
class ReusableVectors:
    """What a rebuild can take from a previous index of any format version: sentence texts and vectors."""

    model: dict[str, object]
    texts: list[str]
    vectors: np.ndarray


def read_reusable_vectors(directory: Path) -> ReusableVectors | None:
    """The previous index's sentence vectors, or None when there is nothing readable to reuse."""
    directory = resolve(directory)
    try:
        model = json.loads((directory / MANIFEST).read_text())["model"]
        with open(directory / DOCS, encoding="utf-8") as f:
            doc_texts = [json.loads(line)["text"] for line in f]
        sentences = np.load(directory / SENTENCES, allow_pickle=False)
        vectors = np.load(directory / SENT_VECS, mmap_mode="r", allow_pickle=False)
        texts = [doc_texts[d][s:e] for d, s, e in sentences[:, :3].tolist()]
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
    if len(texts) != len(vectors):
        return None
    return ReusableVectors(model, texts, vectors)
