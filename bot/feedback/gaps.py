"""Where the documents fall short: abstained and 👎-voted questions, grouped by their nearest passage.

Each stored answer that abstained, and each answer someone voted 👎, is one *gap*; gaps are grouped by
the passage that came nearest (the answer's first passage: the same stretch of the same document),
so a maintainer sees "five people asked about proxies and the nearest thing was this paragraph of
advanced.md". Groups are sorted by how many questions they hold, then by how recent. Markdown (to
paste into a docs issue) or CSV (one row per question). No user ids or hashes are ever printed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.feedback.store import FeedbackStore

NO_PASSAGE = ("", -1, -1)
SNIPPET = 300


@dataclass(slots=True)
class Gap:
    question: str
    when: str  # ISO time: when it was asked (abstained) or voted down
    reasons: set[str]  # "abstained", "👎"


@dataclass(slots=True)
class GapGroup:
    source: str
    line: int | None
    passage: str
    gaps: list[Gap] = field(default_factory=list)

    @property
    def first(self) -> str:
        return min(g.when for g in self.gaps)

    @property
    def last(self) -> str:
        return max(g.when for g in self.gaps)

    def count(self, reason: str) -> int:
        return sum(reason in g.reasons for g in self.gaps)


def _nearest(answer: dict[str, Any]) -> tuple[tuple[str, int, int], int | None, str]:
    passages = answer.get("passages") or []
    if not passages:
        return NO_PASSAGE, None, ""
    p = passages[0]
    return (p["source"], int(p["char_start"]), int(p["char_end"])), p.get("line"), p.get("text", "")


def collect(store: FeedbackStore, *, since: str | None = None, corpus: str | None = None) -> list[GapGroup]:
    """The gaps in ``store`` (answers at or after ``since``, ISO; of one ``corpus`` if given), grouped by
    nearest passage."""
    gaps: dict[str, tuple[dict[str, Any], Gap]] = {}  # answer id -> (its answer JSON, its gap)
    corpora = store.answer_corpora() if corpus is not None else {}
    for answer_id, question, answer, created in store.answers(since):
        if corpus is not None and corpora.get(answer_id) != corpus:
            continue
        if answer.get("abstained"):
            gaps[answer_id] = (answer, Gap(question, created, {"abstained"}))
    for row in store.feedback("down"):
        if since and row.created_at < since:
            continue
        if corpus is not None and corpora.get(row.answer_id) != corpus:
            continue
        if row.answer_id in gaps:
            answer, gap = gaps[row.answer_id]
            gap.reasons.add("👎")
            gap.when = max(gap.when, row.created_at)
        else:
            gaps[row.answer_id] = (row.answer, Gap(row.question, row.created_at, {"👎"}))
    groups: dict[tuple[str, int, int], GapGroup] = {}
    for answer, gap in gaps.values():
        key, line, text = _nearest(answer)
        group = groups.setdefault(key, GapGroup(key[0], line, text))
        group.gaps.append(gap)
    out = list(groups.values())
    for g in out:
        g.gaps.sort(key=lambda x: x.when)
    out.sort(key=lambda g: g.last, reverse=True)  # most recent first among equals (the sort below is stable)
    out.sort(key=lambda g: (-len(g.gaps), g.source == ""))
    return out


def _day(iso: str) -> str:
    return iso[:10]


def _md(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _where(g: GapGroup) -> str:
    if not g.source:
        return "no passage came near"
    return f"{g.source}, line {g.line}" if g.line else g.source


def _counted(questions: Iterable[Gap]) -> list[tuple[str, int, str, set[str]]]:
    """The same question asked again is one row with a count: (question, times, last date, reasons)."""
    rows: dict[str, list[Any]] = {}
    for gap in questions:
        key = " ".join(gap.question.lower().split())
        row = rows.setdefault(key, [gap.question, 0, gap.when, set()])
        row[1] += 1
        row[2] = max(row[2], gap.when)
        row[3] |= gap.reasons
    return [tuple(r) for r in rows.values()]  # type: ignore[misc]


def to_markdown(groups: list[GapGroup]) -> str:
    total = sum(len(g.gaps) for g in groups)
    if not total:
        return "# Questions the documents did not answer\n\nNone so far: no abstentions and no 👎 votes.\n"
    first, last = min(g.first for g in groups), max(g.last for g in groups)
    abstained = sum(g.count("abstained") for g in groups)
    down = sum(g.count("👎") for g in groups)
    lines = [
        "# Questions the documents did not answer",
        "",
        f"{total} question{'s' if total != 1 else ''} ({abstained} abstained, {down} voted 👎) from "
        f"{_day(first)} to {_day(last)}, grouped by the passage that came nearest.",
    ]
    for i, g in enumerate(groups, 1):
        n = len(g.gaps)
        lines += [
            "",
            f"## {i}. {_where(g)} — {n} question{'s' if n != 1 else ''} "
            f"({g.count('abstained')} abstained, {g.count('👎')} 👎), {_day(g.first)} – {_day(g.last)}",
            "",
        ]
        if g.passage:
            snippet = " ".join(g.passage.split())
            if len(snippet) > SNIPPET:
                snippet = snippet[:SNIPPET].rsplit(" ", 1)[0] + " …"
            lines += [f"> {snippet}", ""]
        lines += ["| question | times | last asked | why |", "|---|---|---|---|"]
        for question, times, when, reasons in _counted(g.gaps):
            lines.append(f"| {_md(question)} | {times} | {_day(when)} | {', '.join(sorted(reasons))} |")
    return "\n".join(lines) + "\n"


CSV_FIELDS = ["group", "nearest_source", "nearest_line", "question", "reasons", "date", "group_count"]


def to_csv(groups: list[GapGroup]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for i, g in enumerate(groups, 1):
        for gap in g.gaps:
            writer.writerow({
                "group": i,
                "nearest_source": g.source,
                "nearest_line": g.line or "",
                "question": " ".join(gap.question.split()),
                "reasons": ";".join(sorted(gap.reasons)),
                "date": gap.when,
                "group_count": len(g.gaps),
            })
    return out.getvalue()
