"""Weakest-link coverage as abstention evidence (``index.query.coverage``): measured offline, by corpus.

    python -m index.evaluation.coverage_study                      # the tuning sets, default grid
    python -m index.evaluation.coverage_study --sets httpx,werkzeug --cache .citebot/study

For every tuning set this builds (or reuses) its eval index, asks every question through the shipped
pipeline and records the evidence components (``abstain.Evidence``) with ``uncovered`` against the
question's ``k`` closest units for several ``k``; it does the same for the calibration's bank and
pseudo-questions (their own unit left out). It then replays the score with the coverage penalty
``weight · max(0, uncovered − margin)`` over a grid (weight 0: the score without it), recalibrating the
threshold on each corpus as a build would (``calibrate.choose``), and prints:

* every grid point's unanswerable-abstained and wrongly-abstained counts per set;
* leave-one-corpus-out: the grid point chosen on the other sets (most abstentions minus
  ``WRONG_COST`` × wrong ones) and what it gives on the held-out one.

Tuning sets only (the split rule); nothing is written but the eval indexes under ``--cache``.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import asdict
from pathlib import Path

import numpy as np

# name -> (questions, docs): {data} is the shared data folder, {tuning} where the tuning corpora were fetched
TUNING = {
    "httpx": ("{data}/docsqa/httpx/questions.jsonl", "{data}/docsqa/httpx/corpus"),
    "requests": ("{data}/docsqa/requests/questions.jsonl", "{data}/docsqa/requests/corpus"),
    "werkzeug": ("tests/eval/tuning/werkzeug/questions.jsonl", "{tuning}/werkzeug/corpus"),
    "markdown": ("tests/eval/tuning/markdown/questions.jsonl", "{tuning}/markdown/corpus"),
    "seed": ("tests/eval/seed.jsonl", "seeds"),
}
KS = (5, 8, 12)
MARGINS = (0.4, 0.45, 0.5, 0.55, 0.6)
WEIGHTS = (0.8, 1.2, 1.6)
WRONG_COST = 3  # an answerable question abstained costs this many unanswerable ones abstained


def record(names: list[str], cache: Path, places: dict[str, str]) -> dict:
    """Per set: the questions' and the calibration questions' components and best matches."""
    from index.evaluation.cache import ensure_index
    from index.evaluation.common import open_engine
    from index.evaluation.qa import load_corpus, load_questions
    from index.ingest import calibrate as cal
    from index.models.embeddings import load_embedder
    from index.query import abstain
    from index.query.coverage import question_uncovered
    from index.settings import Settings

    last: dict = {}
    original = abstain.evidence

    def hooked(ctx, state, exclude=()):  # noqa: ANN001, ANN202 - evidence, and what coverage would see
        ev = original(ctx, state, exclude)
        last["row"] = (asdict(ev), {k: question_uncovered(ctx, state, exclude, k) for k in KS})
        return ev

    abstain.evidence, cal.evidence = hooked, hooked
    settings = Settings()
    embedder = load_embedder(settings.model, settings.backend)
    out = {}
    try:
        for name in names:
            questions, docs = (Path(p.format(**places)) for p in TUNING[name])
            directory = ensure_index(f"study-{name}", load_corpus(docs), settings, embedder, cache)
            engine = open_engine(settings, directory, embedder)
            rows = []
            for q in load_questions(questions):
                last.pop("row", None)
                engine.ask(q.question)
                rows.append((q.abstain, *last.get("row", ({}, {}))))
            backend = engine.backend
            bank = cal.sample(cal.bank(), max(cal.BANK_MIN, 2 * backend.n_units))
            pseudo = cal.pseudo_questions(backend)
            ctx = cal.context_for(backend, embedder, bank + [p.question for p in pseudo])
            b = [(cal.score(ctx, q), last["row"])[1] for q in bank]
            p = [(cal.score(ctx, s.question, (s.unit,)), last["row"])[1] for s in pseudo]
            out[name] = {"rows": rows, "bank": b, "pseudo": p}
            print(f"recorded {name}: {len(rows)} questions, {len(b)} bank, {len(p)} pseudo", flush=True)
    finally:
        abstain.evidence, cal.evidence = original, original
    return out


def base_score(ev: dict) -> float:
    from index.query import abstain as a

    return (ev["cos"] + a.LEX * ev["lex"] - a.FOREIGN * ev["foreign"] - a.UNVALUED * ev["unvalued"]
            - a.UNSEEN_CODE * ev["unseen_code"] - a.FRAMED * ev["framed"])


def replay(data: dict, k: int, margin: float, weight: float) -> tuple[int, int, int, int, float]:
    """(unanswerable abstained, unanswerable, answerable abstained, answerable, threshold)."""
    from index.ingest.calibrate import choose

    def scores(items) -> np.ndarray:  # noqa: ANN001
        return np.array([base_score(ev) - weight * max(0.0, u[k] - margin) if ev else -9.0 for ev, u in items])

    t, _ = choose(scores(data["bank"]), scores(data["pseudo"]))
    sc = scores([(ev, m) for _, ev, m in data["rows"]])
    un = np.array([a for a, _, _ in data["rows"]], dtype=bool)
    ab = sc < t
    return int((ab & un).sum()), int(un.sum()), int((ab & ~un).sum()), int((~un).sum()), t


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", default=",".join(TUNING))
    ap.add_argument("--cache", type=Path, default=Path(".citebot/study"))
    ap.add_argument("--data", default="../shared/data", help="the shared data folder (docsqa/)")
    ap.add_argument("--tuning", default=".citebot/tuning", help="where the werkzeug and markdown corpora were fetched")
    args = ap.parse_args(argv)
    names = [n for n in args.sets.split(",") if n]
    data = record(names, args.cache, {"data": args.data, "tuning": args.tuning})
    grid = list(itertools.product(KS, MARGINS, WEIGHTS))
    res = {g: [replay(data[n], *g) for n in names] for g in grid}
    off = [replay(data[n], KS[0], 0.0, 0.0) for n in names]

    def cell(r) -> str:  # noqa: ANN001
        return f"{r[0]}/{r[1]} · {r[2]}/{r[3]}"

    def gain(rs, idx) -> int:  # noqa: ANN001
        return sum(rs[i][0] - WRONG_COST * rs[i][2] for i in idx)

    print("| K | margin | weight | " + " | ".join(names) + " |")
    print("|---|---|---|" + "---|" * len(names))
    print("| – | – | off | " + " | ".join(cell(r) for r in off) + " |")
    for g in grid:
        print(f"| {g[0]} | {g[1]} | {g[2]} | " + " | ".join(cell(r) for r in res[g]) + " |")
    from index.query.abstain import UNCOVERED, UNCOVERED_FROM
    from index.query.coverage import K

    shipped = (K, UNCOVERED_FROM, UNCOVERED)
    print(f"\nleave-one-corpus-out (chosen on the others: abstained − {WRONG_COST} × wrongly; ties: the smaller"
          f" weight, then the first in the grid); shipped K, margin, weight = {shipped}")
    print("| held out | chosen K, margin, weight | off | chosen | shipped among the best on the others | shipped |")
    print("|---|---|---|---|---|---|")
    for h, name in enumerate(names):
        train = [i for i in range(len(names)) if i != h]
        top = max(gain(res[g], train) for g in grid)
        best = max(grid, key=lambda g: (gain(res[g], train), -g[2]))
        tied = "yes" if shipped in res and gain(res[shipped], train) == top else "no"
        mine = cell(res[shipped][h]) if shipped in res else "–"
        print(f"| {name} | {best} | {cell(off[h])} | {cell(res[best][h])} | {tied} | {mine} |")


if __name__ == "__main__":
    main()
