"""The coverage study's replay: the score with the coverage and ask-whether penalties, recalibrated per corpus."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from index.evaluation import coverage_study as study

BASE = dict.fromkeys(("lex", "foreign", "unvalued", "unseen_code", "framed"), 0.0)


def ev(cos: float, whether: float = 0.0) -> dict:
    return BASE | {"cos": cos, "whether": whether}


def gap(u: float) -> dict[int, float]:
    return dict.fromkeys(study.KS, u)


def corpus() -> dict:
    """Bank scores 0.2, pseudo-questions 0.9: a threshold of 0.55 before any penalty; two answerable
    questions (one asking whether, nothing uncovered), two unanswerable ones with an uncovered word
    0.45 (under the coverage margin 0.5), one asking whether and one not."""
    bank = [(ev(0.2), gap(0.0), f"bank {i}") for i in range(20)]
    pseudo = [(ev(0.9), gap(0.0), f"pseudo {i}") for i in range(20)]
    rows = [(False, ev(0.8, 1.0), gap(0.0), "can i do x"), (False, ev(0.8), gap(0.0), "how do i do x"),
            (True, ev(0.8, 1.0), gap(0.45), "can it parse epytext"), (True, ev(0.8), gap(0.45), "how do i use epytext")]
    return {"rows": rows, "bank": bank, "pseudo": pseudo, "corpus": ""}


def test_the_ask_penalty_abstains_only_on_the_question_asking_whether_about_an_uncovered_word() -> None:
    data = corpus()
    un_ab, un, wrong, answerable, t = study.replay(data, 8, 0.5, 0.8)
    assert (un_ab, un, wrong, answerable) == (0, 2, 0, 2) and t == pytest.approx(0.55)
    # 0.8 − 2.0 · (0.45 − 0.3) = 0.5 < 0.55: the yes-or-no question abstains, the how-to one does not
    assert study.replay(data, 8, 0.5, 0.8, 0.3, 2.0)[:4] == (1, 2, 0, 2)
    assert study.replay(data, 8, 0.5, 0.8, 0.3, 1.0)[:4] == (0, 2, 0, 2)  # 0.65: not enough
    assert study.replay(data, 8, 0.3, 2.0)[:4] == (2, 2, 0, 2)  # the same gap for every question: both


def test_the_recorded_evidence_is_replayed_without_asking(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    recorded = tmp_path / "rec.pkl"
    recorded.write_bytes(pickle.dumps({"a": corpus(), "b": corpus()}))

    def no_asking(*args: object) -> dict:
        raise AssertionError("recorded evidence must not be asked again")

    monkeypatch.setattr(study, "record", no_asking)
    study.main(["--sets", "a,b", "--recorded", str(recorded)])
    out = capsys.readouterr().out
    assert "leave-one-corpus-out" in out and "| a |" in out and "| b |" in out
