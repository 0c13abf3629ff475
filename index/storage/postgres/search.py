"""Search primitives over one (corpus, generation), batched into one round trip.

Each primitive returns a ``Query`` (SQL, parameters, and how to decode its rows); ``run`` sends any
number of them to the server in one pipeline with one sync, so a question's candidates (dense
units, BM25 chunks, BM25 documents) cost one round trip and its evidence (cosines and BM25 of the
candidates, document mean vectors, IDF) a second, all from one generation. The wrappers (``dense_top_k`` …) run a single query.

Levels are ``units``, ``chunks`` and ``documents``. Scores are as the local backend's: cosine =
inner product of normalized vectors; BM25 = the inner product of the stored weights with the
query's term counts (``lexicon.py``), 0 for a row without any query term.

Dense search: ``exact=False`` uses the generation's ANN index when it has one (large corpora:
IVFFlat or HNSW, an iterative scan, re-sorted exactly; over a halfvec index, ``OVERFETCH`` times ``k``
candidates by the half-precision distance, re-sorted by the float32 one), a sequential scan otherwise; ``exact=True`` always scans every
unit of the generation (the same results as FAISS ``Flat``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import psycopg

from index.storage.postgres.errors import GenerationGone
from index.storage.postgres.generations import Scope

Level = Literal["units", "chunks", "documents"]
_ID = {"units": "unit", "chunks": "chunk", "documents": "doc"}
_DF = {"units": "df_units", "chunks": "df_chunks", "documents": "df_documents"}
# ingest.ANN_KINDS: an IVFFlat or HNSW index over the units' embedding::halfvec(dim); both are read by
# the same query (the planner picks the generation's one index on that expression)
HALFVEC = ("ivfflat-halfvec", "hnsw-halfvec")
# candidates by the halfvec distance per unit returned, re-sorted by the float32 one. 1 over the HNSW
# graph: at ef_search 200, LIMIT 200 gave the same recall@10 at 1M as LIMIT 100 (0.963) and cost more
# (server 7.3 vs 6.7 ms; a LIMIT past ef_search makes the iterative scan go on); BENCHMARKS.md "LIMIT 100"
OVERFETCH = 1


@dataclass
class Query:
    sql: str
    params: dict[str, Any]
    decode: Callable[[list[tuple]], Any]


@dataclass
class Ranked:
    """Ids best first with their scores."""

    ids: np.ndarray  # int64
    scores: np.ndarray  # float64

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class DenseUnits(Ranked):
    chunks: np.ndarray  # the first chunk of each unit
    docs: np.ndarray


def _where(alias: str = "x") -> str:
    return f"{alias}.corpus_id = %(c)s AND {alias}.generation = %(g)s"


def _scope(scope: Scope, **params: Any) -> dict[str, Any]:
    return {"c": scope.corpus_id, "g": scope.generation, **params}


def _ranked(rows: list[tuple]) -> Ranked:
    if not rows:
        return Ranked(np.zeros(0, np.int64), np.zeros(0))
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    scores = np.fromiter((r[1] for r in rows), dtype=np.float64, count=len(rows))
    order = np.lexsort((ids, -scores))  # best first, ties by id
    return Ranked(ids[order], scores[order])


def _by_id(ids: Sequence[int]) -> Callable[[list[tuple]], np.ndarray]:
    """Rows (id, value) → values aligned with ``ids`` (0 where there is no row)."""
    want = [int(i) for i in ids]

    def decode(rows: list[tuple]) -> np.ndarray:
        got = {int(r[0]): float(r[1]) for r in rows if r[1] is not None}
        return np.array([got.get(i, 0.0) for i in want], dtype=np.float64)

    return decode


# -- dense -------------------------------------------------------------------------------------------


def dense_units(scope: Scope, q_vec: np.ndarray, k: int, *, exact: bool = False, overfetch: int | None = None) -> Query:
    """The ``k`` units nearest to ``q_vec`` (cosine), with their chunk and document; over a halfvec
    index, ``overfetch`` (default ``OVERFETCH``) times ``k`` candidates are re-sorted by the float32 cosine."""
    if not exact and scope.ann in HALFVEC:  # the halfvec index, over-fetched, re-sorted in float32
        dim = int(np.asarray(q_vec).size)
        stmt = (
            "SELECT c.unit, (c.embedding <#> %(q)s)::float8 AS d, c.chunk, c.doc FROM ("
            f"SELECT x.unit, x.embedding, x.chunk, x.doc FROM units x WHERE {_where()} "
            f"ORDER BY x.embedding::halfvec({dim}) <#> %(q)s::halfvec({dim}) LIMIT %(over)s"
            ") c ORDER BY d, c.unit LIMIT %(k)s"
        )
    elif exact:  # ordered by a cast of the distance, which no index provides: every unit is scanned
        stmt = (
            f"SELECT x.unit, (x.embedding <#> %(q)s)::float8 AS d, x.chunk, x.doc FROM units x WHERE {_where()} "
            "ORDER BY d, x.unit LIMIT %(k)s"
        )
    else:  # the float32 HNSW index of an older generation (an iterative scan), else a scan
        stmt = (
            f"SELECT x.unit, x.embedding <#> %(q)s AS d, x.chunk, x.doc FROM units x WHERE {_where()} "
            "ORDER BY d LIMIT %(k)s"
        )

    def decode(rows: list[tuple]) -> DenseUnits:
        r = _ranked([(u, -d) for u, d, _c, _d in rows])
        extra = {int(u): (int(c), int(d)) for u, _s, c, d in rows}
        return DenseUnits(
            r.ids, r.scores,
            np.array([extra[i][0] for i in r.ids.tolist()], dtype=np.int64),
            np.array([extra[i][1] for i in r.ids.tolist()], dtype=np.int64),
        )

    over = int(k) * int(OVERFETCH if overfetch is None else overfetch)
    return Query(stmt, _scope(scope, q=_vec(q_vec), k=int(k), over=over), decode)


def cosines(scope: Scope, level: Level, q_vec: np.ndarray, ids: Sequence[int]) -> Query:
    """Cosine of ``q_vec`` with each given row (aligned with ``ids``)."""
    key = _ID[level]
    stmt = f"SELECT x.{key}, -(x.embedding <#> %(q)s) FROM {level} x WHERE {_where()} AND x.{key} = ANY(%(ids)s)"
    return Query(stmt, _scope(scope, q=_vec(q_vec), ids=_ids(ids)), _by_id(ids))


def cosines_in_ranges(scope: Scope, level: Level, q_vec: np.ndarray, starts: Sequence[int], ends: Sequence[int]) -> Query:
    """Cosine of ``q_vec`` with every row whose id is in one of the ranges [start, end) (disjoint),
    aligned with the ranges' ids in order (0 for an id without a row). One index range scan a range
    instead of a lookup an id, and the result as two binary arrays (``array_send``) instead of rows."""
    key = _ID[level]
    # OFFSET 0 keeps the subquery a parameterized index range scan a range (flattened into a join, the
    # planner, blind to the ranges' number, scans every row of the generation against every range)
    stmt = (
        "SELECT array_send(array_agg(y.id)), array_send(array_agg(y.cos)) "
        "FROM unnest(%(lo)s::int[], %(hi)s::int[]) AS r(lo, hi), LATERAL ("
        f"SELECT x.{key} AS id, -(x.embedding <#> %(q)s) AS cos FROM {level} x "
        f"WHERE {_where()} AND x.{key} >= r.lo AND x.{key} < r.hi OFFSET 0) y"
    )
    lo, hi = _ids(starts), _ids(ends)
    want = id_ranges(np.asarray(lo, dtype=np.int64), np.asarray(hi, dtype=np.int64))

    def decode(rows: list[tuple]) -> np.ndarray:
        out = np.zeros(len(want), dtype=np.float64)
        if not rows or rows[0][0] is None:
            return out
        ids, values = sent_array(rows[0][0], ">i4"), sent_array(rows[0][1], ">f8")
        pos = np.searchsorted(want, ids)
        ok = (pos < len(want)) & (want[np.minimum(pos, len(want) - 1)] == ids)
        out[pos[ok]] = values[ok]
        return out

    return Query(stmt, _scope(scope, q=_vec(q_vec), lo=lo, hi=hi), decode)


def id_ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The ids of the ranges [start, end), in order: concatenate(arange(a, b) for a, b in zip(starts, ends))."""
    starts = np.asarray(starts, dtype=np.int64)
    sizes = np.maximum(np.asarray(ends, dtype=np.int64) - starts, 0)
    total = int(sizes.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - (np.cumsum(sizes) - sizes), sizes)
    return offsets + np.arange(total, dtype=np.int64)


