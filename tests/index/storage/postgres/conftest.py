"""A real PostgreSQL 18 + pgvector for the tests of the PostgreSQL store.

One server per test session (``pg_server``, ``pg_dsn`` and ``new_database`` live in tests/conftest.py,
shared with the bot's feedback store tests), always stopped at the end; a fresh database per test
that asks for one.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from index.settings import Settings
from index.storage.postgres.connection import connect
from tests.conftest import SEEDS, SHARED_DATA, FakeEmbedder, new_database  # noqa: F401 - re-exported


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
