"""Offsets survive the database: for arbitrary Unicode (astral characters, combining marks, CRLF,
RTL, zero-width joiners…) a unit stored as (char_start, char_end) reads back from PostgreSQL as
exactly ``document_text[char_start:char_end]``, the slice a quote must be."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.storage.postgres import search
from index.storage.postgres.connection import connect
from index.storage.postgres.generations import live_scope
from index.storage.postgres.ingest import ingest
from index.storage.postgres.source import Document, IngestSource
from tests.index.storage.postgres.conftest import new_database

DIM = 8
# everything PostgreSQL text can hold: no NUL, no lone surrogates
CHARS = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
SPECIAL = st.sampled_from(["\r\n", "e\u0301", "👩\u200d💻", "🇫🇷", "\u202eabc", "𝄞", "\ufeff", "ǅ", "\u00a0", "\t"])
TEXT = st.lists(st.one_of(st.text(CHARS, min_size=1, max_size=8), SPECIAL), min_size=1, max_size=40).map("".join)


@st.composite
def documents(draw: st.DrawFn) -> list[tuple[str, list[tuple[int, int]]]]:
    """Texts, each cut into consecutive spans (some empty, some a single character)."""
    out = []
    for _ in range(draw(st.integers(1, 3))):
        text = draw(TEXT)
        cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=6)) + [0, len(text)])
        out.append((text, list(zip(cuts[:-1], cuts[1:], strict=True))))
    return out


def _source(docs: list[tuple[str, list[tuple[int, int]]]]) -> IngestSource:
    units, chunks = [], []
    for d, (text, spans) in enumerate(docs):
        first = len(units)
        for line, (a, b) in enumerate(spans, start=1):
            units.append((d, a, b, line, -1))
        chunks.append((d, 0, len(text), first, len(units)))
    rng = np.random.default_rng(len(units))
    vecs = rng.standard_normal((len(units), DIM)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    chunk_arr = np.asarray(chunks, dtype=np.int64)
    return IngestSource(
        documents=[Document(f"doc{d}.txt", f"title {text[:5]}", str(d), text) for d, (text, _) in enumerate(docs)],
        units=np.asarray(units, dtype=np.int64).reshape(-1, 5),
        unit_chunk=np.repeat(np.arange(len(chunks)), chunk_arr[:, 4] - chunk_arr[:, 3]),
        chunks=chunk_arr,
        contexts=[text[:3] for text, _ in docs],
        unit_vectors=vecs,
        chunk_vectors=np.ones((len(chunks), DIM), np.float32) / np.sqrt(DIM),
        document_vectors=np.ones((len(docs), DIM), np.float32) / np.sqrt(DIM),
        model={"id": "test", "checksum": "0", "backend": "none", "dim": DIM},
    )


@pytest.fixture(scope="module")
def db(pg_server) -> Iterator[psycopg.Connection]:  # noqa: ANN001
    conn = connect(new_database(pg_server), create=True, dim=DIM)
    yield conn
    conn.close()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(docs=documents())
def test_unit_slices_round_trip_through_the_database(db: psycopg.Connection, docs: list) -> None:  # noqa: ANN001
    src = _source(docs)
    ingest(db, "unicode", src, grace_seconds=0)
    scope = live_scope(db, "unicode")
    n = len(src.units)
    spans, texts = search.run(
        db, scope, search.spans(scope, "units", range(n)), search.document_texts(scope, range(len(docs)))
    )
    assert [t for _, t in texts] == [text for text, _ in docs]
    for i, span in enumerate(spans):
        d, a, b = (int(x) for x in src.units[i, :3])
        assert (span.doc, span.char_start, span.char_end) == (d, a, b)
        assert span.text == docs[d][0][a:b]
    chunk_spans = search.one(db, scope, search.spans(scope, "chunks", range(len(docs))))
    assert [s.text for s in chunk_spans] == [text for text, _ in docs]
