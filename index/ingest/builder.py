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
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index.errors import EmptyCorpus
from index.ingest.assemble import assemble
from index.ingest.calibrate import calibrate
from index.ingest.calibrate import summary as calibration_summary
from index.ingest.chunking import ChunkedCorpus, chunk_documents
from index.ingest.gitinfo import repo_info
from index.ingest.progress import Progress, Silent
from index.ingest.tokens import unit_token_states
from index.models.documents import Document
from index.models.embeddings import Embedder, load_embedder
from index.settings import Settings
from index.storage import generations
from index.storage.atomic import build_lock
from index.storage.backend import publish_build
from index.storage.guard import check_build_target
from index.storage.local import LocalBackend
from index.storage.store import (
    IndexData,
    ReusableVectors,
    read_index,
    read_reusable_vectors,
    usable_rows,
    write_index,
)

log = logging.getLogger("citebot.build")
SPLITTER = "units-v1"  # sentences of prose blocks split on display text; code blocks whole


@dataclass
class BuildReport:
    documents: int
    chunks: int
    units: int
    skipped: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    embedded: int = 0  # units sent to the model
    reused: int = 0  # units whose vectors came from the previous index
    duplicates: int = 0
    details: list[str] = field(default_factory=list)  # what the folder load found (loaders.summary)
    commit: str = ""  # the git commit the documents were read at, if any
    abstention: dict[str, object] = field(default_factory=dict)  # Manifest.abstention (calibrate.py)

    @property
    def sentences(self) -> int:  # the name of units before code blocks became units
        return self.units

    @property
    def chunks_per_second(self) -> float:
        return self.chunks / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        skipped = f", {len(self.skipped)} skipped" if self.skipped else ""
        commit = f" at commit {self.commit[:12]}" if self.commit else ""
        return (
            f"{self.documents} documents{commit}, {self.chunks} chunks ({self.units} units, "
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
    folder = Path(docs_dir or settings.docs_dir) if documents is None else None
    root = check_build_target(Path(index_dir or settings.index_dir), folder)
    indexed_at = datetime.now(UTC).isoformat(timespec="seconds")
    source: dict[str, str] = {}
    if folder is not None:
        from index.ingest.loaders import load_folder
        from index.ingest.loaders.summary import load_summary

        loaded = load_folder(folder, settings)
        documents = loaded.documents
        skipped = [(s.path, s.reason) for s in loaded.skipped]
        details = load_summary(loaded)
        source = _git_source(folder, documents, indexed_at)
    assert documents is not None
    documents = [d for d in documents if d.blocks]
    if not documents:
        raise EmptyCorpus(folder or "the given documents")

    with build_lock(root):
        check_build_target(root, folder)  # again, now that we hold the lock
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
            raise EmptyCorpus(folder or "the given documents")
        model = {
            "id": embedder.model_id,
            "checksum": embedder.checksum,
            "backend": embedder.backend,
            "dim": embedder.dim,
        }
        previous = None if full else read_reusable_vectors(root, model)
        unit_vecs, embedded, reused = _unit_vectors(corpus, embedder, previous, settings, progress)
        tokens = unit_token_states(embedder, [u.display for u in corpus.units], settings.token_states_max_tokens,
                                   previous, progress)
        data = assemble(documents, corpus, unit_vecs, model, chunking_params(settings),
                        source or {"indexed_at": indexed_at})
        data.tokens = tokens
        data.manifest.counts["token_states"] = tokens.n_tokens if tokens is not None else 0
        progress.stage("calibrating abstention", 1)
        data.manifest.abstention = calibrate(LocalBackend(data), embedder)
        progress.advance(1)
        progress.stage("writing", 1)
        try:
            _write_generation(root, data)
            progress.advance(1)
        finally:
            progress.close()
    by_kind = Counter(data.tables.kinds[k] for k in data.units["kind"].tolist())
    kinds = ", ".join(f"{n} {k}" for k, n in by_kind.most_common())
    published = publish_build(settings, root)  # CITEBOT_STORE=postgres: copied into the database
    if published:
        details = [*details, published]
    return BuildReport(
        documents=len(documents),
        chunks=len(corpus.chunks),
        units=len(corpus.units),
        skipped=skipped,
        seconds=time.perf_counter() - t0,
        embedded=embedded,
        reused=reused,
        duplicates=corpus.duplicates,
        details=details + [f"units: {kinds}"] + ([f"commit: {source['commit']}"] if source.get("commit") else [])
        + [calibration_summary(data.manifest.abstention)],
        commit=source.get("commit", ""),
        abstention=data.manifest.abstention,
    )


def _git_source(folder: Path, documents: list[Document], indexed_at: str) -> dict[str, str]:
    """The commit the docs folder is checked out at (if it is in a git work tree), and each document's
    path from the repository root (``Document.repo_path``; "" for files that differ from the commit)."""
    info = repo_info(folder)
    if info is None:
        return {"indexed_at": indexed_at}
    for doc in documents:
        path = folder / doc.source
        if not doc.repo_path and path.is_file():
            doc.repo_path = info.repo_path(path)
    return {"commit": info.commit, "indexed_at": indexed_at}


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


def _unit_vectors(
    corpus: ChunkedCorpus,
    embedder: Embedder,
    old: ReusableVectors | None,
    settings: Settings,
    progress: Progress,
) -> tuple[np.ndarray, int, int]:
    n = len(corpus.units)
    vecs = np.zeros((n, embedder.dim), dtype=np.float32)
    todo: list[int] = list(range(n))
    if old is not None:
        # a unit vector depends on the text embedded alone: reuse by that text, only vectors that pass
        ok = usable_rows(old.vectors, embedder.dim)
        where = {text: i for i, text in enumerate(old.texts) if ok[i]}
        todo = []
        hits_new, hits_old = [], []
        for i, unit in enumerate(corpus.units):
            j = where.get(unit.embed_text)
            if j is None:
                todo.append(i)
            else:
                hits_new.append(i)
                hits_old.append(j)
        if hits_new:
            vecs[hits_new] = old.vectors[hits_old]
    texts = [corpus.units[i].embed_text for i in todo]
    progress.stage("embedding units", len(texts))
    if texts:
        vecs[todo] = embedder.encode(texts, batch_size=settings.batch_size, progress=progress.advance)
    return vecs, len(todo), n - len(todo)
