"""``PostgresBackend``: the ``Backend`` over one generation of one corpus in PostgreSQL + pgvector.

Opened by the factory as ``CITEBOT_STORE=postgres`` (``CITEBOT_PG_DSN``, ``CITEBOT_CORPUS``; reads go
to ``CITEBOT_PG_REPLICA_DSNS`` when there are any). What it keeps in memory is the generation's
structure, small integer arrays loaded once on open (each chunk's units and document, each
document's units and its record without the text), the manifest and the block tables, and, for a
generation of at most ``CLIENT_VECTORS_MAX_ROWS`` units, chunks and documents, every vector
(``vectors.py``: the cosines of the candidates are then computed here, as the local index does);
BM25 weights and texts stay in the database.

A question costs at most two round trips, both made by ``prefetch`` (called by ``retrieval.search``
before it reads anything), and one once what it reads is held:

1. its candidates, in one pipeline: the dense top-k units (exact scan or the generation's HNSW
   index) and, for the terms not seen before, their term ids and document frequencies (and those
   of the other terms whose IDF the quote spans weigh) and their BM25 postings among chunks and
   documents; BM25 of every chunk and document is then summed here from the postings of the
   question's terms (``_bm25``: the server's float32 arithmetic, in its order), so the BM25 top
   chunks and documents and every BM25 score the rankers read cost no query;
2. what the rest of the question reads about them and is not held yet, in a second pipeline: the
   cosine of every unit of every candidate document, of every chunk of those documents and of the
   documents (only when the vectors are not held), the records (offsets, display text, kind…) and
   texts of the candidate chunks, the records of their units and of the units around them that a
   quote may extend to, and the texts and blocks of the candidate chunks' documents (up to
   ``TEXT_BUDGET`` bytes, best-ranked first: the top passages and their quotes are among them).

Retrieval, document ranking, quote selection, refinement and the answer then read from what these
brought (candidate documents are a superset of what the query path asks about). A lookup outside
them (another caller, a larger k) is answered by a query of its own, so results never depend on the
prefetch, only the number of round trips does (``round_trips`` counts them). Vectors, records,
texts, term ids and postings are kept across questions (a generation never changes; the backend is
bound to one, and a re-index opens a new backend); per-question numbers are kept per thread, keyed
by the question's vector and terms.
"""

from __future__ import annotations

import re
import struct
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from pgvector import SparseVector

from index.storage.backend import ChunkRecord, UnitRecord, register
from index.storage.manifest import Manifest
from index.storage.postgres import search, vectors
from index.storage.postgres.connection import connect
from index.storage.postgres.generations import Scope, live_scope
from index.storage.postgres.schema import schema_dim
from index.storage.postgres.search import Query
from index.storage.schema import BLOCK_DTYPE, DocRecord

_TERM = re.compile(r"\w+")  # what an analyzed term looks like; anything else is in no vocabulary


class _Cache:
    """A bounded, thread-safe map (least recently added dropped first)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            return self._items.get(key)

    def missing(self, keys: Sequence[Any]) -> list[Any]:
        """The keys not held, in order (one lock for all: a question checks thousands)."""
        with self._lock:
            items = self._items
            return [k for k in keys if k not in items]

    def put_many(self, items: dict[Any, Any]) -> None:
        with self._lock:
            self._items.update(items)
            while len(self._items) > self.limit:
                self._items.popitem(last=False)


@dataclass
class _Question:
    """What the two round trips of one question brought (kept per thread)."""

    q_key: bytes | None
    terms: tuple[str, ...] | None
    dense: np.ndarray | None = None  # unit ids, best first
    dense_k: int = 0
    top: dict[str, tuple[np.ndarray, np.ndarray, int]] = field(default_factory=dict)  # level -> ids, scores, k
    unit_cos: dict[int, float] = field(default_factory=dict)
    chunk_cos: dict[int, float] = field(default_factory=dict)
    doc_cos: dict[int, float] = field(default_factory=dict)
    bm25: dict[str, dict[int, float]] = field(default_factory=lambda: {"chunks": {}, "documents": {}})
    bm25_all: dict[str, _Scores] = field(default_factory=dict)  # level -> BM25 of every row


class _Doc(DocRecord):
    """A document record whose text is read from the database when it is first needed."""

    def __init__(self, backend: PostgresBackend, d: int, source: str, title: str, hash: str,  # noqa: A002
                 format: str, role: str, repo_path: str) -> None:  # noqa: A002
        self.source, self.title, self.hash = source, title, hash
        self.format, self.role, self.repo_path = format, role, repo_path
        self._backend, self._d = backend, d

    @property  # type: ignore[override]
    def text(self) -> str:
        return self._backend._document_text(self._d)

    def __repr__(self) -> str:
        return f"_Doc({self._d}, {self.source!r})"


class _Lexical:
    """BM25 of one question over chunks or documents (``backend.LexicalQuery``)."""

    def __init__(self, backend: PostgresBackend, level: str, terms: list[str]) -> None:
        self.backend, self.level, self.terms = backend, level, list(terms)

    def top(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        q = self.backend._question(terms=self.terms)
        if q is not None and self.level in q.bm25_all:
            ids, scores = _top_k(q.bm25_all[self.level], k)
            return ids, scores.astype(np.float32)
        got = q.top.get(self.level) if q is not None else None
        if got is not None and (k <= got[2] or len(got[0]) < got[2]):
            ids, scores, _ = got
            return ids[:k].copy(), scores[:k].astype(np.float32)
        r = self.backend._run(search.bm25_top_k(self.backend.scope, self.level, self.terms, k))[0]
        return r.ids, r.scores.astype(np.float32)

    def scores(self, ids: np.ndarray) -> np.ndarray:
        ids = np.asarray(ids, dtype=np.int64)
        q = self.backend._question(terms=self.terms)
        if q is not None and self.level in q.bm25_all:
            return q.bm25_all[self.level][ids].astype(np.float32)
        known = q.bm25[self.level] if q is not None else {}
        missing = [i for i in ids.tolist() if i not in known]
        if missing:
            fetched = self.backend._run(search.bm25_scores(self.backend.scope, self.level, self.terms, missing))[0]
            known = dict(known) | dict(zip(missing, fetched.tolist(), strict=True))
        return np.array([known[i] for i in ids.tolist()], dtype=np.float32)


LEVELS = ("chunks", "documents")
_UNKNOWN = (-1, 0)  # a term in no vocabulary: no term id, document frequency 0
_NO_POSTINGS = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32))


class _SizedCache(_Cache):
    """A ``_Cache`` of postings bounded by their total length (entries), not their number."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self._size = 0

    def put_many(self, items: dict[Any, Any]) -> None:
        with self._lock:
            for key, value in items.items():
                old = self._items.pop(key, None)
                self._size += len(value[0]) - (len(old[0]) if old is not None else 0)
                self._items[key] = value
            while self._size > self.limit and len(self._items) > 1:
                self._size -= len(self._items.popitem(last=False)[1][0])


