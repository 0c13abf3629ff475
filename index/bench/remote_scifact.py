"""``citebot bench --only remote`` on real data: SciFact answered through the PostgreSQL backend.

The bench's SciFact index (``run.scifact_index``, built untimed if missing) is ingested as it would
be by ``citebot index build`` with ``CITEBOT_STORE=postgres`` (the local index's records, vectors
and bm25s weights; an HNSW index, since it is larger than ``ingest.EXACT_MAX``), then asked the 300
test queries through three engines: local, postgres with exact dense scans, postgres as it runs by
default (HNSW). nDCG@10 of each (the document ranking, as ``citebot eval``), ask latency through
postgres against local in the same run, and the round trips a question costs.
"""

from __future__ import annotations

import time

from index.bench.config import BenchConfig, Row, load_embedder, percentile, settings_for, to_ms
from index.bench.scifact import scifact_index

CORPUS = "bench-scifact"


def bench_scifact(cfg: BenchConfig, dsn: str, maintenance_work_mem: str) -> list[Row]:
    from index.evaluation.beir import load_beir, run_beir
    from index.query.engine import Engine
    from index.storage.postgres.connection import connect
    from index.storage.postgres.ingest import ingest
    from index.storage.postgres.source import from_index_dir

    directory = scifact_index(cfg)
    t0 = time.perf_counter()
    src = from_index_dir(directory)
    read_s = time.perf_counter() - t0
    conn = connect(dsn, create=True, dim=src.dim)
    report = ingest(conn, CORPUS, src, grace_seconds=0, maintenance_work_mem=maintenance_work_mem,
                    log=lambda m: cfg.log(f"scifact: {m}"))
    conn.close()
    n = len(src.units)
    s = report.seconds
    load = read_s + s.get("bm25", 0.0) + s.get("copy units", 0.0) + s.get("copy chunks, documents, vocabulary", 0.0)
    rows = [
        Row("remote", "SciFact: ingest of a local index (BM25 + COPY)", n / load, None, "units/s", None, ">= 20,000/s",
            n / load >= 20_000, f"{load:.1f} s for {n:,} units: read the index {read_s:.1f} s, unit BM25 "
            f"{s.get('bm25', 0):.1f} s (chunk and document weights are the local index's), COPY "
            f"{s.get('copy units', 0) + s.get('copy chunks, documents, vocabulary', 0):.1f} s"),
        Row("remote", "SciFact: ingest incl. indexes", n / (read_s + report.total_seconds), None, "units/s", None, "",
            None, f"{read_s + report.total_seconds:.0f} s in all, HNSW and GIN indexes "
            f"{sum(v for k, v in s.items() if k.startswith('indexes')):.0f} s"),
    ]
    embedder = load_embedder(cfg)
    base = settings_for(cfg, directory)
    local = Engine.open(base, directory, embedder=embedder)
    remote = {
        exact: Engine.open(base.model_copy(update={"store": "postgres", "pg_dsn": dsn, "corpus": CORPUS,
                                                  "pg_exact": exact}), embedder=embedder)
        for exact in (True, False)
    }
    data = load_beir(cfg.data, "test")
    ndcg = {"local": run_beir(local, data)["metrics"]["ndcg@10"]}
    for exact, engine in remote.items():
        ndcg["exact" if exact else "ann"] = run_beir(engine, data)["metrics"]["ndcg@10"]
    cfg.log(f"scifact nDCG@10: {ndcg}")
    rows += [
        Row("remote", "SciFact test nDCG@10, postgres exact", ndcg["exact"], ndcg["local"], "", None,
            "= local ± 0.001", abs(ndcg["exact"] - ndcg["local"]) <= 0.001,
            f"{len(data.queries)} test queries; plain: the local index; exact dense scans (CITEBOT_PG_EXACT)"),
        Row("remote", "SciFact test nDCG@10, postgres HNSW", ndcg["ann"], ndcg["local"], "", None,
            "= local ± 0.005", abs(ndcg["ann"] - ndcg["local"]) <= 0.005,
            "the default: its HNSW index (ef_search as connection.EF_SEARCH)"),
    ]
    queries = list(data.queries.values())
    if cfg.queries:
        queries = queries[: cfg.queries]
    times: dict[str, list[float]] = {}
    trips = 0
    for name, engine in (("local", local), ("postgres", remote[False])):
        for q in queries[:10]:
            engine.ask(q)
        before = getattr(engine.backend, "round_trips", 0)
        t = []
        for q in queries:
            t0 = time.perf_counter()
            engine.ask(q)
            t.append(time.perf_counter() - t0)
        times[name] = to_ms(t)
        if name == "postgres":
            trips = (engine.backend.round_trips - before) / len(queries)
    p50, p95 = percentile(times["postgres"], 50), percentile(times["local"], 50)
    rows += [
        Row("remote", "SciFact ask p50 through postgres", p50, p95, "ms", p95 / p50 if p50 else None, "<= 30 ms",
            p50 <= 30, f"{len(queries)} test queries, warm, hybrid + quotes; plain: the local index in the same run; "
            f"{trips:.2f} round trips a question"),
        Row("remote", "SciFact ask p95 through postgres", percentile(times["postgres"], 95),
            percentile(times["local"], 95), "ms", None, "", None, f"{n:,} units, {report.chunks:,} chunks"),
    ]
    for engine in remote.values():
        engine.backend.close()
    return rows
