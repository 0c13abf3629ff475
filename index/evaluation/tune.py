"""Tuning on the TUNING splits only (SciFact train, SQuAD articles 0-23): one index load, question
vectors cached, retrieval/quote params swapped per trial (they are query-time, no rebuild).

    python -m index.evaluation.tune squad --grid 'alpha=0.3,0.5,0.7' --limit 1500
    python -m index.evaluation.tune scifact --grid 'alpha=0.3,0.5' --grid 'sentence_max=0.3,0.7'
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from dataclasses import fields, replace
from pathlib import Path

from index.query.records import QuoteParams, RetrievalParams

DATA = Path("/work/shared/data")


class Tuner:
    def __init__(self, index_dir: Path) -> None:
        from index.models.embeddings import load_embedder
        from index.settings import Settings
        from index.storage.store import read_index

        self.settings = Settings()
        self.embedder = load_embedder(self.settings.model, self.settings.backend)
        self.data = read_index(index_dir)
        self.vec_cache: dict[str, object] = {}
        store, search_cache = self.data.vectors, {}
        inner_search = store.search

        def cached_search(q, k):  # noqa: ANN001, ANN202 - the FAISS search only depends on (q, k)
            key = (q.tobytes(), k)
            if key not in search_cache:
                search_cache[key] = inner_search(q, k)
            return search_cache[key]

        store.search = cached_search

    def rebuild_bm25(self, k1: float, b: float) -> None:
        """BM25 over the same chunk search texts (context line + display text) with other k1/b."""
        from index.models.lexical import BM25Index

        texts = [self.data.chunk_search_text(c) for c in range(len(self.data.chunks))]
        self.data.bm25 = BM25Index.build(texts, k1=k1, b=b)

    def engine(self, retrieval: RetrievalParams, quotes: QuoteParams):  # noqa: ANN201
        from index.query.engine import Engine
        from index.storage.local import LocalBackend

        e = Engine(LocalBackend(self.data), self.embedder, self.settings, retrieval, quotes)
        orig = e.encoder.encode
        cache = self.vec_cache

        def encode(q: str):  # noqa: ANN202
            if q not in cache:
                cache[q] = orig(q)
            return cache[q]

        e.encoder.encode = encode  # type: ignore[method-assign]
        return e


def split_params(over: dict[str, float]) -> tuple[RetrievalParams, QuoteParams]:
    r_names = {f.name for f in fields(RetrievalParams)}
    q_names = {f.name for f in fields(QuoteParams)}
    r = {k: v for k, v in over.items() if k in r_names}
    q = {k: v for k, v in over.items() if k in q_names}
    unknown = set(over) - r_names - q_names
    if unknown:
        raise SystemExit(f"unknown params {unknown}")
    ints = {"dense_candidates", "bm25_candidates", "passages"}
    r = {k: int(v) if k in ints else v for k, v in r.items()}
    q = {k: int(v) if k in ints else v for k, v in q.items()}
    return replace(RetrievalParams(), **r), replace(QuoteParams(), **q)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("suite", choices=["squad", "scifact", "seed"])
    ap.add_argument("--grid", action="append", default=[], help="name=v1,v2,...")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--bm25", action="append", default=[], help="k1,b: rebuild BM25 in memory first")
    ap.add_argument("--mode", default="hybrid")
    ap.add_argument("--cache", type=Path, default=Path(".citebot/eval"))
    args = ap.parse_args(argv)

    grid = {}
    for g in args.grid:
        name, values = g.split("=", 1)
        grid[name] = [float(v) for v in values.split(",")]
    if args.suite == "squad":
        from index.evaluation.squad import load_squad, parse_articles, run_squad

        data = load_squad(DATA / "squad/dev-v1.1.json", parse_articles("0-23"))
        if args.limit:
            random.Random(0).shuffle(data.questions)
            data.questions = data.questions[: args.limit]
        tuner = Tuner(args.cache / "squad-dev-v1.1")
        def run(e):  # noqa: ANN001, ANN202, E306
            return run_squad(e, data, args.mode)["metrics"]
    elif args.suite == "scifact":
        from index.evaluation.beir import load_beir, run_beir

        data = load_beir(DATA / "scifact", "train")
        tuner = Tuner(args.cache / "beir-scifact")
        def run(e):  # noqa: ANN001, ANN202, E306
            return run_beir(e, data, args.mode)["metrics"]
    else:
        from index.evaluation.qa import index_name, load_questions, run_qa
        from index.evaluation.seed import default_set

        qs = load_questions(default_set())
        tuner = Tuner(args.cache / index_name(Path("seeds")))
        def run(e):  # noqa: ANN001, ANN202, E306
            return run_qa(e, qs, args.mode)["metrics"]

    bm25_grid = [tuple(float(x) for x in kb.split(",")) for kb in args.bm25] or [None]
    names = list(grid)
    for kb, combo in itertools.product(bm25_grid, itertools.product(*(grid[n] for n in names))):
        over = dict(zip(names, combo, strict=True))
        if kb is not None:
            tuner.rebuild_bm25(*kb)
            over = {"bm25_k1_b": kb, **over}
        r, q = split_params({k: v for k, v in over.items() if k != "bm25_k1_b"})
        m = run(tuner.engine(r, q))
        m = {k: round(v, 4) for k, v in m.items() if "latency" not in k and isinstance(v, int | float)}
        print(json.dumps({"params": over, **m}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
