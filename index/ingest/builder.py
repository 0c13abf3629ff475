"""Building the index: documents → sentences and chunks → vectors + BM25 → an index directory.

Safe: before anything is written, ``--index`` must be a citebot index or empty/missing and must not
overlap the documents or the working directory (``index.storage.guard``).
Incremental: vectors of sentences whose text is unchanged are taken from the previous index (matched
by text) when that index passes every check (``full=True`` embeds everything again), so a rebuild
only embeds new or changed text, and deleted documents simply drop out. Atomic: a new generation is
written beside the live one, checked, and made live by flipping a pointer
(``index.storage.generations``); a crash or kill at any point leaves the previous one answering.
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index.errors import EmptyCorpus
from index.ingest.chunking import ChunkedCorpus, chunk_documents, embed_text
from index.ingest.documents import Document, LineIndex
from index.ingest.progress import Progress, Silent
from index.models.embeddings import Embedder, load_embedder
from index.models.lexical import BM25Index
from index.settings import Settings
from index.storage import generations
from index.storage.atomic import build_lock
from index.storage.guard import check_build_target
from index.storage.manifest import FORMAT_VERSION, Manifest
from index.storage.store import (
    DocRecord,
    IndexData,
    ReusableVectors,
    read_index,
    read_reusable_vectors,
    usable_rows,
    write_index,
)
from index.storage.vectorstore import FaissStore, choose_factory

log = logging.getLogger("citebot.build")
SPLITTER = "sentences-v1"


@dataclass
class BuildReport:
    documents: int
    chunks: int
    sentences: int
    skipped: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    embedded: int = 0  # sentences sent to the model
    reused: int = 0  # sentences whose vectors came from the previous index
    duplicates: int = 0
    details: list[str] = field(default_factory=list)  # what the folder load found (loaders.summary)

    @property
    def chunks_per_second(self) -> float:
        return self.chunks / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        skipped = f", {len(self.skipped)} skipped" if self.skipped else ""
        return (
            f"{self.documents} documents, {self.chunks} chunks ({self.sentences} sentences, "
            f"{self.duplicates} duplicates collapsed; {self.embedded} embedded, {self.reused} reused)"
            f"{skipped} in {self.seconds:.1f} s ({self.chunks_per_second:.1f} chunks/s)"
        )


def chunking_params(settings: Settings) -> dict[str, object]:
    return {"max_tokens": settings.chunk_tokens, "overlap": settings.chunk_overlap, "splitter": SPLITTER}


def build_index(
    settings: Settings,
    docs_dir: Path | None = None,
    index_dir: Path | None = None,
    *,
    documents: list[Document] | None = None,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
    full: bool = False,
) -> BuildReport:
    """Build (or incrementally rebuild) the index at ``index_dir`` from ``docs_dir`` or ``documents``;
    ``full``: reuse no vector of the previous index."""
    t0 = time.perf_counter()
    progress = progress or Silent()
    skipped: list[tuple[str, str]] = []
    details: list[str] = []
    if documents is None:
        docs_dir = Path(docs_dir or settings.docs_dir)
    root = check_build_target(Path(index_dir or settings.index_dir), docs_dir if documents is None else None)
    if documents is None:
        from index.ingest.loaders import load_folder
        from index.ingest.loaders.summary import load_summary

        loaded = load_folder(docs_dir, settings)
        documents = loaded.documents
        skipped = [(s.path, s.reason) for s in loaded.skipped]
        details = load_summary(loaded)
        where: object = docs_dir
    else:
        where = "the given documents"
    documents = [d for d in documents if d.blocks]
    if not documents:
        raise EmptyCorpus(where)

    with build_lock(root):
        check_build_target(root, docs_dir if documents is None else None)  # again, now that we hold the lock
        generations.clear_staging(root)
        progress.stage("documents", len(documents))
        progress.advance(len(documents))
        embedder = embedder or load_embedder(settings.model, settings.backend, settings.model_cache_dir)
        progress.stage("chunking", len(documents))
        corpus = chunk_documents(
            documents, embedder, max_tokens=settings.chunk_tokens, overlap=settings.chunk_overlap
        )
        progress.advance(len(documents))
        if not corpus.chunks:
            raise EmptyCorpus(where)
        model = {
            "id": embedder.model_id,
            "checksum": embedder.checksum,
            "backend": embedder.backend,
            "dim": embedder.dim,
        }
        previous = None if full else read_reusable_vectors(root, model)
        sent_vecs, embedded, reused = _sentence_vectors(documents, corpus, embedder, previous, settings, progress)
        data = _assemble(documents, corpus, sent_vecs, model, settings)
        progress.stage("writing", 1)
        try:
            _write_generation(root, data)
            progress.advance(1)
        finally:
            progress.close()
    return BuildReport(
        documents=len(documents),
        chunks=len(corpus.chunks),
        sentences=len(corpus.sentences),
        skipped=skipped,
        seconds=time.perf_counter() - t0,
        embedded=embedded,
        reused=reused,
        duplicates=corpus.duplicates,
        details=details,
    )


def _write_generation(root: Path, data: IndexData) -> None:
    """Stage, check, publish, prune: the new generation goes live only once it reads back whole."""
    staging = generations.new_staging(root)
    data.manifest.generation = staging.name.split(".")[0]
    try:
        write_index(staging, data)
        read_index(generations.Generation(root, staging.name), full_check=True)
        live, before = generations.publish(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    generations.prune(root, keep={live.name} | ({before} if before else set()))


def _sentence_vectors(
    docs: list[Document],
    corpus: ChunkedCorpus,
    embedder: Embedder,
    old: ReusableVectors | None,
    settings: Settings,
    progress: Progress,
) -> tuple[np.ndarray, int, int]:
    n = len(corpus.sentences)
    vecs = np.zeros((n, embedder.dim), dtype=np.float32)
    todo: list[int] = list(range(n))
    if old is not None:
        # a sentence vector depends on the sentence text alone: reuse by text, only vectors that pass
        ok = usable_rows(old.vectors, embedder.dim)
        where = {text: i for i, text in enumerate(old.texts) if ok[i]}
        todo = []
        hits_new, hits_old = [], []
        for i, sent in enumerate(corpus.sentences):
            j = where.get(docs[sent.doc].text[sent.start : sent.end])
            if j is None:
                todo.append(i)
            else:
                hits_new.append(i)
                hits_old.append(j)
        if hits_new:
            vecs[hits_new] = old.vectors[hits_old]
    texts = [docs[corpus.sentences[i].doc].text[corpus.sentences[i].start : corpus.sentences[i].end] for i in todo]
    progress.stage("embedding sentences", len(texts))
    if texts:
        vecs[todo] = embedder.encode(texts, batch_size=settings.batch_size, progress=progress.advance)
    return vecs, len(todo), n - len(todo)


def _assemble(
    docs: list[Document],
    corpus: ChunkedCorpus,
    sent_vecs: np.ndarray,
    model: dict[str, object],
    settings: Settings,
) -> IndexData:
    line_index = [LineIndex(doc.text) for doc in docs]
    sentences = np.array(
        [
            (
                s.doc,
                s.start,
                s.end,
                line_index[s.doc].line(s.start),
                docs[s.doc].blocks[s.block].page or -1,
            )
            for s in corpus.sentences
        ],
        dtype=np.int64,
    ).reshape(-1, 5)
    chunks = np.array([(c.doc, c.start, c.end, c.first, c.last) for c in corpus.chunks], dtype=np.int64)
    chunk_vecs = np.stack([sent_vecs[c.first : c.last].mean(axis=0) for c in corpus.chunks]).astype(np.float32)
    chunk_vecs /= np.linalg.norm(chunk_vecs, axis=1, keepdims=True).clip(min=1e-12)

    store = FaissStore(sent_vecs.shape[1], choose_factory(len(sent_vecs)))
    store.add(np.arange(len(sent_vecs), dtype=np.int64), sent_vecs)
    bm25 = BM25Index.build([embed_text(docs[c.doc], c) for c in corpus.chunks])
    doc_bm25 = BM25Index.build([doc.text for doc in docs])
    doc_vecs = np.zeros((len(docs), sent_vecs.shape[1]), dtype=np.float32)
    np.add.at(doc_vecs, sentences[:, 0], sent_vecs)
    doc_vecs /= np.linalg.norm(doc_vecs, axis=1, keepdims=True).clip(min=1e-12)
    manifest = Manifest(
        format_version=FORMAT_VERSION,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        model=model,
        chunking=chunking_params(settings),
        counts={
            "documents": len(docs),
            "sentences": len(corpus.sentences),
            "chunks": len(corpus.chunks),
            "duplicates": corpus.duplicates,
        },
        vector_store={"kind": "faiss", "factory": store.factory, "unit": "sentence"},
        documents={doc.source: doc.content_hash for doc in docs},
    )
    records = [DocRecord(doc.source, doc.title, doc.content_hash, doc.text) for doc in docs]
    return IndexData(
        Path("."), manifest, records, sentences, chunks, [c.context for c in corpus.chunks],
        sent_vecs, chunk_vecs, store, bm25, doc_vecs, doc_bm25,
    )
