"""Every vector of one generation held by the reader: cosines of given ids without a round trip.

A generation never changes once built, so what a reader fetched of it stays true until it opens
another generation (a backend is bound to one; the bot opens a new one after a re-index and drops
the old). ``load`` reads a level's vectors by binary COPY, ordered by id, as float32 arrays (the
values stored, which are the local index's own: ingest copies them), so a cosine is
``vectors[ids] @ q`` in float32 exactly as ``LocalBackend`` computes it. The backend holds them
only for a generation of at most ``PostgresBackend.CLIENT_VECTORS_MAX_ROWS`` rows in all (at 384
dimensions, 1.5 kB a row); a larger one keeps asking the server for the cosines it reads.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np
import psycopg
from psycopg import sql

from index.storage.postgres.generations import Scope

_KEY = {"units": "unit", "chunks": "chunk", "documents": "doc"}
LEVELS = tuple(_KEY)


@dataclass(frozen=True)
class GenerationVectors:
    """The unit, chunk and document vectors of one generation, row i the vector of id i."""

    corpus_id: int
    generation: int
    arrays: dict[str, np.ndarray]  # level -> (rows, dim) float32, read-only

    def cosines(self, level: str, ids: np.ndarray, q_vec: np.ndarray) -> np.ndarray:
        return self.arrays[level][np.asarray(ids, dtype=np.int64)] @ np.asarray(q_vec, dtype=np.float32)

    @property
    def rows(self) -> int:
        return sum(len(a) for a in self.arrays.values())

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self.arrays.values())


def load(conn: psycopg.Connection, scope: Scope, sizes: dict[str, int]) -> GenerationVectors:
    """The vectors of every level of ``scope`` (``sizes``: level -> its number of rows, ids 0..n-1)."""
    arrays = {level: level_vectors(conn, scope, level, sizes[level]) for level in LEVELS}
    return GenerationVectors(scope.corpus_id, scope.generation, arrays)


def level_vectors(conn: psycopg.Connection, scope: Scope, level: str, n: int) -> np.ndarray:
    """(n, dim) float32: the stored ``embedding`` of each row of a level, by id."""
    key = _KEY[level]
    query = sql.SQL("COPY (SELECT x.{key}, x.embedding FROM {table} x WHERE x.corpus_id = {c} AND "
                    "x.generation = {g} ORDER BY x.{key}) TO STDOUT (FORMAT BINARY)").format(
        key=sql.Identifier(key), table=sql.Identifier(level),
        c=sql.Literal(int(scope.corpus_id)), g=sql.Literal(int(scope.generation)))
    buf = bytearray()
    with conn.cursor() as cur, cur.copy(query) as copy:
        for block in copy:
            buf += block
    return decode(bytes(buf), n)


def decode(raw: bytes, n: int) -> np.ndarray:
    """Rows (int4 id, vector) of ``COPY … (FORMAT BINARY)`` as an (n, dim) float32 array by id.
    The wire format is PostgreSQL's (header, per row a field count and length-prefixed fields,
    trailer) with pgvector's ``vector_send`` (int16 dim, int16 unused, dim big-endian float4)."""
    if not raw.startswith(b"PGCOPY\n\xff\r\n\x00"):
        raise ValueError("not a binary COPY stream")
    body = raw[19 + struct.unpack(">i", raw[15:19])[0] : len(raw) - 2]
    if not body:
        if n:
            raise ValueError(f"no vectors where {n} rows were expected")
        return np.zeros((0, 0), dtype=np.float32)
    width = struct.unpack(">i", body[10:14])[0]  # the first row's vector field: 4 + 4 * dim bytes
    dim = (width - 4) // 4
    row = np.dtype([("fields", ">i2"), ("id_len", ">i4"), ("id", ">i4"), ("v_len", ">i4"), ("dim", ">i2"),
                    ("unused", ">i2"), ("v", ">f4", (dim,))])
    if len(body) != n * row.itemsize:
        raise ValueError(f"{len(body)} bytes of vectors for {n} rows of {dim} dimensions")
    rows = np.frombuffer(body, dtype=row)
    if (np.any(rows["fields"] != 2) or np.any(rows["id_len"] != 4) or np.any(rows["v_len"] != width)
            or np.any(rows["dim"] != dim)):
        raise ValueError("rows of another layout in the vectors' COPY")
    ids = rows["id"].astype(np.int64)
    if not np.array_equal(ids, np.arange(n)):
        raise ValueError("the ids of a level are not 0..n-1")
    out = rows["v"].astype(np.float32)
    out.flags.writeable = False
    return out
