"""Results of an eval run: one table (rich) with a column per mode, ``--json``, ``--save``/``--compare``."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from index.evaluation.errors import EvalDataError

SCHEMA = "citebot-eval/1"


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
    }


def make_result(suite: str, split: str, per_mode: dict[str, dict[str, Any]], retrieval, quotes) -> dict[str, Any]:  # noqa: ANN001
    """The saved/JSON form: metrics and counts per mode, the params used, the machine."""
    return {
        "schema": SCHEMA,
        "suite": suite,
        "split": split,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "modes": {m: r["metrics"] for m, r in per_mode.items()},
        "counts": next(iter(per_mode.values())).get("counts", {}) if per_mode else {},
        "params": {"retrieval": asdict(retrieval), "quotes": asdict(quotes)},
        "machine": machine(),
    }


def save(result: dict[str, Any], path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def load(path: Path) -> dict[str, Any]:
    path = Path(path)
    try:
        result = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvalDataError(path, "no such file") from None
    except ValueError:
        raise EvalDataError(path, "not JSON") from None
    if not isinstance(result, dict) or not isinstance(result.get("modes"), dict):
        raise EvalDataError(path, "not a saved `citebot eval --save` result")
    return result


def deltas(result: dict[str, Any], earlier: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Per mode and metric, this run minus the earlier one (only where both have the number)."""
    out: dict[str, dict[str, float]] = {}
    for mode, metrics in result["modes"].items():
        before = earlier.get("modes", {}).get(mode)
        if not isinstance(before, dict):
            continue
        out[mode] = {
            k: float(v) - float(before[k])
            for k, v in metrics.items()
            if isinstance(before.get(k), int | float) and isinstance(v, int | float)
        }
    return out


def _fmt(metric: str, value: float) -> str:
    return f"{value:.1f}" if metric.endswith("_ms") else f"{value:.3f}"


def _fmt_delta(metric: str, d: float) -> str:
    return f"{d:+.1f}" if metric.endswith("_ms") else f"{d:+.3f}"


def table(result: dict[str, Any], earlier: dict[str, Any] | None = None):  # noqa: ANN201 - rich Table
    from rich.table import Table

    modes = list(result["modes"])
    diff = deltas(result, earlier) if earlier else {}
    title = f"citebot eval · {result['suite']}" + (f" · {result['split']}" if result.get("split") else "")
    counts = ", ".join(f"{k} {v}" for k, v in result.get("counts", {}).items())
    t = Table(title=title, caption=counts or None, min_width=min(100, len(title) + 4))
    t.add_column("metric")
    for m in modes:
        t.add_column(m, justify="right")
    metrics: list[str] = []
    for m in modes:
        metrics += [k for k in result["modes"][m] if k not in metrics]
    for k in metrics:
        row = [k]
        for m in modes:
            v = result["modes"][m].get(k)
            cell = "–" if v is None else _fmt(k, v)
            if v is not None and k in diff.get(m, {}):
                cell += f" ({_fmt_delta(k, diff[m][k])})"
            row.append(cell)
        t.add_row(*row)
    return t


def as_json(result: dict[str, Any], earlier: dict[str, Any] | None = None) -> str:
    out = dict(result)
    if earlier is not None:
        out["deltas"] = deltas(result, earlier)
    return json.dumps(out, ensure_ascii=False)
