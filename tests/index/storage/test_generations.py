"""Generations: a reader sees one build only, even when builds finish while it is opening the index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.errors import IndexNotFound
from index.ingest.builder import build_index
from index.models.documents import Document
from index.query.engine import Engine
from index.settings import Settings
from index.storage import generations, store
from tests.conftest import FakeEmbedder

OLD = [Document("a.txt", "The Moon orbits the Earth every 27 days. Mars has two small moons."),
       Document("b.txt", "A caretaker saved two babies from a burning building in Paris.")]
NEW = [Document("a.txt", "Volcanoes erupt. Lava flows slowly downhill for many kilometres before it cools."),
       Document("c.txt", "Bread needs flour, water, salt and yeast.")]


def unit_texts(data: store.IndexData) -> set[str]:
    return {data.unit_text(i) for i in range(len(data.units))}


def builds_during_read(monkeypatch: pytest.MonkeyPatch, settings: Settings, embedder: FakeEmbedder,
                       corpora: list[list[Document]]) -> None:
    """Make the next read of the index run whole builds of ``corpora`` after it has read the documents
    and before it loads the vector store (the window where a by-path reader mixed two indexes)."""
    real = store.FaissStore.load
    pending = list(corpora)

    def load(directory: Path, mmap: bool = True):  # noqa: ANN202
        if pending:
            todo = pending[:]
            pending.clear()  # the builds' own reads go straight through
            for docs in todo:
                build_index(settings, documents=docs, embedder=embedder)
        return real(directory, mmap=mmap)

    monkeypatch.setattr(store.FaissStore, "load", staticmethod(load))


def test_a_swap_during_a_read_does_not_mix_generations(
    tmp_path: Path, fake_embedder: FakeEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(index_dir=tmp_path / "index")
    build_index(settings, documents=OLD, embedder=fake_embedder)
    expected = unit_texts(store.read_index(settings.index_dir))
    builds_during_read(monkeypatch, settings, fake_embedder, [NEW])
    data = store.read_index(settings.index_dir)
    assert data.generation == "g000001"  # the generation the read began with, whole
    assert [d.source for d in data.docs] == ["a.txt", "b.txt"]
    assert unit_texts(data) == expected
    assert generations.read_pointer(settings.index_dir) == "g000002"  # while the new one is live


def test_a_read_outlived_by_its_generation_starts_again_on_the_new_one(
    tmp_path: Path, fake_embedder: FakeEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two builds finish while a reader opens generation 1: it is pruned under the reader, who then
    opens generation 3 whole."""
    settings = Settings(index_dir=tmp_path / "index")
    build_index(settings, documents=OLD, embedder=fake_embedder)
    builds_during_read(monkeypatch, settings, fake_embedder, [NEW, OLD[:1]])
    data = store.read_index(settings.index_dir)
    assert data.generation == "g000003"
    assert [d.source for d in data.docs] == ["a.txt"]
    assert all(t in OLD[0].text for t in unit_texts(data))


def test_an_engine_keeps_answering_from_its_generation_after_later_builds(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    """The bot's engine stays open across /reindex: its files stay readable even once pruned."""
    settings = Settings(index_dir=tmp_path / "index")
    build_index(settings, documents=OLD, embedder=fake_embedder)
    engine = Engine.open(settings, embedder=fake_embedder)
    before = engine.ask("caretaker babies Paris").to_json()
    for docs in (NEW, NEW[:1], OLD[1:]):
        build_index(settings, documents=docs, embedder=fake_embedder)
    assert not (settings.index_dir / "g000001").exists()
    assert engine.ask("caretaker babies Paris").to_json() == before


def test_the_pointer_is_the_mark_of_an_index(tmp_path: Path) -> None:
    root = tmp_path / "index"
    root.mkdir()
    with pytest.raises(IndexNotFound):
        generations.current(root)
    (root / "current.json").write_text(json.dumps({"notes": "a user's own current.json"}))
    from index.errors import NotAnIndex

    with pytest.raises(NotAnIndex, match="current.json"):
        generations.check_replaceable(root)
    (root / "g000001").mkdir()  # named like a generation, but no manifest of ours: not ours either
    (root / "current.json").unlink()
    with pytest.raises(NotAnIndex, match="g000001"):
        generations.check_replaceable(root)
