"""What a lever gives: the QA eval with the shipped rankers, and again with some features' weights set to 0.

    python -m index.evaluation.ablate --qa ../shared/data/docsqa/httpx/questions.jsonl \\
        --docs ../shared/data/docsqa/httpx/corpus --lever code --lever context

A lever is a group of features (``LEVERS``); zeroing their weights in all three rankers (and, for
``changelog``, the priors) takes the lever out of the shipped pipeline without refitting anything, so
the difference is what the lever adds to the rankers as they ship (each line: answer@1, answer@3,
code questions answered with code, abstained). A span lever (``SPAN_LEVERS``: ``neighbours``) is
switched off in the spans stage instead, and a stage lever (``STAGE_LEVERS``: ``code_after``) in its
``QuoteParams``. ``python -m index.evaluation.fit … --lever NAME`` gives the
other view: the rankers refit without the lever, cross-validated by corpus.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

LEVERS: dict[str, tuple[str, ...]] = {
    "code": ("is_code", "code_wanted", "lead_in", "lead_in_wanted", "code_words", "ident", "lead_lex"),
    "changelog": ("changelog",),
    "context": ("ctx_lex", "ctx_cos", "chunk_cos", "doc_cos"),
    "why": ("why_reason", "why_lex"),
    "answer_kind": ("code_unasked", "lead_unasked"),
}
SPAN_LEVERS = {"neighbours"}  # levers of the spans stage, not of the rankers (``QuoteParams`` switches)
# stages after the first (not in the fit's rows), switched off by their ``QuoteParams``
STAGE_LEVERS: dict[str, dict[str, int | bool]] = {"code_after": {"code_after": 0}, "refine": {"refine": 0}}


def without(ranker, names: set[str]):  # noqa: ANN001, ANN201 - a LinearRanker with those weights 0
    from index.models.ranker import LinearRanker

    w = np.array([0.0 if f in names else v for f, v in zip(ranker.features, ranker.weights, strict=True)])
    return LinearRanker(ranker.name, ranker.features, w, ranker.provenance)


def main(argv: list[str] | None = None) -> int:
    from index.evaluation.cache import ensure_index
    from index.evaluation.common import open_engine
    from index.evaluation.qa import index_name, load_corpus, load_questions, run_qa
    from index.models.embeddings import load_embedder
    from index.settings import Settings

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--qa", type=Path, required=True)
    ap.add_argument("--docs", type=Path, required=True)
    ap.add_argument("--lever", action="append", choices=sorted(set(LEVERS) | SPAN_LEVERS | set(STAGE_LEVERS)), default=[])
    ap.add_argument("--cache", type=Path, default=Path(".citebot/eval"))
    args = ap.parse_args(argv)

    settings = Settings()
    embedder = load_embedder(settings.model, settings.backend, settings.model_cache_dir)
    questions = load_questions(args.qa)
    index_dir = ensure_index(index_name(args.docs), load_corpus(args.docs), settings, embedder, args.cache)
    engine = open_engine(settings, index_dir, embedder)
    shipped = engine.context
    runs = [("shipped", set())] + [(f"without {lever}", set(LEVERS.get(lever, (lever,)))) for lever in args.lever]
    for label, names in runs:
        r = shipped.rankers
        ctx = shipped.with_rankers(sentences=without(r.sentences, names), documents=without(r.documents, names),
                                   answers=without(r.answers, names))
        if "changelog" in names:
            ctx = replace(ctx, quotes=replace(ctx.quotes, changelog=0.0),
                          retrieval=replace(ctx.retrieval, changelog_prior=0.0, changelog_rerank=0.0))
        if "neighbours" in names:
            ctx = replace(ctx, quotes=replace(ctx.quotes, neighbours=False))
        for lever in names & STAGE_LEVERS.keys():
            ctx = replace(ctx, quotes=replace(ctx.quotes, **STAGE_LEVERS[lever]))
        engine.context = ctx
        m = run_qa(engine, questions)["metrics"]
        code = "–" if m["code_with_code"] is None else f"{m['code_with_code']:.3f}"
        print(f"{label:24s} answer@1 {m['answer@1']:.3f}  answer@3 {m['answer@3']:.3f}  code w/ code {code}  "
              f"abstained {m['abstain_recall'] if m['abstain_recall'] is not None else '–'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
