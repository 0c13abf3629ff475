"""The index manifest: what an index was built from and with, checked before it is used."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from index.errors import CorruptIndex, IndexNotFound, ModelMismatch

FORMAT_VERSION = 2  # 2: document-level BM25 and document vectors
MANIFEST = "manifest.json"


@dataclass
class Manifest:
    format_version: int
    built_at: str
    model: dict[str, object]  # model id, weights checksum, backend, dim
    chunking: dict[str, object]  # max_tokens, overlap, splitter
    counts: dict[str, int]  # documents, sentences, chunks, duplicates
    vector_store: dict[str, object]  # kind, factory, unit
    documents: dict[str, str] = field(default_factory=dict)  # source -> content hash
    files: dict[str, str] = field(default_factory=dict)  # file -> sha256 of small files

    def write(self, directory: Path) -> None:
        (directory / MANIFEST).write_text(json.dumps(asdict(self), indent=1, ensure_ascii=False))

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        path = directory / MANIFEST
        if not directory.is_dir() or not path.exists():
            raise IndexNotFound(directory)
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise CorruptIndex(directory, f"unreadable manifest: {exc}") from exc
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise ModelMismatch("index format version", version, FORMAT_VERSION)
        try:
            return cls(**data)
        except TypeError as exc:
            raise CorruptIndex(directory, f"manifest fields: {exc}") from exc

    def check_model(self, model_id: str, checksum: str, backend: str) -> None:
        m = self.model
        if m.get("id") != model_id or m.get("checksum") != checksum:
            raise ModelMismatch("the model", f"{m.get('id')} ({m.get('checksum')})", f"{model_id} ({checksum})")
        if m.get("backend") != backend:
            raise ModelMismatch("the embedding backend", m.get("backend"), backend)
