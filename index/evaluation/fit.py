"""Fit the three linear rankers on SQuAD's TUNING articles (0-23) and write them to ``index/models/rankers``.

    python -m index.evaluation.fit --squad /work/shared/data/squad/dev-v1.1.json

1. sentences: every sentence of a question's top passages is a candidate (``quotes.SENTENCE_FEATURES``);
   the positives hold a gold answer string. Listwise softmax loss (the log-probability of the
   positives among the question's candidates), L2 on standardized features, L-BFGS.
2. documents: the top ``rerank_depth`` first-stage documents (``rerank.DOCUMENT_FEATURES``); the
   positive is the gold paragraph. Its quote features come from sentence scores fit on the *other*
   half of the questions (cross-fitting), as at run time they come from a ranker that never saw them.

3. answers: the top ``QuoteParams.refine`` candidates of each question with token-level features
   (``refine.ANSWER_FEATURES``), from the cross-fitted sentence and document rankers.

All three are also scored by 2-fold cross-validation (articles 0-11 vs 12-23), printed and stored in the
file's provenance. Nothing here reads the held-out articles.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from index.models.ranker import RANKERS, LinearRanker
from index.query.features import FeatureRows, weights

TUNING_ARTICLES = "0-23"
L2 = 1e-3


def fit_listwise(groups: list[tuple[FeatureRows, np.ndarray]], l2: float = L2) -> np.ndarray:
    """Weights on raw features maximizing the mean log softmax-probability of each group's positives."""
    from scipy.optimize import minimize

    groups = [(x.values, y) for x, y in groups if y.any() and len(y) > 1]
    allx = np.vstack([x for x, _ in groups])
    mu, sd = allx.mean(0), allx.std(0) + 1e-9
    std = [((x - mu) / sd, y) for x, y in groups]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.0, np.zeros_like(w)
        for x, y in std:
            s = x @ w
            e = np.exp(s - s.max())
            p = e / e.sum()
            pos = e * y
            total -= np.log(pos.sum() / e.sum())
            grad += x.T @ (p - pos / pos.sum())
        n = len(std)
        return total / n + l2 * w @ w, grad / n + 2 * l2 * w

    res = minimize(loss, np.zeros(allx.shape[1]), jac=True, method="L-BFGS-B")
    return res.x / sd


def hit_at(groups: list[tuple[FeatureRows, np.ndarray]], w: np.ndarray, k: int = 1) -> float:
    hits = [bool(y[np.argsort(-(x.values @ w), kind="stable")[:k]].any()) for x, y in groups]
    return float(np.mean(hits)) if hits else 0.0


def collect(engine, data) -> list[dict]:  # noqa: ANN001
    """Per question: its first stage (the pipeline's ``FIRST_STAGE``, as ``ask`` runs it), the labels of
    its unit rows, its best passages."""
    from index.query.rerank import best_passages

    backend = engine.backend
    out = []
    for q in data.questions:
        f = engine.first_stage(q.question)
        texts = [backend.unit(s).quote for s, _ in f.meta]
        out.append({
            "first": f,
            "x": f.rows,
            "y": np.array([any(a in t for a in q.answers) for t in texts], dtype=bool),
            "passages": best_passages(backend.chunk_documents(f.hits.chunks), f.hits.scores),
            "gold": q.source,
        })
    return out


def candidates_of(engine, item: dict, ranker: LinearRanker) -> list:  # noqa: ANN001
    """The question's quote candidates as the ``rank_units`` stage makes them, scored by ``ranker``."""
    from index.query.quotes import rank_candidates

    f = item["first"]
    return rank_candidates(f.question, f.rows, f.meta, engine.backend.idf, engine.quote_params, ranker)


def document_groups(engine, items: list[dict], cands: list[list], depth: int):  # noqa: ANN001, ANN201
    from index.query.rerank import document_rows

    backend = engine.backend
    groups = []
    for item, cs in zip(items, cands, strict=True):
        ranking = item["first"].first_documents
        x = document_rows(ranking, cs, backend.unit_documents, depth, item["passages"])
        y = np.array([backend.document(int(d)).source == item["gold"] for d in ranking.docs[: len(x)]], dtype=bool)
        groups.append((x, y))
    return groups


def answer_groups(engine, items: list[dict], cands: list[list], rankings: list):  # noqa: ANN001, ANN201
    """Stage 3: the top ``refine`` candidates of each question, with token features (one model pass each)."""
    from index.query.refine import ANSWER_FEATURES, answer_rows

    k = engine.quote_params.refine
    backend = engine.backend
    groups = []
    for item, cs, documents in zip(items, cands, rankings, strict=True):
        top = cs[:k]
        if len(top) < 2:
            groups.append((FeatureRows.empty(ANSWER_FEATURES), np.zeros(0, dtype=bool)))
            continue
        f = item["first"]
        x = answer_rows(f.question, top, f.rows, backend.unit_display, engine.encoder.token_states, documents,
                        backend.unit_documents)
        labels = {s: y for (s, _), y in zip(f.meta, item["y"].tolist(), strict=True)}
        groups.append((x, np.array([labels[c.unit] for c in top], dtype=bool)))
    return groups


def penalized_hit(groups: list, w: np.ndarray, params, first_hits: list[bool]) -> float:  # noqa: ANN001
    """quote@1 over all questions: stage 3's pick where it ran, the stage-1 top elsewhere."""
    from index.query.quotes import type_penalized

    hits = []
    for (x, y), h in zip(groups, first_hits, strict=True):
        hits.append(bool(y[np.argmax(type_penalized(x.values @ w, x, params))]) if len(y) else h)
    return float(np.mean(hits)) if hits else 0.0


