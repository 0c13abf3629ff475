"""Eval indexes live in a stable cache directory and are built once.

``build_index`` is incremental, so rebuilding into the same directory reuses the vectors of
every unchanged sentence; a fingerprint file lets us skip the rebuild entirely when nothing
(documents, model, chunking) changed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from index.ingest.calibrate import key as calibration_key
from index.models.documents import Document
from index.models.embeddings import Embedder
from index.settings import Settings
from index.storage.generations import POINTER
from index.storage.manifest import FORMAT_VERSION

DEFAULT_CACHE = Path(".citebot/eval")
FINGERPRINT = "eval-fingerprint.json"


def fingerprint(documents: list[Document], embedder: Embedder, settings: Settings) -> str:
    h = hashlib.sha256()
    for d in documents:
        h.update(d.source.encode())
        h.update(d.content_hash.encode())
    h.update(f"{embedder.model_id}|{embedder.checksum}|{embedder.backend}".encode())
    h.update(f"{settings.chunk_tokens}|{settings.chunk_overlap}|format{FORMAT_VERSION}".encode())
    h.update(f"abstention {calibration_key()}".encode())
    h.update(f"|token_states{settings.token_states_max_tokens}".encode())  # stored token states (or not)
    return h.hexdigest()


def ensure_index(
    name: str,
    documents: list[Document],
    settings: Settings,
    embedder: Embedder,
    cache: Path | None = None,
    progress=None,  # noqa: ANN001 - index.ingest.progress.Progress
) -> Path:
    """The index directory of ``documents`` under ``cache/name``, (re)built only when needed."""
    from index.ingest.builder import build_index

    directory = Path(cache or DEFAULT_CACHE) / name
    stamp = directory.parent / f"{name}.{FINGERPRINT}"
    fp = fingerprint(documents, embedder, settings)
    try:
        if json.loads(stamp.read_text())["fingerprint"] == fp and (directory / POINTER).exists():
            return directory
    except (OSError, ValueError, KeyError):
        pass
    directory.parent.mkdir(parents=True, exist_ok=True)
    # eval indexes are local, whatever CITEBOT_STORE says: an eval never writes into a shared store
    local = settings.model_copy(update={"store": "local"})
    build_index(local, index_dir=directory, documents=documents, embedder=embedder, progress=progress)
    stamp.write_text(json.dumps({"fingerprint": fp, "documents": len(documents)}))
    return directory
