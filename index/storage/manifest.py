"""The manifest of one index generation: what it was built from and with, and the size and sha256 of
every file in it (recorded at build time, checked on open: ``index.storage.validate``).

Its fields are validated when it is read (pydantic over the dataclass), so a damaged manifest
(``[]``, ``"model": null``, a count that is not a number…) is a ``CorruptIndex`` naming the field,
never an AttributeError later.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, TypeAdapter, ValidationError
from typing_extensions import TypedDict

from index.errors import CorruptIndex, IndexNotFound, ModelMismatch
from index.storage.generations import MANIFEST, MARK, current

FORMAT_VERSION = 4  # 4: units with two texts, structured arrays, blocks, git commit; 3: generations, checksums


class ModelInfo(TypedDict):
    id: str
    checksum: str
    backend: str
    dim: Annotated[int, Field(gt=0)]


class FileRecord(TypedDict):
    size: Annotated[int, Field(ge=0)]
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


@dataclass
class Manifest:
    format_version: int
    built_at: str
    model: ModelInfo  # model id, weights checksum, backend, dim
    chunking: dict[str, Any]  # max_tokens, overlap, splitter
    counts: dict[str, Annotated[int, Field(ge=0)]]  # documents, sentences, chunks, duplicates
    vector_store: dict[str, Any]  # kind, factory, unit
    documents: dict[str, str] = field(default_factory=dict)  # source -> content hash
    files: dict[str, FileRecord] = field(default_factory=dict)  # every file of the generation
    kind: str = MARK  # says "this directory is a citebot index generation"
    generation: str = ""  # its directory name, gNNNNNN (checked on open)
    commit: str = ""  # the git commit the documents were read at ("" = not in a git work tree)
    indexed_at: str = ""  # when the documents were read (ISO 8601, UTC)
    # the abstain threshold calibrated on this corpus at build time and what it was measured on
    # (index.ingest.calibrate); {} = not calibrated (an older index): QuoteParams.abstain_below
    abstention: dict[str, Any] = field(default_factory=dict)

    def write(self, directory: Path) -> None:
        (directory / MANIFEST).write_text(json.dumps(asdict(self), indent=1, ensure_ascii=False))

    def summary(self) -> dict[str, Any]:
        """What ``citebot index info`` prints: everything but the per-document and per-file lists."""
        return {k: v for k, v in asdict(self).items() if k not in ("documents", "files")} | {
            "document_count": len(self.documents)
        }

    @classmethod
    def of(cls, index_dir: Path) -> Manifest:
        """The manifest of an index directory's live generation."""
        return cls.read(current(index_dir).path)

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        """The manifest of one generation directory."""
        path = directory / MANIFEST
        if not directory.is_dir() or not path.exists():
            raise IndexNotFound(directory)
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError) as exc:
            raise CorruptIndex(directory, f"unreadable manifest: {exc}") from exc
        if not isinstance(data, dict):
            raise CorruptIndex(directory, f"the manifest is a JSON {type(data).__name__}, not an object")
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise ModelMismatch("index format version", version, FORMAT_VERSION)
        try:
            manifest = _ADAPTER.validate_python(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "manifest"
            raise CorruptIndex(directory, f"manifest field {where}: {err['msg']}") from None
        if manifest.kind != MARK:
            raise CorruptIndex(directory, f"the manifest's kind is {manifest.kind!r}, not {MARK!r}")
        return manifest

    def check_model(self, model_id: str, checksum: str, backend: str) -> None:
        m = self.model
        if m.get("id") != model_id or m.get("checksum") != checksum:
            raise ModelMismatch("the model", f"{m.get('id')} ({m.get('checksum')})", f"{model_id} ({checksum})")
        if m.get("backend") != backend:
            raise ModelMismatch("the embedding backend", m.get("backend"), backend)


_ADAPTER = TypeAdapter(Manifest)
