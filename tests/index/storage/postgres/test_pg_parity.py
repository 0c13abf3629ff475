"""The database answers what the local index answers: BM25 within 1e-4 of bm25s, exact dense search
equal to FAISS Flat, the same cosines, mean vectors and IDF. On the seed corpus (real model) and a
SciFact subset (fake embedder: BM25 and exact search do not depend on the model)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import psycopg
import pytest

from index.models.lexical import Analyzer, BM25Index
from index.storage.postgres import search
from index.storage.postgres.connection import connect
from index.storage.postgres.generations import Scope, live_scope
from index.storage.postgres.ingest import ingest
from index.storage.postgres.source import from_index_dir
from index.storage.store import IndexData, read_index
from tests.conftest import ROOT, FakeEmbedder
from tests.index.storage.postgres.conftest import new_database, scifact_queries

BM25_TOL = 1e-4
COS_TOL = 1e-5
K = 100


@dataclass
class Case:
    conn: psycopg.Connection
    scope: Scope
    data: IndexData
    questions: list[str]
    vectors: np.ndarray  # the questions' embeddings


def _seed_questions() -> list[str]:
    from index.evaluation.qa import load_questions

    return [q.question for q in load_questions(ROOT / "tests" / "eval" / "seed.jsonl")]


@pytest.fixture(scope="module", params=["seed", "scifact"])
def case(request: pytest.FixtureRequest, pg_server) -> Iterator[Case]:  # noqa: ANN001
    if request.param == "seed":
        directory = request.getfixturevalue("seed_index")  # the real model
        embedder = request.getfixturevalue("real_embedder")
        questions = _seed_questions()
    else:
        directory = request.getfixturevalue("fake_scifact_index")
        embedder = FakeEmbedder()
        questions = scifact_queries(60)
    data = read_index(directory)
    dsn = new_database(pg_server)
    conn = connect(dsn, create=True, dim=int(data.unit_vectors.shape[1]))
    ingest(conn, request.param, from_index_dir(directory))
    scope = live_scope(conn, request.param)
    yield Case(conn, scope, data, questions, np.asarray(embedder.encode(questions), dtype=np.float32))
    conn.close()


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    order = np.argsort(-scores, kind="stable")[:k]
    return order[scores[order] > 0]


def _same_ranking(db: search.Ranked, local_scores: np.ndarray, k: int, tol: float) -> None:
    """The database's top k are the local top k: same scores position by position, each id's score
    the local score of that id (ids may differ only between tied scores)."""
    want = _top(local_scores, k)
    assert len(db) == len(want)
    assert np.allclose(db.scores, local_scores[want], atol=tol, rtol=0)
    assert np.allclose(db.scores, local_scores[db.ids], atol=tol, rtol=0)


def test_bm25_candidates_and_scores_match_bm25s(case: Case) -> None:
    analyzer = Analyzer()
    data, scope = case.data, case.scope
    rng = np.random.default_rng(0)
    for question in case.questions:
        terms = analyzer.terms(question)
        chunks, docs = search.run(
            case.conn, scope, search.bm25_top_k(scope, "chunks", terms, K), search.bm25_top_k(scope, "documents", terms, K)
        )
        local_chunks, local_docs = data.bm25.scores(terms), data.doc_bm25.scores(terms)
        _same_ranking(chunks, local_chunks, K, BM25_TOL)
        _same_ranking(docs, local_docs, K, BM25_TOL)
        some_chunks = rng.choice(len(data.chunks), size=min(20, len(data.chunks)), replace=False)
        some_docs = np.unique(np.concatenate([rng.choice(len(data.docs), size=min(10, len(data.docs))), docs.ids[:5]]))
        by_chunk, by_doc, best = search.run(
            case.conn, scope,
            search.bm25_scores(scope, "chunks", terms, some_chunks),
            search.bm25_scores(scope, "documents", terms, some_docs),
            search.best_chunk_bm25(scope, terms, some_docs),
        )
        assert np.allclose(by_chunk, local_chunks[some_chunks], atol=BM25_TOL, rtol=0)
        assert np.allclose(by_doc, local_docs[some_docs], atol=BM25_TOL, rtol=0)
        want_best = [local_chunks[data.doc_chunks[d].start : data.doc_chunks[d].stop].max(initial=0.0) for d in some_docs]
        assert np.allclose(best, want_best, atol=BM25_TOL, rtol=0)


def test_unit_bm25_matches_bm25s_over_the_unit_display_texts(case: Case) -> None:
    analyzer = Analyzer()
    data = case.data
    ref = BM25Index.build([data.unit_display(i) for i in range(len(data.units))])
    for question in case.questions[:20]:
        terms = analyzer.terms(question)
        units = search.one(case.conn, case.scope, search.bm25_top_k(case.scope, "units", terms, K))
        _same_ranking(units, ref.scores(terms), K, BM25_TOL)


def test_idf_matches_the_local_index(case: Case) -> None:
    analyzer = Analyzer()
    terms = sorted({t for q in case.questions for t in analyzer.terms(q)}) + ["zzzunknownzzz"]
    chunk_idf, doc_idf = search.run(
        case.conn, case.scope, search.idf(case.scope, "chunks", terms), search.idf(case.scope, "documents", terms)
    )
    assert all(abs(chunk_idf[t] - case.data.bm25.idf(t)) < 1e-9 for t in terms)
    assert all(abs(doc_idf[t] - case.data.doc_bm25.idf(t)) < 1e-9 for t in terms)


def test_exact_dense_search_is_faiss_flat(case: Case) -> None:
    data = case.data
    assert data.vectors.factory == "Flat"
    k = min(K, len(data.units))
    scores, ids = data.vectors.search(case.vectors, k)
    for i, q in enumerate(case.vectors):
        dense = search.dense_top_k(case.conn, case.scope, q, k, exact=True)
        assert len(dense) == k
        assert np.allclose(dense.scores, scores[i], atol=COS_TOL, rtol=0)
        differ = dense.ids != ids[i]
        # an id may differ from FAISS's only where two units are tied to within float rounding
        exact = np.asarray(data.unit_vectors, dtype=np.float64) @ q.astype(np.float64)
        assert np.all(np.abs(exact[dense.ids[differ]] - exact[ids[i][differ]]) <= COS_TOL)
        assert dense.chunks.tolist() == data.unit_chunk[dense.ids].tolist()
        assert dense.docs.tolist() == data.units["doc"][dense.ids].tolist()


def test_cosines_and_mean_vectors_match_the_local_arrays(case: Case) -> None:
    data, scope = case.data, case.scope
    q = case.vectors[0]
    chunks = np.arange(min(40, len(data.chunks)))
    docs = np.arange(min(25, len(data.docs)))
    units = np.arange(min(60, len(data.units)))
    unit_cos, chunk_cos, doc_cos, within_chunks, within_docs, doc_vecs = search.run(
        case.conn, scope,
        search.cosines(scope, "units", q, units),
        search.cosines(scope, "chunks", q, chunks),
        search.cosines(scope, "documents", q, docs),
        search.unit_cosines_within(scope, "chunks", q, chunks),
        search.unit_cosines_within(scope, "documents", q, docs),
        search.mean_vectors(scope, "documents", docs),
    )
    sv = np.asarray(data.unit_vectors)
    assert np.allclose(unit_cos, sv[units] @ q, atol=COS_TOL)
    assert np.allclose(chunk_cos, np.asarray(data.chunk_vectors)[chunks] @ q, atol=COS_TOL)
    assert np.allclose(doc_cos, np.asarray(data.document_vectors)[docs] @ q, atol=COS_TOL)
    want = sorted({s for c in chunks for s in range(int(data.chunks["first"][c]), int(data.chunks["last"][c]))})
    assert sorted(within_chunks) == want
    assert np.allclose([within_chunks[s] for s in want], sv[want] @ q, atol=COS_TOL)
    want = sorted({s for d in docs for s in range(int(data.doc_unit_start[d]), int(data.doc_unit_start[d + 1]))})
    assert sorted(within_docs) == want
    assert np.array_equal(doc_vecs, np.asarray(data.document_vectors)[docs])


def test_cosines_over_id_ranges_equal_the_cosines_of_each_id(case: Case) -> None:
    scope, q = case.scope, case.vectors[0]
    n = int(scope.counts["units"])
    assert n >= 8
    starts, ends = [0, 2, 4, n - 2], [1, 2, 6, n + 2]  # an empty range, and one past the last unit
    ids = [i for a, b in zip(starts, ends, strict=True) for i in range(a, b)]
    ranged, each, none = search.run(
        case.conn, scope, search.cosines_in_ranges(scope, "units", q, starts, ends),
        search.cosines(scope, "units", q, ids), search.cosines_in_ranges(scope, "chunks", q, [], []),
    )
    assert ranged.tolist() == each.tolist()  # the same float8 values, 0 past the last unit
    assert ranged[-2:].tolist() == [0.0, 0.0] and ranged[0] != 0.0
    assert len(none) == 0


def test_a_questions_candidates_in_one_round_trip(case: Case) -> None:
    """Dense units, BM25 chunks and BM25 documents of one question: one batch, one snapshot."""
    terms = Analyzer().terms(case.questions[0])
    dense, chunks, docs = search.run(
        case.conn, case.scope,
        search.dense_units(case.scope, case.vectors[0], K),
        search.bm25_top_k(case.scope, "chunks", terms, K),
        search.bm25_top_k(case.scope, "documents", terms, K),
    )
    assert len(dense) == min(K, len(case.data.units)) and len(chunks) > 0 and len(docs) > 0


def test_a_query_without_known_terms_finds_nothing(case: Case) -> None:
    scope = case.scope
    for terms in ([], ["zzzunknownzzz"]):
        chunks, docs, scores = search.run(
            case.conn, scope,
            search.bm25_top_k(scope, "chunks", terms, K),
            search.bm25_top_k(scope, "documents", terms, K),
            search.bm25_scores(scope, "chunks", terms, [0, 1]),
        )
        assert len(chunks) == 0 and len(docs) == 0 and scores.tolist() == [0.0, 0.0]
