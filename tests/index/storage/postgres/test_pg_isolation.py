"""Corpus isolation: one database, two guilds; every primitive on one corpus sees only its own
rows, its own vocabulary and statistics, and a re-index of one never touches the other."""

from __future__ import annotations

import numpy as np
import psycopg

from index.bench.sentences import synthetic_source
from index.storage.postgres import search
from index.storage.postgres.generations import live_scope
from index.storage.postgres.ingest import ingest


def test_a_corpus_never_sees_anothers_rows(pg: psycopg.Connection) -> None:
    a = synthetic_source(300, dim=64, seed=1)
    b = synthetic_source(200, dim=64, seed=2)
    ingest(pg, "guild-a", a)
    ingest(pg, "guild-b", b)
    sa, sb = live_scope(pg, "guild-a"), live_scope(pg, "guild-b")
    assert sa.corpus_id != sb.corpus_id and (sa.generation, sb.generation) == (1, 1)

    # b's own vector, searched in a: a's best, never b's unit (every hit is one of a's units)
    q = b.unit_vectors[7]
    in_a = search.dense_top_k(pg, sa, q, 1000, exact=True)
    assert len(in_a) == 300 and sorted(in_a.ids.tolist()) == list(range(300))
    assert np.allclose(in_a.scores, np.sort(a.unit_vectors @ q)[::-1], atol=1e-5)
    in_b = search.dense_top_k(pg, sb, q, 5, exact=True)
    assert in_b.ids[0] == 7 and abs(in_b.scores[0] - 1.0) < 1e-5

    # a word only b uses: BM25 in a finds nothing; the texts a returns are a's
    words_a = {w.lower().strip(".") for d in a.documents for w in d.text.split()}
    only_b = next(w.lower().strip(".") for d in b.documents for w in d.text.split() if w.lower().strip(".") not in words_a)
    from index.models.lexical import Analyzer

    terms = Analyzer().terms(only_b)
    found_a, found_b = (search.one(pg, s, search.bm25_top_k(s, "units", terms, 50)) for s in (sa, sb))
    assert len(found_a) == 0 and len(found_b) > 0
    spans = search.one(pg, sb, search.spans(sb, "units", found_b.ids))
    assert all(only_b in s.text.lower() for s in spans)
    docs_a = search.one(pg, sa, search.document_texts(sa, range(len(a.documents))))
    assert [t for _, t in docs_a] == [d.text for d in a.documents]

    # statistics are per corpus
    common = Analyzer().terms(a.documents[0].text.split()[0])
    idf_a, idf_b = (search.one(pg, s, search.idf(s, "units", common)) for s in (sa, sb))
    assert sa.stats["units"]["n"] == 300 and sb.stats["units"]["n"] == 200
    assert idf_a != idf_b

    # re-indexing b leaves a as it was
    before = search.dense_top_k(pg, sa, a.unit_vectors[3], 10, exact=True)
    ingest(pg, "guild-b", synthetic_source(150, dim=64, seed=9), grace_seconds=0)
    assert live_scope(pg, "guild-a") == sa and live_scope(pg, "guild-b").generation == 2
    after = search.dense_top_k(pg, sa, a.unit_vectors[3], 10, exact=True)
    assert after.ids.tolist() == before.ids.tolist()
    assert live_scope(pg, "guild-b").counts["units"] == 150
