"""The backend seam: the query path reads an index only through ``Backend``; ``LocalBackend`` is one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.ingest.builder import build_index
from index.models.documents import Document
from index.query.engine import Engine
from index.settings import Settings
from index.storage.backend import Backend, UnknownStore, open_backend, register
from index.storage.local import LocalBackend
from tests.conftest import FakeEmbedder

DOCS = [
    Document("fire.txt", "A caretaker saved two babies from a burning building in Paris.\nHe is 39 years old."),
    Document("space.txt", "The Moon orbits the Earth every 27 days.\nMars has two small moons.\nVenus is hot."),
    Document("bread.txt", "Knead the dough for ten minutes. Let it rise for an hour."),
]
PROTOCOL = {name for name in dir(Backend) if not name.startswith("_")} | {"manifest", "generation"}


@pytest.fixture
def index_dir(tmp_path: Path, fake_embedder: FakeEmbedder) -> Path:
    settings = Settings(index_dir=tmp_path / "index")
    build_index(settings, documents=DOCS, embedder=fake_embedder)
    return settings.index_dir


class OnlyTheProtocol:
    """A backend that offers nothing but the ``Backend`` methods, and records which are called."""

    def __init__(self, inner: LocalBackend) -> None:
        self._inner = inner
        self.calls: set[str] = set()

    def __getattr__(self, name: str):  # noqa: ANN204
        if name not in PROTOCOL:
            raise AttributeError(f"{name} is not part of the Backend interface")
        self.calls.add(name)
        return getattr(self._inner, name)


def test_the_factory_opens_the_local_store_and_refuses_unknown_ones(index_dir: Path) -> None:
    backend = open_backend(Settings(index_dir=index_dir))
    assert isinstance(backend, LocalBackend) and isinstance(backend, Backend)
    assert backend.generation == "g000001" and backend.n_documents == 3
    with pytest.raises(UnknownStore, match="unknown index store 'nosuch'.*known: local"):
        open_backend(Settings(index_dir=index_dir, store="nosuch"))
    seen = []
    register("test-store", lambda settings, directory, on_manifest: seen.append(directory) or backend)
    assert open_backend(Settings(index_dir=index_dir, store="test-store")) is backend and seen == [index_dir]


def test_answers_need_nothing_but_the_interface(index_dir: Path, fake_embedder: FakeEmbedder) -> None:
    settings = Settings(index_dir=index_dir)
    local = Engine.open(settings, embedder=fake_embedder)
    proxy = OnlyTheProtocol(local.backend)
    narrow = Engine(proxy, fake_embedder, settings)  # type: ignore[arg-type]
    for q in ("how old is the caretaker?", "Moon orbits Earth", "knead the dough", "what is the capital of Peru?"):
        assert narrow.ask(q).to_json() == local.ask(q).to_json()
        assert [d for d, _ in narrow.retrieve(q).documents.pairs()] == [d for d, _ in local.retrieve(q).documents.pairs()]
    assert {"dense_units", "bm25_chunks", "bm25_documents", "unit_cosines", "idf", "unit"} <= proxy.calls


def test_local_backend_answers_like_its_arrays(index_dir: Path, fake_embedder: FakeEmbedder) -> None:
    b = open_backend(Settings(index_dir=index_dir))
    data = b.data
    q = fake_embedder.encode(["the Moon and Mars"])[0]
    units = b.dense_units(q, 3)
    assert np.allclose(b.unit_cosines(units, q), np.sort(data.unit_vectors @ q)[::-1][:3], atol=1e-6)
    lex = b.bm25_chunks(["moon"])
    ids, scores = lex.top(10)
    assert len(ids) and (scores > 0).all() and np.allclose(lex.scores(ids), scores)
    assert all("Moon" in b.chunk_text(int(c)) for c in ids)
    first, last = b.document_units(np.array([0, 1, 2]))
    assert first.tolist()[0] == 0 and last.tolist()[-1] == b.n_units
    u = b.unit(0)
    assert data.docs[u.doc].text[u.start : u.end] == u.quote and u.display == u.quote
    c = b.chunk(0)
    assert c.text == data.docs[c.doc].text[c.start : c.end] and c.units.start == 0
