"""Ranking metrics, computed by ranx (no hand-rolled metric code), and the TREC run file format."""

from __future__ import annotations

import warnings
from pathlib import Path

BEIR_METRICS = ("ndcg@10", "recall@100", "mrr@10")


def evaluate(
    qrels: dict[str, dict[str, int]], run: dict[str, dict[str, float]], metrics: tuple[str, ...] = BEIR_METRICS
) -> dict[str, float]:
    """Mean of each ranx metric over the queries of ``qrels`` (a query missing from the run scores 0)."""
    from ranx import Qrels, Run
    from ranx import evaluate as ranx_evaluate

    if not qrels:
        return {m: 0.0 for m in metrics}
    full_run = {q: dict(run.get(q, {})) for q in qrels}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba type-safety chatter
        scores = ranx_evaluate(Qrels(qrels), Run(full_run), list(metrics), make_comparable=True)
    if isinstance(scores, float | int):
        scores = {metrics[0]: scores}
    return {m: float(scores[m]) for m in metrics}


def run_lines(run: dict[str, list[tuple[str, float]]], tag: str) -> list[str]:
    """TREC run lines ``qid Q0 docid rank score tag`` (ranks from 1, in the given order)."""
    lines = []
    for qid, ranked in run.items():
        for rank, (doc, score) in enumerate(ranked, start=1):
            lines.append(f"{qid} Q0 {doc} {rank} {score:.6f} {tag}")
    return lines


def write_run(path: Path, run: dict[str, list[tuple[str, float]]], tag: str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(run_lines(run, tag)) + "\n", encoding="utf-8")


def percentile(values: list[float], p: float) -> float:
    """Latency percentiles (nearest rank on the sorted values); 0 for no values."""
    if not values:
        return 0.0
    import numpy as np

    return float(np.percentile(np.asarray(values, dtype=np.float64), p))
