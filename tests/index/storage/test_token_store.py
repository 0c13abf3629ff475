"""Token states stored at build time: equal to the computed ones, checked on open, capped by size."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from index.errors import CorruptIndex
from index.ingest.builder import build_index
from index.query.engine import Engine
from index.settings import Settings
from index.storage import tokens as token_store
from index.storage.generations import current
from index.storage.local import LocalBackend
from index.storage.store import read_index
from tests.conftest import FakeEmbedder
from tests.index.storage.test_validate import assert_refused, edit_manifest, rehash, same_size_garbage, save

DOCS = {
    "client.md": "# Clients\n\nUse a `Client` instance to reuse connections.\n\n"
                 "```python\nwith httpx.Client() as client:\n    r = client.get('https://example.org')\n```\n\n"
                 "Timeouts default to five seconds. To disable them, pass `timeout=None`.\n",
    "auth.md": "# Authentication\n\nPass `auth=('user', 'pass')` for basic authentication.\n\n"
               "- Digest authentication is supported too.\n- So is netrc.\n",
}


def write_docs(root: Path) -> Path:
    docs = root / "docs"
    docs.mkdir()
    for name, text in DOCS.items():
        (docs / name).write_text(text)
    return docs


@pytest.fixture
def built(tmp_path: Path, fake_embedder: FakeEmbedder) -> tuple[Settings, Path]:
    settings = Settings(docs_dir=write_docs(tmp_path), index_dir=tmp_path / "index")
    build_index(settings, embedder=fake_embedder)
    return settings, current(settings.index_dir).path


def test_every_unit_gets_its_token_states_as_computed(built, fake_embedder: FakeEmbedder) -> None:  # noqa: ANN001
    settings, gen = built
    data = read_index(settings.index_dir)
    assert data.tokens is not None and len(data.tokens) == len(data.units)
    assert data.manifest.counts["token_states"] == data.tokens.n_tokens > 0
    assert sorted(p.name for p in (gen / token_store.TOKENS_DIR).iterdir()) == sorted(
        [token_store.OFFSETS, token_store.PIECES, token_store.VOCAB, token_store.VECTORS])
    for i in range(len(data.units)):
        (want,) = fake_embedder.token_states([data.unit_display(i)])
        got = data.tokens.get(i)
        assert got.pieces == want.pieces and got.vectors.dtype == np.float32
        assert np.abs(got.vectors - want.vectors).max() < 1e-3  # fp16


@pytest.mark.model
def test_stored_states_equal_the_real_models_on_the_fly_ones(tmp_path: Path, int8_embedder) -> None:  # noqa: ANN001
    """With the real (int8) model: the build's states are the ones ask would compute, within fp16."""
    settings = Settings(docs_dir=write_docs(tmp_path), index_dir=tmp_path / "index", backend="onnx-int8")
    build_index(settings, embedder=int8_embedder)
    data = read_index(settings.index_dir)
    assert data.tokens is not None
    texts = [data.unit_display(i) for i in range(len(data.units))]
    for i, want in enumerate(int8_embedder.token_states(texts)):
        got = data.tokens.get(i)
        assert got.pieces == want.pieces
        assert np.abs(got.vectors - want.vectors).max() < 1e-3
        assert ((got.vectors * want.vectors).sum(axis=1) > 0.9999).all()