def sent_array(raw: bytes, dtype: str) -> np.ndarray:
    """The elements of a one-dimensional array without NULLs in PostgreSQL's binary format
    (``array_send``), as numbers of ``dtype`` (``>i4``, ``>f8``…)."""
    buf = memoryview(raw)
    ndim = int.from_bytes(buf[0:4], "big")
    if ndim == 0:
        return np.zeros(0, dtype=np.dtype(dtype).newbyteorder("="))
    if ndim != 1 or int.from_bytes(buf[4:8], "big"):
        raise ValueError("not a one-dimensional array without NULLs")
    n = int.from_bytes(buf[12:16], "big")
    item = np.dtype([("len", ">i4"), ("v", dtype)])
    return np.frombuffer(buf[20 : 20 + n * item.itemsize], dtype=item)["v"].astype(np.dtype(dtype).newbyteorder("="))


def unit_cosines_within(scope: Scope, level: Literal["chunks", "documents"], q_vec: np.ndarray, ids: Sequence[int]) -> Query:
    """Cosine of ``q_vec`` with every unit of the given chunks or documents: unit id -> cosine."""
    first, last = ("first_unit", "last_unit") if level == "chunks" else ("unit_start", "unit_end")
    key = _ID[level]
    stmt = (
        f"SELECT DISTINCT u.unit, -(u.embedding <#> %(q)s) FROM {level} x JOIN units u "
        f"ON u.corpus_id = x.corpus_id AND u.generation = x.generation AND u.unit >= x.{first} AND u.unit < x.{last} "
        f"WHERE {_where()} AND x.{key} = ANY(%(ids)s)"
    )

    def decode(rows: list[tuple]) -> dict[int, float]:
        return {int(u): float(s) for u, s in rows}

    return Query(stmt, _scope(scope, q=_vec(q_vec), ids=_ids(ids)), decode)


