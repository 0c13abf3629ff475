"""Weakest-link coverage as abstention evidence (``index.query.coverage``): measured offline, by corpus.

    python -m index.evaluation.coverage_study                      # the tuning sets, default grid
    python -m index.evaluation.coverage_study --sets httpx,werkzeug --cache .citebot/study

For every tuning set this builds (or reuses) its eval index, asks every question through the shipped
pipeline and records the evidence components (``abstain.Evidence``) with ``uncovered`` against the
question's ``k`` closest units for several ``k``; it does the same for the calibration's bank and
pseudo-questions (their own unit left out). It then replays the score with the coverage penalty
``weight · max(0, uncovered − margin)`` and the extra penalty of a question asking whether
``ask · whether · max(0, uncovered − ask_from)`` over a grid (weight 0: the score without it),
recalibrating the threshold on each corpus as a build would (``calibrate.choose``), and prints:

* the unanswerable-abstained and wrongly-abstained counts per set of the shipped K, margin and weight
  with every ask-whether penalty;
* leave-one-corpus-out: the grid point chosen on the other sets (most abstentions minus
  ``WRONG_COST`` × wrong ones) and what it gives on the held-out one.

Tuning sets only (the split rule); nothing is written but the eval indexes under ``--cache`` (and, with
``--recorded FILE``, the recorded evidence, read back on the next run instead of asking again).
"""

from __future__ import annotations

import argparse
import itertools
import pickle
from dataclasses import asdict
from pathlib import Path

import numpy as np

# name -> (questions, docs): {data} is the shared data folder, {tuning} where the tuning corpora were fetched
TUNING = {
    "httpx": ("{data}/docsqa/httpx/questions.jsonl", "{data}/docsqa/httpx/corpus"),
    "requests": ("{data}/docsqa/requests/questions.jsonl", "{data}/docsqa/requests/corpus"),
    "werkzeug": ("tests/eval/tuning/werkzeug/questions.jsonl", "{tuning}/werkzeug/corpus"),
    "markdown": ("tests/eval/tuning/markdown/questions.jsonl", "{tuning}/markdown/corpus"),
    "griffe": ("tests/eval/tuning/griffe/questions.jsonl", "{tuning}/griffe/corpus"),
    "structlog": ("tests/eval/tuning/structlog/questions.jsonl", "{tuning}/structlog/corpus"),
    "seed": ("tests/eval/seed.jsonl", "seeds"),
}
KS = (5, 8, 12)
MARGINS = (0.4, 0.45, 0.5, 0.55, 0.6)
WEIGHTS = (0.8, 1.2, 1.6)
ASK_FROMS = (0.3, 0.4, 0.5)  # the extra penalty of a question asking whether (``abstain.ASK_FROM``, ``ASK``)
ASKS = (0.0, 1.0, 2.0, 3.0)
WRONG_COST = 3  # an answerable question abstained costs this many unanswerable ones abstained
# on a tie a fold keeps the K and margin chosen before (evidence-v8): a parameter moves only for a gain
KEPT = (8, 0.5)


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
                rows.append((q.abstain, *last.get("row", ({}, {})), q.question))
            backend = engine.backend
            bank = cal.sample(cal.bank(), max(cal.BANK_MIN, 2 * backend.n_units))
            pseudo = cal.pseudo_questions(backend)
            ctx = cal.context_for(backend, embedder, bank + [p.question for p in pseudo])
            b = [(*(cal.score(ctx, q), last["row"])[1], q) for q in bank]
            p = [(*(cal.score(ctx, s.question, (s.unit,)), last["row"])[1], s.question) for s in pseudo]
            corpus = "\n".join(backend.unit_display(i) for i in range(backend.n_units))
            out[name] = {"rows": rows, "bank": b, "pseudo": p, "corpus": corpus}
            print(f"recorded {name}: {len(rows)} questions, {len(b)} bank, {len(p)} pseudo", flush=True)
    finally:
        abstain.evidence, cal.evidence = original, original
    return out


def base_score(ev: dict) -> float:
    from index.query import abstain as a

    return (ev["cos"] + a.LEX * ev["lex"] - a.FOREIGN * ev["foreign"] - a.UNVALUED * ev["unvalued"]
            - a.UNSEEN_CODE * ev["unseen_code"] - a.FRAMED * ev["framed"])


