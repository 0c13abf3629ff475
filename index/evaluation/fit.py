"""Fit the three linear rankers on TUNING data of several corpora and write them to ``index/models/rankers``.

    python -m index.evaluation.fit --squad ../shared/data/squad/dev-v1.1.json \\
        --docsqa ../shared/data/docsqa/httpx --docsqa ../shared/data/docsqa/requests --seed

Corpora (tuning splits only; nothing here reads SQuAD articles 24-47 or SciFact's test split):

* ``squad``: SQuAD v1.1 articles 0-23; a unit is a positive when it holds a gold answer string, the gold
  document is the question's paragraph;
* ``--docsqa DIR`` (``questions.jsonl`` + ``corpus/``, the docsqa format): the answerable questions; a
  unit is a positive when its source or display text holds one of the ``any`` strings (whitespace
  collapsed, as the QA eval scores), a gold document is one whose text holds one;
* ``--seed``: the gated seed set (``tests/eval/seed.jsonl`` over ``seeds/``), scored the same way.

Stages, each fit by a listwise softmax loss (the log-probability of a group's positives among its
candidates), L2 on standardized features, L-BFGS; ``--weighting corpora`` gives every corpus the same
total weight (else every question weighs the same, so SQuAD's 5,696 questions outweigh everything):

1. sentences: every unit of a question's top passages (``quotes.SENTENCE_FEATURES``);
2. documents: the top ``rerank_depth`` first-stage documents (``rerank.DOCUMENT_FEATURES``), whose quote
   features come from sentence scores cross-fitted on the *other* folds, as at run time they come from a
   ranker that never saw the question;
3. answers: the top ``QuoteParams.refine`` candidates with token-level features (``refine.ANSWER_FEATURES``),
   from the cross-fitted sentence and document rankers.

Cross-validation is **by corpus**, never by question: each docs corpus (and the seed set) is one fold,
held out whole while the rankers are fit on every other fold and scored on it; SQuAD is two folds by
article (0-11, 12-23), as before. Beside every fold it prints the same stages fit on SQuAD alone (the
rankers' old recipe: for a SQuAD fold, its other half), so a fold says whether the other corpora's data
generalises to a corpus the fit never saw. Stage 2 and 3 inputs of a training question come from the
rankers of its own fold (fit without it), as at run time. The per-fold table is printed and stored
in each ranker file's provenance. ``--also-only squad,httpx`` adds a recipe fit on those sets alone
(outside the fold): whether the other sets' data helps a fold that neither saw.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.models.ranker import RANKERS, LinearRanker
from index.query.features import FeatureRows, weights

TUNING_ARTICLES = "0-23"
L2 = 1e-3
SQUAD = "squad"


# -- the loss ---------------------------------------------------------------------------------------


def fit_listwise(groups: list[tuple[FeatureRows, np.ndarray]], l2: float = L2,
                 group_weights: Sequence[float] | None = None) -> np.ndarray:
    """Weights on raw features maximizing the (weighted) mean log softmax-probability of each group's
    positives. Groups without a positive or with one candidate carry no information and are left out;
    with none left the weights are 0 (every candidate ties: the order they came in stays)."""
    from scipy.optimize import minimize

    gw = np.ones(len(groups)) if group_weights is None else np.asarray(group_weights, dtype=np.float64)
    kept = [(x.values, y, w) for (x, y), w in zip(groups, gw, strict=True) if y.any() and len(y) > 1]
    if not kept:
        return np.zeros(len(groups[0][0].names) if groups else 0)
    allx = np.vstack([x for x, _, _ in kept])
    mu, sd = allx.mean(0), allx.std(0) + 1e-9
    n, m, f = len(kept), max(len(y) for _, y, _ in kept), allx.shape[1]
    x3 = np.zeros((n, m, f))
    valid = np.zeros((n, m), dtype=bool)
    pos = np.zeros((n, m), dtype=bool)
    for g, (x, y, _) in enumerate(kept):
        x3[g, : len(y)] = (x - mu) / sd
        valid[g, : len(y)] = True
        pos[g, : len(y)] = y
    gw = np.array([w for _, _, w in kept])
    gw = gw / gw.sum()

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = np.where(valid, x3 @ w, -np.inf)
        top = s.max(axis=1, keepdims=True)
        e = np.where(valid, np.exp(s - top), 0.0)
        ep = np.where(pos, e, 0.0)
        z, zp = e.sum(axis=1), ep.sum(axis=1)
        total = -np.sum(gw * np.log(zp / z))
        coef = gw[:, None] * (e / z[:, None] - ep / zp[:, None])  # d loss / d score
        grad = np.einsum("gm,gmf->f", coef, x3)
        return total + l2 * w @ w, grad + 2 * l2 * w

    res = minimize(loss, np.zeros(f), jac=True, method="L-BFGS-B")
    return res.x / sd


def hit_at(groups: list[tuple[FeatureRows, np.ndarray]], w: np.ndarray, k: int = 1) -> float:
    hits = [bool(y[np.argsort(-(x.values @ w), kind="stable")[:k]].any()) for x, y in groups]
    return float(np.mean(hits)) if hits else 0.0


# -- tuning data --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TuningQuestion:
    question: str
    answers: tuple[str, ...]  # a unit holding one of these (whitespace collapsed) is a positive
    gold: frozenset[str]  # sources of the documents that answer it


@dataclass
class TuningSet:
    name: str
    engine: object  # index.query.engine.Engine
    questions: list[TuningQuestion]
    folds: list[str] = field(default_factory=list)  # a fold label per question (default: the set's name)


def _normalize(text: str) -> str:
    return " ".join(text.split())


def unit_holds(record, answers: Sequence[str]) -> bool:  # noqa: ANN001 - a backend UnitRecord
    texts = (_normalize(record.quote), _normalize(record.display))
    return any(a in t for a in answers for t in texts)


def squad_set(path: Path, settings, embedder, cache: Path) -> TuningSet:  # noqa: ANN001
    from index.evaluation.cache import ensure_index
    from index.evaluation.common import open_engine
    from index.evaluation.squad import load_squad, parse_articles

    data = load_squad(path, parse_articles(TUNING_ARTICLES))
    engine = open_engine(settings, ensure_index(f"squad-{path.stem}-tuning", data.documents, settings, embedder, cache),
                         embedder)
    questions = [TuningQuestion(q.question, tuple(_normalize(a) for a in q.answers), frozenset({q.source}))
                 for q in data.questions]
    return TuningSet(SQUAD, engine, questions, squad_folds(questions))


def squad_folds(questions: list[TuningQuestion]) -> list[str]:
    """SQuAD's two folds, by article (0-11, 12-23): one corpus, never split by question."""
    return [f"{SQUAD} 0-11" if int(next(iter(q.gold)).split("/")[1]) <= 11 else f"{SQUAD} 12-23" for q in questions]


