"""The re-index-while-serving rows of ``citebot bench --only remote``: one real run on a small corpus."""

from __future__ import annotations

from index.bench.remote_reindex import bench_reindex
from index.bench.run import BenchConfig
from index.storage.postgres.connection import connect


def test_readers_during_a_reindex_never_fail_and_read_both_generations(pg_dsn: str, tmp_path) -> None:  # noqa: ANN001
    conn = connect(pg_dsn, create=True, dim=384)
    try:
        rows = bench_reindex(BenchConfig(work=tmp_path, scale_queries=20), conn, pg_dsn, 1_500, "64MB")
    finally:
        conn.close()
    by_name = {r.metric.split(": ", 1)[1]: r for r in rows}
    failed = by_name["failed or half-read questions"]
    assert failed.citebot == 0 and failed.ok, failed.note
    longest = by_name["longest question across the commits"]
    assert "generations read [1, 2]" in longest.note, longest.note
    assert by_name["question p50 before → during"].citebot > 0
