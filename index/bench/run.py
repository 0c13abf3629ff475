"""The parts of ``citebot bench``. See ``index.bench`` and BENCHMARKS.md ``## Speed``."""

from __future__ import annotations

import gc
import json
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import numpy as np

from index.bench.config import BenchConfig, Row, env_for, load_embedder, percentile, settings_for, to_ms, wall
from index.bench.scifact import (
    chunk_texts,
    index_name,
    scifact_documents,
    scifact_index,
    scifact_test_queries,
)

PARTS = ("build", "latency", "cold", "scale", "rss", "docsqa")  # what `citebot bench` runs by default
OPTIONAL_PARTS = ("remote",)  # only when asked for by --only (remote: PostgreSQL + pgvector, ~30 min)
ALL_PARTS = PARTS + OPTIONAL_PARTS
SEED_QUESTION = "who praised him?"


# -- 1. build throughput -------------------------------------------------------------------------


def bench_build(cfg: BenchConfig) -> list[Row]:
    from index.ingest.builder import build_index

    docs = scifact_documents(cfg)
    n_docs = len(docs)
    embedder = load_embedder(cfg)
    embedder.encode(["warm up the session"])
    directory = cfg.work / index_name(cfg)
    shutil.rmtree(directory, ignore_errors=True)  # a fresh build: nothing reused from before
    cfg.log(f"citebot index build over {n_docs} SciFact documents ({cfg.backend})")
    t0, c0 = time.perf_counter(), time.process_time()
    report = build_index(settings_for(cfg, directory), index_dir=directory, documents=docs, embedder=embedder)
    ours, ours_cpu = time.perf_counter() - t0, time.process_time() - c0
    del embedder
    gc.collect()

    # the same chunk texts the index holds (context line + verbatim text), encoded the plain way
    texts = chunk_texts(directory)
    from sentence_transformers import SentenceTransformer

    from index.models.embeddings import resolve_model

    plain_model = SentenceTransformer(resolve_model(cfg.model), device="cpu")
    plain_model.encode(["warm up"], show_progress_bar=False)
    cfg.log(f"plain SentenceTransformer.encode of {len(texts)} chunk texts (torch fp32)")
    t0, c0 = time.perf_counter(), time.process_time()
    plain_model.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
    plain, plain_cpu = time.perf_counter() - t0, time.process_time() - c0
    del plain_model
    gc.collect()

    ours_cps = report.chunks / ours
    plain_cps = len(texts) / plain
    ratio = ours_cps / plain_cps
    note = (
        f"N={n_docs} docs, {report.chunks} chunks, {report.sentences} sentences "
        f"({report.embedded} embedded); citebot: whole build (chunk, embed, BM25, write); plain: encode only"
    )
    return [
        Row("build", "chunks/s", ours_cps, plain_cps, "chunks/s", ratio, ">= 2.5x plain", ratio >= 2.5, note),
        Row("build", "wall time", ours, plain, "s", plain / ours if ours else None, "", None, f"N={n_docs}"),
        Row(
            "build",
            "CPU time (all threads)",
            ours_cpu,
            plain_cpu,
            "s",
            plain_cpu / ours_cpu if ours_cpu else None,
            "",
            None,
            "less sensitive than wall time to other jobs on a shared machine",
        ),
    ]


# -- 2. warm query latency -----------------------------------------------------------------------


