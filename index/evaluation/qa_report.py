"""How a docs-QA run is shown: the per-kind table, the notes, and every miss for error analysis."""

from __future__ import annotations

from typing import Any

from index.evaluation.qa import normalize

KIND_COLUMNS = ("answer@1", "answer@3", "passage@5", "abstained", "code_with_code")
HEADERS = {"code_with_code": "code w/ code"}
QUOTE_CHARS = 240


def attach(result: dict[str, Any], per_mode: dict[str, dict[str, Any]], misses: bool) -> dict[str, Any]:
    """Add the docs-QA parts of the per-mode runs to a ``report.make_result`` result."""
    result["by_kind"] = {m: r["by_kind"] for m, r in per_mode.items()}
    result["notes"] = list(dict.fromkeys(n for r in per_mode.values() for n in r.get("notes", [])))
    if misses:
        result["misses"] = {m: r["misses"] for m, r in per_mode.items()}
    return result


def _cell(value: float | None, n: int, delta: float | None) -> str:
    if value is None:
        return "–"
    cell = f"{value:.3f} {round(value * n)}/{n}"
    return cell + (f" ({delta:+.3f})" if delta is not None else "")


def kind_tables(result: dict[str, Any], earlier: dict[str, Any] | None = None) -> list:  # noqa: ANN201
    """One rich table per mode: a row per kind, answer@1/@3, passage@5, abstained, code answered with code."""
    from rich.table import Table

    tables = []
    for mode, kinds in result.get("by_kind", {}).items():
        before = ((earlier or {}).get("by_kind") or {}).get(mode, {})
        columns = [c for c in KIND_COLUMNS if any(c in row for row in kinds.values())]
        t = Table(title=f"per kind · {mode}")
        t.add_column("kind")
        t.add_column("n", justify="right")
        for c in columns:
            t.add_column(HEADERS.get(c, c), justify="right")
        for kind, row in kinds.items():
            cells = [kind, str(row["n"])]
            for c in columns:
                n = row["n"] if c == "abstained" else row.get("answerable", row["n"])
                old = before.get(kind, {}).get(c)
                delta = row[c] - old if isinstance(old, int | float) and isinstance(row.get(c), int | float) else None
                cells.append(_cell(row.get(c), n, delta) if c in row else "")
            t.add_row(*cells)
        tables.append(t)
    return tables


def _short(text: str) -> str:
    text = normalize(text)
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def miss_lines(misses: list[dict[str, Any]], mode: str, total: int) -> list[str]:
    """Plain lines (no markup: quotes may hold brackets): each miss with what was expected and quoted."""
    lines = [f"misses · {mode} · {len(misses)} of {total} questions"]
    for i, m in enumerate(misses, start=1):
        lines.append(f"{i}. [{m['kind']}] {m['question']}")
        if m["abstain_expected"]:
            lines.append("   expected: abstain")
        else:
            wanted = " | ".join(f'"{s}"' for s in m["expected"])
            if m["all_of"]:
                wanted += ("; " if wanted else "") + "all of " + " + ".join(f'"{s}"' for s in m["all_of"])
            lines.append(f"   expected: {wanted}" + (f"  ({m['file']})" if m["file"] else ""))
            later = [name for name, ok in (("answer@3", m["answer@3"]), ("passage@5", m["passage@5"])) if ok]
            if later:
                lines.append(f"   found by: {', '.join(later)}")
        if m["abstained"]:
            near = m["nearest"][0] if m["nearest"] else None
            where = f"; nearest passage {near['source']}:{near['line']} “{_short(near['text'])}”" if near else ""
            lines.append(f"   abstained{where}")
        for n, c in enumerate(m["citations"], start=1):
            kind = f" [{c['kind']}]" if c.get("kind") else ""
            lines.append(f"   quoted {n}: {c['source']}:{c['line']}{kind} “{_short(c['quote'])}”")
    return lines
