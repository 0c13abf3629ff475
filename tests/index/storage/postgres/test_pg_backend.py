"""``PostgresBackend``: the query path answering from PostgreSQL exactly as from the local index, in
two round trips per question; opened by the factory (``CITEBOT_STORE=postgres``), filled by a build."""

from __future__ import annotations

import dataclasses
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from index.errors import InvalidSettings
from index.ingest.builder import build_index
from index.models.documents import Document
from index.query.engine import Engine
from index.settings import Settings
from index.storage.backend import open_backend
from index.storage.postgres.backend import PostgresBackend, publish
from index.storage.postgres.errors import CorpusNotFound
from tests.conftest import SEEDS, FakeEmbedder
from tests.index.storage.postgres.conftest import scifact_queries


def same_answer(a: dict, b: dict, tol: float = 1e-4) -> bool:
    """Two answers alike in everything, scores to within float rounding (pgvector sums in its own order)."""
    def strip(x: dict) -> tuple:
        rows = [{k: v for k, v in r.items() if k != "score"} for r in x["citations"] + x["passages"]]
        return x["question"], x["abstained"], rows
    scores = [r["score"] for r in a["citations"] + a["passages"]], [r["score"] for r in b["citations"] + b["passages"]]
    return strip(a) == strip(b) and np.allclose(*scores, atol=tol, rtol=0)


def _pg(index_dir: Path, dsn: str, corpus: str, **extra: object) -> Settings:
    return Settings(index_dir=index_dir, store="postgres", pg_dsn=dsn, corpus=corpus, **extra)


@pytest.fixture(scope="module")
def scifact_pair(pg_server, fake_scifact_index: Path):  # noqa: ANN001, ANN201
    """The SciFact subset answered locally and through PostgreSQL (fake embedder, exact scan)."""
    from tests.conftest import new_database

    settings = _pg(fake_scifact_index, new_database(pg_server), "scifact", pg_exact=True)
    publish(settings, fake_scifact_index)
    local = Engine.open(Settings(index_dir=fake_scifact_index), embedder=FakeEmbedder())
    remote = Engine.open(settings, embedder=FakeEmbedder())
    yield local, remote
    remote.backend.close()


def test_scifact_answers_and_rankings_equal_the_local_index(scifact_pair) -> None:  # noqa: ANN001
    local, remote = scifact_pair
    assert isinstance(remote.backend, PostgresBackend)
    for q in scifact_queries(25):
        a, b = local.retrieve(q), remote.retrieve(q)
        # the top documents (candidates tied at the 100th BM25 score may differ: any of them is the top 100)
        assert b.documents.docs[:10].tolist() == a.documents.docs[:10].tolist(), q
        assert np.allclose(b.documents.scores[:10], a.documents.scores[:10], atol=1e-5)
        assert [c.unit for c in b.candidates[:10]] == [c.unit for c in a.candidates[:10]], q
        assert same_answer(remote.ask(q).to_json(), local.ask(q).to_json()), q


def test_bm25_from_cached_postings_equals_the_servers_own(scifact_pair) -> None:  # noqa: ANN001
    """BM25 is summed by the client from per-term postings (cached across questions): the same
    top-k and scores, bit for bit, as the server's sparsevec inner products; warm or cold."""
    from index.models.lexical import Analyzer
    from index.storage.postgres import search

    _, remote = scifact_pair
    backend, analyzer = remote.backend, Analyzer()
    for q in scifact_queries(12) * 2:  # the second pass reads every term's postings from the cache
        terms = analyzer.terms(q)
        backend.prefetch(None, terms, 0, 100, 100)
        for level, lexical in (("chunks", backend.bm25_chunks(terms)), ("documents", backend.bm25_documents(terms))):
            ids, scores = lexical.top(100)
            want = backend._run(search.bm25_top_k(backend.scope, level, terms, 100))[0]
            assert ids.tolist() == want.ids.tolist(), (q, level)
            assert scores.tolist() == want.scores.astype(np.float32).tolist(), (q, level)
            some = np.arange(0, backend.n_chunks if level == "chunks" else backend.n_documents, 7)
            given = backend._run(search.bm25_scores(backend.scope, level, terms, some))[0]
            assert lexical.scores(some).tolist() == given.astype(np.float32).tolist(), (q, level)
    assert len(backend._postings["chunks"]._items) > 0


