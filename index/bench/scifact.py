"""The SciFact corpus and index the speed parts share (``../shared/data/scifact``, BEIR format)."""

from __future__ import annotations

import json
from pathlib import Path

from index.bench.config import BenchConfig, load_embedder, settings_for


def scifact_documents(cfg: BenchConfig) -> list:  # noqa: ANN201 - list[Document]
    from index.ingest.loaders.beir import iter_beir_corpus

    docs = []
    for doc in iter_beir_corpus(cfg.data / "corpus.jsonl"):
        docs.append(doc)
        if cfg.limit is not None and len(docs) >= cfg.limit:
            break
    return docs


def scifact_test_queries(cfg: BenchConfig) -> list[str]:
    qrels = cfg.data / "qrels" / "test.tsv"
    wanted: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(qrels.read_text(encoding="utf-8").splitlines()):
        parts = line.split("\t")
        if number == 0 and parts[0].lower().startswith("query"):
            continue
        if parts and parts[0] and parts[0] not in seen:
            seen.add(parts[0])
            wanted.append(parts[0])
    text: dict[str, str] = {}
    with open(cfg.data / "queries.jsonl", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rec = json.loads(line)
                text[str(rec["_id"])] = str(rec["text"])
    out = [text[q] for q in wanted if q in text]
    return out[: cfg.queries] if cfg.queries else out


def index_name(cfg: BenchConfig) -> str:
    return f"scifact-{cfg.backend}-{cfg.limit or 'all'}"


def scifact_index(cfg: BenchConfig, embedder=None) -> Path:  # noqa: ANN001
    """The bench's SciFact index for the backend and limit, built (untimed) if missing."""
    from index.errors import CitebotError
    from index.ingest.builder import build_index
    from index.storage.manifest import Manifest

    directory = cfg.work / index_name(cfg)
    try:
        m = Manifest.of(directory)
        if m.model.get("backend") == cfg.backend:
            return directory
    except CitebotError:
        pass
    cfg.log(f"building {directory} (untimed)")
    embedder = embedder or load_embedder(cfg)
    build_index(
        settings_for(cfg, directory), index_dir=directory, documents=scifact_documents(cfg), embedder=embedder
    )
    return directory


def chunk_texts(directory: Path) -> list[str]:
    """The texts an index searches for its chunks (``IndexData.chunk_search_text``): the context line,
    then the display text."""
    from index.storage.store import read_index

    data = read_index(directory)
    return [data.chunk_search_text(c) for c in range(len(data.chunks))]