def test_a_corpus_over_the_cap_stores_none_and_ask_computes_them(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    docs = write_docs(tmp_path)
    small = Settings(docs_dir=docs, index_dir=tmp_path / "small")
    capped = Settings(docs_dir=docs, index_dir=tmp_path / "capped", token_states_max_tokens=10)
    off = Settings(docs_dir=docs, index_dir=tmp_path / "off", token_states_max_tokens=0)
    for s in (small, capped, off):
        build_index(s, embedder=fake_embedder)
    assert read_index(small.index_dir).tokens is not None
    for s in (capped, off):
        data = read_index(s.index_dir)
        assert data.tokens is None and data.manifest.counts["token_states"] == 0
        assert not (current(s.index_dir).path / token_store.TOKENS_DIR).exists()
    question = "how do I disable timeouts?"
    with_states = Engine.open(small, embedder=fake_embedder).ask(question)
    without = Engine.open(capped, embedder=fake_embedder).ask(question)
    assert [c.quote for c in with_states.citations] == [c.quote for c in without.citations]
    assert [c.score for c in with_states.citations] == pytest.approx([c.score for c in without.citations], abs=1e-3)


def test_a_rebuild_reuses_the_states_of_unchanged_units(built, fake_embedder: FakeEmbedder) -> None:  # noqa: ANN001
    settings, _ = built
    before = read_index(settings.index_dir).tokens
    (settings.docs_dir / "auth.md").write_text(DOCS["auth.md"] + "\nTokens go in a header.\n")
    calls: list[str] = []
    orig = fake_embedder.token_states

    def counting(texts: list[str]):  # noqa: ANN202
        calls.extend(texts)
        return orig(texts)

    fake_embedder.token_states = counting  # type: ignore[method-assign]
    build_index(settings, embedder=fake_embedder)
    after = read_index(settings.index_dir)
    units = {after.unit_display(i) for i in range(len(after.units))}
    # of the units, only the new one ran (the calibration also takes its questions' states: not units)
    assert [t for t in calls if t in units] == ["Tokens go in a header."]
    assert after.tokens is not None and before is not None and after.tokens.n_tokens > before.n_tokens
    i = next(i for i in range(len(after.units)) if after.unit_display(i) == "Tokens go in a header.")
    assert after.tokens.get(i).pieces == ["tokens", "go", "in", "a", "header"]


def test_the_backend_serves_them_and_says_when_it_has_none(built, tmp_path: Path, fake_embedder: FakeEmbedder) -> None:  # noqa: ANN001
    settings, _ = built
    backend = LocalBackend(read_index(settings.index_dir))
    assert backend.unit_token_states([]) == []
    (first,) = backend.unit_token_states([0])
    assert first.pieces == fake_embedder.token_states([backend.unit_display(0)])[0].pieces
    none = Settings(docs_dir=settings.docs_dir, index_dir=tmp_path / "none", token_states_max_tokens=0)
    build_index(none, embedder=fake_embedder)
    assert LocalBackend(read_index(none.index_dir)).unit_token_states([0]) is None


def _tokens(gen: Path, name: str) -> Path:
    return gen / token_store.TOKENS_DIR / name


def offsets_past_the_end(gen: Path) -> None:
    off = np.load(_tokens(gen, token_store.OFFSETS))
    off[-1] += 5
    save(_tokens(gen, token_store.OFFSETS), off)


def offsets_backwards(gen: Path) -> None:
    off = np.load(_tokens(gen, token_store.OFFSETS))
    off[1], off[2] = off[2], off[1]
    save(_tokens(gen, token_store.OFFSETS), off)


def offsets_short(gen: Path) -> None:
    save(_tokens(gen, token_store.OFFSETS), np.load(_tokens(gen, token_store.OFFSETS))[:-1])


def pieces_outside_vocabulary(gen: Path) -> None:
    p = np.load(_tokens(gen, token_store.PIECES))
    p[0] = 10_000_000
    save(_tokens(gen, token_store.PIECES), p)


def nan_token_vector(gen: Path) -> None:
    v = np.load(_tokens(gen, token_store.VECTORS))
    v[1, 2] = np.nan
    save(_tokens(gen, token_store.VECTORS), v)


def unnormalized_token_vectors(gen: Path) -> None:
    v = np.load(_tokens(gen, token_store.VECTORS))
    save(_tokens(gen, token_store.VECTORS), (v * 3).astype(np.float16))


def float32_token_vectors(gen: Path) -> None:
    save(_tokens(gen, token_store.VECTORS), np.load(_tokens(gen, token_store.VECTORS)).astype(np.float32))


def vocabulary_not_strings(gen: Path) -> None:
    _tokens(gen, token_store.VOCAB).write_text(json.dumps({"a": 1}))


def pickled_offsets(gen: Path) -> None:
    np.save(_tokens(gen, token_store.OFFSETS), np.array([{"x": 1}], dtype=object), allow_pickle=True)


DAMAGE: dict[str, Callable[[Path], object]] = {
    "offsets past the end": offsets_past_the_end,
    "offsets backwards": offsets_backwards,
    "offsets short": offsets_short,
    "pieces outside the vocabulary": pieces_outside_vocabulary,
    "NaN token vector": nan_token_vector,
    "token vectors not of unit length": unnormalized_token_vectors,
    "float32 token vectors": float32_token_vectors,
    "vocabulary not strings": vocabulary_not_strings,
    "pickled offsets": pickled_offsets,
    "vectors garbage": lambda g: same_size_garbage(_tokens(g, token_store.VECTORS)),
    "vectors missing": lambda g: _tokens(g, token_store.VECTORS).unlink(),
}


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_damaged_token_states_are_refused(built, fake_embedder: FakeEmbedder, case: str) -> None:  # noqa: ANN001
    settings, gen = built
    DAMAGE[case](gen)
    assert_refused(settings, fake_embedder)


@pytest.mark.parametrize("case", sorted(set(DAMAGE) - {"vectors garbage", "vectors missing"}))
def test_damage_the_checksums_cannot_see_is_refused(built, fake_embedder: FakeEmbedder, case: str) -> None:  # noqa: ANN001
    settings, gen = built
    DAMAGE[case](gen)
    rehash(gen)
    assert_refused(settings, fake_embedder)


def test_a_manifest_that_counts_other_token_states_is_refused(built, fake_embedder: FakeEmbedder) -> None:  # noqa: ANN001
    settings, gen = built
    edit_manifest(gen, lambda d: d["counts"].update(token_states=d["counts"]["token_states"] + 1))
    assert "token" in assert_refused(settings, fake_embedder)


def test_token_states_counted_but_not_listed_are_refused(built, fake_embedder: FakeEmbedder) -> None:  # noqa: ANN001
    settings, gen = built
    edit_manifest(gen, lambda d: d.update(files={k: v for k, v in d["files"].items() if not k.startswith("tokens/")}))
    assert "token states" in assert_refused(settings, fake_embedder)


def test_large_token_states_are_sampled_on_open_and_checked_as_they_are_read(
    built, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001
) -> None:
    settings, gen = built
    monkeypatch.setattr(token_store, "SAMPLE_ROWS", 2)  # rows 0 and n-1 on a quick open
    nan_token_vector(gen)  # row 1
    rehash(gen)
    data = read_index(settings.index_dir)  # the sample misses it
    assert data.tokens is not None
    unit = int(np.searchsorted(data.tokens.offsets, 1, side="right")) - 1  # the unit holding row 1
    with pytest.raises(CorruptIndex, match="NaN"):
        data.tokens.get(unit)
    with pytest.raises(CorruptIndex, match="NaN"):
        read_index(settings.index_dir, full_check=True)