def test_a_level_too_large_for_client_sums_is_scored_by_the_server_with_the_same_answers(
    scifact_pair, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001
) -> None:
    """Past ``CLIENT_BM25_MAX_ROWS`` rows a level's BM25 top-k and the candidates' scores come from
    the server's sparsevec products in the same two round trips: the same answers as local."""
    local, remote = scifact_pair
    monkeypatch.setattr(remote.backend, "CLIENT_BM25_MAX_ROWS", 0)
    for q in scifact_queries(30)[20:]:
        before = remote.backend.round_trips
        assert same_answer(remote.ask(q).to_json(), local.ask(q).to_json()), q
        assert remote.backend.round_trips - before <= 2, q
        a, b = local.retrieve(q), remote.retrieve(q)
        assert b.documents.docs[:10].tolist() == a.documents.docs[:10].tolist(), q
        assert "chunks" not in remote.backend._question().bm25_all


def test_a_question_costs_at_most_two_round_trips(scifact_pair) -> None:  # noqa: ANN001
    _, remote = scifact_pair
    for q in scifact_queries(30)[25:]:
        before = remote.backend.round_trips
        answer = remote.ask(q)
        # both before ranking: the candidates; then their evidence, records, documents and the units a
        # quote may extend to. None per lookup, none for the passages' documents or the quotes' spans
        assert remote.backend.round_trips - before <= 2, q
        for c in answer.citations:  # verbatim, from the stored document text
            text = remote.backend.document(remote.document(c.source)).text
            assert text[c.char_start : c.char_end] == c.quote


def test_concurrent_questions_from_threads_get_their_own_answers(scifact_pair) -> None:  # noqa: ANN001
    local, remote = scifact_pair
    questions = scifact_queries(12)
    want = [local.ask(q).to_json() for q in questions]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda q: remote.ask(q).to_json(), questions * 2))
    assert all(same_answer(g, w) for g, w in zip(got, want * 2, strict=True))


def test_records_blocks_and_sections_equal_the_local_ones(seed_engine, seed_engine_pg) -> None:  # noqa: ANN001
    local, remote = seed_engine.backend, seed_engine_pg.backend
    assert (remote.n_documents, remote.n_chunks, remote.n_units) == (local.n_documents, local.n_chunks, local.n_units)
    assert [remote.unit(i) for i in range(local.n_units)] == [local.unit(i) for i in range(local.n_units)]
    assert [remote.chunk(c) for c in range(local.n_chunks)] == [local.chunk(c) for c in range(local.n_chunks)]
    assert np.array_equal(remote.document_blocks(0), local.document_blocks(0))
    assert remote.tables() == local.tables()
    assert dataclasses.replace(remote.manifest, files={}) == dataclasses.replace(local.manifest, files={})
    ids = np.arange(local.n_units)
    assert remote.unit_chunks(ids).tolist() == local.unit_chunks(ids).tolist()
    assert remote.unit_documents(ids).tolist() == local.unit_documents(ids).tolist()
    d = remote.documents()[0]
    assert (d.source, d.text, d.repo_path) == (local.document(0).source, local.document(0).text, local.document(0).repo_path)
    assert seed_engine_pg.section(d.source, 10) == seed_engine.section(d.source, 10)
    assert seed_engine_pg.info.generation.startswith("postgres:seed/g")


