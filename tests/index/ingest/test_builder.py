import json
from pathlib import Path

import pytest

from index.errors import BuildInProgress, DocsNotFound, EmptyCorpus, IndexNotFound, ModelMismatch
from index.ingest import builder as builder_mod
from index.ingest.builder import build_index
from index.query.engine import Engine
from index.settings import Settings
from index.storage.manifest import FORMAT_VERSION, MANIFEST, Manifest
from tests.conftest import FakeEmbedder


def write_docs(docs: Path, files: dict[str, str]) -> None:
    docs.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (docs / name).write_text(text, encoding="utf-8")


DOCS = {
    "fire.txt": "A caretaker saved two babies from a burning building in Paris.\nHe is 39 years old.",
    "bread.md": "# Baking\n\nKnead the dough for ten minutes. Let it rise for an hour.\n",
    "space.txt": "The Moon orbits the Earth every 27 days.\nMars has two small moons.",
}


def live(index_dir: Path) -> Path:
    """The live generation's directory."""
    return index_dir / json.loads((index_dir / "current.json").read_text())["generation"]


def test_build_writes_a_complete_directory(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    write_docs(settings.docs_dir, DOCS)
    report = build_index(settings, embedder=fake_embedder)
    assert report.documents == 3 and report.chunks >= 3 and not report.skipped
    d = live(settings.index_dir)
    assert d.name == "g000001"
    for name in ("manifest.json", "documents.jsonl", "blocks.npy", "units.npy", "chunks.npy", "displays.txt",
                 "tables.json", "unit_vectors.npy", "chunk_vectors.npy", "document_vectors.npy", "vectors.faiss",
                 "bm25", "bm25_docs"):
        assert (d / name).exists(), name
    assert not list(d.rglob("*.pkl")) and not list(d.rglob("*.pickle"))
    m = Manifest.read(d)
    assert m.format_version == FORMAT_VERSION and m.kind == "citebot-index" and m.generation == "g000001"
    assert m.model == {"id": "fake/bag-of-words", "checksum": "fake0001", "backend": "torch", "dim": 64}
    assert m.chunking["max_tokens"] == 128
    assert set(m.documents) == set(DOCS) and all(len(h) == 64 for h in m.documents.values())
    # every file of the generation is recorded with its size and checksum
    files = {p.relative_to(d).as_posix() for p in d.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(m.files) == files and all(len(r["sha256"]) == 64 for r in m.files.values())
    import numpy as np

    units = np.load(d / "units.npy", allow_pickle=False)
    assert units.dtype.names[:5] == ("doc", "block", "kind", "start", "end") and len(units) == report.units
    doc = json.loads((d / "documents.jsonl").read_text().splitlines()[0])
    assert set(doc) == {"source", "title", "hash", "text", "format", "role", "repo_path"}


def test_a_rebuild_is_a_new_generation_and_keeps_only_the_one_before(
    settings: Settings, fake_embedder: FakeEmbedder
) -> None:
    write_docs(settings.docs_dir, DOCS)
    for _ in range(3):
        build_index(settings, embedder=fake_embedder)
    assert live(settings.index_dir).name == "g000003"
    assert sorted(p.name for p in settings.index_dir.iterdir()) == [".lock", "current.json", "g000002", "g000003"]


def test_rebuild_embeds_only_new_or_changed_and_drops_deleted(
    settings: Settings, fake_embedder: FakeEmbedder
) -> None:
    write_docs(settings.docs_dir, DOCS)
    first = build_index(settings, embedder=fake_embedder)
    again = build_index(settings, embedder=fake_embedder)
    assert again.embedded == 0 and again.reused == first.units

    (settings.docs_dir / "space.txt").write_text("The Moon orbits the Earth every 27 days.\nVenus is hot.")
    (settings.docs_dir / "bread.md").unlink()
    (settings.docs_dir / "new.txt").write_text("A brand new document about rivers.")
    third = build_index(settings, embedder=fake_embedder)
    assert third.embedded == 2  # only "Venus is hot." and the new document's sentence
    m = Manifest.read(live(settings.index_dir))
    assert set(m.documents) == {"fire.txt", "space.txt", "new.txt"}
    engine = Engine.open(settings, embedder=fake_embedder)
    assert all(p.source != "bread.md" for p in engine.ask("knead the dough").passages)


def test_an_index_of_another_model_backend_or_format_is_refused(
    settings: Settings, fake_embedder: FakeEmbedder
) -> None:
    write_docs(settings.docs_dir, DOCS)
    build_index(settings, embedder=fake_embedder)
    other = FakeEmbedder()
    other.checksum = "different"
    with pytest.raises(ModelMismatch, match="rebuild"):
        Engine.open(settings, embedder=other)
    other = FakeEmbedder()
    other.backend = "onnx"
    with pytest.raises(ModelMismatch, match="backend"):
        Engine.open(settings, embedder=other)
    with pytest.raises(ModelMismatch, match="rebuild"):  # the configured real model: refused before loading it
        Engine.open(settings)
    path = live(settings.index_dir) / MANIFEST
    data = json.loads(path.read_text())
    data["format_version"] = FORMAT_VERSION + 1
    path.write_text(json.dumps(data))
    with pytest.raises(ModelMismatch, match="format version"):
        Engine.open(settings, embedder=fake_embedder)


def test_an_interrupted_build_leaves_the_old_index_usable(
    settings: Settings, fake_embedder: FakeEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_docs(settings.docs_dir, DOCS)
    build_index(settings, embedder=fake_embedder)
    before = Engine.open(settings, embedder=fake_embedder).ask("caretaker babies Paris")

    real_write = builder_mod.write_index

    def write_then_die(directory: Path, data) -> None:  # noqa: ANN001
        real_write(directory, data)
        (directory / "manifest.json").unlink()  # half-written
        raise KeyboardInterrupt

    write_docs(settings.docs_dir, {"more.txt": "Completely new text about volcanoes erupting."})
    monkeypatch.setattr(builder_mod, "write_index", write_then_die)
    with pytest.raises(KeyboardInterrupt):
        build_index(settings, embedder=fake_embedder)
    after = Engine.open(settings, embedder=fake_embedder).ask("caretaker babies Paris")
    assert after.to_json() == before.to_json()
    assert set(Manifest.read(live(settings.index_dir)).documents) == set(DOCS)
    assert not [p for p in settings.index_dir.iterdir() if ".building-" in p.name]

    monkeypatch.setattr(builder_mod, "write_index", real_write)
    build_index(settings, embedder=fake_embedder)
    assert "more.txt" in Manifest.read(live(settings.index_dir)).documents


def test_an_index_of_the_flat_format_2_layout_is_converted_and_only_its_files_removed(
    settings: Settings, fake_embedder: FakeEmbedder
) -> None:
    """An index of format 2 (everything in the index directory itself) is refused on open, and a build
    replaces it: its own files go, anything else a user put there stays."""
    flat = settings.index_dir
    flat.mkdir(parents=True)
    (flat / "manifest.json").write_text(json.dumps({"format_version": 2, "model": {}, "counts": {}}))
    for name in ("documents.jsonl", "sentences.npy", "vectors.faiss"):
        (flat / name).write_text("old")
    (flat / "bm25").mkdir()
    (flat / "bm25" / "vocab.index.json").write_text("{}")
    with pytest.raises(ModelMismatch, match="format version 2"):
        Engine.open(settings, embedder=fake_embedder)
    write_docs(settings.docs_dir, DOCS)
    build_index(settings, embedder=fake_embedder)
    assert sorted(p.name for p in flat.iterdir()) == [".lock", "current.json", "g000001"]
    assert Engine.open(settings, embedder=fake_embedder).ask("Moon orbits").passages


def test_one_build_at_a_time(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    from index.storage.atomic import build_lock

    write_docs(settings.docs_dir, DOCS)
    with build_lock(settings.index_dir), pytest.raises(BuildInProgress):
        build_index(settings, embedder=fake_embedder)


def test_errors_for_bad_input(settings: Settings, fake_embedder: FakeEmbedder, tmp_path: Path) -> None:
    with pytest.raises(DocsNotFound):
        build_index(settings, docs_dir=tmp_path / "missing", embedder=fake_embedder)
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "blank.txt").write_text("   \n")
    with pytest.raises(EmptyCorpus):
        build_index(settings, docs_dir=tmp_path / "empty", embedder=fake_embedder)
    with pytest.raises(IndexNotFound):
        Engine.open(settings, embedder=fake_embedder)


def test_the_report_says_what_the_folder_held(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    write_docs(settings.docs_dir, DOCS | {"logo.png": "not really a png"})
    report = build_index(settings, embedder=fake_embedder)
    assert report.details[:2] == ["documents: 2 text, 1 markdown", "blocks: 3 paragraph, 1 heading"]
    assert "not indexed: 1 image" in report.details
    assert "\n" not in report.summary()  # one line; the CLI prints the details under it


@pytest.mark.parametrize("damage", ["nan", "dimension", "unrecorded-nan"])
def test_a_rebuild_never_reuses_a_vector_that_fails_validation(
    settings: Settings, fake_embedder: FakeEmbedder, damage: str
) -> None:
    import numpy as np

    from index.storage import validate

    write_docs(settings.docs_dir, DOCS)
    first = build_index(settings, embedder=fake_embedder)
    gen = live(settings.index_dir)
    vecs = np.load(gen / "unit_vectors.npy")
    if damage == "dimension":
        vecs = np.hstack([vecs, vecs[:, :3]])
    else:
        vecs[0, :] = np.nan
    np.save(gen / "unit_vectors.npy", vecs, allow_pickle=False)
    if damage == "unrecorded-nan":  # the checksums agree with the damage: only the row checks see it
        m = json.loads((gen / "manifest.json").read_text())
        m["files"] = validate.file_records(gen)
        (gen / "manifest.json").write_text(json.dumps(m))
    fake_embedder.encoded = 0
    again = build_index(settings, embedder=fake_embedder)
    assert again.reused == 0 and again.embedded == first.units
    questions = again.abstention["bank"] + again.abstention["pseudo"]  # the abstention calibration's
    assert fake_embedder.encoded == first.units + questions
    new = np.load(live(settings.index_dir) / "unit_vectors.npy")
    assert new.shape == (first.units, 64) and np.isfinite(new).all()
    assert Engine.open(settings, embedder=fake_embedder).ask("caretaker babies").citations


def test_usable_rows_are_finite_unit_vectors_of_the_model_dimension() -> None:
    import numpy as np

    from index.storage.store import usable_rows

    v = np.eye(4, dtype=np.float32)
    v[1, 1] = np.nan
    v[2] *= 3.0
    assert usable_rows(v, 4).tolist() == [True, False, False, True]
    assert not usable_rows(v, 5).any()


def test_full_embeds_everything_again(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    write_docs(settings.docs_dir, DOCS)
    first = build_index(settings, embedder=fake_embedder)
    assert build_index(settings, embedder=fake_embedder).embedded == 0
    full = build_index(settings, embedder=fake_embedder, full=True)
    assert full.embedded == first.units and full.reused == 0
