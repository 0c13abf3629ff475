"""The query path as stages over one state: ask, the eval and the fit run the same stages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.ingest.builder import build_index
from index.models.documents import Document
from index.models.ranker import LinearRanker
from index.query import pipeline
from index.query.engine import Engine
from index.query.features import FeatureRows, weights
from index.query.quotes import SENTENCE_FEATURES, rank_units
from index.settings import Settings
from tests.conftest import FakeEmbedder

DOCS = [
    Document("fire.txt", "A caretaker saved two babies from a burning building in Paris.\nHe is 39 years old.\n"
             "The fire started on the fourth floor."),
    Document("space.txt", "The Moon orbits the Earth every 27 days.\nMars has two small moons.\nVenus is hot."),
]


@pytest.fixture
def engine(tmp_path: Path, fake_embedder: FakeEmbedder) -> Engine:
    settings = Settings(index_dir=tmp_path / "index")
    build_index(settings, documents=DOCS, embedder=fake_embedder)
    return Engine.open(settings, embedder=fake_embedder)


def test_the_stages_fill_the_state_in_order(engine: Engine) -> None:
    state = engine.state("how old is the caretaker?")
    pipeline.run(engine.context, state, pipeline.FIRST_STAGE)
    assert state.hits is not None and len(state.hits.chunks) and state.documents is state.first_documents
    assert state.rows is not None and state.rows.names == SENTENCE_FEATURES and len(state.rows) == len(state.meta)
    assert not state.candidates and state.answer is None
    pipeline.run(engine.context, state, pipeline.RETRIEVE[len(pipeline.FIRST_STAGE):])
    assert state.candidates and abs(sum(c.score for c in state.candidates) - 1.0) < 1e-9
    pipeline.run(engine.context, state, pipeline.ANSWER)
    assert state.answer is not None and state.answer.to_json() == engine.ask("how old is the caretaker?").to_json()


def test_claims_skip_the_question_stages(engine: Engine) -> None:
    claim = engine.retrieve("Mars has moons")
    assert not claim.asks and claim.documents is claim.first_documents  # not reranked
    question = engine.retrieve("which planet has two moons?")
    assert question.asks


def test_the_fit_swaps_rankers_without_another_pipeline(engine: Engine) -> None:
    """A ranker that only looks at the cosine picks the unit with the best cosine."""
    cos_only = LinearRanker("sentences", SENTENCE_FEATURES, weights(SENTENCE_FEATURES, cos=50.0))
    ctx = engine.context.with_rankers(sentences=cos_only)
    state = pipeline.run(ctx, engine.state("babies burning building"), pipeline.FIRST_STAGE)
    pipeline.run(ctx, state, (rank_units,))
    best = max(range(len(state.rows)), key=lambda i: state.rows.column("cos")[i])
    assert state.candidates[0].row == best and state.candidates[0].unit == state.meta[best][0]
    assert engine.context.rankers.sentences is not cos_only  # the engine's own context is untouched


def test_feature_rows_are_built_and_read_by_name() -> None:
    rows = FeatureRows.from_dicts(("a", "b"), [{"b": 2.0, "a": 1.0}, {"a": 3.0, "b": 4.0}])
    assert rows.values.tolist() == [[1.0, 2.0], [3.0, 4.0]] and rows.column("b").tolist() == [2.0, 4.0]
    assert rows.row(1) == {"a": 3.0, "b": 4.0} and rows.take([1]).values.tolist() == [[3.0, 4.0]]
    wider = rows.join(FeatureRows.from_dicts(("c",), [{"c": 5.0}, {"c": 6.0}]))
    assert wider.names == ("a", "b", "c") and wider.select(["c", "a"]).values.tolist() == [[5.0, 1.0], [6.0, 3.0]]
    with pytest.raises(ValueError, match=r"missing \['b'\], unknown \['x'\]"):
        FeatureRows.from_dicts(("a", "b"), [{"a": 1.0, "x": 2.0}])
    with pytest.raises(ValueError, match="duplicate"):
        FeatureRows(("a", "a"), np.zeros((1, 2)))
    assert weights(("a", "b", "c"), b=2.0).tolist() == [0.0, 2.0, 0.0]


def test_the_document_prior_reorders_the_hits_of_the_first_stage(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    from dataclasses import replace

    from index.query.records import QuoteParams, RetrievalParams

    settings = Settings(index_dir=tmp_path / "index")
    build_index(settings, documents=DOCS, embedder=fake_embedder)
    plain = Engine.open(settings, embedder=fake_embedder)
    question = "how old"  # its best chunk (fire.txt) is not in its best document (space.txt) with the fake model
    state = plain.state(question)
    pipeline.run(plain.context, state, pipeline.FIRST_STAGE)
    assert state.hits is not None and state.first_documents is not None
    assert plain.backend.chunk_documents(state.hits.chunks[:1])[0] != state.first_documents.docs[0]  # not vacuous
    fused = dict(zip(state.hits.chunks.tolist(), state.hits.scores.tolist(), strict=True))
    # a prior that outweighs any chunk score, a window of one passage: the best document's best chunk first
    ctx = replace(plain.context, retrieval=RetrievalParams(chunk_document_prior=100.0), quotes=QuoteParams(passages=1))
    lifted = plain.state(question)
    pipeline.run(ctx, lifted, pipeline.FIRST_STAGE)
    assert lifted.hits is not None and lifted.first_documents is not None
    best_doc = int(lifted.first_documents.docs[0])
    docs = plain.backend.chunk_documents(lifted.hits.chunks).tolist()
    assert docs[0] == best_doc
    first = int(lifted.hits.chunks[0])
    assert fused[first] == max(s for c, s in fused.items() if docs[lifted.hits.chunks.tolist().index(c)] == best_doc)
    assert dict(zip(lifted.hits.chunks.tolist(), lifted.hits.scores.tolist(), strict=True)) == fused  # scores as fused
    rest = lifted.hits.scores[1:]
    assert (np.diff(rest) <= 0).all()  # the rest in fused order
