import json
from pathlib import Path

import numpy as np
import pytest

from index.models.ranker import LinearRanker, RankerMismatch, softmax
from index.query.quotes import SENTENCE_FEATURES, sentence_ranker
from index.query.refine import ANSWER_FEATURES, answer_ranker
from index.query.rerank import DOCUMENT_FEATURES, document_ranker


def test_the_shipped_rankers_match_the_feature_lists() -> None:
    assert sentence_ranker().features == SENTENCE_FEATURES
    assert document_ranker().features == DOCUMENT_FEATURES
    assert answer_ranker().features == ANSWER_FEATURES
    for r in (sentence_ranker(), document_ranker(), answer_ranker()):
        assert np.isfinite(r.weights).all()
        data = r.provenance["data"]
        assert data and all("tuning" in d or d.startswith("seed set") for d in data)  # tuning data only
        assert "articles 0-23 (tuning split)" in data[0] and not any("24-47" in d or "test split" in d for d in data)


def test_round_trip_and_scoring(tmp_path: Path) -> None:
    r = LinearRanker("t", ("a", "b"), np.array([2.0, -1.0]), {"data": "x"})
    r.save(tmp_path / "t.json")
    back = LinearRanker.read(tmp_path / "t.json", ("a", "b"))
    assert back.score(np.array([[1.0, 1.0], [0.0, 2.0]])).tolist() == [1.0, -2.0]


def test_a_ranker_fit_on_other_features_fails_loudly(tmp_path: Path) -> None:
    (tmp_path / "t.json").write_text(json.dumps({"weights": {"a": 1.0, "c": 2.0}}))
    with pytest.raises(RankerMismatch, match="refit"):
        LinearRanker.read(tmp_path / "t.json", ("a", "b"))
    (tmp_path / "u.json").write_text("{not json")
    with pytest.raises(RankerMismatch):
        LinearRanker.read(tmp_path / "u.json", ("a", "b"))


def test_feature_names_are_unique() -> None:
    with pytest.raises(ValueError, match="unique"):
        LinearRanker("t", ("a", "a"), np.array([1.0, 2.0]))


def test_softmax() -> None:
    p = softmax(np.array([1000.0, 1000.0, 0.0]))
    assert abs(p.sum() - 1.0) < 1e-12 and p[0] == p[1] > p[2]
    assert softmax(np.zeros(0)).size == 0