def replay(data: dict, k: int, margin: float, weight: float, ask_from: float = 0.0,
           ask: float = 0.0) -> tuple[int, int, int, int, float]:
    """(unanswerable abstained, unanswerable, answerable abstained, answerable, threshold)."""
    from index.ingest.calibrate import choose

    def one(ev: dict, u: dict) -> float:
        if not ev:
            return -9.0
        return (base_score(ev) - weight * max(0.0, u[k] - margin)
                - ask * ev.get("whether", 0.0) * max(0.0, u[k] - ask_from))

    def scores(items) -> np.ndarray:  # noqa: ANN001
        return np.array([one(ev, u) for ev, u, *_ in items])

    t, _ = choose(scores(data["bank"]), scores(data["pseudo"]))
    sc = scores([(ev, m) for _, ev, m, *_ in data["rows"]])
    un = np.array([a for a, *_ in data["rows"]], dtype=bool)
    ab = sc < t
    return int((ab & un).sum()), int(un.sum()), int((ab & ~un).sum()), int((~un).sum()), t


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", default=",".join(TUNING))
    ap.add_argument("--cache", type=Path, default=Path(".citebot/study"))
    ap.add_argument("--data", default="../shared/data", help="the shared data folder (docsqa/)")
    ap.add_argument("--tuning", default=".citebot/tuning", help="where the werkzeug, markdown, griffe and structlog corpora were fetched")
    ap.add_argument("--recorded", type=Path, help="a pickle of the recorded evidence: read if it exists, else written")
    args = ap.parse_args(argv)
    names = [n for n in args.sets.split(",") if n]
    if args.recorded and args.recorded.exists():
        data = pickle.loads(args.recorded.read_bytes())
    else:
        data = record(names, args.cache, {"data": args.data, "tuning": args.tuning})
        if args.recorded:
            args.recorded.write_bytes(pickle.dumps(data))
    from index.query.abstain import ASK, ASK_FROM, UNCOVERED, UNCOVERED_FROM
    from index.query.coverage import K

    grid = list(itertools.product(KS, MARGINS, WEIGHTS, ASK_FROMS, ASKS))
    res = {g: [replay(data[n], *g) for n in names] for g in grid}
    off = [replay(data[n], KS[0], 0.0, 0.0) for n in names]
    shown = [g for g in grid if g[0] == K and g[1] == UNCOVERED_FROM and g[2] == UNCOVERED]

    def cell(r) -> str:  # noqa: ANN001
        return f"{r[0]}/{r[1]} · {r[2]}/{r[3]}"

    def gain(rs, idx) -> int:  # noqa: ANN001
        return sum(rs[i][0] - WRONG_COST * rs[i][2] for i in idx)

    print("the shipped K, margin, weight with every ask-whether penalty (ask from, ask weight):")
    print("| K | margin | weight | ask from | ask | " + " | ".join(names) + " |")
    print("|---|---|---|---|---|" + "---|" * len(names))
    print("| – | – | off | – | – | " + " | ".join(cell(r) for r in off) + " |")
    for g in shown:
        print("| " + " | ".join(map(str, g)) + " | " + " | ".join(cell(r) for r in res[g]) + " |")

    shipped = (K, UNCOVERED_FROM, UNCOVERED, ASK_FROM, ASK)
    print(f"\nleave-one-corpus-out (chosen on the others: abstained − {WRONG_COST} × wrongly; ties: the smaller"
          f" weights, then K, margin = {KEPT}, then the first in the grid); shipped K, margin, weight, ask from, ask = {shipped}")
    print("| held out | chosen K, margin, weight, ask from, ask | off | chosen | shipped among the best on the others | shipped |")
    print("|---|---|---|---|---|---|")
    for h, name in enumerate(names):
        train = [i for i in range(len(names)) if i != h]
        top = max(gain(res[g], train) for g in grid)
        best = max(grid, key=lambda g: (gain(res[g], train), -g[2], -g[4], g[:2] == KEPT))
        tied = "yes" if shipped in res and gain(res[shipped], train) == top else "no"
        mine = cell(res[shipped][h]) if shipped in res else "–"
        print(f"| {name} | {best} | {cell(off[h])} | {cell(res[best][h])} | {tied} | {mine} |")


if __name__ == "__main__":
    main()
