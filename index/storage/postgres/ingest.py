"""Ingest: copy an index into generation N+1 of a corpus and make it live, while N keeps serving.

Two transactions, on one connection holding the corpus's advisory lock. The first builds:

1. new leaf tables for (corpus, N+1), not yet attached (bulk load without index maintenance);
2. BM25: the weights of chunks and documents are the local index's own (bm25s's matrices, when the
   source is a local index), or else computed by citebot's analyzer under N+1's frozen statistics
   (``lexicon.py``); units' always are (from their display texts);
3. COPY (binary, ``copybin.py``) of documents, units, chunks, BM25 parts and the vocabulary. A unit
   whose text hash the live generation already has (same model) takes its vector from there, on
   the server, instead of being sent again;
4. indexes: primary keys, GIN over term ids (BM25 candidates), an ANN index over the unit vectors
   when the corpus is too large for an exact scan (``ANN_KIND``: IVFFlat or HNSW over halfvec);
   ANALYZE;
5. validation (counts, offsets inside their documents, unit text hashes recomputed by the server
   from the stored text); any failure rolls everything back;
6. N+1's row as 'ready', the leaves attached; COMMIT. The commit syncs the new tables to disk
   (seconds at a million units), and readers of N go on meanwhile: nothing they read is locked.

The second flips: retire N, point ``corpora.live_generation`` at N+1; COMMIT (milliseconds). Only
then do readers see N+1, and by then the partitions attached by the first were announced to
every session (``schema.attach_leaves``).

A crash, kill or error anywhere before the first COMMIT rolls it back: N stays live and untouched,
no trace of N+1 remains, and the lock goes with the connection. One between the two COMMITs leaves
N live and N+1 'ready', read by nobody, dropped by the next build (``sweep_unfinished``). After the
flip, generations retired more than the grace period ago are dropped.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import psycopg
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter
from psycopg.types.json import Jsonb

from index.storage.postgres import copybin
from index.storage.postgres.errors import IngestRejected, ReindexInProgress, UnstorableText
from index.storage.postgres.generations import (
    DEFAULT_GRACE_SECONDS,
    corpus_id,
    drop_retired,
    flip,
    sweep_orphans,
    sweep_unfinished,
    try_lock,
    unlock,
)
from index.storage.postgres.lexicon import K1, B, TermRows, Vocabulary, level_stats, weights
from index.storage.postgres.schema import attach_leaves, create_leaves, ensure_schema, leaf_table
from index.storage.postgres.source import UNIT_KIND, IngestSource, LevelWeights, text_hashes

# up to this many units a corpus is searched exactly (no ANN index). Measured (BENCHMARKS.md): an exact
# top-100 costs the server ~2.3 us a unit on this shared 2-core machine (23.5 ms for 10,000), an HNSW
# search of 100,000 units 3.4 ms; at 5,000 the exact scan stays near the 10 ms budget of a dense search
EXACT_MAX = 5_000
# the ANN index of a larger corpus, over half-precision copies of the unit vectors (an expression
# index, the table keeps float32); search.py takes ``OVERFETCH`` candidates a result by the halfvec
# distance and re-sorts them by the full-precision one. The kind is recorded in the generation's row (``ann``), so a
# generation keeps the query it was built for: "hnsw" (float32 HNSW, before halfvec), "hnsw-halfvec",
# "ivfflat-halfvec".
IVFFLAT_HALFVEC = "ivfflat-halfvec"  # k-means cells, ``ivf_lists(n)``; probed per connection.IVF_PROBES
HNSW_HALFVEC = "hnsw-halfvec"  # a graph, m / ef_construction below; searched per connection.EF_SEARCH
ANN_KINDS = (IVFFLAT_HALFVEC, HNSW_HALFVEC)
ANN_KIND = HNSW_HALFVEC  # the default for new generations (IVFFlat measured against it: BENCHMARKS.md, "IVFFlat")
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 100
# IVFFlat cells: a cell of ~1,000 rows up to a million (pgvector's advice; 1,000 cells at 1M: an 86 s
# build, where 4,000 cells' k-means alone ran past 10 min), √n beyond
IVF_ROWS_PER_LIST = 1000
IVF_LISTS_MIN = 10


def ivf_lists(n_units: int) -> int:
    """The IVFFlat cells of a corpus of ``n_units``."""
    if n_units <= 1_000_000:
        return max(IVF_LISTS_MIN, n_units // IVF_ROWS_PER_LIST)
    return int(round(float(n_units) ** 0.5))


# texts past this many are split into words by a pool of processes (``lexicon.Vocabulary.analyze``)
POOL_MIN_TEXTS = 50_000
POOL_MAX_WORKERS = 4
SPARSEVEC_MAX_NNZ = 16_000  # pgvector's limit of non-zero entries in one sparsevec
HASH_SAMPLE = 4096  # units whose text hash the server recomputes from the stored text


@dataclass
class IngestReport:
    corpus: str
    corpus_id: int
    generation: int
    replaced: int | None
    documents: int
    units: int
    chunks: int
    vocabulary: int
    vectors_sent: int
    vectors_reused: int
    ann: str | None
    dropped: list[int] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # phase -> seconds

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


class _Clock:
    def __init__(self, log: Callable[[str], None]) -> None:
        self.seconds: dict[str, float] = {}
        self.log = log
        self._t = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.seconds[phase] = self.seconds.get(phase, 0.0) + now - self._t
        self.log(f"{phase}: {now - self._t:.1f} s")
        self._t = now


def ingest(
    conn: psycopg.Connection,
    corpus: str,
    source: IngestSource,
    *,
    grace_seconds: float = DEFAULT_GRACE_SECONDS,
    exact_max: int = EXACT_MAX,
    ann_kind: str = ANN_KIND,
    maintenance_work_mem: str | None = None,
    log: Callable[[str], None] = lambda _msg: None,
) -> IngestReport:
    """Copy ``source`` into a new generation of ``corpus`` and make it live (see module doc).
    ``conn`` must be an autocommit connection from ``connection.connect``; a corpus of more than
    ``exact_max`` units gets an ANN index of ``ann_kind`` (one of ``ANN_KINDS``)."""
    if not conn.autocommit:
        raise ValueError("ingest needs an autocommit connection (it manages its own transaction)")
    if ann_kind not in ANN_KINDS:
        raise ValueError(f"unknown ANN index kind {ann_kind!r} (one of {', '.join(ANN_KINDS)})")
    _check_texts(source)
    ensure_schema(conn, dim=source.dim)
    cid = corpus_id(conn, corpus, create=True)
    if not try_lock(conn, cid):
        raise ReindexInProgress(corpus)
    try:
        sweep_unfinished(conn, cid)
        sweep_orphans(conn, cid)
        report = _build(conn, corpus, cid, source, ann_kind if len(source.units) > exact_max else None,
                        maintenance_work_mem, log)
        report.dropped = drop_retired(conn, cid, grace_seconds)
        return report
    finally:
        if not conn.closed:
            unlock(conn, cid)


def _build(
    conn: psycopg.Connection,
    corpus: str,
    cid: int,
    src: IngestSource,
    ann: str | None,
    maintenance_work_mem: str | None,
    log: Callable[[str], None],
) -> IngestReport:
    clock = _Clock(log)
    n_units, n_chunks, n_docs = len(src.units), len(src.chunks), len(src.documents)
    with conn.transaction():
        # a builder that dies mid-statement (a long COPY or CREATE INDEX) is noticed within a second,
        # and its transaction rolled back, instead of when the statement ends
        conn.execute("SELECT set_config('client_connection_check_interval', '1000', true)")
        if maintenance_work_mem:
            conn.execute("SELECT set_config('maintenance_work_mem', %s, true)", (maintenance_work_mem,))
        gen = int(
            conn.execute(
                "SELECT coalesce(max(generation), 0) + 1 FROM generations WHERE corpus_id = %s", (cid,)
            ).fetchone()[0]
        )
        live = conn.execute(
            "SELECT g.generation, g.model FROM corpora c JOIN generations g "
            "ON g.corpus_id = c.corpus_id AND g.generation = c.live_generation WHERE c.corpus_id = %s",
            (cid,),
        ).fetchone()
        create_leaves(conn, cid, gen)

        # BM25 under this generation's statistics
        vocab = Vocabulary()
        unit_texts = src.unit_texts()
        workers = _analysis_workers(n_units)
        unit_rows = vocab.analyze(src.unit_search_texts(unit_texts), workers=workers)
        if src.lexical is not None:  # the local index's own weights: its scores by construction
            chunk_rows, chunk_w = _local_rows(vocab, src.lexical["chunks"])
            doc_rows, doc_w = _local_rows(vocab, src.lexical["documents"])
        else:
            chunk_rows = vocab.compose(unit_rows, src.chunk_pieces(), workers=workers)
            doc_rows = vocab.compose(unit_rows, src.document_pieces(), workers=workers)
        v = len(vocab)
        stats = {lvl: level_stats(rows, v) for lvl, rows in
                 (("units", unit_rows), ("chunks", chunk_rows), ("documents", doc_rows))}
        if src.lexical is None:
            chunk_w, doc_w = weights(chunk_rows, stats["chunks"]), weights(doc_rows, stats["documents"])
        _check_local_df(corpus, vocab, stats, src)
        hashes = text_hashes(unit_texts)
        clock.lap("bm25")

        reuse = None
        if live is not None and _same_model(live[1], src.model):
            reuse = _known_hashes(conn, cid, int(live[0]), hashes)
        reused = int(reuse.sum()) if reuse is not None else 0
        _copy_units(conn, cid, gen, src, unit_rows, weights(unit_rows, stats["units"]), v, hashes,
                    reuse, None if live is None else int(live[0]))
        clock.lap("copy units")
        _copy_chunks(conn, cid, gen, src, chunk_rows, chunk_w, v)
        _copy_documents(conn, cid, gen, src, doc_rows, doc_w, v)
        _copy_vocabulary(conn, cid, gen, vocab, stats)
        clock.lap("copy chunks, documents, vocabulary")

        _create_indexes(conn, cid, gen, ann, src.dim, n_units)
        clock.lap("indexes" + (f" ({ann})" if ann else ""))
        _validate(conn, corpus, cid, gen, src, hashes)
        clock.lap("validate")

        gen_stats = {
            "k1": K1, "b": B, "vocabulary": v,
            **{lvl: {"n": s.n, "avgdl": s.avgdl} for lvl, s in stats.items()},
        }
        counts = {"documents": n_docs, "units": n_units, "chunks": n_chunks}
        conn.execute(
            "INSERT INTO generations (corpus_id, generation, state, model, manifest, stats, counts, tables, ann) "
            "VALUES (%s, %s, 'ready', %s, %s, %s, %s, %s, %s)",
            (cid, gen, Jsonb(src.model), Jsonb(src.manifest), Jsonb(gen_stats), Jsonb(counts),
             Jsonb(src.tables or {}), ann),
        )
        attach_leaves(conn, cid, gen)
    clock.lap("attach + commit")
    with conn.transaction():
        replaced = flip(conn, cid, gen)
    clock.lap("flip")
    return IngestReport(
        corpus, cid, gen, replaced, n_docs, n_units, n_chunks, v,
        vectors_sent=n_units - reused, vectors_reused=reused, ann=ann, seconds=clock.seconds,
    )


def _analysis_workers(n_texts: int) -> int:
    if n_texts < POOL_MIN_TEXTS:
        return 1
    return max(1, min(POOL_MAX_WORKERS, len(os.sched_getaffinity(0))))


# -- checks ----------------------------------------------------------------------------------------


def _check_texts(src: IngestSource) -> None:
    """PostgreSQL text holds no NUL and only valid UTF-8: say which document, before anything runs."""
    for d in src.documents:
        for what, value in (("text", d.text), ("source", d.source), ("title", d.title)):
            if "\x00" in value:
                raise UnstorableText(d.source, f"its {what} contains a NUL character")
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise UnstorableText(d.source, f"its {what} is not valid Unicode ({exc.reason})") from exc
    for ctx in src.contexts:
        if "\x00" in ctx:
            raise UnstorableText("(a chunk context)", "a context line contains a NUL character")
    if src.unit_vectors.shape[0] != len(src.units) or src.chunk_vectors.shape[0] != len(src.chunks):
        raise ValueError("vectors and units/chunks disagree in number")


def _local_rows(vocab: Vocabulary, lw: LevelWeights) -> tuple[TermRows, np.ndarray]:
    """A level's local BM25 rows over this generation's vocabulary (its terms added to it)."""
    to_ours = np.asarray([vocab.add_term(t) for t in lw.terms], dtype=np.int64)
    n = len(lw.indptr) - 1
    row = np.repeat(np.arange(n, dtype=np.int64), np.diff(lw.indptr))
    ids = to_ours[lw.ids] if len(lw.ids) else np.zeros(0, np.int64)
    order = np.lexsort((ids, row))  # ascending term ids within a row, as a sparsevec needs
    ones = np.ones(len(ids), dtype=np.int32)
    rows = TermRows(lw.indptr.astype(np.int64), ids[order].astype(np.int32), ones, np.ones(n, dtype=np.int32))
    return rows, lw.weights[order]


def _same_model(stored: dict, model: dict) -> bool:
    keys = ("id", "checksum", "backend", "dim")
    return all(stored.get(k) == model.get(k) for k in keys)


def _check_local_df(corpus: str, vocab: Vocabulary, stats: dict, src: IngestSource) -> None:
    """The local index's BM25 (bm25s) and ours must see the same terms in the same texts."""
    if not src.local_df:
        return
    for level, local in src.local_df.items():
        df = stats[level].df
        ours = {t: int(df[i]) for i, t in enumerate(vocab.terms) if df[i]}
        if ours != local:
            diff = sorted(set(ours.items()) ^ set(local.items()))[:3]
            raise IngestRejected(corpus, f"BM25 terms of the {level} differ from the local index's: {diff}")


