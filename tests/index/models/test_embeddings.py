"""Embedding backends: the lean ONNX encoder against sentence-transformers, int8 against fp32,
the export cache, and the manifest's guard against querying with another backend's vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.errors import ModelMismatch, ModelNotAvailable
from index.models import embeddings as emb
from index.models.embeddings import (
    DEFAULT_MODEL_ID,
    cpu_quantization_preset,
    cuts_from_offsets,
    default_model_path,
    export_dir,
    load_embedder,
    model_id_of,
    weights_checksum,
)

TEXTS = [
    "The school caretaker rescued two children from the burning building.",
    "  Leading and trailing whitespace is stripped, as sentence-transformers does.  ",
    "Short.",
    "Ünïcödé, accents — and “quotes” survive the tokenizer: naïve café Zürich.",
    "Alterations of the architecture of cerebral white matter in the developing human brain "
    "can affect cortical development and result in functional disabilities.",
    "A question?",
    " ".join(["truncation"] * 400),  # longer than max_seq_length: truncated the same way
    "Numbers 12.5 mg/kg, p < 0.001, and CD4+ T-cells (n = 1,024).",
]


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ModelNotAvailable):
        load_embedder("", "tensorflow")


def test_quantization_preset_is_a_known_config() -> None:
    assert cpu_quantization_preset() in {"arm64", "avx2", "avx512", "avx512_vnni"}


def test_export_dir_names_model_checksum_and_backend(tmp_path: Path) -> None:
    path = default_model_path()
    d = export_dir("", "onnx-int8", tmp_path)
    assert d.parent.parent == tmp_path
    assert d.name == "onnx-int8"
    assert d.parent.name == f"sentence-transformers--all-MiniLM-L6-v2-{weights_checksum(path)}"
    assert model_id_of(path) == DEFAULT_MODEL_ID


def test_checksum_is_remembered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = default_model_path()
    first = weights_checksum(path)
    emb._weights_checksum.cache_clear()
    monkeypatch.setattr(emb, "_weights_checksum", lambda *_a: pytest.fail("hashed again"))
    assert weights_checksum(path) == first


def test_cuts_from_offsets_cut_at_whitespace() -> None:
    text = "aa bb cc dd ee"
    offsets = [(0, 2), (3, 5), (6, 8), (9, 11), (12, 14)]
    assert cuts_from_offsets(text, offsets, 2) == [6, 12]


def test_backend_mismatch_is_refused_before_loading(tmp_path: Path, fake_embedder) -> None:  # noqa: ANN001
    """An index built with torch vectors is never queried with onnx-int8 ones (and vice versa)."""
    from index.ingest.builder import build_index
    from index.models.documents import PARAGRAPH, Block, Document
    from index.query.engine import Engine
    from index.settings import Settings
    from index.storage.manifest import Manifest

    fake_embedder.model_id = DEFAULT_MODEL_ID
    fake_embedder.checksum = weights_checksum(default_model_path())
    text = "The caretaker rescued two children. He was praised by the mayor."
    doc = Document(source="a.txt", text=text, blocks=[Block(PARAGRAPH, 0, len(text))], title="a")
    settings = Settings(index_dir=tmp_path / "index", model_cache_dir=tmp_path / "models")
    build_index(settings, documents=[doc], embedder=fake_embedder)
    assert Manifest.of(tmp_path / "index").model["backend"] == "torch"
    for backend in ("onnx", "onnx-int8"):
        with pytest.raises(ModelMismatch, match="backend"):
            Engine.open(settings.model_copy(update={"backend": backend}))
    assert not (tmp_path / "models").exists()  # refused before exporting or loading anything


# -- the real model (exports the ONNX models once per session, ~10 s) -------------------------------


# (fixtures model_cache, onnx_embedder, int8_embedder: tests/conftest.py)


def _cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


@pytest.mark.model
def test_lean_onnx_matches_sentence_transformers(onnx_embedder, real_embedder) -> None:  # noqa: ANN001
    """The lean encoder (onnxruntime + tokenizers) against sentence-transformers on the same weights."""
    assert type(onnx_embedder).__name__ == "OnnxEmbedder"
    ours = onnx_embedder.encode(TEXTS, batch_size=3)
    ref = real_embedder._model.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    assert ours.shape == ref.shape == (len(TEXTS), 384) and ours.dtype == np.float32
    assert _cos(ours, ref).min() >= 0.9999
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


@pytest.mark.model
def test_token_states_match_sentence_transformers(onnx_embedder, real_embedder) -> None:  # noqa: ANN001
    """The token vectors the answer ranker compares (special tokens dropped, rows normalized)."""
    ours = onnx_embedder.token_states(TEXTS[:3])
    ref = real_embedder.token_states(TEXTS[:3])
    assert [len(o.vectors) for o in ours] == [len(r.vectors) for r in ref] == onnx_embedder.count_tokens(TEXTS[:3])
    for o, r in zip(ours, ref, strict=True):
        assert o.pieces == r.pieces and len(o.pieces) == len(o.vectors)
        assert np.allclose(np.linalg.norm(o.vectors, axis=1), 1.0, atol=1e-5)
        assert _cos(o.vectors, r.vectors).min() >= 0.999


@pytest.mark.model
@pytest.mark.parametrize("backend", ["onnx", "onnx-int8"])
def test_encode_with_tokens_is_encode_and_token_states_in_one_run(backend, onnx_embedder, int8_embedder) -> None:  # noqa: ANN001
    """The question's vector and token states from one model run equal the two separate calls."""
    embedder = onnx_embedder if backend == "onnx" else int8_embedder
    for text in TEXTS[:3]:
        vec, tokens = embedder.encode_with_tokens(text)
        (alone,) = embedder.token_states([text])
        assert np.array_equal(vec, embedder.encode([text], batch_size=1)[0])
        assert tokens.pieces == alone.pieces and np.array_equal(tokens.vectors, alone.vectors)


