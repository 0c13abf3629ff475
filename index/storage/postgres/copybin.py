"""Rows for ``COPY … FROM STDIN (FORMAT BINARY)``, encoded a block at a time with numpy.

psycopg's ``Copy.write_row`` dumps value by value (a few microseconds per field): for a million
units of a dozen fields that is a minute before the server has done anything. Here fixed-width
columns (integers, ``vector(dim)``, 16-byte hashes) are laid out for a whole block of rows by one
structured numpy array, and variable-width ones (``text``, ``sparsevec``, ``integer[]``) are sliced
out of one big-endian buffer per column; ``Copy.write`` then sends the block. The wire formats are
PostgreSQL's (the COPY binary header, ``int4``, ``text``, ``bytea``, ``int4[]``) and pgvector's
``vector_recv`` / ``sparsevec_recv`` (the same layout as pgvector-python's dumpers).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
TRAILER = struct.pack(">h", -1)
INT4_OID = 23
BLOCK = 4096  # rows per encoded block


class Column:
    """One column of ``n`` rows."""

    fixed: int | None = None  # bytes of the value when every row has the same width

    def fixed_values(self, lo: int, hi: int) -> np.ndarray:  # (hi - lo, fixed) uint8
        raise NotImplementedError

    def values(self, lo: int, hi: int) -> list[bytes | None]:
        raise NotImplementedError


@dataclass
class Int4(Column):
    data: np.ndarray

    fixed = 4

    def fixed_values(self, lo: int, hi: int) -> np.ndarray:
        return np.ascontiguousarray(self.data[lo:hi], dtype=">i4").view(np.uint8).reshape(-1, 4)


@dataclass
class Int4Nullable(Column):
    data: np.ndarray
    null: np.ndarray  # bool

    def values(self, lo: int, hi: int) -> list[bytes | None]:
        be = np.ascontiguousarray(self.data[lo:hi], dtype=">i4").tobytes()
        nulls = self.null[lo:hi].tolist()
        return [None if nulls[i] else be[4 * i : 4 * i + 4] for i in range(hi - lo)]


@dataclass
class Bytes(Column):
    """Fixed-width ``bytea`` (e.g. 16-byte hashes): ``data`` is (n, width) uint8."""

    data: np.ndarray

    def __post_init__(self) -> None:
        self.fixed = int(self.data.shape[1])

    def fixed_values(self, lo: int, hi: int) -> np.ndarray:
        return np.ascontiguousarray(self.data[lo:hi], dtype=np.uint8)


@dataclass
class Vector(Column):
    """``vector(dim)`` from float32 rows; rows where ``null`` is set are sent as NULL."""

    data: np.ndarray
    null: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.dim = int(self.data.shape[1])
        self._head = struct.pack(">HH", self.dim, 0)
        if self.null is None:
            self.fixed = 4 + 4 * self.dim

    def _block(self, lo: int, hi: int) -> np.ndarray:
        m = hi - lo
        out = np.empty((m, 4 + 4 * self.dim), dtype=np.uint8)
        out[:, :4] = np.frombuffer(self._head, dtype=np.uint8)
        out[:, 4:] = np.ascontiguousarray(self.data[lo:hi], dtype=">f4").view(np.uint8).reshape(m, -1)
        return out

    def fixed_values(self, lo: int, hi: int) -> np.ndarray:
        return self._block(lo, hi)

    def values(self, lo: int, hi: int) -> list[bytes | None]:
        assert self.null is not None
        block = self._block(lo, hi)
        nulls = self.null[lo:hi].tolist()
        return [None if nulls[i] else block[i].tobytes() for i in range(hi - lo)]


@dataclass
class Text(Column):
    """``text``; a row that is None is sent as NULL."""

    data: Sequence[str | None]

    def values(self, lo: int, hi: int) -> list[bytes | None]:
        return [None if s is None else s.encode("utf-8") for s in self.data[lo:hi]]


@dataclass
class VarBytes(Column):
    """``bytea`` of any length, one byte string a row."""

    data: Sequence[bytes]

    def values(self, lo: int, hi: int) -> list[bytes | None]:
        return list(self.data[lo:hi])


@dataclass
class Repeated(Column):
    """A column whose rows take one of a few byte strings (e.g. a kind): ``codes`` index ``choices``."""

    codes: np.ndarray
    choices: Sequence[bytes]

    def values(self, lo: int, hi: int) -> list[bytes | None]:
        c = self.choices
        return [c[k] for k in self.codes[lo:hi].tolist()]


@dataclass
class SparseVec(Column):
    """``sparsevec(dim)`` rows in CSR form: row r is ``indices[indptr[r]:indptr[r+1]]`` (0-based,
    ascending) with ``values[...]``."""

    indptr: np.ndarray
    indices: np.ndarray
    vals: np.ndarray
    dim: int

    def values(self, lo: int, hi: int) -> list[bytes | None]:
        a, b = int(self.indptr[lo]), int(self.indptr[hi])
        idx = np.ascontiguousarray(self.indices[a:b], dtype=">i4").tobytes()
        val = np.ascontiguousarray(self.vals[a:b], dtype=">f4").tobytes()
        starts = (self.indptr[lo : hi + 1] - a).tolist()
        pack, dim = struct.Struct(">iii").pack, self.dim
        out: list[bytes | None] = []
        for r in range(hi - lo):
            s, e = 4 * starts[r], 4 * starts[r + 1]
            out.append(b"".join((pack(dim, (e - s) >> 2, 0), idx[s:e], val[s:e])))
        return out


@dataclass
class Int4Array(Column):
    """``integer[]`` rows in CSR form (one dimension, no NULL elements)."""

    indptr: np.ndarray
    items: np.ndarray

    def values(self, lo: int, hi: int) -> list[bytes | None]:
        a, b = int(self.indptr[lo]), int(self.indptr[hi])
        m = b - a
        body = np.empty((m, 2), dtype=">i4")  # each element: its length (4), its value
        body[:, 0] = 4
        body[:, 1] = self.items[a:b]
        raw = body.tobytes()
        starts = (self.indptr[lo : hi + 1] - a).tolist()
        head1 = struct.Struct(">iiiii").pack
        empty = struct.pack(">iii", 0, 0, INT4_OID)
        out: list[bytes | None] = []
        for r in range(hi - lo):
            s, e = starts[r], starts[r + 1]
            if s == e:
                out.append(empty)
            else:
                out.append(head1(1, 0, INT4_OID, e - s, 1) + raw[8 * s : 8 * e])
        return out


def encode(columns: Sequence[Column], n: int, block: int = BLOCK) -> Iterator[bytes]:
    """The COPY binary stream (header, rows, trailer) of ``n`` rows, in blocks."""
    yield HEADER
    fixed = [c for c in columns if c.fixed is not None]
    var = [c for c in columns if c.fixed is None]
    order_ok = all(c.fixed is not None for c in columns[: len(fixed)])
    if not order_ok:
        raise ValueError("fixed-width columns must come first (list the COPY columns in that order)")
    width = 2 + sum(4 + int(c.fixed) for c in fixed)
    field_count = struct.pack(">h", len(columns))
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        m = hi - lo
        rows = np.empty((m, width), dtype=np.uint8)
        rows[:, :2] = np.frombuffer(field_count, dtype=np.uint8)
        at = 2
        for c in fixed:
            w = int(c.fixed)
            rows[:, at : at + 4] = np.frombuffer(struct.pack(">i", w), dtype=np.uint8)
            rows[:, at + 4 : at + 4 + w] = c.fixed_values(lo, hi)
            at += 4 + w
        if not var:
            yield rows.tobytes()
            continue
        fixed_bytes = rows.tobytes()
        pieces: list[list[bytes]] = [[fixed_bytes[r * width : (r + 1) * width] for r in range(m)]]
        length = struct.Struct(">i").pack
        null = length(-1)
        for c in var:
            pieces.append([null if v is None else length(len(v)) + v for v in c.values(lo, hi)])
        yield b"".join(chain.from_iterable(zip(*pieces, strict=True)))
    yield TRAILER
