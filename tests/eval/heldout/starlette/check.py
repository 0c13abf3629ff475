#!/usr/bin/env python3
"""Validate the starlette held-out questions against the fetched corpus (standard library only).

Checks (any failure -> exit status 1):
  * every line is a JSON object with exactly the keys q, any, file, kind, abstain
  * kind is one of KINDS; abstain is true exactly when kind == "unanswerable"
  * answerable items: 1-3 non-empty ``any`` strings; ``file`` exists under the corpus; every string
    occurs VERBATIM in that file, on one source line, and holds no sentence boundary
    (". ", "? " or "! " followed by a capital letter), so it never spans two sentences
  * unanswerable items: any == [] and file is null
  * no duplicate questions

Informational (never fails): the line numbers of each match and the other corpus files that hold the
same string (--verbose); counts by kind; with --overlap, the share of a question's content words found
on the source lines of its ``any`` strings (crude, no stemming).

Usage (from the repository root, after ``python -m index.evaluation.heldout fetch starlette``):
    python3 tests/eval/heldout/starlette/check.py [--verbose] [--overlap] [--corpus DIR]
"""

import argparse
import collections
import contextlib
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[3]
KINDS = ("howto", "factual", "default", "why", "code", "paraphrase", "unanswerable")
KEYS = {"q", "any", "file", "kind", "abstain"}
SENTENCE_BREAK = re.compile(r"[.?!] +[A-Z]")
STOP_WORDS = """a an the and or of to in on for with by at is are be do does did i my me we our you your
it its this that what whats which how can should would when why there any way get set use using from as
so if not no just like than then into out up about pls please im i'm don't dont starlette"""
STOP = frozenset(STOP_WORDS.split())


def words(text):
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP and len(w) > 1}


def corpus_texts(corpus):
    out = {}
    for path in sorted(corpus.rglob("*")):
        if path.is_file():
            with contextlib.suppress(UnicodeDecodeError, OSError):  # images
                out[path.relative_to(corpus).as_posix()] = path.read_text(encoding="utf-8")
    return out


def check_item(tag, item, texts, seen, verbose):
    """The problems of one question (a list of strings); prints matches when verbose."""
    problems = []
    q, subs, fname, kind, abstain = (item[k] for k in ("q", "any", "file", "kind", "abstain"))
    if kind not in KINDS:
        problems.append(f"{tag}: unknown kind {kind!r}")
    if abstain is not (kind == "unanswerable"):
        problems.append(f"{tag}: abstain must be true iff kind == 'unanswerable'")
    key = " ".join(q.lower().split())
    if key in seen:
        problems.append(f"{tag}: duplicate question")
    seen.add(key)
    if abstain:
        if subs != [] or fname is not None:
            problems.append(f"{tag}: unanswerable items need any=[] and file=null")
        return problems
    if not isinstance(subs, list) or not 1 <= len(subs) <= 3:
        return problems + [f"{tag}: `any` must hold 1-3 strings"]
    if fname not in texts:
        return problems + [f"{tag}: file {fname!r} is not in the corpus"]
    body = texts[fname]
    lines = body.splitlines()
    for s in subs:
        if not isinstance(s, str) or not s.strip():
            problems.append(f"{tag}: empty substring")
            continue
        if s not in body:
            problems.append(f"{tag}: NOT verbatim in {fname}: {s!r}")
            continue
        at = [n for n, line in enumerate(lines, 1) if s in line]
        if not at:
            problems.append(f"{tag}: {s!r} only matches across lines in {fname}")
        if SENTENCE_BREAK.search(s):
            problems.append(f"{tag}: {s!r} spans a sentence boundary")
        if verbose:
            others = [f for f, t in texts.items() if f != fname and s in t]
            also = f"  also in: {', '.join(others)}" if others else ""
            print(f"ok  {fname}:{','.join(map(str, at))}  {s!r}{also}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", type=Path, default=HERE / "questions.jsonl")
    ap.add_argument("--corpus", type=Path, default=ROOT / ".citebot/heldout/starlette/corpus")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--overlap", action="store_true")
    args = ap.parse_args()

    texts = corpus_texts(args.corpus)
    if not texts:
        print(f"no corpus at {args.corpus}: run python -m index.evaluation.heldout fetch starlette")
        return 1
    problems, kinds, seen, overlaps = [], collections.Counter(), set(), []
    rows = [r for r in args.questions.read_text(encoding="utf-8").splitlines() if r.strip()]
    for n, raw in enumerate(rows, 1):
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as exc:
            problems.append(f"line {n}: bad JSON: {exc}")
            continue
        if not isinstance(item, dict) or set(item) != KEYS:
            problems.append(f"line {n}: keys must be exactly {sorted(KEYS)}")
            continue
        kinds[item["kind"]] += 1
        problems += check_item(f"line {n} ({item['q'][:50]!r})", item, texts, seen, args.verbose)
        if args.overlap and not item["abstain"] and item["file"] in texts:
            ctx = " ".join(line for line in texts[item["file"]].splitlines() if any(s in line for s in item["any"]))
            qw = words(item["q"])
            overlaps.append((len(qw & words(ctx)) / max(1, len(qw)), item["kind"], item["q"]))

    print(f"{len(rows)} questions: " + ", ".join(f"{k}={kinds[k]}" for k in KINDS))
    if overlaps:
        low = [o for o in overlaps if o[0] <= 0.25]
        print(f"word overlap with answer line: {len(low)}/{len(overlaps)} answerable questions share <=25% of their content words")
        for frac, kind, q in sorted(overlaps):
            print(f"  {frac:4.2f} {kind:10s} {q}")
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for p in problems:
            print("  " + p)
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
