"""The ranker fit on several corpora, cross-validated by corpus: a held-out corpus is never fit on."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index.evaluation import fit
from index.query.features import FeatureRows
from index.settings import Settings
from tests.conftest import FakeEmbedder

CORPORA = {
    "alpha": (
        {"guide.md": "# Guide\n\nThe cache keeps answers for ten minutes.\n\nThe retry loop waits two seconds "
                     "between attempts.\n\nLogging is off unless you set the verbose flag.\n",
         "faq.md": "# FAQ\n\nThe cache is stored on disk.\n\nAttempts are counted per request.\n"},
        [("how long does the cache keep answers?", "ten minutes"),
         ("how long does the retry loop wait?", "waits two seconds"),
         ("how do I turn logging on?", "verbose flag")],
    ),
    "beta": (
        {"manual.md": "# Manual\n\nThe pump moves forty litres per minute.\n\nThe filter must be cleaned every "
                      "week.\n\nThe motor stops when the tank is empty.\n",
         "parts.md": "# Parts\n\nThe pump has a steel housing.\n\nThe filter is made of paper.\n"},
        [("how much water does the pump move?", "forty litres"),
         ("how often must the filter be cleaned?", "every week"),
         ("when does the motor stop?", "tank is empty")],
    ),
    "gamma": (
        {"notes.md": "# Notes\n\nThe garden gets water at dawn.\n\nThe roses need full sun.\n\nThe hedge is cut "
                     "in spring.\n",
         "tools.md": "# Tools\n\nThe hose reaches the garden.\n\nThe shears cut the roses.\n"},
        [("when does the garden get water?", "at dawn"),
         ("what do the roses need?", "full sun"),
         ("when is the hedge cut?", "in spring")],
    ),
}


@pytest.fixture
def sets(tmp_path: Path) -> list[fit.TuningSet]:
    embedder = FakeEmbedder()
    out = []
    for name, (files, questions) in CORPORA.items():
        folder = tmp_path / name
        (folder / "corpus").mkdir(parents=True)
        for fname, text in files.items():
            (folder / "corpus" / fname).write_text(text, encoding="utf-8")
        with (folder / "questions.jsonl").open("w", encoding="utf-8") as fh:
            for q, a in questions:
                fh.write(json.dumps({"q": q, "any": [a], "kind": "factual", "abstain": False}) + "\n")
            fh.write(json.dumps({"q": "who won the cup?", "any": [], "kind": "unanswerable", "abstain": True}) + "\n")
        settings = Settings(index_dir=tmp_path / "unused")
        out.append(fit.qa_set(name, folder / "questions.jsonl", folder / "corpus", settings, embedder,
                              tmp_path / "cache"))
    return out


def test_questions_are_labelled_by_their_answer_strings(sets: list[fit.TuningSet]) -> None:
    assert [len(s.questions) for s in sets] == [3, 3, 3]  # the unanswerable one is not fit on
    items = fit.collect_set(sets[0])
    assert all(it.y.any() for it in items)
    for it in items:
        positives = [it.engine.backend.unit(u).quote for (u, _), y in zip(it.first.meta, it.y, strict=True) if y]
        assert positives and all(any(a in p for a in q.answers) for p in positives for q in sets[0].questions
                                 if q.question == it.first.question)
    assert all(it.gold == frozenset({"guide.md"}) for it in items)


def test_cross_validation_holds_out_whole_corpora(sets: list[fit.TuningSet], monkeypatch: pytest.MonkeyPatch) -> None:
    items = [it for s in sets for it in fit.collect_set(s)]
    trained_on: list[set[str]] = []
    real_fit = fit.fit_listwise
    owner = {id(it.x): it.set for it in items}

    def spy(groups, l2=fit.L2, group_weights=None):  # noqa: ANN001, ANN202
        seen = {owner[id(x)] for x, _ in groups if id(x) in owner}
        if seen:
            trained_on.append(seen)
        return real_fit(groups, l2, group_weights)

    monkeypatch.setattr(fit, "fit_listwise", spy)
    fold_of = np.array([it.fold for it in items])
    tokens = fit.TokenCache()  # each corpus's own token source (its stored states), as ask reads them
    crossed = fit.cross_fit(items, "corpora", lambda fold: fold_of != fold, tokens)
    assert tokens._cache  # the refine stage's texts went through it
    assert list(crossed.per_fold) == ["alpha", "beta", "gamma"]
    assert trained_on == [{"beta", "gamma"}, {"alpha", "gamma"}, {"alpha", "beta"}]  # the sentence stage's folds
    for m in crossed.per_fold.values():
        assert m["questions"] == 3 and 0.0 <= m["quote@1 sentences"] <= 1.0 and 0.0 <= m["quote@1 refined"] <= 1.0
        # a docs fold is also asked whole (spans and all), with the rankers fit without it
        assert 0.0 <= m["answer@1"] <= m["answer@3"] <= 1.0
    assert all(c for c in crossed.cands) and all(r is not None for r in crossed.reranked)
    table = fit.fold_table({"all other folds": crossed})
    assert table.splitlines()[2].startswith("| alpha | 3 |")


def test_corpora_weigh_the_same_whatever_their_size() -> None:
    items = [fit.Item(None, s, s, None, FeatureRows.empty(("a",)), np.zeros(0, bool), {}, frozenset())
             for s in ["big"] * 8 + ["small"] * 2]
    w = fit.group_weights(items, "corpora")
    assert w[:8].sum() == pytest.approx(w[8:].sum())
    assert (fit.group_weights(items, "questions") == 1).all()


def test_weighted_fit_follows_the_heavier_groups() -> None:
    rng = np.random.default_rng(1)
    groups, gw = [], []
    for g in range(60):
        x = rng.random((5, 2))
        y = np.zeros(5, dtype=bool)
        y[int(np.argmax(x[:, 0] if g < 30 else x[:, 1]))] = True  # half want "a", half want "b"
        groups.append((FeatureRows(("a", "b"), x), y))
        gw.append(10.0 if g < 30 else 0.1)
    w = fit.fit_listwise(groups, group_weights=gw)
    assert w[0] > w[1]


def test_token_cache_keeps_states_by_text_and_asks_the_source_it_is_given() -> None:
    calls: list[list[str]] = []

    def source(texts: list[str]) -> list[str]:
        calls.append(list(texts))
        return [t.upper() for t in texts]

    tokens = fit.TokenCache()
    assert tokens(["a", "b", "a"], source) == ["A", "B", "A"]
    assert tokens(["b", "c"], source) == ["B", "C"]
    assert calls == [["a", "b"], ["c"]]
    with pytest.raises(ValueError):
        tokens(["d"])


def test_a_recipe_of_some_sets_trains_on_them_alone_outside_the_fold() -> None:
    fold_of = np.array(["squad 0-11", "squad 12-23", "alpha", "alpha", "beta", "gamma"])
    set_of = np.array(["squad", "squad", "alpha", "alpha", "beta", "gamma"])
    train_on = fit.only_sets(fold_of, set_of, ["squad", "alpha"])
    assert train_on("beta").tolist() == [True, True, True, True, False, False]  # beta is scored, never fit on
    assert train_on("alpha").tolist() == [True, True, False, False, False, False]
    assert train_on("squad 0-11").tolist() == [False, True, True, True, False, False]