def qa_set(name: str, questions_file: Path, docs: Path, settings, embedder, cache: Path) -> TuningSet:  # noqa: ANN001
    """The answerable questions of a docsqa-format file over a docs folder (its eval index)."""
    from index.evaluation.cache import ensure_index
    from index.evaluation.common import open_engine
    from index.evaluation.qa import index_name, load_corpus, load_questions

    documents = load_corpus(docs)
    engine = open_engine(settings, ensure_index(index_name(docs), documents, settings, embedder, cache), embedder)
    texts = {d.source: _normalize(d.text) for d in engine.backend.documents()}
    questions = []
    for q in load_questions(questions_file):
        if q.abstain:
            continue
        answers = tuple(_normalize(s) for s in q.expected)
        gold = frozenset(src for src, t in texts.items() if any(a in t for a in answers))
        questions.append(TuningQuestion(q.question, answers, gold))
    return TuningSet(name, engine, questions, [name] * len(questions))


def split_single(ts: TuningSet) -> TuningSet:
    """A docs corpus fit alone: two folds inside it (its first and second half, in file order)."""
    if ts.name == SQUAD:
        return ts
    half = len(ts.questions) // 2
    return TuningSet(ts.name, ts.engine, ts.questions, [f"{ts.name} {'a' if i < half else 'b'}" for i in range(len(ts.questions))])


# -- collecting the stages' rows ------------------------------------------------------------------------


@dataclass
class Item:
    """One tuning question with its first stage (as ``ask`` runs it) and labels."""

    engine: object
    set: str
    fold: str
    first: object  # QueryState after pipeline.FIRST_STAGE
    x: FeatureRows
    y: np.ndarray
    passages: dict
    gold: frozenset[str]
    question: str = ""  # the question as asked, and the (whitespace-collapsed) strings a right quote holds
    answers: tuple[str, ...] = ()

    def __getitem__(self, key: str):  # noqa: ANN204 - the mapping view older callers use
        return getattr(self, key)