def bench_latency(cfg: BenchConfig) -> list[Row]:
    from index.query.engine import Engine

    directory = scifact_index(cfg)
    queries = scifact_test_queries(cfg)
    engine = Engine.open(settings_for(cfg, directory), directory)
    for q in queries[:10]:  # warm up: page in the index, the session, the caches
        engine.ask(q)
    ask_t, enc_t, dense_t = [], [], []
    for q in queries:
        t0 = time.perf_counter()
        engine.ask(q)
        ask_t.append(time.perf_counter() - t0)
    vecs = []
    for q in queries:
        t0 = time.perf_counter()
        vecs.append(engine.encode_question(q))
        enc_t.append(time.perf_counter() - t0)
    store = engine.data.vectors
    k = engine.retrieval_params.dense_candidates
    for v in vecs:
        t0 = time.perf_counter()
        store.search(v.reshape(1, -1), k)
        dense_t.append(time.perf_counter() - t0)
    n_sent = len(engine.data.units)
    where = f"{len(queries)} SciFact test queries, {n_sent} sentences, N={cfg.limit or 'all'} docs"
    ask_ms, enc_ms, dense_ms = to_ms(ask_t), to_ms(enc_t), to_ms(dense_t)

    # the plain pair: sentence-transformers encoding the same questions one by one
    plain_p50 = None
    try:
        from sentence_transformers import SentenceTransformer

        from index.models.embeddings import resolve_model

        m = SentenceTransformer(resolve_model(cfg.model), device="cpu")
        for q in queries[:5]:
            m.encode([q], show_progress_bar=False)
        pt = []
        for q in queries[:100]:
            t0 = time.perf_counter()
            m.encode([q], show_progress_bar=False, normalize_embeddings=True)
            pt.append(time.perf_counter() - t0)
        plain_p50 = percentile(to_ms(pt), 50)
    except ImportError:  # pragma: no cover
        pass
    p50, p95 = percentile(ask_ms, 50), percentile(ask_ms, 95)
    enc50 = percentile(enc_ms, 50)
    return [
        Row("latency", "ask p50", p50, None, "ms", None, "<= 10 ms", p50 <= 10, where),
        Row(
            "latency",
            "ask p95",
            percentile(ask_ms, 95),
            None,
            "ms",
            None,
            "<= 25 ms",
            p95 <= 25,
            "warm, hybrid + quotes",
        ),
        Row(
            "latency",
            "query encode p50",
            enc50,
            plain_p50,
            "ms",
            plain_p50 / enc50 if plain_p50 and enc50 else None,
            "",
            None,
            f"{cfg.backend} lean encoder vs SentenceTransformer.encode (torch)",
        ),
        Row(
            "latency",
            "dense FAISS search p50 (floor)",
            percentile(dense_ms, 50),
            None,
            "ms",
            None,
            "",
            None,
            f"{store.factory}, k={k}",
        ),
        *_question_latency(cfg),
    ]


def _question_latency(cfg: BenchConfig) -> list[Row]:
    """SciFact's queries are claims; a question also pays the document reranking and the token-level
    refinement of its top quote candidates (``index.query.refine``). Measured on the seed set's questions."""
    from index.evaluation.qa import load_questions
    from index.evaluation.seed import default_set
    from index.query.engine import Engine

    directory = seed_index(cfg)
    engine = Engine.open(settings_for(cfg, directory), directory)
    questions = [q.question for q in load_questions(default_set())]
    for q in questions[:5]:
        engine.ask(q)
    times = []
    for _ in range(5):
        for q in questions:
            t0 = time.perf_counter()
            engine.ask(q)
            times.append(time.perf_counter() - t0)
    ms = to_ms(times)
    where = f"{len(questions)} seed-set questions x 5, seed index (questions add the rerank + token-level refine)"
    return [
        Row("latency", "ask p50, questions", percentile(ms, 50), None, "ms", None, "", None, where),
        Row("latency", "ask p95, questions", percentile(ms, 95), None, "ms", None, "", None, "warm, hybrid + quotes"),
    ]


# -- 3. cold start -------------------------------------------------------------------------------


def seed_index(cfg: BenchConfig) -> Path:
    from index.errors import CitebotError
    from index.ingest.builder import build_index
    from index.storage.manifest import Manifest

    directory = cfg.work / f"seed-{cfg.backend}"
    try:
        if Manifest.of(directory).model.get("backend") == cfg.backend:
            return directory
    except CitebotError:
        pass
    build_index(settings_for(cfg, directory), cfg.seeds, directory)
    return directory


