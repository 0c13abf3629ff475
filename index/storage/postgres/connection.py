"""Connections: psycopg with pgvector's types, and the search settings of a citebot session."""

from __future__ import annotations

import psycopg
from pgvector.psycopg import register_vector

from index.storage.postgres.errors import ServerUnavailable
from index.storage.postgres.schema import ensure_schema

# HNSW search: the candidate list of a scan, and iterative scans, which go on past ef_search
# until LIMIT rows are found (pgvector >= 0.8). Measured in BENCHMARKS.md ("PostgreSQL + pgvector").
EF_SEARCH = 200
ITERATIVE_SCAN = "relaxed_order"  # results are re-sorted exactly by the query (search.py)
# IVFFlat search: the cells scanned (of ingest.ivf_lists(n): 1,000 at 1M), and the same iterative scan (more
# cells until LIMIT rows are found)
IVF_PROBES = 32
SESSION = {
    "hnsw.ef_search": str(EF_SEARCH),
    "hnsw.iterative_scan": ITERATIVE_SCAN,
    "ivfflat.probes": str(IVF_PROBES),
    "ivfflat.iterative_scan": ITERATIVE_SCAN,
    "jit": "off",  # a millisecond query must not pay for a JIT compile
    # plans made for the given corpus and generation: a generic plan would be costed over every
    # corpus's partitions and lose the HNSW index scan of the one partition a query reads
    "plan_cache_mode": "force_custom_plan",
}


def connect(dsn: str, *, autocommit: bool = True, create: bool = False, dim: int | None = None) -> psycopg.Connection:
    """A connection with pgvector's types registered; ``create`` makes the schema if it is missing."""
    try:
        conn = psycopg.connect(dsn, autocommit=autocommit)
    except psycopg.OperationalError as exc:
        raise ServerUnavailable(str(exc).strip().splitlines()[0] if str(exc).strip() else "cannot connect") from exc
    try:
        if create:
            ensure_schema(conn, **({"dim": dim} if dim else {}))
        register_vector(conn)
        for name, value in SESSION.items():
            conn.execute("SELECT set_config(%s, %s, false)", (name, value))
        if not autocommit:
            conn.commit()
    except BaseException:
        conn.close()
        raise
    return conn