def collect_set(ts: TuningSet, progress: Callable[[str], None] | None = None) -> list[Item]:
    from index.query.rerank import best_passages

    engine = ts.engine
    backend = engine.backend
    out = []
    for n, (q, fold) in enumerate(zip(ts.questions, ts.folds or [ts.name] * len(ts.questions), strict=True)):
        f = engine.first_stage(q.question)
        y = np.array([unit_holds(backend.unit(s), q.answers) for s, _ in f.meta], dtype=bool)
        out.append(Item(engine, ts.name, fold, f, f.rows, y,
                        best_passages(backend.chunk_documents(f.hits.chunks), f.hits.scores), q.gold,
                        q.question, q.answers))
        if progress and n % 500 == 499:
            progress(f"{ts.name}: {n + 1}/{len(ts.questions)}")
    return out


def collect(engine, data) -> list[Item]:  # noqa: ANN001 - a SquadSet over an engine's index
    """The SQuAD questions of ``data`` over ``engine`` (its first stage, labels, best passages)."""
    questions = [TuningQuestion(q.question, tuple(_normalize(a) for a in q.answers), frozenset({q.source}))
                 for q in data.questions]
    return collect_set(TuningSet(SQUAD, engine, questions, squad_folds(questions)))


def candidates_of(engine, item: Item, ranker: LinearRanker) -> list:  # noqa: ANN001
    """The question's quote candidates as the ``rank_units`` stage makes them, scored by ``ranker``."""
    from index.query.quotes import rank_candidates

    f = item.first
    return rank_candidates(f.question, f.rows, f.meta, engine.backend.idf, engine.quote_params, ranker)


def document_groups(engine, items: list[Item], cands: list[list], depth: int):  # noqa: ANN001, ANN201
    """Stage 2 groups; ``engine`` is only a default (each item carries its own)."""
    from index.query.rerank import document_rows

    groups = []
    for item, cs in zip(items, cands, strict=True):
        backend = (item.engine or engine).backend
        ranking = item.first.first_documents
        x = document_rows(ranking, cs, backend.unit_documents, depth, item.passages)
        y = np.array([backend.document(int(d)).source in item.gold for d in ranking.docs[: len(x)]], dtype=bool)
        groups.append((x, y))
    return groups


class TokenCache:
    """Token states of texts, computed once per text (the fit asks for the same ones fold after fold).

    A text's states depend on the text alone, so they are kept by text across corpora; each call says
    where missing ones come from: the corpus's own token source (``Context.token_states``: the states
    its build stored, else the model), as ``ask`` reads them; ``default`` when it does not say."""

    def __init__(self, default: Callable[[list[str]], list] | None = None) -> None:
        self.default = default
        self._cache: dict[str, object] = {}

    def __call__(self, texts: list[str], source: Callable[[list[str]], list] | None = None) -> list:
        todo = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if todo:
            fn = source or self.default
            if fn is None:
                raise ValueError("TokenCache: no token source for texts it has not seen")
            self._cache.update(zip(todo, fn(todo), strict=True))
        return [self._cache[t] for t in texts]


def answer_groups(engine, items: list[Item], cands: list[list], rankings: list,  # noqa: ANN001, ANN201
                  tokens: Callable[[list[str]], list] | None = None):
    """Stage 3: the top ``refine`` candidates of each question, with token features."""
    from index.query.refine import ANSWER_FEATURES, answer_rows

    groups = []
    for item, cs, documents in zip(items, cands, rankings, strict=True):
        eng = item.engine or engine
        top = cs[: eng.quote_params.refine]
        if len(top) < 2:
            groups.append((FeatureRows.empty(ANSWER_FEATURES), np.zeros(0, dtype=bool)))
            continue
        f = item.first
        backend = eng.backend
        source = eng.context.token_states  # stored states where the build kept them, as ask reads them
        states = source if tokens is None else (lambda texts, t=tokens, s=source: _tokens_from(t, texts, s))
        x = answer_rows(f.question, top, f.rows, backend.unit_display, states, documents, backend.unit_documents)
        labels = {s: y for (s, _), y in zip(f.meta, item.y.tolist(), strict=True)}
        groups.append((x, np.array([labels[c.unit] for c in top], dtype=bool)))
    return groups