def main(argv: list[str] | None = None) -> int:
    from index.evaluation.cache import ensure_index
    from index.evaluation.common import open_engine
    from index.evaluation.squad import load_squad, parse_articles
    from index.models.embeddings import load_embedder
    from index.query.quotes import SENTENCE_FEATURES
    from index.query.refine import ANSWER_FEATURES
    from index.query.rerank import DOCUMENT_FEATURES, rerank
    from index.settings import Settings

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--squad", type=Path, required=True, help="SQuAD v1.1 dev JSON")
    ap.add_argument("--cache", type=Path, default=Path(".citebot/eval"))
    ap.add_argument("--out", type=Path, default=RANKERS)
    args = ap.parse_args(argv)

    settings = Settings()
    embedder = load_embedder(settings.model, settings.backend, settings.model_cache_dir)
    data = load_squad(args.squad, parse_articles(TUNING_ARTICLES))
    index_dir = ensure_index(f"squad-{args.squad.stem}", data.documents, settings, embedder, args.cache)
    engine = open_engine(settings, index_dir, embedder)
    depth = engine.retrieval_params.rerank_depth
    print(f"collecting features of {len(data.questions)} tuning questions…", file=sys.stderr, flush=True)
    items = collect(engine, data)
    article = [int(q.source.split("/")[1]) for q in data.questions]
    first = [a <= 11 for a in article]  # the two folds: articles 0-11 and 12-23

    sent = [(it["x"], it["y"]) for it in items]
    cands: list[list] = [[] for _ in items]  # quote candidates scored by the ranker fit on the other fold
    cv_quote1 = []
    for fold in (True, False):
        w = fit_listwise([g for g, f in zip(sent, first, strict=True) if f == fold])
        held = [i for i, f in enumerate(first) if f != fold]
        ranker = LinearRanker("sentences", SENTENCE_FEATURES, w)
        for i in held:
            cands[i] = candidates_of(engine, items[i], ranker)
        cv_quote1.append(hit_at([sent[i] for i in held], w))
    w_sent = fit_listwise(sent)

    params = engine.quote_params
    docs = document_groups(engine, items, cands, depth)
    cv_hit1, base_hit1 = [], hit_at(docs, weights(DOCUMENT_FEATURES, first_stage=1.0))
    reranked: list = [None] * len(items)
    for fold in (True, False):
        w = fit_listwise([g for g, f in zip(docs, first, strict=True) if f == fold])
        cv_hit1.append(hit_at([g for g, f in zip(docs, first, strict=True) if f != fold], w))
        ranker = LinearRanker("documents", DOCUMENT_FEATURES, w)
        for i in (i for i, f in enumerate(first) if f != fold):
            reranked[i] = rerank(items[i]["first"].first_documents, cands[i], engine.backend.unit_documents, depth,
                                 ranker, items[i]["passages"])
    w_docs = fit_listwise(docs)

    print("token features of the top candidates…", file=sys.stderr, flush=True)
    answers = answer_groups(engine, items, cands, reranked)
    stage1 = [bool(c[0].unit in {s for (s, _), y in zip(it["first"].meta, it["y"], strict=True) if y}) if c else False
              for it, c in zip(items, cands, strict=True)]
    cv_answer1 = []
    for fold in (True, False):
        w = fit_listwise([g for g, f in zip(answers, first, strict=True) if f == fold and len(g[1])])
        held = [i for i, f in enumerate(first) if f != fold]
        cv_answer1.append(penalized_hit([answers[i] for i in held], w, params, [stage1[i] for i in held]))
    w_answers = fit_listwise([g for g in answers if len(g[1])])

    common = {"data": f"{args.squad.name}, articles {TUNING_ARTICLES} (tuning split)", "questions": len(items),
              "loss": f"listwise softmax, L2 {L2} on standardized features", "command": "python -m index.evaluation.fit"}
    s_rank = LinearRanker("sentences", SENTENCE_FEATURES, w_sent, {
        **common, "label": "the sentence holds a gold answer string",
        "cv_quote@1 (articles 0-11 -> 12-23, 12-23 -> 0-11)": [round(v, 4) for v in cv_quote1],
    })
    d_rank = LinearRanker("documents", DOCUMENT_FEATURES, w_docs, {
        **common, "label": "the gold paragraph", "depth": depth,
        "first-stage hit@1 of the same candidates": round(base_hit1, 4),
        "cv_hit@1 (articles 0-11 -> 12-23, 12-23 -> 0-11)": [round(v, 4) for v in cv_hit1],
    })
    a_rank = LinearRanker("answers", ANSWER_FEATURES, w_answers, {
        **common, "label": "the sentence holds a gold answer string", "candidates": f"top {params.refine}",
        "inputs": "sentence and document rankers cross-fitted on the other fold",
        "stage-1 quote@1 (cross-fitted, both folds)": round(float(np.mean(stage1)), 4),
        "cv_quote@1 (articles 0-11 -> 12-23, 12-23 -> 0-11)": [round(v, 4) for v in cv_answer1],
    })
    args.out.mkdir(parents=True, exist_ok=True)
    for r in (s_rank, d_rank, a_rank):
        r.save(args.out / f"{r.name}.json")
    print(json.dumps({r.name: r.provenance for r in (s_rank, d_rank, a_rank)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
