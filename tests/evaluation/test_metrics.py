from __future__ import annotations

import math

import pytest

from index.evaluation.metrics import evaluate, percentile, run_lines, write_run


def test_ranx_metrics_on_a_hand_checked_case() -> None:
    qrels = {"q1": {"d1": 1, "d2": 1}, "q2": {"d3": 1}}
    run = {"q1": {"d1": 0.9, "d9": 0.8, "d2": 0.5}, "q2": {"d4": 1.0, "d3": 0.5}}
    m = evaluate(qrels, run)
    # q1: relevant at ranks 1 and 3 → DCG 1 + 1/log2(4), ideal 1 + 1/log2(3); q2: relevant at rank 2
    ndcg_q1 = (1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    ndcg_q2 = 1 / math.log2(3)
    assert m["ndcg@10"] == pytest.approx((ndcg_q1 + ndcg_q2) / 2)
    assert m["mrr@10"] == pytest.approx((1 + 0.5) / 2)
    assert m["recall@100"] == pytest.approx(1.0)


def test_a_query_missing_from_the_run_scores_zero() -> None:
    m = evaluate({"q1": {"d1": 1}, "q2": {"d2": 1}}, {"q1": {"d1": 1.0}})
    assert m["ndcg@10"] == pytest.approx(0.5)
    assert m["recall@100"] == pytest.approx(0.5)


def test_hit_rate() -> None:
    m = evaluate({"a": {"x": 1}, "b": {"y": 1}}, {"a": {"x": 2.0, "z": 1.0}, "b": {"z": 2.0, "y": 1.0}},
                 ("hit_rate@1", "hit_rate@5"))
    assert m == {"hit_rate@1": pytest.approx(0.5), "hit_rate@5": pytest.approx(1.0)}


def test_trec_run_format(tmp_path) -> None:  # noqa: ANN001
    run = {"q1": [("d3", 2.5), ("d1", 1.25)], "q2": [("d9", 0.5)]}
    assert run_lines(run, "citebot-hybrid") == [
        "q1 Q0 d3 1 2.500000 citebot-hybrid",
        "q1 Q0 d1 2 1.250000 citebot-hybrid",
        "q2 Q0 d9 1 0.500000 citebot-hybrid",
    ]
    path = tmp_path / "out" / "run.trec"
    write_run(path, run, "t")
    rows = [line.split() for line in path.read_text().splitlines()]
    assert all(len(r) == 6 and r[1] == "Q0" for r in rows)
    assert [int(r[3]) for r in rows] == [1, 2, 1]


def test_percentile() -> None:
    assert percentile([], 50) == 0.0
    assert percentile([1.0, 2.0, 3.0], 50) == pytest.approx(2.0)
