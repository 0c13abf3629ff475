"""Ingest: a built local index into generation N+1, validated, flipped live in one transaction."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import psycopg
import pytest

from index.bench.sentences import synthetic_source
from index.storage.postgres import search
from index.storage.postgres.connection import connect
from index.storage.postgres.errors import (
    CorpusNotFound,
    IngestRejected,
    NoLiveGeneration,
    ReindexInProgress,
    SchemaMismatch,
    UnstorableText,
)
from index.storage.postgres.generations import corpus_id, generations, live_scope, try_lock, unlock
from index.storage.postgres.ingest import ANN_KIND, HNSW_HALFVEC, IVFFLAT_HALFVEC, ingest, ivf_lists
from index.storage.postgres.schema import SCHEMA_VERSION
from index.storage.postgres.source import Document, from_index_dir
from index.storage.store import read_index


def _tables(conn: psycopg.Connection, pattern: str) -> list[str]:
    rows = conn.execute("SELECT relname FROM pg_class WHERE relname LIKE %s AND relkind IN ('r', 'p') ORDER BY 1", (pattern,))
    return [r[0] for r in rows.fetchall()]


def test_ingest_a_local_index(pg: psycopg.Connection, fake_seed_index: Path) -> None:
    data = read_index(fake_seed_index)
    report = ingest(pg, "seed", from_index_dir(fake_seed_index))
    assert (report.generation, report.replaced, report.ann) == (1, None, None)
    assert (report.documents, report.units, report.chunks) == (len(data.docs), len(data.units), len(data.chunks))
    assert report.vectors_sent == len(data.units) and report.vectors_reused == 0
    scope = live_scope(pg, "seed")
    assert scope.generation == 1 and scope.counts == {"documents": 1, "units": len(data.units), "chunks": len(data.chunks)}
    assert scope.stats["chunks"]["n"] == len(data.chunks) and scope.stats["k1"] == 1.2
    # the stored text is the document text, every unit a slice of it at its offsets
    spans = search.one(pg, scope, search.spans(scope, "units", range(len(data.units))))
    assert [s.text for s in spans] == [data.unit_text(i) for i in range(len(data.units))]
    assert [s.line for s in spans] == data.units["line"].tolist()
    assert search.one(pg, scope, search.document_texts(scope, [0]))[0] == (data.docs[0].source, data.docs[0].text)
    vocab = pg.execute("SELECT count(*) FROM vocabulary WHERE corpus_id = %s AND generation = 1", (scope.corpus_id,)).fetchone()[0]
    assert vocab == scope.vocabulary == report.vocabulary
    # one leaf per table for (corpus, generation 1), attached under the corpus's partition
    assert _tables(pg, f"units_c{scope.corpus_id}%") == [f"units_c{scope.corpus_id}", f"units_c{scope.corpus_id}_g1"]


def test_reindex_reuses_vectors_flips_and_drops_after_the_grace_period(pg: psycopg.Connection, fake_seed_index: Path) -> None:
    src = from_index_dir(fake_seed_index)
    ingest(pg, "seed", src)
    second = ingest(pg, "seed", src, grace_seconds=600)
    assert (second.generation, second.replaced) == (2, 1)
    assert second.vectors_reused == len(src.units) and second.vectors_sent == 0
    assert generations(pg, "seed") == [(1, "retired"), (2, "live")]
    scope = live_scope(pg, "seed")
    q = src.unit_vectors[2]
    dense = search.dense_top_k(pg, scope, q, 5, exact=True)
    assert dense.ids[0] == 2 and abs(dense.scores[0] - 1.0) < 1e-5  # the reused vectors are the same vectors
    vecs = pg.execute(
        "SELECT embedding FROM units WHERE corpus_id = %s AND generation = 2 ORDER BY unit", (scope.corpus_id,)
    ).fetchall()
    assert np.allclose(np.stack([v[0].to_numpy() for v in vecs]), src.unit_vectors)
    # a changed sentence is embedded anew (sent), the others reused
    changed = dataclasses.replace(src, unit_vectors=src.unit_vectors.copy())
    third = ingest(pg, "seed", changed, grace_seconds=0)
    assert third.dropped == [1, 2] and generations(pg, "seed") == [(3, "live")]
    cid = scope.corpus_id
    assert _tables(pg, f"units_c{cid}_g%") == [f"units_c{cid}_g3"]


def test_a_changed_text_is_sent_not_reused(pg: psycopg.Connection) -> None:
    a = synthetic_source(60, dim=64, seed=1)
    ingest(pg, "c", a)
    texts = [d.text for d in a.documents]
    first = a.units[0]
    old = texts[0][first[1]:first[2]]
    new_text = "Zzz" + old[3:]  # same length: every offset stays valid
    docs = [Document(d.source, d.title, d.hash, texts[0].replace(old, new_text, 1) if i == 0 else d.text)
            for i, d in enumerate(a.documents)]
    report = ingest(pg, "c", dataclasses.replace(a, documents=docs))
    assert (report.vectors_sent, report.vectors_reused) == (1, 59)


def test_another_reindex_of_the_same_corpus_is_refused(pg: psycopg.Connection, pg_dsn: str, fake_seed_index: Path) -> None:
    src = from_index_dir(fake_seed_index)
    ingest(pg, "seed", src)
    other = connect(pg_dsn)
    try:
        cid = corpus_id(pg, "seed")
        assert try_lock(other, cid)
        with pytest.raises(ReindexInProgress, match="seed"):
            ingest(pg, "seed", src)
        ingest(pg, "another", src)  # other corpora are not blocked
        unlock(other, cid)
        assert ingest(pg, "seed", src).generation == 2
    finally:
        other.close()


def test_texts_postgres_cannot_hold_are_refused_by_name(pg: psycopg.Connection) -> None:
    src = synthetic_source(40, dim=64)
    for bad, why in (("a\x00b", "NUL"), ("a\ud800b", "Unicode")):
        docs = list(src.documents)
        docs[1] = Document(docs[1].source, docs[1].title, docs[1].hash, docs[1].text + bad)
        with pytest.raises(UnstorableText, match=f"{docs[1].source}.*{why}"):
            ingest(pg, "c", dataclasses.replace(src, documents=docs))
    with pytest.raises(CorpusNotFound):
        live_scope(pg, "c")  # refused before anything was written


def test_a_failed_validation_leaves_the_live_generation(pg: psycopg.Connection, monkeypatch: pytest.MonkeyPatch) -> None:
    src = synthetic_source(40, dim=64)
    ingest(pg, "c", src)
    units = src.units.copy()
    units[5, 2] = len(src.documents[0].text) + 10  # a unit ending past its document
    with pytest.raises(IngestRejected, match="past their document"):
        ingest(pg, "c", dataclasses.replace(src, units=units))
    assert generations(pg, "c") == [(1, "live")]
    cid = corpus_id(pg, "c")
    assert _tables(pg, f"units_c{cid}_g%") == [f"units_c{cid}_g1"]
    assert live_scope(pg, "c").generation == 1
    # the server recomputes unit texts from the stored document text: a disagreement is refused
    from index.storage.postgres import ingest as ingest_module

    def off_by_one(texts: list[str]) -> np.ndarray:
        return real(["x" + texts[0], *texts[1:]])

    real = ingest_module.text_hashes
    monkeypatch.setattr(ingest_module, "text_hashes", off_by_one)
    with pytest.raises(IngestRejected, match=r"differ \(units \[0\]\)"):
        ingest(pg, "c", src)
    assert generations(pg, "c") == [(1, "live")]


def test_local_bm25_weights_are_carried_over_and_equal_our_own_analysis(pg: psycopg.Connection, fake_seed_index: Path) -> None:
    """A local index brings its bm25s weights; computing them from the texts instead (as for a source
    without a local index) gives the same scores on plain text, and a disagreeing local df is refused."""
    from index.models.lexical import Analyzer

    src = from_index_dir(fake_seed_index)
    assert src.lexical is not None and src.local_df is None
    ingest(pg, "carried", src)
    ingest(pg, "analyzed", dataclasses.replace(src, lexical=None))
    carried, analyzed = live_scope(pg, "carried"), live_scope(pg, "analyzed")
    for question in ("who praised the caretaker?", "smoke inhalation hospital", "sixth floor babies"):
        terms = Analyzer().terms(question)
        for level in ("chunks", "documents"):
            a = search.one(pg, carried, search.bm25_top_k(carried, level, terms, 50))
            b = search.one(pg, analyzed, search.bm25_top_k(analyzed, level, terms, 50))
            assert len(a) and np.allclose(a.scores, b.scores, atol=1e-5) and a.ids.tolist() == b.ids.tolist()
    data = read_index(fake_seed_index)
    df = np.asarray(data.bm25.doc_freq)
    local = {"chunks": {t: int(df[i]) for t, i in data.bm25.vocab.items() if t}}
    term = sorted(local["chunks"])[0]
    local["chunks"][term] += 1
    with pytest.raises(IngestRejected, match="chunks"):
        ingest(pg, "seed", dataclasses.replace(src, lexical=None, local_df=local))


def test_schema_is_versioned_and_keeps_its_dimension(pg_dsn: str, pg: psycopg.Connection) -> None:
    assert pg.execute("SELECT version, dim FROM citebot_schema").fetchone() == (SCHEMA_VERSION, 64)
    with pytest.raises(SchemaMismatch, match="dimension 64"):
        ingest(pg, "c", synthetic_source(20, dim=32))
    connect(pg_dsn, create=True, dim=64).close()  # again: nothing to do
    pg.execute("UPDATE citebot_schema SET version = 99")
    with pytest.raises(SchemaMismatch, match="schema version 99"):
        connect(pg_dsn, create=True, dim=64)


def test_a_version_2_database_is_read_as_it_is_and_migrated_by_the_next_build(pg_dsn: str, pg: psycopg.Connection) -> None:
    """Version 2 had no 'ready' state: readers answer from such a database unchanged, and the first
    build of version 3 migrates it (the state constraint) before it commits a 'ready' generation."""
    from index.storage.postgres.schema import schema_dim

    ingest(pg, "c", synthetic_source(30, dim=64, seed=1))
    pg.execute(
        "ALTER TABLE generations DROP CONSTRAINT generations_state_check, "
        "ADD CONSTRAINT generations_state_check CHECK (state IN ('building', 'live', 'retired'))"
    )
    pg.execute("UPDATE citebot_schema SET version = 2")
    assert schema_dim(pg) == 64
    scope = live_scope(pg, "c")
    assert len(search.dense_top_k(pg, scope, synthetic_source(30, dim=64, seed=1).unit_vectors[0], 5)) == 5
    report = ingest(pg, "c", synthetic_source(40, dim=64, seed=2))
    assert report.generation == 2
    assert pg.execute("SELECT version FROM citebot_schema").fetchone() == (SCHEMA_VERSION,)
    assert live_scope(pg, "c").counts["units"] == 40


def test_a_corpus_without_a_finished_generation(pg: psycopg.Connection) -> None:
    corpus_id(pg, "empty", create=True)
    with pytest.raises(NoLiveGeneration):
        live_scope(pg, "empty")
    with pytest.raises(CorpusNotFound):
        live_scope(pg, "nope")


@pytest.mark.parametrize("kind", [IVFFLAT_HALFVEC, HNSW_HALFVEC])
def test_a_large_corpus_gets_a_halfvec_ann_index_searched_and_rescored(pg: psycopg.Connection, kind: str) -> None:
    src = synthetic_source(3000, dim=64, seed=3)
    report = ingest(pg, "big", src, exact_max=1000, ann_kind=kind)
    assert report.ann == kind
    scope = live_scope(pg, "big")
    assert scope.ann == kind
    q = src.unit_vectors[7]
    query = search.dense_units(scope, q, 10)
    plan = "\n".join(r[0] for r in pg.execute("EXPLAIN " + query.sql, query.params).fetchall())
    assert "embedding_idx" in plan and "halfvec" in plan
    method = kind.split("-")[0]
    indexdef = pg.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexdef LIKE '%%halfvec%%'",
                          (f"units_c{scope.corpus_id}_g{scope.generation}",)).fetchone()[0]
    assert f"USING {method}" in indexdef
    found = search.dense_top_k(pg, scope, q, 10)
    exact = search.dense_top_k(pg, scope, q, 10, exact=True)
    assert found.ids[0] == 7 == exact.ids[0]
    assert len(set(found.ids.tolist()) & set(exact.ids.tolist())) >= 8
    # the candidates are re-sorted by the float32 cosine: the same scores as the exact scan's
    same = np.isin(found.ids, exact.ids)
    np.testing.assert_allclose(found.scores[same], exact.scores[np.isin(exact.ids, found.ids)], rtol=0, atol=1e-6)


def test_large_corpora_get_the_default_kind_and_an_unknown_kind_is_refused(pg: psycopg.Connection) -> None:
    assert ANN_KIND == HNSW_HALFVEC
    src = synthetic_source(1500, dim=64, seed=6)
    assert ingest(pg, "default-kind", src, exact_max=1000).ann == HNSW_HALFVEC
    with pytest.raises(ValueError, match="unknown ANN index kind"):
        ingest(pg, "default-kind", src, exact_max=1000, ann_kind="ivfpq")
    assert [g for g, _ in generations(pg, "default-kind")] == [1]


def test_ivf_cells_hold_a_thousand_rows_up_to_a_million_then_grow_as_the_square_root() -> None:
    assert ivf_lists(1_000_000) == 1000
    assert ivf_lists(100_000) == 100
    assert ivf_lists(6000) == 10
    assert ivf_lists(4_000_000) == 2000


def test_a_generation_keeps_the_index_kind_it_was_built_with(pg: psycopg.Connection) -> None:
    src = synthetic_source(1500, dim=64, seed=7)
    ingest(pg, "kinds", src, exact_max=1000, ann_kind=HNSW_HALFVEC, grace_seconds=600)
    old = live_scope(pg, "kinds")
    ingest(pg, "kinds", src, exact_max=1000, ann_kind=IVFFLAT_HALFVEC, grace_seconds=600)
    new = live_scope(pg, "kinds")
    assert (old.ann, new.ann) == (HNSW_HALFVEC, IVFFLAT_HALFVEC)
    q = src.unit_vectors[11]
    for scope, method in ((old, "hnsw"), (new, "ivfflat")):  # each generation's own index answers
        query = search.dense_units(scope, q, 10)
        plan = "\n".join(r[0] for r in pg.execute("EXPLAIN " + query.sql, query.params).fetchall())
        assert f"units_c{scope.corpus_id}_g{scope.generation}" in plan
        kind = pg.execute("SELECT am.amname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                          "JOIN pg_am am ON am.oid = c.relam WHERE i.indrelid = to_regclass(%s) AND am.amname = %s",
                          (f"units_c{scope.corpus_id}_g{scope.generation}", method)).fetchone()
        assert kind is not None
        assert search.dense_top_k(pg, scope, q, 10).ids[0] == 11


def test_an_older_float32_hnsw_generation_keeps_its_query(pg: psycopg.Connection) -> None:
    src = synthetic_source(300, dim=64, seed=4)
    ingest(pg, "old", src)
    scope = dataclasses.replace(live_scope(pg, "old"), ann="hnsw")
    query = search.dense_units(scope, src.unit_vectors[3], 5)
    assert "halfvec" not in query.sql
    assert search.dense_top_k(pg, scope, src.unit_vectors[3], 5).ids[0] == 3


def test_tables_left_by_a_cut_short_drop_are_swept(pg: psycopg.Connection) -> None:
    src = synthetic_source(30, dim=64)
    ingest(pg, "c", src)
    ingest(pg, "c", src, grace_seconds=600)
    cid = corpus_id(pg, "c")
    # as if a drop had deleted generation 1's row and died before dropping its tables
    pg.execute("DELETE FROM generations WHERE corpus_id = %s AND generation = 1", (cid,))
    pg.execute(f"ALTER TABLE units_c{cid} DETACH PARTITION units_c{cid}_g1")
    assert f"units_c{cid}_g1" in _tables(pg, f"units_c{cid}_g%")
    ingest(pg, "c", src, grace_seconds=600)
    assert _tables(pg, f"%_c{cid}_g1") == []
    assert [g for g, _ in generations(pg, "c")] == [2, 3]


def test_bm25_columns_stay_in_the_row(pg: psycopg.Connection) -> None:
    ingest(pg, "inline", synthetic_source(40, dim=64, seed=5))
    cid = corpus_id(pg, "inline")
    for table in ("units", "chunks", "document_terms"):
        rows = pg.execute(
            "SELECT a.attname, a.attstorage, c.reloptions FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "WHERE c.relname = %s AND a.attname IN ('bm25', 'terms')", (f"{table}_c{cid}_g1",),
        ).fetchall()
        assert {name: storage for name, storage, _ in rows} == {"bm25": "m", "terms": "m"}
        assert "toast_tuple_target=8160" in rows[0][2]