def _tokens_from(tokens: Callable[..., list], texts: list[str], source: Callable[[list[str]], list]) -> list:
    """``tokens(texts)``, with ``source`` for what it has not seen when it is a ``TokenCache``."""
    return tokens(texts, source) if isinstance(tokens, TokenCache) else tokens(texts)


def penalized_hit(groups: list, w: np.ndarray, params, first_hits: list[bool]) -> float:  # noqa: ANN001
    """quote@1 over all questions: stage 3's pick where it ran, the stage-1 top elsewhere."""
    from index.query.quotes import type_penalized

    hits = []
    for (x, y), h in zip(groups, first_hits, strict=True):
        hits.append(bool(y[np.argmax(type_penalized(x.values @ w, x, params))]) if len(y) else h)
    return float(np.mean(hits)) if hits else 0.0


# -- cross-fitting by fold ---------------------------------------------------------------------------------


WEIGHTINGS = ("questions", "sqrt", "corpora")


def group_weights(items: list[Item], weighting: str) -> np.ndarray:
    """``questions``: every question 1; ``corpora``: every corpus (set) the same total weight; ``sqrt``:
    a corpus's total weight grows with the square root of its questions (between the two)."""
    if weighting == "questions":
        return np.ones(len(items))
    counts: dict[str, int] = {}
    for it in items:
        counts[it.set] = counts.get(it.set, 0) + 1
    if weighting == "sqrt":
        return np.array([1.0 / np.sqrt(counts[it.set]) for it in items])
    return np.array([len(items) / (len(counts) * counts[it.set]) for it in items])


@dataclass
class CrossFit:
    """Every stage's out-of-fold result for every question, and the per-fold scores."""

    cands: list[list]
    reranked: list
    per_fold: dict[str, dict[str, float]]


def _fit_on(groups: list, weight: np.ndarray, train: np.ndarray, drop: frozenset[str] = frozenset()) -> np.ndarray:
    idx = np.flatnonzero(train)
    return fit_listwise([without(groups[i], drop) for i in idx], group_weights=weight[idx])


def without(group: tuple[FeatureRows, np.ndarray], drop: frozenset[str]) -> tuple[FeatureRows, np.ndarray]:
    """A group with the ``drop`` features' columns 0 (their weights come out 0: a lever left out)."""
    x, y = group
    cols = [k for k, n in enumerate(x.names) if n in drop]
    if not cols or not len(x):
        return group
    values = x.values.copy()
    values[:, cols] = 0.0
    return FeatureRows(x.names, values), y


