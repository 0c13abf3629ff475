#!/usr/bin/env python3
"""Validate the flask held-out questions.jsonl against its fetched corpus (standard library only).

Checks (any failure -> exit status 1):
  * every line is a JSON object with exactly the keys q, any, file, kind, abstain
  * kind is one of howto|factual|why|code|unanswerable, and abstain is true exactly when
    kind == "unanswerable"
  * answerable items: 1-3 non-empty ``any`` strings, ``file`` names a file under the corpus, and
    every ``any`` string occurs VERBATIM in that file on a single source line
  * unanswerable items: any == [] and file is null
  * no duplicate questions

Informational output (never fails):
  * --verbose: the line number(s) of each match, and other corpus files holding the same string
  * --overlap: the share of a question's content words that also occur on the source line(s)
    holding its ``any`` strings (crude: no stemming), lowest first
  * a warning for ``any`` strings that carry reStructuredText markup (````literal````, ``:role:``),
    which a rendered quote would not contain

The corpus is fetched by ``python -m index.evaluation.heldout fetch flask`` (from the repository
root) into ``.citebot/heldout/flask/corpus``; that is the default ``--corpus``.

Usage:  python3 tests/eval/heldout/flask/check.py [--verbose] [--overlap] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[3]
KINDS = ("howto", "factual", "why", "code", "unanswerable")
KEYS = {"q", "any", "file", "kind", "abstain"}
MARKUP = re.compile(r"``|:[a-z:]+:`")
STOP = frozenset((
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with", "by", "at", "is", "are",
    "be", "do", "does", "did", "i", "my", "me", "we", "our", "you", "your", "it", "its", "this",
    "that", "what", "whats", "which", "how", "can", "should", "would", "when", "why", "there",
    "any", "way", "flask", "get", "set", "use", "using", "from", "as", "so", "if", "not", "no",
    "just", "like", "than", "then", "into", "out", "up", "about", "e", "g", "pls", "please", "im",
    "i'm", "don't", "dont",
))


def words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP and len(w) > 1}


def corpus_texts(corpus: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for path in sorted(corpus.rglob("*")):
        if path.is_file():
            with contextlib.suppress(UnicodeDecodeError, OSError):  # images are skipped
                out[path.relative_to(corpus).as_posix()] = path.read_text(encoding="utf-8")
    return out


def check_item(item: object, tag: str, texts: dict[str, str], verbose: bool) -> list[str]:
    """The problems of one parsed line (printing --verbose details as it goes)."""
    if not isinstance(item, dict) or set(item) != KEYS:
        return [f"{tag}: keys must be exactly {sorted(KEYS)}"]
    errors: list[str] = []
    subs, fname, kind, abstain = item["any"], item["file"], item["kind"], item["abstain"]
    if kind not in KINDS:
        errors.append(f"{tag}: unknown kind {kind!r}")
    if abstain is not (kind == "unanswerable"):
        errors.append(f"{tag}: abstain must be true iff kind == 'unanswerable'")
    if abstain:
        if subs != [] or fname is not None:
            errors.append(f"{tag}: unanswerable items need any=[] and file=null")
        return errors
    if not isinstance(subs, list) or not 1 <= len(subs) <= 3:
        return errors + [f"{tag}: `any` must hold 1-3 strings"]
    if fname not in texts:
        return errors + [f"{tag}: file {fname!r} not found in the corpus"]
    body = texts[fname]
    lines = body.splitlines()
    for s in subs:
        if not isinstance(s, str) or not s.strip():
            errors.append(f"{tag}: empty substring")
            continue
        if s not in body:
            errors.append(f"{tag}: NOT FOUND in {fname}: {s!r}")
            continue
        at = [n for n, line in enumerate(lines, 1) if s in line]
        if not at:
            errors.append(f"{tag}: {s!r} only matches across lines in {fname}")
        if MARKUP.search(s):
            print(f"warning: {tag}: {s!r} carries rST markup")
        if verbose:
            others = sorted(f for f, t in texts.items() if f != fname and s in t)
            extra = f"  also in: {', '.join(others)}" if others else ""
            print(f"ok  {fname}:{','.join(map(str, at))}  {s!r}{extra}")
    return errors


def overlap(item: dict, texts: dict[str, str]) -> float | None:
    lines = texts.get(item["file"] or "", "").splitlines()
    ctx = " ".join(line for line in lines if any(s in line for s in item["any"]))
    if not ctx:
        return None
    qw = words(item["q"])
    return len(qw & words(ctx)) / max(1, len(qw))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", type=Path, default=HERE / "questions.jsonl")
    ap.add_argument("--corpus", type=Path, default=REPO / ".citebot/heldout/flask/corpus")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--overlap", action="store_true")
    args = ap.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}: run python -m index.evaluation.heldout fetch flask", file=sys.stderr)
        return 1

    texts = corpus_texts(args.corpus)
    errors: list[str] = []
    kinds: collections.Counter[str] = collections.Counter()
    seen: set[str] = set()
    overlaps: list[tuple[float, str, str]] = []
    rows = [line for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    for n, raw in enumerate(rows, 1):
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as exc:
            errors.append(f"line {n}: bad JSON: {exc}")
            continue
        tag = f"line {n}"
        if isinstance(item, dict) and isinstance(item.get("q"), str):
            tag = f"line {n} ({item['q'][:50]!r})"
            key = item["q"].strip().lower()
            if key in seen:
                errors.append(f"{tag}: duplicate question")
            seen.add(key)
            kinds[str(item.get("kind"))] += 1
        problems = check_item(item, tag, texts, args.verbose)
        errors += problems
        if args.overlap and not problems and not item["abstain"]:
            frac = overlap(item, texts)
            if frac is not None:
                overlaps.append((frac, item["kind"], item["q"]))

    print(f"{len(rows)} questions: " + ", ".join(f"{k}={kinds[k]}" for k in KINDS))
    if overlaps:
        low = sum(1 for frac, _, _ in overlaps if frac <= 0.25)
        print(f"word overlap with answer lines: {low}/{len(overlaps)} answerable questions share <=25% "
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