def mean_vectors(scope: Scope, level: Literal["chunks", "documents"], ids: Sequence[int]) -> Query:
    """The stored mean vectors of the given chunks or documents, (len(ids), dim) in that order."""
    key = _ID[level]
    stmt = f"SELECT x.{key}, x.embedding FROM {level} x WHERE {_where()} AND x.{key} = ANY(%(ids)s)"
    want = [int(i) for i in ids]

    def decode(rows: list[tuple]) -> np.ndarray:
        got = {int(i): np.asarray(v.to_numpy(), dtype=np.float32) for i, v in rows}
        missing = [i for i in want if i not in got]
        if missing:
            raise KeyError(f"no {level} {missing[:5]} in generation {scope.generation}")
        return np.stack([got[i] for i in want]) if want else np.zeros((0, 0), np.float32)

    return Query(stmt, _scope(scope, ids=_ids(ids)), decode)


# -- BM25 --------------------------------------------------------------------------------------------

# the query as a sparsevec of term counts over the generation's vocabulary, and its term ids
_QUERY_TERMS = """
WITH qt AS (
    SELECT v.term_id, count(*) AS n
    FROM unnest(%(terms)s::text[]) AS t(term)
    JOIN vocabulary v ON v.corpus_id = %(c)s AND v.generation = %(g)s AND v.term = t.term
    GROUP BY v.term_id
), q AS (
    SELECT array_agg(term_id ORDER BY term_id) AS ids,
           ('{' || string_agg((term_id + 1)::text || ':' || n::text, ',' ORDER BY term_id) || '}/'
            || %(dim)s::text)::sparsevec AS vec
    FROM qt
)
"""