def cross_fit(items: list[Item], weighting: str, train_on: Callable[[str], np.ndarray],
              tokens: Callable[[list[str]], list], drop: frozenset[str] = frozenset()) -> CrossFit:
    """Each fold scored by rankers fit on ``train_on(fold)`` (a mask over ``items``, never the fold)."""
    from index.query.cues import asks_about_versions
    from index.query.quotes import SENTENCE_FEATURES
    from index.query.refine import ANSWER_FEATURES
    from index.query.rerank import DOCUMENT_FEATURES, rerank

    folds = list(dict.fromkeys(it.fold for it in items))
    fold_of = np.array([it.fold for it in items])
    weight = group_weights(items, weighting)
    sent = [(it.x, it.y) for it in items]
    per_fold: dict[str, dict[str, float]] = {f: {"questions": float((fold_of == f).sum())} for f in folds}
    cands: list[list] = [[] for _ in items]
    rankers: dict[str, dict[str, LinearRanker]] = {f: {} for f in folds}  # each fold's rankers (fit without it)
    for fold in folds:
        held = np.flatnonzero(fold_of == fold)
        w = _fit_on(sent, weight, train_on(fold), drop)
        ranker = rankers[fold]["sentences"] = LinearRanker("sentences", SENTENCE_FEATURES, w)
        for i in held:
            cands[i] = candidates_of(items[i].engine, items[i], ranker)
        per_fold[fold]["quote@1 sentences"] = hit_at([sent[i] for i in held], w)

    docs = [document_groups(it.engine, [it], [c], it.engine.retrieval_params.rerank_depth)[0]
            for it, c in zip(items, cands, strict=True)]
    reranked: list = [None] * len(items)
    for fold in folds:
        held = np.flatnonzero(fold_of == fold)
        w = _fit_on(docs, weight, train_on(fold), drop)
        ranker = rankers[fold]["documents"] = LinearRanker("documents", DOCUMENT_FEATURES, w)
        per_fold[fold]["doc hit@1 first stage"] = hit_at([docs[i] for i in held], weights(DOCUMENT_FEATURES, first_stage=1.0))
        per_fold[fold]["doc hit@1 reranked"] = hit_at([docs[i] for i in held], w)
        for i in held:
            it = items[i]
            demote = None if asks_about_versions(it.first.question) else it.engine.context.texts.facts.changelog_documents
            reranked[i] = rerank(it.first.first_documents, cands[i], it.engine.backend.unit_documents,
                                 it.engine.retrieval_params.rerank_depth, ranker, it.passages, demote,
                                 it.engine.retrieval_params.changelog_rerank)

    answers = [answer_groups(it.engine, [it], [c], [r], tokens)[0] for it, c, r in zip(items, cands, reranked, strict=True)]
    stage1 = [bool(c and it.y[[s for s, _ in it.first.meta].index(c[0].unit)]) for it, c in zip(items, cands, strict=True)]
    has = np.array([len(g[1]) > 0 for g in answers])
    for fold in folds:
        held = np.flatnonzero(fold_of == fold)
        w = _fit_on(answers, weight, train_on(fold) & has, drop)
        rankers[fold]["answers"] = LinearRanker("answers", ANSWER_FEATURES, w)
        params = items[held[0]].engine.quote_params
        per_fold[fold]["quote@1 stage 1"] = float(np.mean([stage1[i] for i in held]))
        per_fold[fold]["quote@1 refined"] = penalized_hit([answers[i] for i in held], w, params, [stage1[i] for i in held])
        if items[held[0]].set != SQUAD and items[held[0]].question:  # docs folds: the whole ask, spans and all
            hits = [held_out_answer(items[i], rankers[fold], "neighbours" not in drop) for i in held]
            per_fold[fold]["answer@1"] = float(np.mean([h[0] for h in hits]))
            per_fold[fold]["answer@3"] = float(np.mean([h[1] for h in hits]))
    return CrossFit(cands, reranked, per_fold)


def held_out_answer(item: Item, rankers: dict[str, LinearRanker], neighbours: bool = True) -> tuple[bool, bool]:
    """answer@1 and answer@3 of a question asked as ``citebot ask`` does (spans, abstention and all),
    with the rankers of its fold, scored as the QA eval scores it (a citation holding an answer string).
    ``neighbours``: the spans stage's neighbours lever (``QuoteParams.neighbours``)."""
    from dataclasses import replace

    from index.evaluation.qa import normalize
    from index.query import pipeline

    engine = item.engine
    ctx = engine.context.with_rankers(**rankers)
    if not neighbours:
        ctx = replace(ctx, quotes=replace(ctx.quotes, neighbours=False))
    state = pipeline.run(ctx, engine.state(item.question), pipeline.ASK)
    assert state.answer is not None
    texts = [[normalize(c.quote), normalize(c.display or "")] for c in state.answer.citations]
    found = [any(a in t for a in item.answers for t in ts) for ts in texts]
    return any(found[:1]), any(found[:3])


