"""BM25 weights with frozen statistics: the same terms as citebot's analyzer, the same scores as bm25s."""

from __future__ import annotations

import json
import random
from collections import Counter
from itertools import islice

import numpy as np
import pytest

from index.models.lexical import Analyzer, BM25Index
from index.storage.postgres.lexicon import Vocabulary, level_stats, scores, weights
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