SPAN_WINDOW = 12  # units on each side of a candidate quote that the spans stage may read (index.query.extend)

class PostgresBackend:
    UNIT_CACHE = 200_000
    CHUNK_CACHE = 50_000
    TEXT_CACHE = 64 << 20  # characters of document text kept across questions (SciFact's are ~8M in all)
    TEXT_BUDGET = 1 << 20  # bytes of document text a question's second round trip may bring
    POSTINGS_CACHE = 4_000_000  # BM25 postings (row, weight) kept per level, across questions
    # a level of more rows than this is scored by the server (its top-k, then the candidates'
    # scores), not summed on the client from postings: a question would allocate arrays of every
    # row, and a frequent term's postings would be a large fetch and crowd the cache
    CLIENT_BM25_MAX_ROWS = 500_000
    # a generation of at most this many units, chunks and documents in all has every vector held by
    # the reader (``vectors.py``; 1.5 kB a row at 384 dimensions, ~300 MB at the limit): the cosines
    # of the candidates cost no query, and a warm question one round trip (its dense candidates)
    CLIENT_VECTORS_MAX_ROWS = 200_000

    def __init__(self, dsn: str, scope: Scope, manifest: Manifest, *, exact: bool = False,
                 conn: psycopg.Connection | None = None) -> None:
        self.dsn = dsn
        self.scope = scope
        self.manifest = manifest
        self.generation = f"postgres:{scope.corpus}/g{scope.generation}"
        self.exact = exact
        self.round_trips = 0
        self._local = threading.local()
        self._conns: list[psycopg.Connection] = []
        self._conns_lock = threading.Lock()
        if conn is not None:
            self._local.conn = conn
            self._conns.append(conn)
        self._units = _Cache(self.UNIT_CACHE)
        self._records = _Cache(self.UNIT_CACHE)  # built UnitRecords (immutable, as the generation)
        self._chunks = _Cache(self.CHUNK_CACHE)
        self._texts = _SizedCache(self.TEXT_CACHE)  # (text, blocks) by document, bounded by characters
        self._idf = _Cache(1_000_000)
        self._vocab = _Cache(1_000_000)  # term -> (term id, df among chunks), or None: not in the vocabulary
        self._postings = {level: _SizedCache(self.POSTINGS_CACHE) for level in ("chunks", "documents")}
        self._vectors: vectors.GenerationVectors | None = None
        self._load_structure()
        if self.n_units + self.n_chunks + self.n_documents <= self.CLIENT_VECTORS_MAX_ROWS:
            sizes = {"units": self.n_units, "chunks": self.n_chunks, "documents": self.n_documents}
            self._vectors = vectors.load(self._conn(), scope, sizes)

    # -- opening -------------------------------------------------------------------------------------
    @classmethod
    def open(cls, settings: Any, index_dir: Path, on_manifest: Callable[[Manifest], None] | None = None) -> PostgresBackend:
        """The live generation of ``settings.corpus`` (``index_dir`` is not read: the database is the index)."""
        dsn = read_dsn(settings)
        conn = connect(dsn)
        try:
            schema_dim(conn)  # SchemaMismatch (one line) for a database of another citebot
            scope = live_scope(conn, settings.corpus)
            manifest = _manifest(conn, scope)
            if on_manifest is not None:
                on_manifest(manifest)
            return cls(dsn, scope, manifest, exact=bool(getattr(settings, "pg_exact", False)), conn=conn)
        except BaseException:
            conn.close()
            raise

    def close(self) -> None:
        self._vectors = None  # what was read of this generation goes with it
        with self._conns_lock:
            for c in self._conns:
                c.close()
            self._conns.clear()

    def _conn(self) -> psycopg.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            conn = connect(self.dsn)
            self._local.conn = conn
            with self._conns_lock:
                self._conns.append(conn)
        return conn

    def _run(self, *queries: Query) -> list[Any]:
        self.round_trips += 1
        return search.run(self._conn(), self.scope, *queries)

    def _load_structure(self) -> None:
        s = self.scope
        conn = self._conn()
        chunks = _copy_int4(conn, "SELECT first_unit, last_unit, doc FROM chunks WHERE corpus_id = %s AND generation = %s "
                            "ORDER BY chunk", (s.corpus_id, s.generation), 3)
        self._chunk_first = chunks[:, 0].astype(np.int64)
        self._chunk_last = chunks[:, 1].astype(np.int64)
        self._chunk_doc = chunks[:, 2].astype(np.int64)
        rows = conn.execute(
            "SELECT doc, unit_start, unit_end, source, title, hash, format, role, repo_path, "
            "octet_length(text) + octet_length(blocks) FROM documents "
            "WHERE corpus_id = %s AND generation = %s ORDER BY doc", (s.corpus_id, s.generation), binary=True,
        ).fetchall()
        self._docs = [_Doc(self, int(r[0]), *r[3:9]) for r in rows]
        self._doc_bytes = np.array([int(r[9]) for r in rows], dtype=np.int64)
        self._doc_unit_start = np.array([r[1] for r in rows] + [int(s.counts.get("units", 0))], dtype=np.int64)
        self._doc_unit_end = np.array([r[2] for r in rows], dtype=np.int64)
        self._doc_chunk_start = np.searchsorted(self._chunk_doc, np.arange(len(rows) + 1)).astype(np.int64)
        tables = conn.execute(
            "SELECT tables FROM generations WHERE corpus_id = %s AND generation = %s", (s.corpus_id, s.generation)
        ).fetchone()
        tables = tables[0] if tables else {}
        self._kinds = list(tables.get("kinds", []))
        self._contexts = list(tables.get("contexts", [""]))
        self._n_units = int(s.counts.get("units", 0))

    # -- sizes -----------------------------------------------------------------------------------------
    @property
    def n_documents(self) -> int:
        return len(self._docs)

    @property
    def n_chunks(self) -> int:
        return len(self._chunk_first)

    @property
    def n_units(self) -> int:
        return self._n_units

    # -- the question's two round trips -----------------------------------------------------------------
    def prefetch(self, q_vec: np.ndarray | None, terms: list[str] | None, dense_k: int, chunk_k: int,
                 doc_k: int, idf_terms: Sequence[str] = ()) -> None:
        """Fetch what one question will read (see the module doc): its candidates, then their evidence,
        records and documents. (An empty question, with neither candidates nor terms, costs no round trip.)"""
        s = self.scope
        q = _Question(_key(q_vec) if q_vec is not None else None, tuple(terms) if terms is not None else None)
        first: list[Query] = []
        dense = q_vec is not None and dense_k > 0
        if dense:
            first.append(search.dense_units(s, q_vec, dense_k, exact=self.exact))
        lexical = terms is not None and bool(terms)
        want = list(dict.fromkeys([*(terms or ()), *idf_terms])) if lexical else []
        for t in want:  # no analyzed term looks like this: in no vocabulary
            if not _TERM.fullmatch(t):
                self._vocab.put_many({t: _UNKNOWN})
        need_vocab = [t for t in want if self._vocab.get(t) is None]
        q_terms = sorted({t for t in (terms or ()) if _TERM.fullmatch(t)}) if lexical else []
        sizes = {"chunks": self.n_chunks, "documents": self.n_documents}
        client = [lvl for lvl in LEVELS if sizes[lvl] <= self.CLIENT_BM25_MAX_ROWS]
        server = [lvl for lvl in LEVELS if lvl not in client] if lexical else []
        need_post = {lvl: [t for t in q_terms if self._postings[lvl].get(t) is None] for lvl in client}
        if need_vocab:
            first.append(_term_ids(s, need_vocab))
        first += [_postings(s, lvl, need) for lvl, need in need_post.items() if need]
        first += [search.bm25_top_k(s, lvl, terms, chunk_k if lvl == "chunks" else doc_k) for lvl in server]
        got = self._run(*first) if first else []
        if dense:
            top = got.pop(0)
            q.dense, q.dense_k = top.ids, dense_k
        if need_vocab:
            found = got.pop(0)
            self._vocab.put_many({t: found.get(t, _UNKNOWN) for t in need_vocab})
        for lvl, need in need_post.items():
            if need:
                found = got.pop(0)
                self._postings[lvl].put_many({t: found.get(t, _NO_POSTINGS) for t in need})
        for lvl in server:
            top = got.pop(0)
            q.top[lvl] = (top.ids, top.scores, chunk_k if lvl == "chunks" else doc_k)
        counts: dict[int, tuple[str, int]] = {}
        if lexical:
            n = int(s.stats["chunks"]["n"])
            vocab = {t: self._vocab.get(t) for t in want}
            self._idf.put_many({t: _idf(n, vocab[t][1]) for t in want})
            for t in terms or ():
                tid = vocab[t][0]
                if tid >= 0:
                    counts[tid] = (t, counts.get(tid, (t, 0))[1] + 1)
            for lvl in client:
                posts = [(self._postings[lvl].get(t), c) for _, (t, c) in sorted(counts.items())]
                q.bm25_all[lvl] = _bm25(posts, sizes[lvl])
        elif terms is not None:
            q.top["chunks"] = (np.zeros(0, np.int64), np.zeros(0), chunk_k)
            q.top["documents"] = (np.zeros(0, np.int64), np.zeros(0), doc_k)

        # candidate chunks (a superset of what retrieval takes) and their documents, in the order of
        # the first-stage rankings (what the document texts' budget keeps first)
        ranked: list[int] = []
        if q.dense is not None and len(q.dense):
            c = self.unit_chunks(q.dense)
            for a, b in zip(c.tolist(), (c + 1).tolist(), strict=True):
                ranked.append(a)
                if b < self.n_chunks:
                    ranked.append(b)
        if "chunks" in q.bm25_all:
            ranked += _top_k(q.bm25_all["chunks"], chunk_k)[0].tolist()
        elif "chunks" in q.top:
            ranked += q.top["chunks"][0].tolist()
        ranked = list(dict.fromkeys(ranked))
        cand = set(ranked)
        chunk_docs = list(dict.fromkeys(self._chunk_doc[np.asarray(ranked, dtype=np.int64)].tolist())) if ranked else []
        docs = set(chunk_docs)
        if "documents" in q.bm25_all:
            docs.update(_top_k(q.bm25_all["documents"], doc_k)[0].tolist())
        elif "documents" in q.top:
            docs.update(q.top["documents"][0].tolist())
        if not docs:
            self._local.question = q
            return
        docs_a = np.fromiter(sorted(docs), dtype=np.int64, count=len(docs))
        units = search.id_ranges(self._doc_unit_start[docs_a], self._doc_unit_end[docs_a])
        all_chunks = search.id_ranges(self._doc_chunk_start[docs_a], self._doc_chunk_start[docs_a + 1])
        cand_a = np.fromiter(sorted(cand), dtype=np.int64, count=len(cand))
        need_chunks = self._chunks.missing(cand_a.tolist())
        need_docs, budget = [], self.TEXT_BUDGET
        for d in chunk_docs:
            if self._texts.get(("text", d)) is None and self._doc_bytes[d] <= budget:
                need_docs.append(d)
                budget -= int(self._doc_bytes[d])
        # a chunk of a document whose text comes in this round trip, or came before, is cut from it
        # here, not by the server (its document's out-of-line text read per chunk)
        cut_here = sorted(d for d in set(self._chunk_doc[np.asarray(need_chunks, dtype=np.int64)].tolist())
                          if d in set(need_docs) or self._texts.get(("text", d)) is not None) if need_chunks else []
        # the units of the candidate chunks and the window around them that quote spans may read
        cdoc = self._chunk_doc[cand_a]
        lo = np.maximum(self._chunk_first[cand_a] - SPAN_WINDOW, self._doc_unit_start[cdoc])
        hi = np.minimum(self._chunk_last[cand_a] + SPAN_WINDOW, self._doc_unit_end[cdoc])
        need_units = self._units.missing(np.unique(search.id_ranges(lo, hi)).tolist())
        # the texts and blocks of the candidate chunks' documents (the top passages are among them), up
        # to a byte budget, best-ranked first; what is left out costs a round trip when it is read
        second: list[Query] = []
        if q_vec is not None and self._vectors is None:
            # the units and chunks of each candidate document are a range of ids
            second += [search.cosines_in_ranges(s, "units", q_vec, self._doc_unit_start[docs_a], self._doc_unit_end[docs_a]),
                       search.cosines_in_ranges(s, "chunks", q_vec, self._doc_chunk_start[docs_a],
                                                self._doc_chunk_start[docs_a + 1]),
                       search.cosines(s, "documents", q_vec, docs_a)]
        given = {"chunks": all_chunks, "documents": docs_a}
        qv = SparseVector({tid: float(c) for tid, (_, c) in counts.items()}, max(1, s.vocabulary))
        second += [_bm25_given(s, lvl, qv, given[lvl]) for lvl in server]
        if need_chunks:
            second.append(_chunk_rows(s, need_chunks, cut_here))
        if need_units:
            second.append(_unit_rows(s, need_units))
        if need_docs:
            second.append(_document_rows(s, need_docs))
        got = self._run(*second) if second else []
        if q_vec is not None and self._vectors is None:
            u_cos, c_cos, d_cos = got[:3]
            got = got[3:]
            q.unit_cos = dict(zip(units.tolist(), u_cos.tolist(), strict=True))
            q.chunk_cos = dict(zip(all_chunks.tolist(), c_cos.tolist(), strict=True))
            q.doc_cos = dict(zip(docs_a.tolist(), d_cos.tolist(), strict=True))
        for lvl in server:
            q.bm25[lvl] = got.pop(0)
        if terms is not None and not lexical:  # no term: every score is 0
            q.bm25 = {"chunks": dict.fromkeys(all_chunks.tolist(), 0.0), "documents": dict.fromkeys(docs_a.tolist(), 0.0)}
        chunk_rows = got.pop(0) if need_chunks else {}
        if need_units:
            self._store_units(got.pop(0))
        texts = got.pop(0) if need_docs else {}
        if texts:
            self._texts.put_many({("text", d): row for d, row in texts.items()})
        for c, row in chunk_rows.items():
            if row[5] is None:  # its document's text is here: cut by code points, as substr does
                text = texts[row[0]][0] if row[0] in texts else self._document_text(row[0])
                chunk_rows[c] = (*row[:5], text[row[1] : row[2]], *row[6:])
        if chunk_rows:
            self._chunks.put_many(chunk_rows)
        self._local.question = q

    def prefetch_documents(self, docs: Sequence[int]) -> None:
        """The unit rows begin: the texts and blocks of the top passages' documents, in one round trip."""
        need = [int(d) for d in docs if self._texts.get(("text", int(d))) is None]
        if need:
            self._texts.put_many({("text", d): row for d, row in self._run(_document_rows(self.scope, need))[0].items()})

    def prefetch_spans(self, units: Sequence[int], terms: Sequence[str] = ()) -> None:
        """The spans stage begins: fetch in one round trip what extending these candidate quotes reads
        (their documents' text and blocks, the units around each inside its document, the IDF of the
        question's evidence terms). Results never depend on it."""
        if not len(units):
            return
        ids = np.asarray(sorted({int(u) for u in units}), dtype=np.int64)
        docs = sorted(set(self.unit_documents(ids).tolist()))
        need_docs = [d for d in docs if self._texts.get(("text", d)) is None]
        need_units: set[int] = set()
        for u, d in zip(ids.tolist(), self.unit_documents(ids).tolist(), strict=True):
            lo, hi = max(int(self._doc_unit_start[d]), u - SPAN_WINDOW), min(int(self._doc_unit_end[d]), u + SPAN_WINDOW + 1)
            need_units.update(self._units.missing(range(lo, hi)))
        need_terms = sorted({t for t in terms if self._idf.get(t) is None and _TERM.fullmatch(t)})
        queries: list[Query] = []
        if need_docs:
            queries.append(_document_rows(self.scope, need_docs))
        if need_units:
            queries.append(_unit_rows(self.scope, sorted(need_units)))
        if need_terms:
            queries.append(search.idf(self.scope, "chunks", need_terms))
        if not queries:
            return
        got = self._run(*queries)
        if need_docs:
            self._texts.put_many({("text", d): row for d, row in got.pop(0).items()})
        if need_units:
            self._store_units(got.pop(0))
        if need_terms:
            self._idf.put_many(got.pop(0))

    def _question(self, q_vec: np.ndarray | None = None, terms: list[str] | None = None) -> _Question | None:
        q = getattr(self._local, "question", None)
        if q is None:
            return None
        if q_vec is not None and q.q_key != _key(q_vec):
            return None
        if terms is not None and q.terms != tuple(terms):
            return None
        return q

    # -- dense ---------------------------------------------------------------------------------------
    def dense_units(self, q_vec: np.ndarray, k: int) -> np.ndarray:
        q = self._question(q_vec=q_vec)
        if q is not None and q.dense is not None and (k <= q.dense_k or len(q.dense) < q.dense_k):
            return q.dense[:k].copy()
        return self._run(search.dense_units(self.scope, q_vec, k, exact=self.exact))[0].ids

    def _cosines(self, level: str, attr: str, ids: np.ndarray, q_vec: np.ndarray) -> np.ndarray:
        ids = np.asarray(ids, dtype=np.int64)
        held = self._vectors
        if held is not None:
            return held.cosines(level, ids, q_vec)
        q = self._question(q_vec=q_vec)
        known: dict[int, float] = getattr(q, attr) if q is not None else {}
        missing = [i for i in ids.tolist() if i not in known]
        if missing:
            fetched = self._run(search.cosines(self.scope, level, q_vec, missing))[0]  # type: ignore[arg-type]
            known = dict(known) | dict(zip(missing, fetched.tolist(), strict=True))
        return np.array([known[i] for i in ids.tolist()], dtype=np.float32)

    def unit_cosines(self, ids: np.ndarray, q_vec: np.ndarray) -> np.ndarray:
        return self._cosines("units", "unit_cos", ids, q_vec)

    def chunk_cosines(self, ids: np.ndarray, q_vec: np.ndarray) -> np.ndarray:
        return self._cosines("chunks", "chunk_cos", ids, q_vec)

    def document_cosines(self, ids: np.ndarray, q_vec: np.ndarray) -> np.ndarray:
        return self._cosines("documents", "doc_cos", ids, q_vec)

    # -- lexical -------------------------------------------------------------------------------------
    def bm25_chunks(self, terms: list[str]) -> _Lexical:
        return _Lexical(self, "chunks", terms)

    def bm25_documents(self, terms: list[str]) -> _Lexical:
        return _Lexical(self, "documents", terms)

    def idf(self, term: str) -> float:
        got = self._idf.get(term)
        if got is not None:
            return got
        n = int(self.scope.stats["chunks"]["n"])
        if not _TERM.fullmatch(term):  # no analyzed term looks like this: in no chunk
            value = _idf(n, 0)
        else:
            value = self._run(search.idf(self.scope, "chunks", [term]))[0][term]
        self._idf.put_many({term: value})
        return value

    # -- structure -----------------------------------------------------------------------------------
    def unit_chunks(self, ids: np.ndarray) -> np.ndarray:
        """The first chunk holding each unit (0 for a unit in no chunk, as the local index)."""
        ids = np.asarray(ids, dtype=np.int64)
        c = np.searchsorted(self._chunk_last, ids, side="right")
        ok = c < len(self._chunk_last)
        ok[ok] &= self._chunk_first[c[ok]] <= ids[ok]
        return np.where(ok, c, 0).astype(np.int64)

    def chunk_spans(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ids = np.asarray(ids, dtype=np.int64)
        return self._chunk_first[ids], self._chunk_last[ids]

    def chunk_documents(self, ids: np.ndarray) -> np.ndarray:
        return self._chunk_doc[np.asarray(ids, dtype=np.int64)]

    def unit_documents(self, ids: np.ndarray) -> np.ndarray:
        ids = np.asarray(ids, dtype=np.int64)
        return (np.searchsorted(self._doc_unit_start, ids, side="right") - 1).astype(np.int64)

    def document_units(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ids = np.asarray(ids, dtype=np.int64)
        return self._doc_unit_start[ids], self._doc_unit_end[ids]

    def document_chunks(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ids = np.asarray(ids, dtype=np.int64)
        return self._doc_chunk_start[ids], self._doc_chunk_start[ids + 1]

    # -- records -------------------------------------------------------------------------------------
    def _store_units(self, rows: dict[int, tuple]) -> None:
        self._units.put_many(rows)

    def _unit(self, i: int) -> UnitRecord:
        record = self._records.get(int(i))
        if record is not None:
            return record
        got = self._units.get(int(i))
        if got is None:
            self._store_units(self._run(_unit_rows(self.scope, [int(i)]))[0])
            got = self._units.get(int(i))
        doc, block, kind, start, end, line, end_line, page, language, display = got
        quote = self._source_text(doc, start, end, int(i))
        record = UnitRecord(doc, block, kind, start, end, line, end_line, page, language, quote,
                            quote if display is None else display)
        self._records.put_many({int(i): record})
        return record

    def _source_text(self, doc: int, start: int, end: int, unit: int) -> str:
        """A unit's source text, cut from the text of its first chunk (fetched with it)."""
        c = int(self.unit_chunks(np.array([unit]))[0])
        if self._chunks.get(c) is None and self._texts.get(("text", int(doc))) is not None:
            return self._document_text(doc)[start:end]  # fetched already (``prefetch_spans``)
        ch = self._chunk_row(c)
        if ch[0] == doc and ch[1] <= start and end <= ch[2]:
            return ch[5][start - ch[1] : end - ch[1]]
        return self._document_text(doc)[start:end]

    def unit(self, i: int) -> UnitRecord:
        return self._unit(i)

    def unit_display(self, i: int) -> str:
        return self._unit(i).display

    def _chunk_row(self, c: int) -> tuple:
        got = self._chunks.get(int(c))
        if got is None:
            self._chunks.put_many(self._run(_chunk_rows(self.scope, [int(c)]))[0])
            got = self._chunks.get(int(c))
        return got

    def chunk(self, c: int) -> ChunkRecord:
        doc, start, end, first, last, text, line, page = self._chunk_row(c)
        return ChunkRecord(doc, start, end, range(first, last), line, page, text)

    def chunk_text(self, c: int) -> str:
        return self._chunk_row(c)[5]

    def _document_text(self, d: int) -> str:
        got = self._texts.get(("text", int(d)))
        if got is None:
            s = self.scope
            text, blocks = self._conn().execute(
                "SELECT text, blocks FROM documents WHERE corpus_id = %s AND generation = %s AND doc = %s",
                (s.corpus_id, s.generation, int(d)), binary=True,
            ).fetchone()
            self.round_trips += 1
            got = (text, bytes(blocks))
            self._texts.put_many({("text", int(d)): got})
        return got[0] if isinstance(got, tuple) else got

    def document(self, d: int) -> DocRecord:
        return self._docs[int(d)]

    def documents(self) -> Sequence[DocRecord]:
        return self._docs

    def document_blocks(self, d: int) -> np.ndarray:
        self._document_text(d)
        raw = self._texts.get(("text", int(d)))[1]
        return np.frombuffer(raw, dtype=BLOCK_DTYPE.newbyteorder("<")).astype(BLOCK_DTYPE)

    def tables(self) -> tuple[list[str], list[str]]:
        return self._kinds, self._contexts


# -- queries of this backend ---------------------------------------------------------------------------


def _term_ids(scope: Scope, terms: Sequence[str]) -> Query:
    """term -> (term id, document frequency among chunks) for the known terms."""
    stmt = (
        "SELECT v.term, v.term_id, v.df_chunks FROM vocabulary v "
        "WHERE v.corpus_id = %(c)s AND v.generation = %(g)s AND v.term = ANY(%(terms)s::text[])"
    )

    def decode(rows: list[tuple]) -> dict[str, tuple[int, int]]:
        return {str(t): (int(i), int(df)) for t, i, df in rows}

    return Query(stmt, {"c": scope.corpus_id, "g": scope.generation, "terms": sorted(set(terms))}, decode)


def _bm25_given(scope: Scope, level: str, qv: SparseVector, ids: np.ndarray) -> Query:
    """BM25 of the given chunks or documents, by the server: id -> score (every id; 0 without a
    query term). For a level too large to be summed on the client from postings."""
    if level == "documents":
        stmt = ("SELECT x.doc, -sum(x.bm25 <#> %(q)s) FROM document_terms x "
                "WHERE x.corpus_id = %(c)s AND x.generation = %(g)s AND x.doc = ANY(%(ids)s) GROUP BY x.doc")
    else:
        stmt = ("SELECT x.chunk, -(x.bm25 <#> %(q)s) FROM chunks x "
                "WHERE x.corpus_id = %(c)s AND x.generation = %(g)s AND x.chunk = ANY(%(ids)s)")
    want = [int(i) for i in ids.tolist()]

    def decode(rows: list[tuple]) -> dict[int, float]:
        got = dict.fromkeys(want, 0.0)
        got.update({int(i): float(v or 0.0) for i, v in rows})
        return got

    return Query(stmt, {"c": scope.corpus_id, "g": scope.generation, "q": qv, "ids": want}, decode)


def _postings(scope: Scope, level: str, terms: Sequence[str]) -> Query:
    """term -> the BM25 postings of a level: (row ids, document parts, weights as float32), every
    row holding the term. A weight is read as its row's inner product with the term's one-hot
    vector: the stored float32 value itself."""
    table, key, part = ("document_terms", "doc", "x.part") if level == "documents" else ("chunks", "chunk", "0")
    stmt = (
        "WITH v AS MATERIALIZED (SELECT v.term, v.term_id, ('{' || (v.term_id + 1)::text || ':1}/' "
        "|| %(dim)s::text)::sparsevec AS one FROM vocabulary v "
        "WHERE v.corpus_id = %(c)s AND v.generation = %(g)s AND v.term = ANY(%(terms)s::text[])) "
        f"SELECT v.term, p.ids, p.parts, p.w FROM v, LATERAL (SELECT array_agg(x.{key}) AS ids, "
        f"array_agg({part}) AS parts, array_agg((-(x.bm25 <#> v.one))::float4) AS w FROM {table} x "
        "WHERE x.corpus_id = %(c)s AND x.generation = %(g)s AND x.terms && ARRAY[v.term_id]) p"
    )

    def decode(rows: list[tuple]) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        return {str(t): _NO_POSTINGS if ids is None else
                (np.asarray(ids, dtype=np.int64), np.asarray(parts, dtype=np.int64), np.asarray(w, dtype=np.float32))
                for t, ids, parts, w in rows}

    return Query(stmt, {"c": scope.corpus_id, "g": scope.generation, "dim": max(1, scope.vocabulary),
                        "terms": sorted(set(terms))}, decode)


def _bm25(postings: list[tuple[tuple[np.ndarray, np.ndarray, np.ndarray], int]], n: int) -> _Scores:
    """BM25 of every row of a level from its query terms' postings (with their counts), in ascending
    term id order: the server's arithmetic (pgvector's sparsevec inner product sums float32 products
    of weight and count in that order, per row or document part; a document's parts add in float64)."""
    parts: dict[int, np.ndarray] = {}
    hit = np.zeros(n, dtype=bool)
    for (ids, part, w), count in postings:
        if not len(ids):
            continue
        hit[ids] = True
        for p in np.unique(part).tolist():
            acc = parts.setdefault(p, np.zeros(n, dtype=np.float32))
            sel = part == p
            acc[ids[sel]] += w[sel] * np.float32(count)
    total = np.zeros(n, dtype=np.float64)
    for p in sorted(parts):
        total += parts[p].astype(np.float64)
    return _Scores(total, np.flatnonzero(hit))


@dataclass
class _Scores:
    """BM25 of every row of a level for one question, and the rows holding any of its terms."""

    all: np.ndarray  # float64, by row id
    hit: np.ndarray  # int64, ascending

    def __getitem__(self, ids: np.ndarray) -> np.ndarray:
        return self.all[ids]


def _top_k(scores: _Scores, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best rows holding a query term, best first, ties by id (as the server's ORDER BY)."""
    s = scores.all[scores.hit]
    k = max(0, int(k))
    if k == 0:
        return scores.hit[:0].copy(), s[:0]
    if k < len(s):  # sort only the rows at or above the k-th best score (ties at it included)
        kth = np.partition(s, len(s) - k)[len(s) - k]
        keep = np.flatnonzero(s >= kth)
        order = keep[np.lexsort((scores.hit[keep], -s[keep]))][:k]
    else:
        order = np.lexsort((scores.hit, -s))
    return scores.hit[order].copy(), s[order]


def _chunk_rows(scope: Scope, ids: Sequence[int], without_text: Sequence[int] = ()) -> Query:
    """chunk -> (doc, start, end, first unit, last unit, text, line and page of its first unit); the
    text is None for a chunk of the documents ``without_text`` (the caller has their texts)."""
    # the text by a subquery per chunk (an index lookup of its document): a join let the planner hash
    # every document of the generation (a sequential scan, ~10 ms on SciFact, for ~100 chunks)
    stmt = (
        "SELECT x.chunk, x.doc, x.char_start, x.char_end, x.first_unit, x.last_unit, "
        "CASE WHEN x.doc = ANY(%(local)s) THEN NULL ELSE (SELECT substr(d.text, x.char_start + 1, "
        "x.char_end - x.char_start) FROM documents d WHERE d.corpus_id = %(c)s AND d.generation = %(g)s "
        "AND d.doc = x.doc) END, u.line, u.page "
        "FROM chunks x "
        "LEFT JOIN units u ON u.corpus_id = x.corpus_id AND u.generation = x.generation AND u.unit = x.first_unit "
        "WHERE x.corpus_id = %(c)s AND x.generation = %(g)s AND x.chunk = ANY(%(ids)s)"
    )

    def decode(rows: list[tuple]) -> dict[int, tuple]:
        return {int(r[0]): (int(r[1]), int(r[2]), int(r[3]), int(r[4]), int(r[5]), r[6],
                            int(r[7]) if r[7] is not None else 1, (int(r[8]) or None) if r[8] is not None else None)
                for r in rows}

    return Query(stmt, {"c": scope.corpus_id, "g": scope.generation, "ids": [int(i) for i in ids],
                        "local": [int(d) for d in without_text]}, decode)


def _document_rows(scope: Scope, ids: Sequence[int]) -> Query:
    """doc -> (text, blocks as bytes)."""
    stmt = ("SELECT x.doc, x.text, x.blocks FROM documents x "
            "WHERE x.corpus_id = %(c)s AND x.generation = %(g)s AND x.doc = ANY(%(ids)s)")

    def decode(rows: list[tuple]) -> dict[int, tuple[str, bytes]]:
        return {int(r[0]): (r[1], bytes(r[2])) for r in rows}

    return Query(stmt, {"c": scope.corpus_id, "g": scope.generation, "ids": [int(i) for i in ids]}, decode)


def _unit_rows(scope: Scope, ids: Sequence[int]) -> Query:
    """unit -> (doc, block, kind, start, end, line, end line, page, language, display or None)."""
    stmt = (
        "SELECT x.unit, x.doc, x.block, x.kind, x.char_start, x.char_end, x.line, x.end_line, x.page, x.language, "
        "x.display FROM units x WHERE x.corpus_id = %(c)s AND x.generation = %(g)s AND x.unit = ANY(%(ids)s)"
    )

    def decode(rows: list[tuple]) -> dict[int, tuple]:
        return {int(r[0]): (int(r[1]), int(r[2]), r[3], int(r[4]), int(r[5]), int(r[6]), int(r[7]),
                            (int(r[8]) or None) if r[8] is not None else None, r[9], r[10]) for r in rows}

    return Query(stmt, {"c": scope.corpus_id, "g": scope.generation, "ids": [int(i) for i in ids]}, decode)


def _copy_int4(conn: psycopg.Connection, query: str, params: tuple, ncols: int) -> np.ndarray:
    """(rows, ncols) int32 of a query over NOT NULL int4 columns, through binary COPY (fast for millions)."""
    from psycopg import sql

    stmt = sql.SQL("COPY ({}) TO STDOUT (FORMAT BINARY)").format(sql.SQL(query))
    buf = bytearray()
    with conn.cursor() as cur:
        bound = psycopg.ClientCursor(conn).mogrify(stmt.as_string(conn), params)
        with cur.copy(bound) as copy:
            for block in copy:
                buf += block
    header = 11 + 4 + 4 + struct.unpack(">i", bytes(buf[15:19]))[0]
    body = bytes(buf[header : len(buf) - 2])
    dtype = np.dtype([("n", ">i2")] + [(f"{k}{i}", ">i4") for i in range(ncols) for k in ("len", "v")])
    rows = np.frombuffer(body, dtype=dtype)
    return np.column_stack([rows[f"v{i}"].astype(np.int32) for i in range(ncols)]).reshape(-1, ncols)


# -- helpers -----------------------------------------------------------------------------------------------


def _manifest(conn: psycopg.Connection, scope: Scope) -> Manifest:
    from index.errors import CorruptIndex

    row = conn.execute(
        "SELECT manifest FROM generations WHERE corpus_id = %s AND generation = %s", (scope.corpus_id, scope.generation)
    ).fetchone()
    data = dict(row[0]) if row else {}
    data["files"] = {}
    try:
        return Manifest(**data)
    except TypeError as exc:
        raise CorruptIndex(f"postgres corpus {scope.corpus}", f"generation {scope.generation} has no usable manifest ({exc})") from exc


def read_dsn(settings: Any) -> str:
    """Where reads go: a read replica when there are any (one per process, by its id), else the primary."""
    import os

    from index.errors import InvalidSettings

    replicas = [d for d in (_secret(x) for x in getattr(settings, "pg_replica_dsns", None) or []) if d]
    if replicas:
        return replicas[os.getpid() % len(replicas)]
    dsn = primary_dsn(settings)
    if not dsn:
        raise InvalidSettings("CITEBOT_STORE=postgres needs CITEBOT_PG_DSN (a PostgreSQL connection string)")
    return dsn


def primary_dsn(settings: Any) -> str:
    return _secret(getattr(settings, "pg_dsn", ""))


def _secret(value: Any) -> str:
    value = value.get_secret_value() if hasattr(value, "get_secret_value") else value
    return str(value or "").strip()


def _idf(n: int, df: int) -> float:
    return float(np.log(1.0 + (n - df + 0.5) / (df + 0.5)))


def _key(q_vec: np.ndarray) -> bytes:
    return np.ascontiguousarray(np.asarray(q_vec, dtype=np.float32).reshape(-1)).tobytes()


def publish(settings: Any, index_dir: Path) -> str:
    """Copy the live generation of a local index directory into ``settings.corpus`` (a new
    generation, made live in one transaction; ``ingest.ingest``); one line of what was done."""
    from index.errors import InvalidSettings
    from index.storage.postgres.ingest import ANN_KIND, ingest
    from index.storage.postgres.source import from_index_dir

    dsn = primary_dsn(settings)
    if not dsn:
        raise InvalidSettings("CITEBOT_STORE=postgres needs CITEBOT_PG_DSN (a PostgreSQL connection string)")
    src = from_index_dir(index_dir)
    conn = connect(dsn, create=True, dim=src.dim)
    try:
        r = ingest(conn, settings.corpus, src, ann_kind=getattr(settings, "pg_ann", None) or ANN_KIND)
    finally:
        conn.close()
    return (f"postgres: corpus {r.corpus!r} generation {r.generation} live ({r.units} units, {r.chunks} chunks; "
            f"{r.vectors_reused} vectors reused; {r.total_seconds:.1f} s)")


register("postgres", PostgresBackend.open, publish)