@pytest.mark.model
def test_int8_is_close_to_fp32(onnx_embedder, int8_embedder) -> None:  # noqa: ANN001
    assert int8_embedder.backend == "onnx-int8"
    assert int8_embedder.meta["quantization"] == cpu_quantization_preset()
    fp32 = onnx_embedder.encode(TEXTS)
    q8 = int8_embedder.encode(TEXTS)
    assert _cos(fp32, q8).mean() > 0.98


@pytest.mark.model
def test_batching_order_and_duplicates_do_not_change_vectors(onnx_embedder) -> None:  # noqa: ANN001
    texts = [*TEXTS, TEXTS[0], TEXTS[2]]
    together = onnx_embedder.encode(texts, batch_size=4)
    alone = np.stack([onnx_embedder.encode([t])[0] for t in texts])
    assert _cos(together, alone).min() >= 0.99999
    seen: list[int] = []
    onnx_embedder.encode(texts, batch_size=2, progress=seen.append)
    assert sum(seen) == len(texts)


@pytest.mark.model
def test_lean_tokenizer_counts_and_cuts_like_transformers(onnx_embedder, real_embedder) -> None:  # noqa: ANN001
    assert onnx_embedder.count_tokens(TEXTS) == real_embedder.count_tokens(TEXTS)
    for text in TEXTS:
        assert onnx_embedder.token_cuts(text, 8) == real_embedder.token_cuts(text, 8)


@pytest.mark.model
def test_exports_are_cached(
    model_cache: Path, onnx_embedder, int8_embedder, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    stamps = {
        b: (export_dir("", b, model_cache) / "export.json").stat().st_mtime_ns for b in ("onnx", "onnx-int8")
    }

    def boom(*_a: object) -> None:
        pytest.fail("exported again")

    monkeypatch.setattr(emb, "_export_fp32", boom)
    monkeypatch.setattr(emb, "_quantize", boom)
    for backend in ("onnx", "onnx-int8"):
        again = load_embedder("", backend, model_cache)
        assert again.directory == export_dir("", backend, model_cache)
        assert (again.directory / "export.json").stat().st_mtime_ns == stamps[backend]


@pytest.mark.model
def test_onnx_int8_index_records_backend_and_refuses_torch(
    tmp_path: Path, model_cache: Path, int8_embedder
) -> None:  # noqa: ANN001
    from index.ingest.builder import build_index
    from index.query.engine import Engine
    from index.settings import Settings
    from index.storage.manifest import Manifest

    seeds = Path(__file__).resolve().parents[3] / "seeds"
    settings = Settings(
        docs_dir=seeds, index_dir=tmp_path / "index", backend="onnx-int8", model_cache_dir=model_cache
    )
    build_index(settings)
    assert Manifest.of(tmp_path / "index").model["backend"] == "onnx-int8"
    engine = Engine.open(settings)
    assert engine.info.backend == "onnx-int8"
    assert not engine.ask("who praised him?").abstained
    with pytest.raises(ModelMismatch, match="backend"):
        Engine.open(settings.model_copy(update={"backend": "torch"}))
    with pytest.raises(ModelMismatch, match="backend"):
        Engine.open(settings.model_copy(update={"backend": "onnx"}))