def bench_cold(cfg: BenchConfig) -> list[Row]:
    from index.models.embeddings import resolve_model

    directory = seed_index(cfg)
    env = env_for(cfg, directory)
    cmd = [sys.executable, "-m", "index", "ask", SEED_QUESTION, "--index", str(directory)]
    wall(cmd, env)  # the first run may page the files in
    ours = [wall(cmd, env)[0] for _ in range(cfg.cold_runs)]
    plain_script = (
        "from sentence_transformers import SentenceTransformer\n"
        f"m = SentenceTransformer({resolve_model(cfg.model)!r}, device='cpu')\n"
        f"print(m.encode([{SEED_QUESTION!r}]).shape)\n"
    )
    plain = [wall([sys.executable, "-c", plain_script], env)[0] for _ in range(max(1, cfg.cold_runs // 2))]
    o, p = statistics.median(ours), statistics.median(plain)
    helpt = statistics.median(wall([sys.executable, "-m", "index", "--help"], env)[0] for _ in range(3))
    return [
        Row(
            "cold",
            "citebot ask (fresh process)",
            o,
            p,
            "s",
            p / o,
            "<= 1.5 s",
            o <= 1.5,
            f"median of {cfg.cold_runs}, seed index; plain: import sentence_transformers + load + encode one question",
        ),
        Row("cold", "citebot --help", helpt, None, "s", None, "instant", helpt <= 0.5, "median of 3"),
    ]


# -- 4. scale ------------------------------------------------------------------------------------


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:  # pragma: no cover - not Linux
        return float("nan")


def bench_scale(cfg: BenchConfig) -> list[Row]:
    import faiss

    from index.bench.synthetic import clustered_vectors
    from index.storage.vectorstore import FaissStore, choose_factory

    n, dim = cfg.scale_n, 384
    cfg.log(f"generating {n} clustered {dim}-d vectors")
    x, q = clustered_vectors(n, dim=dim, queries=cfg.scale_queries)
    factory = choose_factory(n)
    cfg.log(f"building {factory} over {n} vectors")
    t0 = time.perf_counter()
    store = FaissStore(dim, factory)
    store.add(np.arange(n, dtype=np.int64), x)
    build_s = time.perf_counter() - t0
    directory = cfg.work / "scale"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    store.save(directory)
    del store
    gc.collect()
    size_mb = (directory / "vectors.faiss").stat().st_size / 2**20

    cfg.log("exact ground truth")
    flat = faiss.IndexFlatIP(dim)
    flat.add(x)
    _, truth = flat.search(q, 10)
    plain = []
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)  # the same single-query treatment as the store gets
    try:
        for i in range(min(100, len(q))):
            t0 = time.perf_counter()
            flat.search(q[i : i + 1], 10)
            plain.append(time.perf_counter() - t0)
    finally:
        faiss.omp_set_num_threads(threads)
    del flat, x
    gc.collect()

    before = _rss_mb()
    loaded = FaissStore.load(directory, mmap=True)
    after_load = _rss_mb()
    times, hits = [], 0
    for i in range(len(q)):  # one query at a time, as the engine asks
        t0 = time.perf_counter()
        _, ids = loaded.search(q[i : i + 1], 10)
        times.append(time.perf_counter() - t0)
        hits += len(set(ids[0].tolist()) & set(truth[i].tolist()))
    recall = hits / (10 * len(q))
    after_search = _rss_mb()
    p50, plain50 = percentile(to_ms(times), 50), percentile(to_ms(plain), 50)
    note = f"n={n:,} clustered synthetic, {len(q)} held-out queries, nprobe={loaded.nprobe or '-'}"
    return [
        Row(
            "scale",
            "search p50",
            p50,
            plain50,
            "ms",
            plain50 / p50,
            "<= 5 ms",
            p50 <= 5,
            f"{factory}; plain: exact IndexFlatIP, one thread",
        ),
        Row(
            "scale",
            "search p95",
            percentile(to_ms(times), 95),
            percentile(to_ms(plain), 95),
            "ms",
            None,
            "",
            None,
            note,
        ),
        Row("scale", "recall@10 vs exact", recall, 1.0, "", None, ">= 0.95", recall >= 0.95, note),
        Row("scale", "build time", build_s, None, "s", None, "", None, "train on a sample + add"),
        Row(
            "scale",
            "index size / RSS",
            size_mb,
            None,
            "MB",
            None,
            "",
            None,
            f"on disk; memory-mapped load adds {after_load - before:.0f} MB RSS, {after_search - before:.0f} MB "
            f"of file pages (shared, reclaimable) resident after {len(q)} searches",
        ),
    ]


# -- 5. peak RSS ---------------------------------------------------------------------------------
# VmHWM, not ru_maxrss: a child forked from this (large) bench process inherits its ru_maxrss
# across exec, VmHWM belongs to the new address space.

_SERVE = """
import json, resource, sys
from pathlib import Path
from index.query.engine import Engine
from index.settings import Settings
qs = json.loads(sys.argv[2])
engine = Engine.open(Settings(), Path(sys.argv[1]))
for q in qs:
    engine.ask(q)
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")]
peak = int(hwm[0].split()[1]) / 1024 if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"maxrss_mb": peak}))
"""

_PLAIN_SERVE = """
import json, resource, sys
import faiss, numpy as np
from sentence_transformers import SentenceTransformer
vecs = np.load(sys.argv[1])  # the live generation's vectors file
index = faiss.IndexFlatIP(vecs.shape[1]); index.add(vecs)
m = SentenceTransformer(sys.argv[3], device="cpu")
for q in json.loads(sys.argv[2]):
    index.search(m.encode([q], normalize_embeddings=True), 100)
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")]
peak = int(hwm[0].split()[1]) / 1024 if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"maxrss_mb": peak}))
"""


def bench_rss(cfg: BenchConfig) -> list[Row]:
    from index.models.embeddings import resolve_model

    directory = scifact_index(cfg)
    qs = json.dumps(scifact_test_queries(cfg)[:50])
    env = env_for(cfg, directory)
    _, out = wall([sys.executable, "-c", _SERVE, str(directory), qs], env)
    ours = json.loads(out.strip().splitlines()[-1])["maxrss_mb"]
    from index.storage.generations import current

    vectors = current(directory).path / "unit_vectors.npy"
    _, out = wall([sys.executable, "-c", _PLAIN_SERVE, str(vectors), qs, resolve_model(cfg.model)], env)
    plain = json.loads(out.strip().splitlines()[-1])["maxrss_mb"]
    return [
        Row(
            "rss",
            "peak RSS serving SciFact",
            ours,
            plain,
            "MB",
            plain / ours,
            "",
            None,
            f"Engine.open + 50 asks, N={cfg.limit or 'all'} docs; plain: SentenceTransformer + IndexFlatIP",
        )
    ]


# -- 6. docs-QA sets (index.bench.docsqa) ----------------------------------------------------------


def bench_docsqa(cfg: BenchConfig) -> list[Row]:
    from index.bench.docsqa import bench_docsqa as run

    return run(cfg)


# -- 7. the PostgreSQL + pgvector store (index.bench.remote) ---------------------------------------


def bench_remote(cfg: BenchConfig) -> list[Row]:
    from index.bench.remote import bench_remote as run

    return run(cfg)


BENCHES: dict[str, Callable[[BenchConfig], list[Row]]] = {
    "build": bench_build,
    "latency": bench_latency,
    "cold": bench_cold,
    "scale": bench_scale,
    "rss": bench_rss,
    "docsqa": bench_docsqa,
    "remote": bench_remote,
}


def run_bench(cfg: BenchConfig, only: list[str] | None = None) -> list[Row]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    if cfg.threads:
        os.environ["CITEBOT_THREADS"] = str(cfg.threads)
    cfg.work.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    for part in only or list(PARTS):
        cfg.log(f"== {part}")
        t0 = time.perf_counter()
        rows.extend(BENCHES[part](cfg))
        cfg.log(f"{part} done in {time.perf_counter() - t0:.0f} s")
    return rows


def rows_json(rows: list[Row], cfg: BenchConfig) -> dict[str, object]:
    meta = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(cfg).items() if k != "log"}
    return {"config": meta, "cpus": os.cpu_count(), "rows": [asdict(r) for r in rows]}