def _known_hashes(conn: psycopg.Connection, cid: int, live_gen: int, hashes: np.ndarray) -> np.ndarray:
    """Which units' text hashes the live generation already has a vector for."""
    rows = conn.execute(
        sql.SQL("SELECT DISTINCT text_hash FROM {leaf}").format(leaf=leaf_table("units", cid, live_gen)),
        binary=True,
    ).fetchall()
    known = {bytes(r[0]) for r in rows}
    return np.fromiter((h.tobytes() in known for h in hashes), dtype=bool, count=len(hashes))


def _validate(conn: psycopg.Connection, corpus: str, cid: int, gen: int, src: IngestSource, hashes: np.ndarray) -> None:
    t = {name: leaf_table(name, cid, gen) for name in ("units", "chunks", "documents", "document_terms")}
    counts = conn.execute(
        sql.SQL(
            "SELECT (SELECT count(*) FROM {u}), (SELECT count(*) FROM {c}), (SELECT count(*) FROM {d}), "
            "(SELECT count(DISTINCT doc) FROM {dt})"
        ).format(u=t["units"], c=t["chunks"], d=t["documents"], dt=t["document_terms"])
    ).fetchone()
    want = (len(src.units), len(src.chunks), len(src.documents), len(src.documents))
    if tuple(int(x) for x in counts) != want:
        raise IngestRejected(corpus, f"row counts {tuple(counts)} instead of {want}")
    bad = conn.execute(
        sql.SQL(
            "WITH d AS (SELECT doc, length(text) AS len FROM {d}) "
            "SELECT (SELECT count(*) FROM {u} u JOIN d USING (doc) WHERE u.char_end > d.len), "
            "(SELECT count(*) FROM {c} c JOIN d USING (doc) WHERE c.char_end > d.len)"
        ).format(u=t["units"], c=t["chunks"], d=t["documents"])
    ).fetchone()
    if any(bad):
        raise IngestRejected(corpus, f"{bad[0]} units and {bad[1]} chunks end past their document")
    n = len(src.units)
    sample = np.unique(np.linspace(0, n - 1, num=min(n, HASH_SAMPLE)).astype(np.int64)) if n else np.zeros(0, np.int64)
    rows = conn.execute(
        sql.SQL(
            "SELECT u.unit, substring(sha256(convert_to(substr(d.text, u.char_start + 1, u.char_end - u.char_start), "
            "'UTF8')) FROM 1 FOR 16) = u.text_hash AND u.text_hash = s.h "
            "FROM unnest(%s::int[], %s::bytea[]) AS s(unit, h) JOIN {u} u USING (unit) JOIN {d} d USING (doc)"
        ).format(u=t["units"], d=t["documents"]),
        (sample.tolist(), [hashes[i].tobytes() for i in sample.tolist()]),
    ).fetchall()
    wrong = [int(u) for u, ok in rows if not ok]
    if len(rows) != len(sample) or wrong:
        raise IngestRejected(corpus, f"unit texts read back from the database differ (units {wrong[:5]})")


