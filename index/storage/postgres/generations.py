"""Corpora, generations and the live pointer: which tables answer a corpus's questions.

A reader resolves a corpus to its live generation once per question (``live_scope``) and reads
that generation only; a re-index builds generation N+1 in new tables, commits it as 'ready', then
flips ``corpora.live_generation`` in a second, short transaction (``ingest.py``), so a reader sees
generation N or N+1 whole, never a mix and never a half-built one. A build that died between the
two leaves a 'ready' generation nobody reads; the next build drops it (``sweep_unfinished``). A replaced generation
stays readable for a grace period (questions that resolved it just before the flip finish on it),
then its tables are dropped (``drop_retired``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg

from index.storage.postgres.errors import CorpusNotFound, NoLiveGeneration
from index.storage.postgres.schema import drop_leaves, leaf_generations

DEFAULT_GRACE_SECONDS = 600.0
_LOCK_CLASS = 0x63627267  # advisory lock namespace of re-index locks ("cbrg"), key = corpus id


@dataclass(frozen=True)
class Scope:
    """One generation of one corpus: every search primitive reads exactly this."""

    corpus: str
    corpus_id: int
    generation: int
    vocabulary: int  # sparsevec dimension (vocabulary size)
    counts: dict[str, int] = field(default_factory=dict, compare=False)
    stats: dict[str, object] = field(default_factory=dict, compare=False)
    ann: str | None = None  # "hnsw-halfvec" (or an older generation's "hnsw"): an ANN index; None: exact scans


def corpus_id(conn: psycopg.Connection, name: str, *, create: bool = False) -> int:
    row = conn.execute("SELECT corpus_id FROM corpora WHERE name = %s", (name,)).fetchone()
    if row:
        return int(row[0])
    if not create:
        raise CorpusNotFound(name)
    from index.storage.postgres.schema import create_corpus_partitions

    with conn.transaction():
        row = conn.execute(
            "INSERT INTO corpora (name) VALUES (%s) ON CONFLICT (name) DO NOTHING RETURNING corpus_id", (name,)
        ).fetchone()
        if row is None:  # created meanwhile by another process
            return corpus_id(conn, name)
        create_corpus_partitions(conn, int(row[0]))
    return int(row[0])


_SCOPE_SQL = """
SELECT c.corpus_id, g.generation, g.stats, g.counts, g.ann
FROM corpora c JOIN generations g ON g.corpus_id = c.corpus_id AND g.generation = c.live_generation
WHERE c.name = %s
"""


def live_scope(conn: psycopg.Connection, corpus: str) -> Scope:
    """The live generation of ``corpus``, pinned: later flips do not change what this scope reads."""
    row = conn.execute(_SCOPE_SQL, (corpus,)).fetchone()
    if row is None:
        corpus_id(conn, corpus)  # raises CorpusNotFound if there is no such corpus
        raise NoLiveGeneration(corpus)
    return _scope(corpus, row)


def scope_of(conn: psycopg.Connection, corpus: str, generation: int) -> Scope:
    """A given generation (live or still within its grace period)."""
    row = conn.execute(
        "SELECT c.corpus_id, g.generation, g.stats, g.counts, g.ann FROM corpora c "
        "JOIN generations g USING (corpus_id) WHERE c.name = %s AND g.generation = %s",
        (corpus, generation),
    ).fetchone()
    if row is None:
        corpus_id(conn, corpus)
        raise NoLiveGeneration(corpus)
    return _scope(corpus, row)


def _scope(corpus: str, row: tuple) -> Scope:
    cid, gen, stats, counts, ann = row
    return Scope(corpus, int(cid), int(gen), int(stats["vocabulary"]), dict(counts), dict(stats), ann)


def generations(conn: psycopg.Connection, corpus: str) -> list[tuple[int, str]]:
    """(generation, state) of a corpus, oldest first."""
    cid = corpus_id(conn, corpus)
    rows = conn.execute(
        "SELECT generation, state FROM generations WHERE corpus_id = %s ORDER BY generation", (cid,)
    ).fetchall()
    return [(int(g), str(s)) for g, s in rows]


def try_lock(conn: psycopg.Connection, cid: int) -> bool:
    """The re-index lock of one corpus (session-level: released when the connection closes, so a
    crashed build never leaves it held)."""
    return bool(conn.execute("SELECT pg_try_advisory_lock(%s, %s)", (_LOCK_CLASS, cid)).fetchone()[0])


def unlock(conn: psycopg.Connection, cid: int) -> None:
    conn.execute("SELECT pg_advisory_unlock(%s, %s)", (_LOCK_CLASS, cid))


def flip(conn: psycopg.Connection, cid: int, generation: int) -> int | None:
    """In its own transaction, after the one that committed ``generation`` as 'ready': retire the
    live generation and make ``generation`` live. Returns the generation it replaced."""
    old = conn.execute(
        "SELECT live_generation FROM corpora WHERE corpus_id = %s FOR UPDATE", (cid,)
    ).fetchone()[0]
    state = conn.execute(
        "SELECT state FROM generations WHERE corpus_id = %s AND generation = %s", (cid, generation)
    ).fetchone()
    if state is None or state[0] != "ready":
        raise ValueError(f"generation {generation} is {state[0] if state else 'missing'}, not ready")
    conn.execute(
        "UPDATE generations SET state = 'retired', retired_at = clock_timestamp() "
        "WHERE corpus_id = %s AND state = 'live'",
        (cid,),
    )
    conn.execute(
        "UPDATE generations SET state = 'live', live_at = clock_timestamp() WHERE corpus_id = %s AND generation = %s",
        (cid, generation),
    )
    conn.execute("UPDATE corpora SET live_generation = %s WHERE corpus_id = %s", (generation, cid))
    return None if old is None else int(old)


def drop_retired(conn: psycopg.Connection, cid: int, grace_seconds: float = DEFAULT_GRACE_SECONDS) -> list[int]:
    """Drop the tables of generations retired more than ``grace_seconds`` ago (autocommit
    connection; the caller holds the corpus's re-index lock). Returns the generations dropped."""
    rows = conn.execute(
        "SELECT generation FROM generations WHERE corpus_id = %s AND state = 'retired' "
        "AND retired_at <= clock_timestamp() - make_interval(secs => %s) ORDER BY generation",
        (cid, float(grace_seconds)),
    ).fetchall()
    return _drop(conn, cid, [int(g) for (g,) in rows])


def _drop(conn: psycopg.Connection, cid: int, gens: list[int]) -> list[int]:
    for gen in gens:
        # the row first: a reader that still finds it after its queries knows the tables were there
        conn.execute("DELETE FROM generations WHERE corpus_id = %s AND generation = %s", (cid, gen))
        drop_leaves(conn, cid, gen)
    return gens


def sweep_unfinished(conn: psycopg.Connection, cid: int) -> list[int]:
    """Drop generations that were never made live (a build that died after committing its
    generation and before flipping the pointer). Autocommit connection, under the corpus's
    re-index lock. Returns the generations dropped."""
    rows = conn.execute(
        "SELECT generation FROM generations WHERE corpus_id = %s AND state IN ('building', 'ready') "
        "ORDER BY generation",
        (cid,),
    ).fetchall()
    return _drop(conn, cid, [int(g) for (g,) in rows])


def sweep_orphans(conn: psycopg.Connection, cid: int) -> list[int]:
    """Drop tables of generations that have no row any more (a drop cut short between deleting the
    row and dropping the tables). Autocommit connection, under the corpus's re-index lock."""
    known = {int(g) for (g,) in conn.execute(
        "SELECT generation FROM generations WHERE corpus_id = %s", (cid,)
    ).fetchall()}
    orphans = sorted(leaf_generations(conn, cid) - known)
    for gen in orphans:
        drop_leaves(conn, cid, gen)
    return orphans
