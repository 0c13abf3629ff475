"""A build killed mid-way (SIGKILL of the process, during its COPY or its index build) leaves the
live generation untouched and no trace of the new one; the next build simply succeeds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psycopg
import pytest

from index.bench.sentences import synthetic_source
from index.storage.postgres import search
from index.storage.postgres.generations import corpus_id, generations, live_scope, try_lock, unlock
from index.storage.postgres.ingest import ingest
from tests.conftest import ROOT

BUILDER = """
import sys
from index.bench.sentences import synthetic_source
from index.storage.postgres.connection import connect
from index.storage.postgres.ingest import ingest
src = synthetic_source(int(sys.argv[2]), dim=64, seed=5)
if sys.argv[3:] == ["pause-before-flip"]:  # a builder that dies between its two transactions
    import time
    from index.storage.postgres import ingest as ingest_module
    real_flip = ingest_module.flip
    def slow_flip(*args):
        print("flipping", flush=True)
        time.sleep(60)
        return real_flip(*args)
    ingest_module.flip = slow_flip
conn = connect(sys.argv[1], create=True, dim=64)
conn.execute("SET application_name = 'citebot-crash-test'")
print("start", flush=True)
ingest(conn, "guild", src, exact_max=1000, log=lambda m: print(m, flush=True))
print("finished", flush=True)
"""

# the statement the builder must be inside of when it is killed, and the log line that precedes it
PHASES = {"copy": ("bm25:", "COPY"), "index": ("copy chunks, documents, vocabulary:", "CREATE INDEX")}


def _statement(conn: psycopg.Connection) -> str | None:
    row = conn.execute(
        "SELECT query FROM pg_stat_activity WHERE application_name = 'citebot-crash-test' AND state = 'active'"
    ).fetchone()
    return row[0] if row else None


@pytest.mark.parametrize("phase", sorted(PHASES))
def test_killed_build_leaves_the_live_generation(pg: psycopg.Connection, pg_dsn: str, phase: str) -> None:
    live_src = synthetic_source(200, dim=64, seed=1)
    ingest(pg, "guild", live_src)
    scope = live_scope(pg, "guild")
    before = search.dense_top_k(pg, scope, live_src.unit_vectors[3], 10, exact=True)

    after_line, statement = PHASES[phase]
    child = subprocess.Popen(
        [sys.executable, "-c", BUILDER, pg_dsn, "20000"], cwd=ROOT, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    killed_in = None
    try:
        assert child.stdout is not None
        for line in child.stdout:
            assert not line.startswith("attach + commit"), "the build finished before it could be killed"
            if line.startswith(after_line):
                break
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and killed_in is None:
            running = _statement(pg)
            if running and running.lstrip().upper().startswith(statement):
                child.send_signal(signal.SIGKILL)
                killed_in = running
            time.sleep(0.005)
    finally:
        child.kill()
        child.wait(timeout=30)
    assert killed_in, f"never saw the builder inside {statement}"
    deadline = time.monotonic() + 60  # the server notices the dead client and rolls back
    while pg.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'citebot-crash-test'").fetchone()[0]:
        assert time.monotonic() < deadline, "the killed builder's session did not end"
        time.sleep(0.1)

    assert generations(pg, "guild") == [(1, "live")]
    assert live_scope(pg, "guild") == scope
    cid = corpus_id(pg, "guild")
    leftovers = pg.execute("SELECT relname FROM pg_class WHERE relname LIKE %s", (f"%_c{cid}_g2",)).fetchall()
    assert leftovers == []
    after = search.dense_top_k(pg, scope, live_src.unit_vectors[3], 10, exact=True)
    assert after.ids.tolist() == before.ids.tolist()
    assert try_lock(pg, cid)  # the lock went with the dead connection
    unlock(pg, cid)
    report = ingest(pg, "guild", synthetic_source(300, dim=64, seed=6))
    assert (report.generation, report.replaced) == (2, 1) and live_scope(pg, "guild").counts["units"] == 300


def test_a_build_killed_between_its_commit_and_the_flip_leaves_the_live_generation(
    pg: psycopg.Connection, pg_dsn: str
) -> None:
    """The new generation is committed ('ready', attached) but the live pointer never moved: readers
    go on with the old one, and the next build drops the orphan instead of making it live."""
    live_src = synthetic_source(200, dim=64, seed=1)
    ingest(pg, "guild", live_src)
    scope = live_scope(pg, "guild")
    before = search.dense_top_k(pg, scope, live_src.unit_vectors[3], 10, exact=True)
    child = subprocess.Popen(
        [sys.executable, "-c", BUILDER, pg_dsn, "300", "pause-before-flip"], cwd=ROOT, stdout=subprocess.PIPE,
        text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert child.stdout is not None
        lines = []
        for line in child.stdout:
            lines.append(line)
            if line.startswith("flipping"):
                child.send_signal(signal.SIGKILL)
                break
        assert any(line.startswith("attach + commit") for line in lines), lines
    finally:
        child.kill()
        child.wait(timeout=30)

    assert generations(pg, "guild") == [(1, "live"), (2, "ready")]
    assert live_scope(pg, "guild") == scope
    after = search.dense_top_k(pg, scope, live_src.unit_vectors[3], 10, exact=True)
    assert after.ids.tolist() == before.ids.tolist()
    report = ingest(pg, "guild", synthetic_source(250, dim=64, seed=6))
    assert (report.generation, report.replaced) == (2, 1)
    assert generations(pg, "guild") == [(1, "retired"), (2, "live")]
    assert live_scope(pg, "guild").counts["units"] == 250  # the new build's, not the orphan's 300