# -- COPY --------------------------------------------------------------------------------------------


def _copy(conn: psycopg.Connection, table: sql.Composable, columns: list[str], data: list[copybin.Column], n: int) -> None:
    # FREEZE: every table COPY fills was created in this transaction, so its rows are written frozen
    # (no hint-bit rewrite or freeze vacuum later) and, under wal_level minimal, without WAL
    stmt = sql.SQL("COPY {table} ({cols}) FROM STDIN (FORMAT BINARY, FREEZE)").format(
        table=table, cols=sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    # the queued writer sends from a thread of its own, so the next block is encoded while the server
    # parses the last one (with the default writer the two alternate)
    with conn.cursor() as cur, cur.copy(stmt, writer=QueuedLibpqWriter(cur)) as copy:
        for block in copybin.encode(data, n):
            copy.write(block)


def _consts(cid: int, gen: int, n: int) -> list[copybin.Column]:
    return [copybin.Int4(np.full(n, cid)), copybin.Int4(np.full(n, gen))]


def _csr(rows: TermRows, w: np.ndarray, vocab: int) -> list[copybin.Column]:
    return [copybin.SparseVec(rows.indptr, rows.ids, w, _dim(vocab)), copybin.Int4Array(rows.indptr, rows.ids)]


def _dim(vocab: int) -> int:
    """The sparsevec dimension of a vocabulary (pgvector needs at least one, even for no terms)."""
    return max(1, vocab)


def _copy_units(
    conn: psycopg.Connection, cid: int, gen: int, src: IngestSource, rows: TermRows, w: np.ndarray, vocab: int,
    hashes: np.ndarray, reuse: np.ndarray | None, live_gen: int | None,
) -> None:
    n = len(src.units)
    u = src.units
    kinds = src.unit_kinds or [UNIT_KIND] * n
    choices = sorted(set(kinds))
    codes = np.searchsorted(np.asarray(choices), np.asarray(kinds)) if n else np.zeros(0, np.int64)
    languages = src.unit_languages or [""] * n
    lang_choices = sorted(set(languages))
    lang_codes = np.searchsorted(np.asarray(lang_choices), np.asarray(languages)) if n else np.zeros(0, np.int64)
    page = u[:, 4] if n else np.zeros(0, np.int64)
    end_line = src.unit_end_lines if src.unit_end_lines is not None else (u[:, 3] if n else np.zeros(0, np.int64))
    block = src.unit_blocks if src.unit_blocks is not None else np.full(n, -1)
    columns = ["corpus_id", "generation", "unit", "doc", "chunk", "char_start", "char_end", "line", "end_line",
               "block", "text_hash"]
    data: list[copybin.Column] = [
        *_consts(cid, gen, n), copybin.Int4(np.arange(n)), copybin.Int4(u[:, 0]), copybin.Int4(src.unit_chunk),
        copybin.Int4(u[:, 1]), copybin.Int4(u[:, 2]), copybin.Int4(u[:, 3]), copybin.Int4(end_line),
        copybin.Int4(block), copybin.Bytes(hashes),
    ]
    tail = ["embedding", "page", "kind", "language", "display", "bm25", "terms"]
    tail_data = [
        copybin.Vector(src.unit_vectors, null=reuse),
        copybin.Int4Nullable(page, page < 0),
        copybin.Repeated(codes, [c.encode() for c in choices]),
        copybin.Repeated(lang_codes, [c.encode() for c in lang_choices]),
        copybin.Text(src.unit_displays or [None] * n),
        *_csr(rows, w, vocab),
    ]
    target = leaf_table("units", cid, gen)
    if reuse is None or not reuse.any():
        tail_data[0] = copybin.Vector(src.unit_vectors)
        _copy(conn, target, columns + tail, data + tail_data, n)
        return
    # vectors the live generation has: copied on the server (by text hash), not sent again
    stage = sql.Identifier(f"stage_units_c{cid}_g{gen}")
    conn.execute(sql.SQL("CREATE TEMP TABLE {s} (LIKE {t}) ON COMMIT DROP").format(s=stage, t=target))
    conn.execute(sql.SQL("ALTER TABLE {s} ALTER COLUMN embedding DROP NOT NULL").format(s=stage))
    _copy(conn, stage, columns + tail, data + tail_data, n)
    old = leaf_table("units", cid, int(live_gen))  # type: ignore[arg-type]
    cols = sql.SQL(", ").join(sql.Identifier(c) for c in columns + tail if c != "embedding")
    s_cols = sql.SQL(", ").join(sql.SQL("s.") + sql.Identifier(c) for c in columns + tail if c != "embedding")
    conn.execute(
        sql.SQL(
            "INSERT INTO {t} ({cols}, embedding) SELECT {s_cols}, coalesce(s.embedding, "
            "(SELECT o.embedding FROM {old} o WHERE o.text_hash = s.text_hash LIMIT 1)) FROM {s} s ORDER BY s.unit"
        ).format(t=target, cols=cols, s_cols=s_cols, old=old, s=stage)
    )


def _copy_chunks(
    conn: psycopg.Connection, cid: int, gen: int, src: IngestSource, rows: TermRows, w: np.ndarray, vocab: int
) -> None:
    c = src.chunks
    m = len(c)
    columns = ["corpus_id", "generation", "chunk", "doc", "char_start", "char_end", "first_unit", "last_unit",
               "embedding", "context", "bm25", "terms"]
    data = [
        *_consts(cid, gen, m), copybin.Int4(np.arange(m)), copybin.Int4(c[:, 0]), copybin.Int4(c[:, 1]),
        copybin.Int4(c[:, 2]), copybin.Int4(c[:, 3]), copybin.Int4(c[:, 4]), copybin.Vector(src.chunk_vectors),
        copybin.Text(src.contexts), *_csr(rows, w, vocab),
    ]
    _copy(conn, leaf_table("chunks", cid, gen), columns, data, m)


def _copy_documents(
    conn: psycopg.Connection, cid: int, gen: int, src: IngestSource, rows: TermRows, w: np.ndarray, vocab: int
) -> None:
    d = len(src.documents)
    starts = np.searchsorted(src.units[:, 0], np.arange(d + 1)) if len(src.units) else np.zeros(d + 1, np.int64)
    docs = src.documents
    columns = ["corpus_id", "generation", "doc", "unit_start", "unit_end", "embedding", "source", "title", "hash",
               "format", "role", "repo_path", "blocks", "text"]
    data = [
        *_consts(cid, gen, d), copybin.Int4(np.arange(d)), copybin.Int4(starts[:-1]), copybin.Int4(starts[1:]),
        copybin.Vector(src.document_vectors), copybin.Text([x.source for x in docs]),
        copybin.Text([x.title for x in docs]), copybin.Text([x.hash for x in docs]),
        copybin.Text([x.format for x in docs]), copybin.Text([x.role for x in docs]),
        copybin.Text([x.repo_path for x in docs]), copybin.VarBytes([x.blocks for x in docs]),
        copybin.Text([x.text for x in docs]),
    ]
    _copy(conn, leaf_table("documents", cid, gen), columns, data, d)
    # a sparsevec holds at most SPARSEVEC_MAX_NNZ terms: longer documents are split into parts
    part_doc, part_no, bounds = [], [], [0]
    for r in range(d):
        a, b = int(rows.indptr[r]), int(rows.indptr[r + 1])
        cuts = list(range(a, b, SPARSEVEC_MAX_NNZ))[1:] + [b] if b > a else [b]
        for k, cut in enumerate(cuts):
            part_doc.append(r)
            part_no.append(k)
            bounds.append(cut)
    indptr = np.asarray(bounds, dtype=np.int64)
    p = len(part_doc)
    parts = [
        *_consts(cid, gen, p), copybin.Int4(np.asarray(part_doc)), copybin.Int4(np.asarray(part_no)),
        copybin.SparseVec(indptr, rows.ids, w, _dim(vocab)), copybin.Int4Array(indptr, rows.ids),
    ]
    _copy(conn, leaf_table("document_terms", cid, gen),
          ["corpus_id", "generation", "doc", "part", "bm25", "terms"], parts, p)


def _copy_vocabulary(conn: psycopg.Connection, cid: int, gen: int, vocab: Vocabulary, stats: dict) -> None:
    v = len(vocab)
    data = [
        *_consts(cid, gen, v), copybin.Int4(np.arange(v)), copybin.Int4(stats["units"].df),
        copybin.Int4(stats["chunks"].df), copybin.Int4(stats["documents"].df), copybin.Text(vocab.terms),
    ]
    _copy(conn, leaf_table("vocabulary", cid, gen),
          ["corpus_id", "generation", "term_id", "df_units", "df_chunks", "df_documents", "term"], data, v)


# -- indexes -----------------------------------------------------------------------------------------


def _create_indexes(conn: psycopg.Connection, cid: int, gen: int, ann: str | None, dim: int, n_units: int) -> None:
    def leaf(name: str) -> sql.Identifier:
        return leaf_table(name, cid, gen)

    keys = {
        "units": "corpus_id, generation, unit",
        "chunks": "corpus_id, generation, chunk",
        "documents": "corpus_id, generation, doc",
        "document_terms": "corpus_id, generation, doc, part",
        "vocabulary": "corpus_id, generation, term",
    }
    for name, key in keys.items():
        conn.execute(sql.SQL("ALTER TABLE {t} ADD PRIMARY KEY ({k})").format(t=leaf(name), k=sql.SQL(key)))
    for name in ("units", "chunks", "document_terms"):
        conn.execute(sql.SQL("CREATE INDEX ON {t} USING gin (terms)").format(t=leaf(name)))
    conn.execute(sql.SQL("CREATE INDEX ON {t} (doc)").format(t=leaf("chunks")))
    conn.execute(sql.SQL("CREATE INDEX ON {t} (text_hash)").format(t=leaf("units")))
    if ann == HNSW_HALFVEC:
        conn.execute(
            sql.SQL(
                "CREATE INDEX ON {t} USING hnsw ((embedding::halfvec({dim})) halfvec_ip_ops) "
                "WITH (m = {m}, ef_construction = {ef})"
            ).format(t=leaf("units"), dim=sql.Literal(int(dim)), m=sql.Literal(HNSW_M), ef=sql.Literal(HNSW_EF_CONSTRUCTION))
        )
    elif ann == IVFFLAT_HALFVEC:  # the cells are k-means of the rows already copied: build after COPY
        conn.execute(
            sql.SQL(
                "CREATE INDEX ON {t} USING ivfflat ((embedding::halfvec({dim})) halfvec_ip_ops) WITH (lists = {n})"
            ).format(t=leaf("units"), dim=sql.Literal(int(dim)), n=sql.Literal(ivf_lists(n_units)))
        )
    for name in keys:
        conn.execute(sql.SQL("ANALYZE {t}").format(t=leaf(name)))

