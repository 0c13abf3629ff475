"""The ranker fit drives the same pipeline stages as ``ask`` and builds its groups from named rows."""

from __future__ import annotations

import numpy as np

from index.evaluation import fit
from index.evaluation.squad import load_squad
from index.ingest.builder import build_index
from index.query import pipeline
from index.query.engine import Engine
from index.query.features import FeatureRows
from index.query.quotes import SENTENCE_FEATURES, rank_units
from index.query.refine import ANSWER_FEATURES
from index.query.rerank import DOCUMENT_FEATURES
from index.settings import Settings
from tests.conftest import FakeEmbedder


def test_fit_collects_from_the_pipeline_and_fits_named_groups(tiny_squad, tmp_path) -> None:  # noqa: ANN001
    data = load_squad(tiny_squad)
    embedder = FakeEmbedder()
    settings = Settings(index_dir=tmp_path / "index")
    build_index(settings, documents=data.documents, embedder=embedder)
    engine = Engine.open(settings, embedder=embedder)
    items = fit.collect(engine, data)
    assert len(items) == 3 and all(it["x"].names == SENTENCE_FEATURES for it in items)
    assert any(it["y"].any() for it in items)  # a unit holding the gold answer is labelled
    same = engine.first_stage(data.questions[0].question)
    assert np.array_equal(items[0]["x"].values, same.rows.values)  # exactly what ask's first stages give

    cands = [fit.candidates_of(engine, it, engine.context.rankers.sentences) for it in items]
    ranked = pipeline.run(engine.context, same, (rank_units,)).candidates  # the rank stage ask runs
    assert [(c.unit, c.score) for c in cands[0]] == [(c.unit, c.score) for c in ranked]
    docs = fit.document_groups(engine, items, cands, depth=30)
    assert all(x.names == DOCUMENT_FEATURES for x, _ in docs)
    assert all(y.sum() <= 1 for _, y in docs)  # one gold paragraph
    assert engine.context.tokens is not None and engine.context.tokens.stored  # the build stored token states
    asked: list[str] = []
    model = engine.encoder.token_states
    engine.encoder.token_states = lambda texts: (asked.extend(texts), model(texts))[1]  # type: ignore[method-assign]
    answers = fit.answer_groups(engine, items, cands, [it["first"].first_documents for it in items], fit.TokenCache())
    assert all(x.names == ANSWER_FEATURES for x, _ in answers)
    assert any(len(x) for x, _ in answers)
    units = {engine.backend.unit_display(i) for i in range(engine.backend.n_units)}
    assert not units & set(asked)  # units' states are the stored ones; the model only ran for questions


def test_fit_listwise_learns_the_feature_that_marks_the_positive() -> None:
    rng = np.random.default_rng(0)
    groups = []
    for _ in range(40):
        x = rng.random((6, 2))
        y = np.zeros(6, dtype=bool)
        y[int(np.argmax(x[:, 1]))] = True  # the positive has the largest "b"
        groups.append((FeatureRows(("a", "b"), x), y))
    w = fit.fit_listwise(groups)
    assert w[1] > 0 and abs(w[1]) > abs(w[0])
    assert fit.hit_at(groups, w) > 0.9
