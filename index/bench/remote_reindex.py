"""``citebot bench --only remote --remote-parts reindex``: what readers feel while a corpus is re-indexed.

A corpus of synthetic sentences is built, then built again (another text, same size) while reader
threads ask on their own connections without pause: each question resolves the live generation and
runs a dense top-100 and a document fetch in one round trip, as the bot does. Reported: the
questions' latency before and during the re-index, the longest single question, how long the
build's first commit (the new tables synced to disk) and its flip took, and any question that
failed or read a generation other than the one it resolved (must be none).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np

from index.bench.config import BenchConfig, Row, percentile, to_ms

READERS = 2
K = 100


@dataclass
class _Readers:
    """Reader threads' shared tallies: (start time, seconds) of every question, errors."""

    dsn: str
    corpus: str
    queries: np.ndarray
    stop: threading.Event = field(default_factory=threading.Event)
    times: list[tuple[float, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    generations: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _read(r: _Readers, seed: int) -> None:
    from index.storage.postgres import search
    from index.storage.postgres.connection import connect
    from index.storage.postgres.generations import live_scope

    conn = connect(r.dsn)
    rng = np.random.default_rng(seed)
    try:
        while not r.stop.is_set():
            q = r.queries[int(rng.integers(len(r.queries)))]
            t0 = time.perf_counter()
            try:
                scope = live_scope(conn, r.corpus)
                dense, texts = search.run(
                    conn, scope, search.dense_units(scope, q, K), search.document_texts(scope, [0])
                )
                if len(dense) == 0 or not texts:
                    raise AssertionError(f"generation {scope.generation}: {len(dense)} units, {len(texts)} texts")
            except Exception as exc:  # noqa: BLE001 - counted and reported as a row
                with r.lock:
                    r.errors.append(repr(exc))
                continue
            with r.lock:
                r.times.append((t0, time.perf_counter() - t0))
                r.generations.add(scope.generation)
    finally:
        conn.close()


def _drop_replaced(conn, cid: int) -> None:  # noqa: ANN001
    from index.storage.postgres.generations import drop_retired, try_lock, unlock

    if try_lock(conn, cid):
        try:
            drop_retired(conn, cid, grace_seconds=0)
        finally:
            unlock(conn, cid)


def bench_reindex(cfg: BenchConfig, conn, dsn: str, size: int, maintenance_work_mem: str) -> list[Row]:  # noqa: ANN001
    from index.bench.sentences import clustered_corpus
    from index.storage.postgres.ingest import ingest

    corpus = "bench-reindex"
    cfg.log(f"re-index while serving: {size:,} sentences, built once untimed")
    first, q = clustered_corpus(size, 21, cfg.scale_queries)
    ingest(conn, corpus, first, grace_seconds=0, maintenance_work_mem=maintenance_work_mem)
    del first
    second, _ = clustered_corpus(size, 22, 1)
    readers = _Readers(dsn, corpus, q)
    threads = [threading.Thread(target=_read, args=(readers, i), daemon=True) for i in range(READERS)]
    for t in threads:
        t.start()
    time.sleep(5.0)  # questions before the re-index
    laps: dict[str, float] = {}

    def log(message: str) -> None:
        laps[message.split(":")[0]] = time.perf_counter()
        cfg.log(f"re-index: {message}")

    began = time.perf_counter()  # the default grace period: questions that resolved N finish on it
    report = ingest(conn, corpus, second, maintenance_work_mem=maintenance_work_mem, log=log)
    ended = time.perf_counter()
    time.sleep(2.0)
    readers.stop.set()
    for t in threads:
        t.join(timeout=60)
    _drop_replaced(conn, report.corpus_id)
    before = [s for t0, s in readers.times if t0 < began]
    during = [s for t0, s in readers.times if began <= t0 < ended]
    # the window from the end of validation to the flip's commit: attach, the first commit (its
    # tables synced to disk), the flip; a reader that had to wait for a commit shows it here
    lo, hi = laps.get("validate", began), laps.get("flip", ended)
    overlapping = [s for t0, s in readers.times if t0 < hi and t0 + s > lo]
    longest = max(overlapping, default=0.0) * 1000
    commit, flip = report.seconds.get("attach + commit", 0.0), report.seconds.get("flip", 0.0)
    p50_b, p50_d = percentile(to_ms(before), 50), percentile(to_ms(during), 50)
    cfg.log(f"re-index: {len(during)} questions during it, longest across the commits {longest:.0f} ms, "
            f"errors {len(readers.errors)}")
    note = (f"{READERS} readers, {size:,} sentences; attach + first commit {commit * 1000:.0f} ms, flip {flip * 1000:.0f} ms; "
            f"{len(overlapping)} questions overlapped them; generations read {sorted(readers.generations)}")
    return [
        Row("remote", "re-index while serving: question p50 before → during", p50_d, None, "ms", None, "", None,
            f"before {p50_b:.1f} ms ({len(before)} q), during {p50_d:.1f} ms ({len(during)} q; the build's CPU shares "
            "the machine)"),
        Row("remote", "re-index while serving: longest question across the commits", longest, None, "ms", None,
            f"< attach + first commit ({commit * 1000:.0f} ms)", longest < commit * 1000, note),
        Row("remote", "re-index while serving: failed or half-read questions", len(readers.errors), None, "", None,
            "0", not readers.errors, "; ".join(sorted(set(readers.errors))[:3]) or "none"),
    ]
