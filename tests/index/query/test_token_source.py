"""Where refine's token states come from: the question's own encoding pass, the stored states, a bounded
LRU of computed ones, the model last."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.ingest.builder import build_index
from index.query.encoder import QuestionEncoder
from index.query.engine import Engine
from index.query.tokens import TokenSource
from index.settings import Settings
from index.storage.local import LocalBackend
from index.storage.store import read_index
from tests.conftest import FakeEmbedder
from tests.index.storage.test_token_store import write_docs


class CountingEmbedder(FakeEmbedder):
    """The fake model, counting the texts it runs for token states."""

    def __init__(self) -> None:
        super().__init__()
        self.token_texts: list[str] = []

    def token_states(self, texts: list[str]):  # noqa: ANN201
        self.token_texts.extend(texts)
        return super().token_states(texts)


def backend_of(tmp_path: Path, embedder: FakeEmbedder, **settings: object) -> LocalBackend:
    s = Settings(docs_dir=write_docs(tmp_path), index_dir=tmp_path / "index", **settings)
    build_index(s, embedder=embedder)
    # the build's own runs (stored states, the calibration questions' states) are not what these tests count
    if isinstance(embedder, CountingEmbedder):
        embedder.token_texts.clear()
    return LocalBackend(read_index(s.index_dir))


def test_stored_states_answer_without_the_model(tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    backend = backend_of(tmp_path, embedder)
    embedder.token_texts.clear()
    source = TokenSource(backend, QuestionEncoder(embedder))
    assert source.stored
    texts = [backend.unit_display(i) for i in range(backend.n_units)]
    got = source.token_states(texts)
    assert embedder.token_texts == []
    for g, want in zip(got, FakeEmbedder().token_states(texts), strict=True):
        assert g.pieces == want.pieces and np.abs(g.vectors - want.vectors).max() < 1e-3


def test_other_texts_are_computed_once_and_kept_in_a_bounded_lru(tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    backend = backend_of(tmp_path, embedder, token_states_max_tokens=0)
    source = TokenSource(backend, QuestionEncoder(embedder))
    source.UNITS_MAX = 2
    assert not source.stored
    a, b, c = "alpha beta", "gamma delta", "epsilon"
    first = source.token_states([a, b, a])
    assert embedder.token_texts == [a, b]  # duplicates run once
    assert first[0] is first[2]
    source.token_states([a, b])
    assert embedder.token_texts == [a, b]  # both from the LRU
    source.token_states([c])  # evicts the least recently used (a)
    source.token_states([b, a])
    assert embedder.token_texts == [a, b, c, a]


@pytest.mark.model
def test_the_questions_states_come_from_its_encoding_pass(tmp_path: Path, int8_embedder) -> None:  # noqa: ANN001
    """With the real model and stored states, an ask runs the model once: the question's encoding."""
    settings = Settings(docs_dir=write_docs(tmp_path), index_dir=tmp_path / "index", backend="onnx-int8")
    build_index(settings, embedder=int8_embedder)
    engine = Engine.open(settings, embedder=int8_embedder)
    assert engine.context.tokens is not None and engine.context.tokens.stored
    runs: list[int] = []
    hidden = int8_embedder._hidden

    def counting(batch):  # noqa: ANN001, ANN202
        runs.append(len(batch))
        return hidden(batch)

    int8_embedder._hidden = counting
    try:
        question = "how do I disable the timeout?"
        answer = engine.ask(question)
        assert runs == [1] and answer.citations
        state = engine.retrieve(question)
        (recent,) = engine.context.tokens.token_states([question])
    finally:
        del int8_embedder._hidden
    (alone,) = int8_embedder.token_states([question])
    assert recent.pieces == alone.pieces and np.array_equal(recent.vectors, alone.vectors)
    assert state.candidates


@pytest.mark.model
@pytest.mark.parametrize("question", ["how do I disable the timeout?", "basic authentication", "digest?"])
def test_answers_are_the_same_with_stored_and_computed_states(tmp_path: Path, int8_embedder, question: str) -> None:  # noqa: ANN001
    docs = write_docs(tmp_path)
    engines = []
    for name, cap in (("stored", 100_000), ("computed", 0)):
        s = Settings(docs_dir=docs, index_dir=tmp_path / name, backend="onnx-int8", token_states_max_tokens=cap)
        build_index(s, embedder=int8_embedder)
        engines.append(Engine.open(s, embedder=int8_embedder))
    stored, computed = (e.ask(question) for e in engines)
    assert [(c.source, c.char_start, c.char_end) for c in stored.citations] == [
        (c.source, c.char_start, c.char_end) for c in computed.citations]
    assert [c.score for c in stored.citations] == pytest.approx([c.score for c in computed.citations], abs=1e-3)