def _terms(scope: Scope, terms: Sequence[str], **params: Any) -> dict[str, Any]:
    return _scope(scope, terms=list(terms), dim=max(1, scope.vocabulary), **params)


def bm25_top_k(scope: Scope, level: Level, terms: Sequence[str], k: int) -> Query:
    """The ``k`` rows of a level with the highest BM25 for the query's (analyzed) terms; rows
    without any query term are never returned."""
    if level == "documents":
        stmt = _QUERY_TERMS + (
            "SELECT x.doc, -sum(x.bm25 <#> (SELECT vec FROM q)) AS s FROM document_terms x "
            f"WHERE {_where()} AND x.terms && (SELECT ids FROM q) GROUP BY x.doc ORDER BY s DESC, x.doc LIMIT %(k)s"
        )
    else:
        key = _ID[level]
        stmt = _QUERY_TERMS + (
            f"SELECT x.{key}, -(x.bm25 <#> (SELECT vec FROM q)) AS s FROM {level} x "
            f"WHERE {_where()} AND x.terms && (SELECT ids FROM q) ORDER BY s DESC, x.{key} LIMIT %(k)s"
        )
    return Query(stmt, _terms(scope, terms, k=int(k)), _ranked)


def bm25_scores(scope: Scope, level: Level, terms: Sequence[str], ids: Sequence[int]) -> Query:
    """BM25 of each given row for the query's terms (aligned with ``ids``; 0 without a shared term)."""
    if level == "documents":
        stmt = _QUERY_TERMS + (
            "SELECT x.doc, -sum(x.bm25 <#> (SELECT vec FROM q)) FROM document_terms x "
            f"WHERE {_where()} AND x.doc = ANY(%(ids)s) AND x.terms && (SELECT ids FROM q) GROUP BY x.doc"
        )
    else:
        key = _ID[level]
        stmt = _QUERY_TERMS + (
            f"SELECT x.{key}, -(x.bm25 <#> (SELECT vec FROM q)) FROM {level} x "
            f"WHERE {_where()} AND x.{key} = ANY(%(ids)s) AND x.terms && (SELECT ids FROM q)"
        )
    return Query(stmt, _terms(scope, terms, ids=_ids(ids)), _by_id(ids))


def best_chunk_bm25(scope: Scope, terms: Sequence[str], docs: Sequence[int]) -> Query:
    """Per given document, the highest BM25 of its chunks (0 when none has a query term)."""
    stmt = _QUERY_TERMS + (
        "SELECT x.doc, max(-(x.bm25 <#> (SELECT vec FROM q))) FROM chunks x "
        f"WHERE {_where()} AND x.doc = ANY(%(ids)s) AND x.terms && (SELECT ids FROM q) GROUP BY x.doc"
    )
    return Query(stmt, _terms(scope, terms, ids=_ids(docs)), _by_id(docs))


def idf(scope: Scope, level: Level, terms: Sequence[str]) -> Query:
    """IDF of each term at a level, as ``BM25Index.idf`` (an unknown term has df 0)."""
    n = int(scope.stats[level]["n"])
    stmt = (
        f"SELECT v.term, v.{_DF[level]} FROM vocabulary v "
        "WHERE v.corpus_id = %(c)s AND v.generation = %(g)s AND v.term = ANY(%(terms)s::text[])"
    )
    want = list(terms)

    def decode(rows: list[tuple]) -> dict[str, float]:
        df = {str(t): int(f) for t, f in rows}
        return {t: float(np.log(1.0 + (n - df.get(t, 0) + 0.5) / (df.get(t, 0) + 0.5))) for t in want}

    return Query(stmt, _scope(scope, terms=want), decode)


