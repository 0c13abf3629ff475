"""The reader holds a small generation's vectors (``vectors.py``): the cosines of the candidates
cost no query, equal the local index's bit for bit, a warm question costs one round trip, and a
new generation is read afresh, never from what was held of the old one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.ingest.builder import build_index
from index.models.documents import Document
from index.query.engine import Engine
from index.settings import Settings
from index.storage.postgres import search, vectors
from index.storage.postgres.backend import PostgresBackend, publish
from tests.conftest import FakeEmbedder
from tests.index.storage.postgres.conftest import scifact_queries
from tests.index.storage.postgres.test_pg_backend import same_answer


@pytest.fixture(scope="module")
def scifact_pair(pg_server, fake_scifact_index: Path):  # noqa: ANN001, ANN201
    """The SciFact subset answered locally and through PostgreSQL with its HNSW-free exact scan."""
    from tests.conftest import new_database

    settings = Settings(index_dir=fake_scifact_index, store="postgres", pg_dsn=new_database(pg_server),
                        corpus="scifact", pg_exact=True)
    publish(settings, fake_scifact_index)
    local = Engine.open(Settings(index_dir=fake_scifact_index), embedder=FakeEmbedder())
    remote = Engine.open(settings, embedder=FakeEmbedder())
    yield local, remote, settings
    remote.backend.close()


def test_the_held_vectors_are_the_local_arrays_and_their_cosines_the_local_ones(scifact_pair) -> None:  # noqa: ANN001
    local, remote, _ = scifact_pair
    held = remote.backend._vectors
    assert held is not None and held.generation == remote.backend.scope.generation
    data = local.backend.data
    for level, arr in (("units", data.unit_vectors), ("chunks", data.chunk_vectors), ("documents", data.document_vectors)):
        assert np.array_equal(held.arrays[level], np.asarray(arr, dtype=np.float32)), level
        assert not held.arrays[level].flags.writeable
    q = FakeEmbedder().encode(["the effect of vitamin D on bone density"])[0]
    rng = np.random.default_rng(0)
    for name, n in (("unit", local.backend.n_units), ("chunk", local.backend.n_chunks), ("document", local.backend.n_documents)):
        ids = rng.integers(0, n, 200)
        got = getattr(remote.backend, f"{name}_cosines")(ids, q)
        assert got.tolist() == getattr(local.backend, f"{name}_cosines")(ids, q).tolist(), name  # bit for bit
        level = "documents" if name == "document" else f"{name}s"
        server = remote.backend._run(search.cosines(remote.backend.scope, level, q, ids))[0]
        assert np.allclose(got, server, atol=1e-6, rtol=0), name  # and the server's, to its summation order


def test_a_warm_question_costs_one_round_trip_and_the_same_answer(scifact_pair) -> None:  # noqa: ANN001
    local, remote, _ = scifact_pair
    for q in scifact_queries(40)[30:]:
        before = remote.backend.round_trips
        first = remote.ask(q).to_json()
        assert remote.backend.round_trips - before <= 2, q
        before = remote.backend.round_trips
        again = remote.ask(q).to_json()  # every record, text, posting and vector is held: the dense top-k only
        assert remote.backend.round_trips - before == 1, q
        assert same_answer(first, local.ask(q).to_json()) and same_answer(again, first), q


def test_past_the_row_guard_the_cosines_come_from_the_server_with_the_same_answers(
    scifact_pair, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001
) -> None:
    local, remote, settings = scifact_pair
    monkeypatch.setattr(PostgresBackend, "CLIENT_VECTORS_MAX_ROWS",
                        remote.backend.n_units + remote.backend.n_chunks + remote.backend.n_documents - 1)
    guarded = Engine.open(settings, embedder=FakeEmbedder())
    try:
        assert guarded.backend._vectors is None
        for q in scifact_queries(45)[40:]:
            before = guarded.backend.round_trips
            assert same_answer(guarded.ask(q).to_json(), local.ask(q).to_json()), q
            assert guarded.backend.round_trips - before <= 2, q
            assert guarded.backend._question().unit_cos  # the range cosines came in the second trip
    finally:
        guarded.backend.close()


def test_a_flip_between_two_asks_gives_the_second_ask_the_new_generations_answers(pg_dsn: str, tmp_path: Path) -> None:
    """The bot opens the live generation again after a re-index: nothing held of the old one is read."""
    fake = FakeEmbedder()
    settings = Settings(index_dir=tmp_path / "index", store="postgres", pg_dsn=pg_dsn, corpus="flip")
    question = "how long do I knead the dough?"
    build_index(settings, documents=[Document("moon.txt", "The Moon orbits the Earth every 27 days."),
                                     Document("tides.txt", "Tides rise and fall twice a day.")], embedder=fake)
    old = Engine.open(settings, embedder=fake)
    first = old.ask(question)
    assert {p.source for p in first.passages} <= {"moon.txt", "tides.txt"}
    build_index(settings, documents=[Document("bread.txt", "Knead the dough for ten minutes, then let it rise."),
                                     Document("oven.txt", "Bake the bread at 220 degrees for half an hour.")],
                embedder=fake)  # generation 2 is live: the flip
    new = Engine.open(settings, embedder=fake)
    local = Engine.open(Settings(index_dir=tmp_path / "index"), embedder=fake)
    try:
        assert new.backend.scope.generation == old.backend.scope.generation + 1
        assert new.backend._vectors.generation == new.backend.scope.generation
        second = new.ask(question)
        assert "bread.txt" in {p.source for p in second.passages}
        assert same_answer(second.to_json(), local.ask(question).to_json())
        q = fake.encode([question])[0]
        ids = np.arange(new.backend.n_units)
        assert new.backend.unit_cosines(ids, q).tolist() == local.backend.unit_cosines(ids, q).tolist()
        # the engine still on the old generation answers wholly from it (kept for the grace period)
        assert old.ask(question).to_json() == first.to_json()
    finally:
        old.backend.close()
        new.backend.close()


def test_decode_reads_the_copy_stream_and_refuses_another_layout() -> None:
    dim, n = 3, 2
    head = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
    rows = b"".join((2).to_bytes(2, "big") + (4).to_bytes(4, "big") + i.to_bytes(4, "big")
                    + (4 + 4 * dim).to_bytes(4, "big") + dim.to_bytes(2, "big") + b"\0\0"
                    + np.array([i, 0.5, -1.0], dtype=">f4").tobytes() for i in range(n))
    got = vectors.decode(head + rows + b"\xff\xff", n)
    assert got.dtype == np.float32 and got.tolist() == [[0.0, 0.5, -1.0], [1.0, 0.5, -1.0]]
    with pytest.raises(ValueError, match="bytes of vectors"):
        vectors.decode(head + rows + b"\xff\xff", n + 1)
    half = len(rows) // 2
    with pytest.raises(ValueError, match="not 0..n-1"):
        vectors.decode(head + rows[half:] + rows[:half] + b"\xff\xff", n)
