"""👍-voted answers as a docsqa golden set (``citebot eval --qa FILE`` runs it).

One JSON line per question people marked as well answered (more 👍 than 👎; the latest answer of a
question asked several times): ``q`` the question, ``file`` the top quote's document, ``any`` one
verbatim line of that quote (its longest, at most ``MAX_ANY`` characters: a docsqa string lies on a
single source line), ``kind`` (``code`` for a code quote, else ``why`` / ``howto`` / ``factual`` from
the question's first words), ``abstain`` false. With the docs folder at hand, an item whose string is
no longer in its file is left out (the docs changed since). No user ids or hashes are written.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.feedback.store import FeedbackStore

MAX_ANY = 120
MIN_ANY = 12
HOWTO = re.compile(
    r"^\s*(how (do|does|can|could|should|would|to|are|is)|what'?s the (best )?way|can i|is there a way|show me)\b",
    re.IGNORECASE,
)
WHY = re.compile(r"^\s*(why|what for)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Exported:
    items: list[dict[str, Any]]
    skipped: Counter[str]  # reason -> count


def kind_of(question: str, citation: dict[str, Any]) -> str:
    if citation.get("kind") == "code":
        return "code"
    if WHY.match(question):
        return "why"
    if HOWTO.match(question):
        return "howto"
    return "factual"


def key_string(quote: str) -> str | None:
    """A verbatim single-line piece of ``quote`` that identifies it: its longest line, stripped, cut at a
    word boundary to at most MAX_ANY characters; None if no line is long enough to mean anything."""
    lines = sorted((ln.strip() for ln in quote.splitlines()), key=len, reverse=True)
    if not lines or len(lines[0]) < MIN_ANY:
        return None
    best = lines[0]
    if len(best) > MAX_ANY:
        best = best[:MAX_ANY].rsplit(" ", 1)[0].rstrip()
    return best


def upvoted(store: FeedbackStore, corpus: str | None = None) -> list[tuple[str, str, dict[str, Any]]]:
    """(question, last vote time, answer JSON) of answers with more 👍 than 👎, one per question (latest);
    only those answered from ``corpus``, if given."""
    tally: dict[str, list[Any]] = {}
    corpora = store.answer_corpora() if corpus is not None else {}
    for row in store.feedback():
        if corpus is not None and corpora.get(row.answer_id) != corpus:
            continue
        entry = tally.setdefault(row.answer_id, [row.question, row.created_at, row.answer, 0])
        entry[3] += 1 if row.vote == "up" else -1
        entry[1] = max(entry[1], row.created_at)
    latest: dict[str, tuple[str, str, dict[str, Any]]] = {}
    for question, when, answer, score in tally.values():
        if score <= 0 or answer.get("abstained") or not answer.get("citations"):
            continue
        key = " ".join(question.lower().split())
        if key not in latest or when > latest[key][1]:
            latest[key] = (question, when, answer)
    return sorted(latest.values(), key=lambda t: t[1])


def golden_set(store: FeedbackStore, docs_dir: Path | None = None, corpus: str | None = None) -> Exported:
    from index.evaluation.qa import parse_question  # the format ``citebot eval --qa`` reads

    items, skipped = [], Counter()
    for question, _, answer in upvoted(store, corpus):
        top = answer["citations"][0]
        needle = key_string(top["quote"])
        if needle is None:
            skipped["quote too short to identify"] += 1
            continue
        if docs_dir is not None:
            path = docs_dir / top["source"]
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                skipped["document no longer in the docs folder"] += 1
                continue
            if not any(needle in line for line in lines):
                skipped["document changed since the vote"] += 1
                continue
        item = {"q": " ".join(question.split()), "any": [needle], "file": top["source"],
                "kind": kind_of(question, top), "abstain": False}
        parse_question(item)  # raises if the runner could not read it
        items.append(item)
    return Exported(items, skipped)


def to_jsonl(items: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)
