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


def test_build_writes_a_complete_directory(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    write_docs(settings.docs_dir, DOCS)
    report = build_index(settings, embedder=fake_embedder)
    assert report.documents == 3 and report.chunks >= 3 and not report.skipped
    d = settings.index_dir
    for name in ("manifest.json", "documents.jsonl", "chunks.jsonl", "sentences.npy", "sentence_vectors.npy",
                 "chunk_vectors.npy", "vectors.faiss", "bm25"):
        assert (d / name).exists(), name
    assert not list(d.rglob("*.pkl")) and not list(d.rglob("*.pickle"))
    m = Manifest.read(d)
    assert m.format_version == FORMAT_VERSION
    assert m.model == {"id": "fake/bag-of-words", "checksum": "fake0001", "backend": "torch", "dim": 64}
    assert m.chunking["max_tokens"] == 128
    assert set(m.documents) == set(DOCS) and all(len(h) == 64 for h in m.documents.values())
    chunk = json.loads((d / "chunks.jsonl").read_text().splitlines()[0])
    assert {"id", "source", "char_start", "char_end", "text"} <= set(chunk)


def test_rebuild_embeds_only_new_or_changed_and_drops_deleted(
    settings: Settings, fake_embedder: FakeEmbedder
) -> None:
    write_docs(settings.docs_dir, DOCS)
    first = build_index(settings, embedder=fake_embedder)
    again = build_index(settings, embedder=fake_embedder)
    assert again.embedded == 0 and again.reused == first.sentences

    (settings.docs_dir / "space.txt").write_text("The Moon orbits the Earth every 27 days.\nVenus is hot.")
    (settings.docs_dir / "bread.md").unlink()
    (settings.docs_dir / "new.txt").write_text("A brand new document about rivers.")
    third = build_index(settings, embedder=fake_embedder)
    assert third.embedded == 2  # only "Venus is hot." and the new document's sentence
    m = Manifest.read(settings.index_dir)
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
    path = settings.index_dir / MANIFEST
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
    assert set(Manifest.read(settings.index_dir).documents) == set(DOCS)
    assert not [p for p in settings.index_dir.parent.iterdir() if ".building-" in p.name]

    monkeypatch.setattr(builder_mod, "write_index", real_write)
    build_index(settings, embedder=fake_embedder)
    assert "more.txt" in Manifest.read(settings.index_dir).documents


def test_a_swap_cut_short_falls_back_to_the_previous_index(
    settings: Settings, fake_embedder: FakeEmbedder
) -> None:
    write_docs(settings.docs_dir, DOCS)
    build_index(settings, embedder=fake_embedder)
    # a crash between the two renames of a non-atomic swap: only ".index.previous" is left
    settings.index_dir.rename(settings.index_dir.parent / f".{settings.index_dir.name}.previous")
    assert Engine.open(settings, embedder=fake_embedder).ask("Moon orbits").passages
    build_index(settings, embedder=fake_embedder)
    assert settings.index_dir.is_dir()


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
