"""Re-index while serving: readers asking during generation flips each get one whole generation,
never a mix and never a half-built one; a reader pinned to a dropped generation is told so."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from index.bench.sentences import synthetic_source
from index.models.lexical import Analyzer
from index.storage.postgres import search
from index.storage.postgres.connection import connect
from index.storage.postgres.errors import GenerationGone
from index.storage.postgres.generations import live_scope
from index.storage.postgres.ingest import ingest

READERS = 3


def test_concurrent_reads_during_flips_see_whole_generations(pg: psycopg.Connection, pg_dsn: str) -> None:
    versions = {"A": synthetic_source(400, dim=64, seed=1), "B": synthetic_source(250, dim=64, seed=2)}
    first_doc = {name: src.documents[0].text for name, src in versions.items()}
    ingest(pg, "guild", versions["A"])
    done = threading.Event()
    seen: list[tuple[int, str]] = []
    errors: list[str] = []
    q = versions["A"].unit_vectors[0]
    terms = Analyzer().terms(versions["B"].documents[0].text.split()[1])

    def reader() -> None:
        conn = connect(pg_dsn)
        try:
            while not done.is_set() or len(seen) < 20:
                scope = live_scope(conn, "guild")
                n_docs = scope.counts["documents"]
                dense, texts, units, unfinished = search.run(
                    conn, scope,
                    search.dense_units(scope, q, 10_000, exact=True),
                    search.document_texts(scope, range(n_docs)),
                    search.bm25_top_k(scope, "units", terms, 10_000),
                    search.Query(  # rows of a generation that is not finished (being built)
                        "SELECT count(*) FROM units x WHERE x.corpus_id = %(c)s AND NOT EXISTS (SELECT 1 FROM "
                        "generations g WHERE g.corpus_id = x.corpus_id AND g.generation = x.generation "
                        "AND g.state IN ('ready', 'live', 'retired'))",
                        {"c": scope.corpus_id}, lambda rows: int(rows[0][0]),
                    ),
                )
                name = next((k for k, v in first_doc.items() if texts[0][1] == v), None)
                if name is None:
                    errors.append(f"generation {scope.generation}: unknown text")
                    continue
                src = versions[name]
                checks = {
                    "counts": scope.counts == {
                        "documents": len(src.documents), "units": len(src.units), "chunks": len(src.chunks)
                    },
                    "units": sorted(dense.ids.tolist()) == list(range(len(src.units))),
                    "texts": [t for _, t in texts] == [d.text for d in src.documents],
                    "bm25": all(i < len(src.units) for i in units.ids.tolist()),
                    "unfinished rows": unfinished == 0,
                }
                if not all(checks.values()):
                    errors.append(f"generation {scope.generation} ({name}): {checks}")
                seen.append((scope.generation, name))
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(repr(exc))
        finally:
            conn.close()

    threads = [threading.Thread(target=reader) for _ in range(READERS)]
    for t in threads:
        t.start()
    try:
        for name in ["B", "A", "B", "A"]:
            time.sleep(0.2)
            ingest(pg, "guild", versions[name], grace_seconds=600)
    finally:
        done.set()
        for t in threads:
            t.join(timeout=120)
    assert not errors, errors[:5]
    generations_seen = {g for g, _ in seen}
    assert len(generations_seen) >= 2, f"the readers saw only generations {generations_seen}"
    assert all(name == ("A" if g % 2 else "B") for g, name in seen)


def test_a_dropped_generation_is_reported_not_read_as_empty(pg: psycopg.Connection) -> None:
    src = synthetic_source(50, dim=64, seed=4)
    ingest(pg, "guild", src)
    pinned = live_scope(pg, "guild")
    ingest(pg, "guild", src, grace_seconds=600)
    assert len(search.dense_top_k(pg, pinned, src.unit_vectors[0], 5)) == 5  # within the grace period
    ingest(pg, "guild", src, grace_seconds=0)  # generations 1 and 2 dropped
    with pytest.raises(GenerationGone, match="ask again"):
        search.dense_top_k(pg, pinned, src.unit_vectors[0], 5)
    assert len(search.dense_top_k(pg, live_scope(pg, "guild"), src.unit_vectors[0], 5)) == 5


def test_a_reader_is_not_held_up_by_a_build_and_sees_the_new_generation_whole_after_the_flip(
    pg: psycopg.Connection, pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build commits its generation ('ready', attached) before it flips the live pointer in a
    second transaction. While the flip's transaction is open, and while the first one commits, a
    reader of the live generation takes no lock that waits; once the flip commits, it reads the new
    generation whole (PostgreSQL announced the attached partitions with the first commit)."""
    from index.storage.postgres import ingest as ingest_module
    from index.storage.postgres import schema as schema_module

    src = synthetic_source(60, dim=64, seed=6)
    other = synthetic_source(70, dim=64, seed=7)
    ingest(pg, "guild", src)
    reader = connect(pg_dsn)
    pinned = live_scope(reader, "guild")
    outcome: dict[str, object] = {}
    real_flip, real_attach = ingest_module.flip, schema_module.attach_leaves

    def read_now(label: str) -> None:
        reader.execute("SET lock_timeout = '200ms'")
        try:
            texts = search.one(reader, pinned, search.document_texts(pinned, range(len(src.documents))))
            outcome[label] = [t for _, t in texts] == [d.text for d in src.documents]
        except psycopg.errors.LockNotAvailable:
            outcome[label] = "waited"
        finally:
            reader.execute("SET lock_timeout = 0")

    def attach_then_read(conn: psycopg.Connection, cid: int, generation: int) -> None:
        real_attach(conn, cid, generation)
        read_now("during the attach")

    def flip_then_read(conn: psycopg.Connection, cid: int, generation: int) -> int | None:
        replaced = real_flip(conn, cid, generation)
        read_now("during the flip")
        outcome["live during the flip"] = live_scope(reader, "guild").generation
        return replaced

    monkeypatch.setattr(ingest_module, "attach_leaves", attach_then_read)
    monkeypatch.setattr(ingest_module, "flip", flip_then_read)
    ingest(pg, "guild", other, grace_seconds=600)
    assert outcome == {"during the attach": True, "during the flip": True, "live during the flip": pinned.generation}
    scope = live_scope(reader, "guild")
    assert scope.generation == pinned.generation + 1
    texts = search.one(reader, scope, search.document_texts(scope, range(len(other.documents))))
    assert [t for _, t in texts] == [d.text for d in other.documents]
    reader.close()
