"""The binary COPY encoder: every column type through a real server and back."""

from __future__ import annotations

import numpy as np
import psycopg

from index.storage.postgres import copybin


def test_every_column_type_round_trips(pg: psycopg.Connection) -> None:
    pg.execute(
        "CREATE TABLE t (a integer, h bytea, v vector(3), n integer, vn vector(3), s text, k text, "
        "sv sparsevec(10), arr integer[])"
    )
    a = np.array([0, -1, 2**31 - 1, 7])
    h = np.arange(4 * 16, dtype=np.uint8).reshape(4, 16)
    v = np.array([[1, 2, 3], [0.5, -0.25, 1e-8], [0, 0, 0], [-1, 3.5, 2]], dtype=np.float32)
    n = np.array([5, 0, -3, 9])
    texts = ["plain", "", "naïve — “quoted” 𝄞 emoji 🎉\r\nand\ttabs", "x" * 5000]
    indptr = np.array([0, 2, 2, 5, 6])
    idx = np.array([0, 9, 1, 2, 3, 4], dtype=np.int32)
    vals = np.array([0.5, -1, 2, 3, 4, 1e-3], dtype=np.float32)
    cols = [
        copybin.Int4(a), copybin.Bytes(h), copybin.Vector(v),
        copybin.Int4Nullable(n, np.array([False, True, False, False])),
        copybin.Vector(v, null=np.array([True, False, False, True])),
        copybin.Text(texts), copybin.Repeated(np.array([1, 0, 1, 1]), [b"code", b"sentence"]),
        copybin.SparseVec(indptr, idx, vals, 10), copybin.Int4Array(indptr, idx),
    ]
    with pg.cursor() as cur, cur.copy("COPY t (a, h, v, n, vn, s, k, sv, arr) FROM STDIN (FORMAT BINARY)") as copy:
        for block in copybin.encode(cols, 4, block=3):  # two blocks
            copy.write(block)
    rows = pg.execute("SELECT a, h, v, n, vn, s, k, sv::text, arr FROM t ORDER BY s").fetchall()
    got = {r[5]: r for r in rows}
    for i, text in enumerate(texts):
        r = got[text]
        assert r[0] == a[i] and bytes(r[1]) == h[i].tobytes()
        assert np.array_equal(r[2].to_numpy(), v[i])
        assert r[3] == (None if i == 1 else n[i])
        assert (r[4] is None) == (i in (0, 3))
        assert r[6] == ("sentence" if i != 1 else "code")
        want = {int(j) + 1: float(x) for j, x in zip(idx[indptr[i]:indptr[i + 1]], vals[indptr[i]:indptr[i + 1]], strict=True)}
        body = r[7].split("}")[0].lstrip("{")
        have = {int(p.split(":")[0]): float(p.split(":")[1]) for p in body.split(",") if p}
        assert have.keys() == want.keys() and all(abs(have[j] - want[j]) < 1e-6 for j in want)
        assert r[8] == idx[indptr[i]:indptr[i + 1]].tolist()


def test_fixed_columns_must_come_first() -> None:
    cols = [copybin.Text(["a"]), copybin.Int4(np.array([1]))]
    try:
        list(copybin.encode(cols, 1))
    except ValueError as exc:
        assert "fixed-width" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("accepted a variable-width column before a fixed one")
