"""A damaged index is refused on open with one line that says to rebuild, never a traceback or a wrong answer."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from index.errors import CorruptIndex
from index.ingest.builder import build_index
from index.query.engine import Engine
from index.settings import Settings
from index.storage import validate
from index.storage.generations import current
from index.storage.store import read_index
from tests.conftest import FakeEmbedder

DOCS = {
    "fire.txt": "A caretaker saved two babies from a burning building in Paris.\nHe is 39 years old.",
    "space.txt": "The Moon orbits the Earth every 27 days.\nMars has two small moons.\nVenus is hot.",
}


@pytest.fixture
def built(tmp_path: Path, fake_embedder: FakeEmbedder) -> tuple[Settings, Path]:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in DOCS.items():
        (docs / name).write_text(text)
    settings = Settings(docs_dir=docs, index_dir=tmp_path / "index")
    build_index(settings, embedder=fake_embedder)
    return settings, current(settings.index_dir).path


def rehash(gen: Path) -> None:
    """Record the files as they are now: damage that the checksums cannot see (a builder bug)."""
    manifest = json.loads((gen / "manifest.json").read_text())
    manifest["files"] = validate.file_records(gen)
    (gen / "manifest.json").write_text(json.dumps(manifest))


def edit_manifest(gen: Path, fn: Callable[[dict], object]) -> None:
    data = json.loads((gen / "manifest.json").read_text())
    out = fn(data)
    (gen / "manifest.json").write_text(json.dumps(data if out is None else out))


def same_size_garbage(path: Path) -> None:
    n = path.stat().st_size
    path.write_bytes(bytes(np.random.default_rng(0).integers(0, 256, n, dtype=np.uint8)))


def save(path: Path, array: np.ndarray) -> None:
    np.save(path, array, allow_pickle=False)


def nan_vectors(gen: Path) -> None:
    v = np.load(gen / "unit_vectors.npy")
    v[1, 3] = np.nan
    save(gen / "unit_vectors.npy", v)


def wrong_dimension(gen: Path) -> None:
    v = np.load(gen / "unit_vectors.npy")
    save(gen / "unit_vectors.npy", np.hstack([v, v[:, :1]]))


def out_of_range(gen: Path) -> None:
    u = np.load(gen / "units.npy")
    u["end"][-1] = 10_000
    save(gen / "units.npy", u)


def shortened_text(gen: Path) -> None:
    lines = (gen / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    rec = json.loads(lines[1])
    rec["text"] = rec["text"][:20]
    lines[1] = json.dumps(rec)
    (gen / "documents.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def garbage_vocabulary(gen: Path) -> None:
    path = gen / "bm25" / "vocab.index.json"
    vocab = json.loads(path.read_text())
    path.write_text(json.dumps({f"zz{i}": i * 7 + 1000 for i, _ in enumerate(vocab)}))


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


DAMAGE: dict[str, Callable[[Path], object]] = {
    "vectors.faiss missing": lambda g: (g / "vectors.faiss").unlink(),
    "vectors.faiss truncated": lambda g: truncate(g / "vectors.faiss"),
    "vectors.faiss garbage": lambda g: same_size_garbage(g / "vectors.faiss"),
    "units out of range": out_of_range,
    "wrong-dimension vectors": wrong_dimension,
    "NaN vectors": nan_vectors,
    "garbage BM25 vocabulary": garbage_vocabulary,
    "shortened document text": shortened_text,
    "documents.jsonl garbage": lambda g: same_size_garbage(g / "documents.jsonl"),
}


def assert_refused(settings: Settings, embedder: FakeEmbedder) -> str:
    with pytest.raises(CorruptIndex) as info:
        Engine.open(settings, embedder=embedder)
    message = str(info.value)
    assert "\n" not in message and "rebuild it with `citebot index build`" in message
    return message


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_damage_after_the_build_is_refused(built, fake_embedder: FakeEmbedder, case: str) -> None:  # noqa: ANN001
    settings, gen = built
    DAMAGE[case](gen)
    assert_refused(settings, fake_embedder)


@pytest.mark.parametrize("case", sorted(set(DAMAGE) - {"documents.jsonl garbage"}))
def test_damage_the_checksums_cannot_see_is_refused_too(built, fake_embedder: FakeEmbedder, case: str) -> None:  # noqa: ANN001
    """The same damage with the manifest's checksums recorded after it (as a builder bug would write
    it): the structural checks catch it."""
    settings, gen = built
    DAMAGE[case](gen)
    rehash(gen)
    assert_refused(settings, fake_embedder)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (lambda d: [], "JSON list"),
        (lambda d: d.update(model=None), "manifest field model"),
        (lambda d: d["model"].pop("dim") and None, "manifest field model.dim"),
        (lambda d: d.update(counts={"documents": "many"}), "manifest field counts"),
        (lambda d: d.update(kind="something-else"), "kind"),
        (lambda d: d.update(generation="g000009"), "generation g000009"),
        (lambda d: d.update(files={}), "does not list"),
    ],
)
def test_a_damaged_manifest_is_refused(built, fake_embedder: FakeEmbedder, case, expected: str) -> None:  # noqa: ANN001
    settings, gen = built
    edit_manifest(gen, case)
    assert expected in assert_refused(settings, fake_embedder)


def test_a_damaged_pointer_or_a_missing_generation(built, fake_embedder: FakeEmbedder) -> None:  # noqa: ANN001
    settings, gen = built
    (settings.index_dir / "current.json").write_text("[1, 2")
    assert "current.json" in assert_refused(settings, fake_embedder)
    (settings.index_dir / "current.json").write_text(json.dumps({"citebot_index": 1, "generation": "g000042"}))
    assert "g000042 is missing" in assert_refused(settings, fake_embedder)


def test_a_damaged_index_is_rebuilt_from_scratch(built, fake_embedder: FakeEmbedder) -> None:  # noqa: ANN001
    settings, gen = built
    nan_vectors(gen)
    (settings.index_dir / "current.json").write_text("garbage")  # even the pointer
    report = build_index(settings, embedder=fake_embedder)
    assert report.reused == 0 and report.embedded == report.units
    assert Engine.open(settings, embedder=fake_embedder).ask("Moon orbits").passages


def test_large_arrays_are_checked_by_size_and_sample_on_open_and_in_full_on_request(
    built, fake_embedder: FakeEmbedder, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001
) -> None:
    settings, gen = built
    monkeypatch.setattr(validate, "QUICK_HASH_BYTES", 0)  # pretend every file is large
    monkeypatch.setattr(validate, "FINITE_ALL_BYTES", 0)
    monkeypatch.setattr(validate, "SAMPLE_ROWS", 2)  # rows 0 and n-1
    nan_vectors(gen)  # row 1: neither hashed nor sampled on a quick open
    read_index(settings.index_dir)
    with pytest.raises(CorruptIndex, match="unit_vectors.npy does not match its checksum"):
        read_index(settings.index_dir, full_check=True)


def test_the_quick_checks_cost_little(seed_index: Path) -> None:
    """On the seed corpus the checks on open stay a small share of opening the index."""
    read_index(seed_index)  # warm the page cache
    gen = current(seed_index).path
    t0 = time.perf_counter()
    for _ in range(5):
        read_index(seed_index)
    whole = (time.perf_counter() - t0) / 5
    from index.storage.manifest import Manifest

    manifest = Manifest.read(gen)
    t0 = time.perf_counter()
    for _ in range(5):
        validate.check_files(gen, manifest.files, ())
    files = (time.perf_counter() - t0) / 5
    assert files < 0.05 and files < whole
