"""The project's own eval set: questions about ``seeds/`` with the strings a correct quote must hold.

One JSON object per line of ``tests/eval/seed.jsonl``:

* ``{"question": ..., "expect": ["39"]}`` — a quote must contain one of these strings;
* ``{"question": ..., "all_of": ["Rémi Féraud", "Matthieu Valet"]}`` — every one of these strings
  must appear within the answer's quotes (at most ``max_citations``, 3 by default);
* ``{"question": ..., "abstain": true}`` — off-topic: the answer must abstain.

``tests/eval/seed_hard.jsonl`` holds questions that need coreference or synonyms (reported with
``--set``, not gated).

answer@k: the answer did not abstain, one of its first k quotes contains an expected string
(``expect`` or ``all_of``), and every ``all_of`` string is somewhere in its quotes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.evaluation.common import timed, verbatim_ok
from index.evaluation.errors import EvalDataError
from index.evaluation.metrics import percentile

DEFAULT_SET = Path("tests/eval/seed.jsonl")


@dataclass(frozen=True)
class SeedQuestion:
    question: str
    expect: tuple[str, ...] = ()
    all_of: tuple[str, ...] = ()
    abstain: bool = False


def default_set() -> Path:
    """``tests/eval/seed.jsonl`` of the working directory, else of the source checkout."""
    if DEFAULT_SET.is_file():
        return DEFAULT_SET
    return Path(__file__).resolve().parents[2] / DEFAULT_SET


def load_seed_set(path: Path) -> list[SeedQuestion]:
    path = Path(path)
    if not path.is_file():
        raise EvalDataError(path, "no such file")
    out: list[SeedQuestion] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            q = SeedQuestion(
                str(rec["question"]),
                tuple(rec.get("expect", ())),
                tuple(rec.get("all_of", ())),
                bool(rec.get("abstain", False)),
            )
        except (ValueError, KeyError, TypeError):
            raise EvalDataError(path, f"line {number}: expected {{question, expect|all_of|abstain}}") from None
        if not q.abstain and not (q.expect or q.all_of):
            raise EvalDataError(path, f"line {number}: a question needs expect, all_of or abstain")
        out.append(q)
    if not out:
        raise EvalDataError(path, "no questions")
    return out


def answered_at(q: SeedQuestion, quotes: list[str], k: int) -> bool:
    if not quotes:
        return False
    wanted = q.expect + q.all_of
    if not any(s in quote for quote in quotes[:k] for s in wanted):
        return False
    return all(any(s in quote for quote in quotes) for s in q.all_of)


def run_seed(engine, questions: list[SeedQuestion], mode: str = "hybrid") -> dict[str, Any]:  # noqa: ANN001
    """Metrics of one mode over the seed set, plus one row per question (``details``)."""
    latencies: list[float] = []
    details: list[dict[str, Any]] = []
    a1 = a3 = answerable = off = abstained = abstained_right = verbatim = 0
    for q in questions:
        answer, ms = timed(lambda q=q: engine.ask(q.question, mode=mode))
        latencies.append(ms)
        quotes = [c.quote for c in answer.citations]
        hit1, hit3 = answered_at(q, quotes, 1), answered_at(q, quotes, 3)
        verbatim += verbatim_ok(engine, answer)
        abstained += answer.abstained
        if q.abstain:
            off += 1
            abstained_right += answer.abstained
        else:
            answerable += 1
            a1 += hit1
            a3 += hit3
        details.append(
            {"question": q.question, "abstain_expected": q.abstain, "abstained": answer.abstained,
             "answer@1": hit1, "answer@3": hit3, "quotes": quotes, "ms": round(ms, 2)}
        )
    return {
        "metrics": {
            "answer@1": a1 / answerable if answerable else 0.0,
            "answer@3": a3 / answerable if answerable else 0.0,
            "abstain_precision": abstained_right / abstained if abstained else 1.0,
            "abstain_recall": abstained_right / off if off else 1.0,
            "verbatim": verbatim / len(questions),
            "latency_p50_ms": percentile(latencies, 50),
            "latency_p95_ms": percentile(latencies, 95),
        },
        "counts": {"questions": len(questions), "answerable": answerable, "off_topic": off},
        "details": details,
    }