def test_a_build_with_the_postgres_store_fills_the_database_and_ask_reads_it(pg_dsn: str, tmp_path: Path) -> None:
    shutil.copytree(SEEDS, tmp_path / "docs")
    settings = Settings(docs_dir=tmp_path / "docs", index_dir=tmp_path / "index", store="postgres", pg_dsn=pg_dsn,
                        corpus="guild-1")
    report = build_index(settings, embedder=FakeEmbedder())
    assert any(line.startswith("postgres: corpus 'guild-1' generation 1 live") for line in report.details)
    shutil.rmtree(tmp_path / "index")  # the reader needs nothing but the database
    engine = Engine.open(settings, embedder=FakeEmbedder())
    answer = engine.ask("how old is the caretaker?")
    assert answer.passages and all(p.source == "paris-fire-rescue.txt" for p in answer.passages)
    engine.backend.close()


def test_two_corpora_in_one_database_never_see_each_other(pg_dsn: str, tmp_path: Path) -> None:
    fake = FakeEmbedder()
    for name, doc in (("a", Document("moon.txt", "The Moon orbits the Earth every 27 days.")),
                      ("b", Document("bread.txt", "Knead the dough for ten minutes, then let it rise."))):
        build_index(_pg(tmp_path / name, pg_dsn, name), documents=[doc], embedder=fake)
    a = Engine.open(_pg(tmp_path / "a", pg_dsn, "a"), embedder=fake)
    b = Engine.open(_pg(tmp_path / "b", pg_dsn, "b"), embedder=fake)
    for q in ("how often does the Moon orbit the Earth?", "how long do I knead the dough?"):
        assert {p.source for p in a.ask(q).passages} == {"moon.txt"}
        assert {p.source for p in b.ask(q).passages} == {"bread.txt"}
    a.backend.close()
    b.backend.close()


def test_settings_errors_are_one_line(pg_dsn: str, tmp_path: Path) -> None:
    with pytest.raises(InvalidSettings, match="CITEBOT_PG_DSN"):
        open_backend(Settings(index_dir=tmp_path, store="postgres"))
    with pytest.raises(CorpusNotFound, match="no corpus 'nope'"):
        publish_dsn = _pg(tmp_path, pg_dsn, "nope")
        from index.storage.postgres.connection import connect

        connect(pg_dsn, create=True, dim=FakeEmbedder.dim).close()
        open_backend(publish_dsn)
    # reads go to a replica when there is one (here: the same server under another DSN)
    settings = _pg(tmp_path, "postgresql://nowhere.invalid/x", "nope", pg_replica_dsns=pg_dsn)
    with pytest.raises(CorpusNotFound):
        open_backend(settings)


def test_a_database_of_another_schema_version_is_refused_in_one_line(pg_dsn: str, tmp_path: Path) -> None:
    import psycopg

    from index.storage.postgres.errors import SchemaMismatch

    build_index(_pg(tmp_path / "i", pg_dsn, "c"), documents=[Document("a.txt", "Some text here.")],
                embedder=FakeEmbedder())
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("UPDATE citebot_schema SET version = 99")
    with pytest.raises(SchemaMismatch, match="schema version 99"):
        open_backend(_pg(tmp_path / "i", pg_dsn, "c"))


def test_the_top_k_of_client_sums_is_a_full_sort_best_first_ties_by_id() -> None:
    """``_top_k`` sorts only the rows at or above the k-th score: the same ids and scores as sorting all."""
    from index.storage.postgres.backend import _Scores, _top_k

    rng = np.random.default_rng(1)
    for _ in range(500):
        n = int(rng.integers(1, 300))
        scores = np.zeros(n)
        hit = np.sort(rng.choice(n, int(rng.integers(0, n + 1)), replace=False)).astype(np.int64)
        scores[hit] = rng.integers(0, 5, len(hit)) / 2  # many ties
        for k in (0, 1, 3, 10, n, n + 5):
            s = scores[hit]
            order = np.lexsort((hit, -s))[:k]
            ids, got = _top_k(_Scores(scores, hit), k)
            assert ids.tolist() == hit[order].tolist() and got.tolist() == s[order].tolist()
