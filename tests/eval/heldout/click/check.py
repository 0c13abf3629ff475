#!/usr/bin/env python3
"""Validate the click held-out questions against the unpacked corpus (standard library only).

Fails (exit status 1) on any of:
  * a line that is not a JSON object with exactly the keys q, any, file, kind, abstain
  * a kind outside howto|factual|why|code|unanswerable, or abstain != (kind == "unanswerable")
  * an answerable item without 1-3 non-empty ``any`` strings, or whose ``file`` is not in the corpus,
    or an ``any`` string that is not verbatim on ONE line of that file
  * an unanswerable item with a non-empty ``any`` or a non-null ``file``
  * a duplicate question

Prints (never fails): with --verbose the line numbers of each match and the other corpus files holding
the same string; with --overlap the share of each question's content words found on its answer lines.

    python3 tests/eval/heldout/click/check.py [--verbose] [--overlap] [--corpus DIR]

The corpus defaults to ``.citebot/heldout/click/corpus`` at the repository root, where
``python -m index.evaluation.heldout fetch click`` unpacks it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[3]
KINDS = ("howto", "factual", "why", "code", "unanswerable")
KEYS = {"q", "any", "file", "kind", "abstain"}
STOP_WORDS = """a an the and or of to in on for with by at is are be do does did i my me we our you your it
its this that what whats which how can should would when why there any way click get set use using from as
so if not no just like than then into out up about e g pls please im don't dont"""
STOP = frozenset(STOP_WORDS.split())


def content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP and len(w) > 1}


def read_corpus(corpus: Path) -> dict[str, str]:
    texts = {}
    for path in sorted(corpus.rglob("*")):
        if path.is_file():
            with contextlib.suppress(UnicodeDecodeError, OSError):  # binary files are not checked
                texts[path.relative_to(corpus).as_posix()] = path.read_text(encoding="utf-8")
    return texts


def check_item(item: dict, texts: dict[str, str], verbose: bool) -> list[str]:
    problems = []
    kind, abstain, subs, name = item["kind"], item["abstain"], item["any"], item["file"]
    if kind not in KINDS:
        problems.append(f"unknown kind {kind!r}")
    if abstain is not (kind == "unanswerable"):
        problems.append("abstain must be true exactly when kind is 'unanswerable'")
    if abstain:
        if subs != [] or name is not None:
            problems.append("an unanswerable item needs any=[] and file=null")
        return problems
    if not isinstance(subs, list) or not 1 <= len(subs) <= 3:
        return problems + ["any must hold 1 to 3 strings"]
    if name not in texts:
        return problems + [f"file {name!r} is not in the corpus"]
    lines = texts[name].splitlines()
    for s in subs:
        if not isinstance(s, str) or not s.strip():
            problems.append("empty any string")
            continue
        at = [n for n, line in enumerate(lines, 1) if s in line]
        if not at:
            where = "only across lines" if s in texts[name] else "nowhere"
            problems.append(f"{s!r} is {where} in {name}, not on one line")
        elif verbose:
            others = [f for f, t in texts.items() if f != name and s in t]
            also = f"  also in: {', '.join(others)}" if others else ""
            print(f"ok  {name}:{','.join(map(str, at))}  {s!r}{also}")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", type=Path, default=HERE / "questions.jsonl")
    ap.add_argument("--corpus", type=Path, default=REPO / ".citebot/heldout/click/corpus")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--overlap", action="store_true")
    args = ap.parse_args(argv)

    texts = read_corpus(args.corpus)
    if not texts:
        print(f"no corpus at {args.corpus}: run python -m index.evaluation.heldout fetch click")
        return 1
    errors, kinds, seen, overlaps = [], Counter(), set(), []
    rows = [line for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    for n, raw in enumerate(rows, 1):
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as exc:
            errors.append(f"line {n}: bad JSON ({exc})")
            continue
        if not isinstance(item, dict) or set(item) != KEYS:
            errors.append(f"line {n}: keys must be exactly {sorted(KEYS)}")
            continue
        kinds[item["kind"]] += 1
        key = item["q"].strip().lower()
        if key in seen:
            errors.append(f"line {n}: duplicate question")
        seen.add(key)
        errors += [f"line {n} ({item['q'][:50]!r}): {p}" for p in check_item(item, texts, args.verbose)]
        if args.overlap and not item["abstain"] and item["file"] in texts:
            answer = " ".join(line for line in texts[item["file"]].splitlines()
                              if any(s in line for s in item["any"]))
            words = content_words(item["q"])
            overlaps.append((len(words & content_words(answer)) / max(1, len(words)), item["kind"], item["q"]))

    print(f"{len(rows)} questions: " + ", ".join(f"{k}={kinds[k]}" for k in KINDS))
    if overlaps:
        low = sum(frac <= 0.25 for frac, _, _ in overlaps)
        print(f"word overlap with the answer lines: {low}/{len(overlaps)} answerable questions share <=25% "
              "of their content words")
        for frac, kind, q in sorted(overlaps):
            print(f"  {frac:4.2f} {kind:8s} {q}")
    if errors:
        print(f"\n{len(errors)} problem(s):")
        for e in errors:
            print("  " + e)
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
