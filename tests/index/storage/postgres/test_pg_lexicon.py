"""BM25 weights with frozen statistics: the same terms as citebot's analyzer, the same scores as bm25s."""

from __future__ import annotations

import json
import random
import string
from collections import Counter
from itertools import islice

import numpy as np
import pytest

from index.models.lexical import Analyzer, BM25Index
from index.storage.postgres.lexicon import Vocabulary, _words, level_stats, scores, weights
from tests.conftest import SEEDS, SHARED_DATA

SCIFACT = SHARED_DATA / "scifact"

ODD = [
    "", "the and of it", "   ", "Ünïcödé wörds, ÉTÉ straße STRASSE", "x y z", "don't won't can't",
    "C++ and C# and .NET 4.8 — 3.14159 × 10⁻³", "日本語のテキスト", "İstanbul ǅemal ﬁnance",
]


def _texts() -> list[str]:
    texts = [line for p in sorted(SEEDS.rglob("*.txt")) for line in p.read_text(encoding="utf-8").splitlines()]
    return texts + ODD


def test_terms_are_the_analyzers() -> None:
    analyzer = Analyzer()
    vocab = Vocabulary(analyzer)
    texts = _texts()
    rows = vocab.analyze(texts)
    for i, text in enumerate(texts):
        ids, tf = rows.row(i)
        assert {vocab.terms[j]: int(c) for j, c in zip(ids, tf, strict=True)} == dict(Counter(analyzer.terms(text)))
        assert list(ids) == sorted(set(ids))
        assert rows.lengths[i] == max(1, len(analyzer.terms(text)))  # bm25s: an empty text is one token


def _check_against_bm25s(texts: list[str], queries: list[list[str]]) -> float:
    vocab = Vocabulary()
    rows = vocab.analyze(texts)
    w = weights(rows, level_stats(rows, len(vocab)))
    ref = BM25Index.build(texts)
    worst = 0.0
    for q in queries:
        ours = scores(rows, w, vocab.query_counts(q))
        worst = max(worst, float(np.abs(ours - ref.scores(q)).max()))
    return worst


def test_scores_match_bm25s_on_the_seed_corpus() -> None:
    texts = _texts()
    analyzer = Analyzer()
    rng = random.Random(1)
    queries = [analyzer.terms(rng.choice(texts))[:5] for _ in range(100)] + [["prais", "prais"], ["nope"], []]
    assert _check_against_bm25s(texts, queries) <= 1e-4


@pytest.mark.skipif(not SCIFACT.is_dir(), reason="no SciFact data")
def test_scores_match_bm25s_on_a_scifact_subset() -> None:
    with open(SCIFACT / "corpus.jsonl", encoding="utf-8") as f:
        texts = [f"{r['title']}\n{r['text']}" for r in map(json.loads, islice(f, 400))]
    analyzer = Analyzer()
    with open(SCIFACT / "queries.jsonl", encoding="utf-8") as f:
        queries = [analyzer.terms(json.loads(line)["text"]) for line in islice(f, 150)]
    assert _check_against_bm25s(texts, queries) <= 1e-4


def _same_rows(a, b) -> None:  # noqa: ANN001
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.ids, b.ids)
    assert np.array_equal(a.tf, b.tf) and np.array_equal(a.lengths, b.lengths)


def _check_composed(src) -> None:  # noqa: ANN001
    vocab = Vocabulary()
    units = vocab.analyze(src.unit_texts())
    _same_rows(vocab.compose(units, src.chunk_pieces()), vocab.analyze(src.chunk_texts()))
    _same_rows(vocab.compose(units, src.document_pieces()), vocab.analyze(src.document_texts()))


def test_chunks_and_documents_composed_from_units_are_analyzed_exactly(fake_seed_index) -> None:  # noqa: ANN001
    from index.bench.sentences import synthetic_source
    from index.storage.postgres.source import from_index_dir

    _check_composed(from_index_dir(fake_seed_index))
    _check_composed(synthetic_source(500, dim=8, seed=3))


def test_units_that_cannot_stand_for_their_text_fall_back_to_the_whole_text() -> None:
    from index.storage.postgres.source import Document, IngestSource

    # units cut inside words, a final sigma followed by an apostrophe, a unit glued to the next word,
    # overlapping and out-of-order units, empty units, and a context line the chunk starts with
    text = "ΟΔΟΣ'Α καλή. Fooba rbaz quux.Next one  here ΣΑΣ!done"
    spans = [(0, 4), (6, 12), (13, 18), (18, 24), (24, 30), (30, 38), (36, 41), (41, 41), (45, 48), (48, 53)]
    units = np.array([(0, a, b, 1, -1) for a, b in spans], dtype=np.int64)
    chunks = np.array([(0, 0, 12, 0, 2), (0, 13, 30, 2, 5), (0, 30, 41, 5, 8), (0, 45, 53, 8, 10), (0, 0, 53, 0, 10)])
    src = IngestSource(
        documents=[Document("d", "t", "h", text)], units=units, unit_chunk=np.zeros(len(spans), np.int64),
        chunks=chunks, contexts=["ΟΔΟΣ", "Context Σ", "", "", "x"], unit_vectors=np.zeros((len(spans), 2), np.float32),
        chunk_vectors=np.zeros((5, 2), np.float32), document_vectors=np.zeros((1, 2), np.float32), model={},
    )
    _check_composed(src)
    second = Document("e", "t", "h", "ΣΣ alpha beta")
    src.documents.append(second)
    _check_composed(src)


def test_a_pool_of_processes_gives_the_same_rows_and_term_ids() -> None:
    texts = _texts() * 3
    alone, pooled = Vocabulary(), Vocabulary()
    a = alone.analyze(texts, block=7)
    b = pooled.analyze(texts, block=7, workers=2)
    assert alone.terms == pooled.terms
    for x, y in ((a.indptr, b.indptr), (a.ids, b.ids), (a.tf, b.tf), (a.lengths, b.lengths)):
        np.testing.assert_array_equal(x, y)


def test_the_ascii_word_split_gives_the_analyzers_words() -> None:
    analyzer = Analyzer()
    rng = random.Random(3)
    alphabet = string.printable + "\x00\x1c\x1f\x7f_K\u212aÉß"  # the Kelvin sign lower-cases to ASCII "k"
    texts = _texts() + ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(20_000)]
    assert all(_words(analyzer, t) == analyzer.words(t) for t in texts)