# -- rows --------------------------------------------------------------------------------------------


@dataclass
class Span:
    doc: int
    char_start: int
    char_end: int
    line: int | None
    page: int | None
    text: str  # document_text[char_start:char_end], sliced by the server


def spans(scope: Scope, level: Literal["units", "chunks"], ids: Sequence[int]) -> Query:
    """Where the given units or chunks are, and their verbatim text (aligned with ``ids``)."""
    key = _ID[level]
    line = "x.line, x.page" if level == "units" else "NULL::int, NULL::int"
    stmt = (
        f"SELECT x.{key}, x.doc, x.char_start, x.char_end, {line}, "
        "substr(d.text, x.char_start + 1, x.char_end - x.char_start) "
        f"FROM {level} x JOIN documents d ON d.corpus_id = x.corpus_id AND d.generation = x.generation "
        f"AND d.doc = x.doc WHERE {_where()} AND x.{key} = ANY(%(ids)s)"
    )
    want = [int(i) for i in ids]

    def decode(rows: list[tuple]) -> list[Span]:
        got = {int(r[0]): Span(int(r[1]), int(r[2]), int(r[3]), r[4], r[5], r[6]) for r in rows}
        return [got[i] for i in want]

    return Query(stmt, _scope(scope, ids=_ids(ids)), decode)


def document_texts(scope: Scope, docs: Sequence[int]) -> Query:
    """(source, text) of the given documents, aligned with ``docs``."""
    stmt = f"SELECT x.doc, x.source, x.text FROM documents x WHERE {_where()} AND x.doc = ANY(%(ids)s)"
    want = [int(i) for i in docs]

    def decode(rows: list[tuple]) -> list[tuple[str, str]]:
        got = {int(d): (s, t) for d, s, t in rows}
        return [got[i] for i in want]

    return Query(stmt, _scope(scope, ids=_ids(docs)), decode)


# -- running -----------------------------------------------------------------------------------------


def run(conn: psycopg.Connection, scope: Scope, *queries: Query) -> list[Any]:
    """Run ``queries`` against ``scope`` in one round trip (a pipeline, one sync); their decoded results.

    A scope's generation never changes once live, so the queries need no shared snapshot; what
    can happen is that the generation was dropped (a reader that resolved its scope more than
    the grace period ago). The check runs after the queries: ``drop_retired`` deletes a
    generation's row before it drops its tables, so a row still there means every query ran
    while the tables existed. Raises GenerationGone otherwise: resolve the live scope again."""
    if conn.autocommit is False:
        raise ValueError("search needs an autocommit connection")
    with conn.pipeline():
        cursors = [conn.cursor(binary=True) for _ in queries]
        for cur, q in zip(cursors, queries, strict=True):
            cur.execute(q.sql, q.params)
        check = conn.execute(
            "SELECT 1 FROM generations WHERE corpus_id = %s AND generation = %s AND state IN ('live', 'retired')",
            (scope.corpus_id, scope.generation),
        )
    if check.fetchone() is None:
        raise GenerationGone(scope.corpus, scope.generation)
    return [q.decode(cur.fetchall()) for cur, q in zip(cursors, queries, strict=True)]


def one(conn: psycopg.Connection, scope: Scope, query: Query) -> Any:
    return run(conn, scope, query)[0]


def dense_top_k(conn: psycopg.Connection, scope: Scope, q_vec: np.ndarray, k: int, *, exact: bool = False,
                overfetch: int | None = None) -> DenseUnits:
    return one(conn, scope, dense_units(scope, q_vec, k, exact=exact, overfetch=overfetch))


def _vec(v: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(v, dtype=np.float32).reshape(-1))


def _ids(ids: Sequence[int]) -> list[int]:
    return [int(i) for i in np.asarray(ids).reshape(-1).tolist()]