def fold_table(by_recipe: dict[str, CrossFit]) -> str:
    """The per-fold numbers of each recipe, as a Markdown table."""
    recipes = list(by_recipe)
    folds = list(next(iter(by_recipe.values())).per_fold)
    measures = ["quote@1 sentences", "doc hit@1 reranked", "quote@1 refined", "answer@1", "answer@3"]
    head = "| held-out fold | questions | " + " | ".join(f"{m} ({r})" for m in measures for r in recipes) + " |"
    lines = [head, "|" + "---|" * (2 + len(measures) * len(recipes))]
    for fold in folds:
        n = int(by_recipe[recipes[0]].per_fold[fold]["questions"])
        cells = []
        for m in measures:
            for r in recipes:
                v = by_recipe[r].per_fold.get(fold, {}).get(m)
                cells.append("–" if v is None else f"{v:.3f}")
        lines.append(f"| {fold} | {n} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def only_sets(fold_of: np.ndarray, set_of: np.ndarray, only: Sequence[str]) -> Callable[[str], np.ndarray]:
    """A recipe's training mask: for a held-out fold, the questions of ``only``'s sets outside that fold
    (a fold of a set not in ``only`` is still scored: it is what says whether the other sets carry over)."""
    keep = np.isin(set_of, list(only))
    return lambda fold: (fold_of != fold) & keep


def final_fit(items: list[Item], crossed: CrossFit, weighting: str, tokens: Callable[[list[str]], list]
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The shipped weights: every stage fit on every item (stage 2 and 3 inputs cross-fitted)."""
    weight = group_weights(items, weighting)
    w_sent = fit_listwise([(it.x, it.y) for it in items], group_weights=weight)
    docs = [document_groups(it.engine, [it], [c], it.engine.retrieval_params.rerank_depth)[0]
            for it, c in zip(items, crossed.cands, strict=True)]
    w_docs = fit_listwise(docs, group_weights=weight)
    answers = [answer_groups(it.engine, [it], [c], [r], tokens)[0]
               for it, c, r in zip(items, crossed.cands, crossed.reranked, strict=True)]
    keep = [i for i, g in enumerate(answers) if len(g[1])]
    w_answers = fit_listwise([answers[i] for i in keep], group_weights=weight[keep])
    return w_sent, w_docs, w_answers


def main(argv: list[str] | None = None) -> int:
    from index.evaluation.seed import default_set
    from index.models.embeddings import load_embedder
    from index.query.quotes import SENTENCE_FEATURES
    from index.query.refine import ANSWER_FEATURES
    from index.query.rerank import DOCUMENT_FEATURES
    from index.settings import Settings

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--squad", type=Path, help="SQuAD v1.1 dev JSON (tuning articles 0-23 are read)")
    ap.add_argument("--docsqa", type=Path, action="append", default=[],
                    help="a docsqa folder (questions.jsonl + corpus/); repeatable")
    ap.add_argument("--seed", action="store_true", help="also the seed set (tests/eval/seed.jsonl over seeds/)")
    ap.add_argument("--weighting", default="questions",
                    help=f"one or more of {', '.join(WEIGHTINGS)}, comma separated: each is cross-validated and fit "
                         "(several: the rankers of each go to OUT/<weighting>/)")
    ap.add_argument("--no-baseline", action="store_true", help="skip the SQuAD-only recipe beside each fold")
    ap.add_argument("--also-only", action="append", default=[], metavar="SETS",
                    help="also cross-validate rankers fit on these sets alone (comma separated names, e.g. "
                         "squad,httpx,requests,seed): does adding the others help a fold neither saw; repeatable")
    ap.add_argument("--cache", type=Path, default=Path(".citebot/eval"))
    ap.add_argument("--out", type=Path, default=RANKERS)
    ap.add_argument("--cv-only", action="store_true", help="print the cross-validation, write nothing")
    ap.add_argument("--lever", action="append", default=[],
                    help="also cross-validate without this lever: a name of index.evaluation.ablate.LEVERS or "
                         "SPAN_LEVERS, or several features and levers comma separated (all left out at once: "
                         "their features out of every stage's fit, a span lever switched off); repeatable")
    args = ap.parse_args(argv)
    if args.squad is None and not args.docsqa and not args.seed:
        ap.error("give at least one of --squad, --docsqa, --seed")
    weightings = [w.strip() for w in args.weighting.split(",") if w.strip()]
    if not weightings or any(w not in WEIGHTINGS for w in weightings):
        ap.error(f"--weighting: one or more of {', '.join(WEIGHTINGS)}")

    def say(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    settings = Settings()
    embedder = load_embedder(settings.model, settings.backend, settings.model_cache_dir)
    sets: list[TuningSet] = []
    if args.squad is not None:
        sets.append(squad_set(args.squad, settings, embedder, args.cache))
    for folder in args.docsqa:
        sets.append(qa_set(folder.name, folder / "questions.jsonl", folder / "corpus", settings, embedder, args.cache))
    if args.seed:
        seeds = default_set().resolve()
        sets.append(qa_set("seed", seeds, seeds.parents[2] / "seeds", settings, embedder, args.cache))
    if len(sets) == 1:
        sets = [split_single(sets[0])]
    items: list[Item] = []
    for ts in sets:
        say(f"collecting the features of {len(ts.questions)} {ts.name} questions…")
        items += collect_set(ts, say)
    tokens = TokenCache()  # each corpus's stored token states, the model for the rest
    fold_of = np.array([it.fold for it in items])
    set_of = np.array([it.set for it in items])

    others = {w: (w, lambda fold: fold_of != fold) for w in weightings}
    recipes: dict[str, tuple[str, Callable[[str], np.ndarray]]] = {
        (f"all other folds, {w}" if len(weightings) > 1 else "all other folds"): r for w, r in others.items()}
    if args.squad is not None and len(sets) > 1 and not args.no_baseline:
        recipes["SQuAD only"] = (weightings[0], lambda fold: (fold_of != fold) & (set_of == SQUAD))
    for names in args.also_only:
        only = [n.strip() for n in names.split(",") if n.strip()]
        unknown = sorted(set(only) - set(set_of.tolist()))
        if unknown:
            ap.error(f"--also-only: no set named {', '.join(unknown)} (sets: {', '.join(ts.name for ts in sets)})")
        recipes[f"only {'+'.join(only)}"] = (weightings[0], only_sets(fold_of, set_of, only))
    by_recipe: dict[str, CrossFit] = {}
    for name, (weighting, train_on) in recipes.items():
        say(f"cross-validation by corpus, rankers fit on {name}…")
        by_recipe[name] = cross_fit(items, weighting, train_on, tokens)
    from index.evaluation.ablate import LEVERS, SPAN_LEVERS

    first_name, (first_weighting, first_train) = next(iter(recipes.items()))
    known = set(ANSWER_FEATURES) | set(DOCUMENT_FEATURES) | SPAN_LEVERS
    for lever in args.lever:
        drop: set[str] = set()
        for name in lever.split(","):
            if name not in LEVERS and name not in known:
                ap.error(f"--lever: {name!r} is neither a lever ({', '.join(sorted(LEVERS))}, "
                         f"{', '.join(sorted(SPAN_LEVERS))}) nor a feature")
            drop |= set(LEVERS.get(name, (name,)))
        say(f"cross-validation by corpus without {lever}…")
        by_recipe[f"without {lever}"] = cross_fit(items, first_weighting, first_train, tokens, frozenset(drop))
    table = fold_table(by_recipe)
    print(table, flush=True)
    if args.cv_only:
        return 0

    data = []
    if args.squad is not None:
        data.append(f"{args.squad.name}, articles {TUNING_ARTICLES} (tuning split)")
    data += [f"docsqa {f.name} (tuning set, answerable questions)" for f in args.docsqa]
    if args.seed:
        data.append("seed set tests/eval/seed.jsonl (answerable questions)")
    provenance = {}
    for name, (weighting, _) in recipes.items():
        crossed = by_recipe[name]
        if name == "SQuAD only" or name.startswith("only "):
            continue
        say(f"the final fit on every corpus ({weighting})…")
        w_sent, w_docs, w_answers = final_fit(items, crossed, weighting, tokens)
        cv = {fold: {k: round(v, 4) for k, v in m.items()} for fold, m in crossed.per_fold.items()}
        baseline = by_recipe.get("SQuAD only")
        common = {
            "data": data, "questions": {ts.name: len(ts.questions) for ts in sets}, "weighting": weighting,
            "loss": f"listwise softmax, L2 {L2} on standardized features",
            "command": "python -m index.evaluation.fit " + " ".join(sys.argv[1:] if argv is None else argv),
            "cv": "by corpus: each docs corpus and the seed set held out whole, SQuAD by article half; "
                  "rankers fit on the other folds",
            "cv_by_fold": cv,
        }
        if baseline is not None:
            common["cv_by_fold, rankers fit on SQuAD only"] = {
                fold: {k: round(v, 4) for k, v in m.items()} for fold, m in baseline.per_fold.items()}
        s_rank = LinearRanker("sentences", SENTENCE_FEATURES, w_sent,
                              {**common, "label": "the unit holds an answer string"})
        d_rank = LinearRanker("documents", DOCUMENT_FEATURES, w_docs, {
            **common, "label": "a document holding an answer", "depth": items[0].engine.retrieval_params.rerank_depth})
        a_rank = LinearRanker("answers", ANSWER_FEATURES, w_answers, {
            **common, "label": "the unit holds an answer string",
            "candidates": f"top {items[0].engine.quote_params.refine}",
            "inputs": "sentence and document rankers cross-fitted on the other folds",
        })
        out = args.out / weighting if len(weightings) > 1 else args.out
        out.mkdir(parents=True, exist_ok=True)
        for r in (s_rank, d_rank, a_rank):
            r.save(out / f"{r.name}.json")
        provenance[weighting] = {r.name: r.provenance for r in (s_rank, d_rank, a_rank)}
        say(f"wrote {out}")
    print(json.dumps(provenance, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
