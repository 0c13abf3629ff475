"""Answer selection: which units of the top passages answer the question.

No QA model is available, so every unit of the top passages gets a row of cheap, measurable
evidence (``SENTENCE_FEATURES``) and a linear ranker learned on SQuAD's tuning articles scores it
(``index/models/rankers/sentences.json``; ``python -m index.evaluation.fit``):

* how close it is to the question: cosine, the share of the question's IDF mass it holds (its
  previous and next sentence counted apart), adjacent question-term pairs, the span they cover;
* whether it holds what the question asks for (``index.query.cues``: who → a name, how old → an age…);
* how its passage and its document ranked in retrieval.

Abstention looks at question-level evidence (best cosine + ½ best lexical share − a penalty for
names the corpus never mentions) against a threshold calibrated on the seed set's off-topic questions.

Stages (``index.query.state``): ``candidate_units`` (the rows) and ``rank_units`` (the candidates).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from index.models.dedup import similar
from index.models.ranker import LinearRanker, packaged, softmax
from index.query.cues import (
    STRONG_KINDS,
    asks_about_versions,
    asks_why,
    base_stem,
    code_identifiers,
    code_unasked,
    cue_score,
    evidence_terms,
    gives_reason,
    question_type,
    unknown_entity_share,
    wants_code,
)
from index.query.extend import LEAD_IN_END
from index.query.features import FeatureRows
from index.query.records import Candidate, QuoteParams
from index.query.unit_facts import NO_FACTS, ContextVectors, UnitFacts

if TYPE_CHECKING:
    from index.query.extend import Span
    from index.query.records import DocRanking, Hits
    from index.query.state import Context, QueryState

SENTENCE_FEATURES = (
    "cos",  # cosine between the question and the sentence
    "lex",  # share of the question's IDF mass in the sentence
    "lex_prev",  # ... found only in the previous sentence of the passage
    "lex_next",  # ... found only in the next one
    "phrase",  # share of the question's adjacent term pairs adjacent in the sentence too
    "cue_strong",  # how old / how many / when question, sentence holds an age / number / date
    "cue_weak",  # who / where question, sentence holds a name / place
    "miss_strong",  # how old / how many / when question, sentence holds none
    "miss_weak",  # who / where question, sentence holds none
    "passage_rr",  # 1 / (1 + rank of its passage)
    "passage_top",  # its passage ranked first
    "passage_score",  # its passage's retrieval score / the best passage's
    "doc_score",  # its document's ranking score / the best document's
    "doc_rr",  # 1 / (1 + rank of its document)
    "doc_top",  # its document ranked first
    "log_terms",  # log(1 + number of terms)
    "passage_first",  # first sentence of its passage
    "novelty",  # share of its terms that are not in the question (an answer says something new)
    "span",  # how spread out the question terms it holds are
    "short",  # fewer than 4 terms
    "cos_prev",  # cosine of the previous sentence (its own cosine when it has none)
    "why_reason",  # a why question, and the unit gives a reason ("because", "so that", "otherwise" …)
    # code questions (``cues.wants_code``, ``cues.code_identifiers``; ``unit_facts``)
    "is_code",  # the unit is a code block
    "code_wanted",  # ... and the question asks for code ("example of", "snippet", "show me", "code pls")
    "lead_in",  # a lead-in to a code block ("… like this:"): what it promises is in the block after it
    "lead_in_wanted",  # ... and the question asks for code
    "code_words",  # code: share of the question's IDF mass among the words inside its identifiers
    "ident",  # share of the code identifiers the question names (`httpx.get`, json=) found in it verbatim
    "lead_lex",  # code after its lead-in: share of the question's IDF mass in the lead-in
    # changelogs (``cues.asks_about_versions``)
    "changelog",  # in a changelog or release notes, and the question is not about versions or changes
    # what a code block shows (``unit_facts``)
    "markup_sample",  # a block of document markup or plain text (md, html, text): an example, not a program
    # evidence that survives rewording: the unit's context
    "ctx_lex",  # share of the question's IDF mass in its document title and heading path, not in it
    "ctx_cos",  # cosine of the question with its title and heading path (embedded once per context)
    "chunk_cos",  # cosine of its passage's mean vector (the unit with its neighbours)
    "doc_cos",  # cosine of its document's mean vector
    # what kind of answer the question wants (``cues.code_unasked``, ``cues.asks_why``)
    "code_unasked",  # a code block, and the question asks neither for code nor what to do (why / what / is …)
    "lead_unasked",  # a lead-in to code, for such a question
    "why_lex",  # a why question: the unit's lex (a sentence that restates the question is not its reason)
)


# answer kinds a code block says nothing about: it is made of identifiers, so neither holding one nor
# lacking one tells (``cues`` "identifier": which option / setting / exception …)
CODE_NEUTRAL_KINDS = frozenset({"identifier"})


@dataclass
class PassageInfo:
    """What retrieval says of one passage, for the ``passage_*`` and ``doc_*`` features."""

    score: float = 0.0  # its score / the best passage's
    doc_score: float = 0.0  # its document's score / the best document's
    doc_rank: int = 99
    cos: float = 0.0  # cosine of its mean vector
    doc_cos: float = 0.0  # cosine of its document's mean vector


def sentence_ranker() -> LinearRanker:
    return packaged("sentences", SENTENCE_FEATURES)


def rank_candidates(
    question: str,
    rows: FeatureRows,
    meta: list[tuple[int, int]],
    idf: Callable[[str], float],
    params: QuoteParams,
    ranker: LinearRanker | None = None,
) -> list[Candidate]:
    """Score ``sentence_rows`` with the ranker: candidates best first, scores summing to 1."""
    if not len(rows):
        return []
    probs = softmax(type_penalized((ranker or sentence_ranker()).score_rows(rows), rows, params))
    cos, lex = rows.column("cos"), rows.column("lex")
    evidence = float(cos.max() + 0.5 * lex.max() - params.entity_miss * unknown_entity_share(question, idf))
    cands = [
        Candidate(s, float(p), float(c), float(lx), evidence, r, i)
        for i, ((s, r), p, c, lx) in enumerate(zip(meta, probs, cos, lex, strict=True))
    ]
    return sorted(cands, key=lambda c: -c.score)


def type_penalized(logits: np.ndarray, rows: FeatureRows, params: QuoteParams) -> np.ndarray:
    """The priors on top of the learned ranker: logits of units without what the question asks for,
    of changelog units when the question is not about versions, and of markup samples, lowered."""
    return (logits - params.type_strong * rows.column("miss_strong") - params.type_weak * rows.column("miss_weak")
            - params.changelog * rows.column("changelog") - params.markup_sample * rows.column("markup_sample"))


def sentence_rows(
    question: str,
    q_terms: list[str],
    passages: list[int],
    sentences_of: Callable[[int], range],
    text_of: Callable[[int], str],
    terms_of: Callable[[int], list[str]],
    cos_of: Callable[[int], float],
    idf: Callable[[str], float],
    info: Sequence[PassageInfo] | None = None,
    facts_of: Callable[[int], UnitFacts] | None = None,
    context_cos: Callable[[int], float] | None = None,
) -> tuple[FeatureRows, list[tuple[int, int]]]:
    """One ``SENTENCE_FEATURES`` row per distinct unit of the passages, and its (unit, passage rank).

    ``q_terms``: the question's stemmed terms without its question words (``cues.evidence_terms``);
    ``facts_of``: what is known of a unit besides its text (``unit_facts``; none: plain prose);
    ``context_cos``: the cosine of the question with a unit's context (none: 0)."""
    q_terms = [base_stem(t) for t in q_terms]
    weights = {t: idf(t) for t in set(q_terms)}
    total = sum(weights.values()) or 1.0
    q_pairs = {(a, b) for a, b in zip(q_terms, q_terms[1:], strict=False) if a != b}
    kind = question_type(question)
    strong = kind in STRONG_KINDS
    weak = kind is not None and not strong
    code_ask = wants_code(question)
    why = float(asks_why(question))
    unasked = code_unasked(question)
    idents = code_identifiers(question)
    other_docs = 0.0 if asks_about_versions(question) else 1.0
    facts = facts_of or (lambda _i: NO_FACTS)
    cache: dict[int, list[str]] = {}

    def seq(i: int) -> list[str]:
        if i not in cache:
            cache[i] = [base_stem(t) for t in terms_of(i)]
        return cache[i]

    def share(terms: set[str]) -> float:
        return sum(w for t, w in weights.items() if t in terms) / total

    rows: list[dict[str, float]] = []
    meta: list[tuple[int, int]] = []
    seen: set[int] = set()
    for rank, chunk in enumerate(passages):
        about = info[rank] if info is not None else PassageInfo()
        sents = sentences_of(chunk)
        for i in sents:
            if i in seen:
                continue
            seen.add(i)
            words = seq(i)
            own = set(words)
            before = set(seq(i - 1)) if i - 1 in sents else set()
            after = set(seq(i + 1)) if i + 1 in sents else set()
            pairs = set(zip(words, words[1:], strict=False))
            matched = [k for k, t in enumerate(words) if t in weights]
            text = text_of(i)
            f = facts(i)
            typed = weak and not (f.code and kind in CODE_NEUTRAL_KINDS)
            cue = cue_score(kind, text, question)
            cos = cos_of(i)
            lead = f.code and facts(i - 1).lead_in
            rows.append({
                "cos": cos,
                "lex": share(own),
                "lex_prev": share(before - own),
                "lex_next": share(after - own - before),
                "phrase": len(q_pairs & pairs) / len(q_pairs) if q_pairs else 0.0,
                "cue_strong": cue * strong,
                "cue_weak": cue * typed,
                "miss_strong": (1.0 - cue) * strong,
                "miss_weak": (1.0 - cue) * typed,
                "passage_rr": 1.0 / (1.0 + rank),
                "passage_top": float(rank == 0),
                "passage_score": about.score,
                "doc_score": about.doc_score,
                "doc_rr": 1.0 / (1.0 + about.doc_rank),
                "doc_top": float(about.doc_rank == 0),
                "log_terms": math.log1p(len(words)),
                "passage_first": float(i == sents.start),
                "novelty": len(own - weights.keys()) / (len(own) or 1),
                "span": (matched[-1] - matched[0] + 1) / len({words[k] for k in matched}) if matched else 0.0,
                "short": float(len(words) < 4),
                "cos_prev": cos_of(i - 1) if i - 1 in sents else cos,
                "why_reason": why * gives_reason(text),
                "is_code": float(f.code),
                "code_wanted": code_ask * f.code,
                "lead_in": float(f.lead_in),
                "lead_in_wanted": code_ask * f.lead_in,
                "code_words": share({base_stem(t) for t in f.code_terms} | own) if f.code else 0.0,
                "ident": sum(1 for t in idents if t in text) / len(idents) if idents else 0.0,
                "lead_lex": share(set(seq(i - 1))) if lead else 0.0,
                "changelog": other_docs * f.changelog,
                "markup_sample": float(f.markup_sample),
                "ctx_lex": share({base_stem(t) for t in f.context_terms} - own),
                "ctx_cos": context_cos(i) if context_cos is not None else 0.0,
                "chunk_cos": about.cos,
                "doc_cos": about.doc_cos,
                "code_unasked": unasked * f.code,
                "lead_unasked": unasked * f.lead_in,
                "why_lex": why * share(own),
            })
            meta.append((i, rank))
    return FeatureRows.from_dicts(SENTENCE_FEATURES, rows), meta


def pick(
    candidates: list[Candidate],
    text_of: Callable[[int], str],
    limit: int,
    keep_ratio: float,
    span_of: Callable[[int], Span] | None = None,
) -> list[Candidate]:
    """Up to ``limit`` quotes, best first, none repeating another (``span_of``: the span each would
    quote, ``index.query.extend``; none may overlap another's)."""
    options = None if span_of is None else (lambda unit: (span_of(unit),))
    return [c for c, _ in pick_spans(candidates, text_of, limit, keep_ratio, options)]


def pick_spans(
    candidates: list[Candidate],
    text_of: Callable[[int], str],
    limit: int,
    keep_ratio: float,
    spans_of: Callable[[int], Sequence[Span]] | None = None,
) -> list[tuple[Candidate, Span | None]]:
    """``pick``, where a candidate may quote one of several spans (``spans_of``, best first): the first
    that overlaps no chosen quote (none does: the candidate is left out)."""
    chosen: list[tuple[Candidate, Span | None]] = []
    for cand in candidates:
        if len(chosen) >= limit:
            break
        if chosen and cand.score < keep_ratio * chosen[0][0].score:
            break
        text = text_of(cand.unit)
        if any(similar(text, text_of(c.unit)) for c, _ in chosen):
            continue
        span = None
        if spans_of is not None:
            span = next((s for s in spans_of(cand.unit)
                         if not any(s.overlaps(t) for _, t in chosen if t is not None)), None)
            if span is None:
                continue
        chosen.append((cand, span))
    return chosen


# -- stages ---------------------------------------------------------------------------------------


def candidate_units(ctx: Context, state: QueryState) -> None:
    """The distinct top passages, and a ``SENTENCE_FEATURES`` row for every unit of the first ones."""
    from index.query.passages import distinct_chunks

    hits, documents = state.hits, state.documents
    assert hits is not None and documents is not None
    p = ctx.quotes
    state.passages = distinct_chunks(ctx, hits, max(state.k, p.passages))  # once, for quotes and passages
    top = state.passages[: p.passages]
    prefetch = getattr(ctx.backend, "prefetch_documents", None)  # optional: a remote backend's one round trip
    if prefetch is not None and top:
        prefetch(sorted(set(ctx.backend.chunk_documents(np.asarray(top, dtype=np.int64)).tolist())))
    firsts, lasts = ctx.backend.chunk_spans(np.asarray(top, dtype=np.int64))
    units_of = {c: range(f, spill(ctx, f, e, p.spill)) for c, f, e in zip(top, firsts.tolist(), lasts.tolist(), strict=True)}
    state.rows, state.meta = unit_rows(ctx, state, top, units_of)


def unit_rows(
    ctx: Context, state: QueryState, top: list[int], units_of: dict[int, range],
) -> tuple[FeatureRows, list[tuple[int, int]]]:
    """The ``SENTENCE_FEATURES`` rows of the units ``units_of[c]`` of passages ``top`` (best first), and
    their (unit, passage rank): what ``candidate_units`` and any stage adding candidates build rows with.
    A unit retrieval did not score (outside the fused chunks) gets its cosine from the backend."""
    hits, documents = state.hits, state.documents
    assert hits is not None and documents is not None
    units = list(dict.fromkeys(i for c in top for i in units_of[c]))
    cos = dict(hits.sentence_cos)
    unscored = [i for i in units if i not in cos]
    if unscored and hits.q_vec is not None:
        cos.update(zip(unscored, ctx.backend.unit_cosines(np.asarray(unscored, dtype=np.int64), hits.q_vec).tolist(),
                       strict=True))
    context_cos = dict(zip(units, context_cosines(ctx, units, state.q_vec), strict=True))
    return sentence_rows(
        state.question,
        evidence_terms(state.question, ctx.texts.terms),
        top,
        sentences_of=units_of.__getitem__,
        text_of=ctx.backend.unit_display,
        terms_of=ctx.texts.unit_terms,
        cos_of=lambda i: cos.get(i, 0.0),
        idf=ctx.backend.idf,
        info=passage_info(ctx, hits, top, documents),
        facts_of=ctx.texts.facts,
        context_cos=context_cos.__getitem__,
    )


def spill(ctx: Context, first: int, end: int, most: int) -> int:
    """Where a passage's candidates end: its own units ``first .. end - 1`` and, when it ends in a code
    block or a lead-in ("… like this:") while its section goes on in the next chunk, up to ``most`` units
    of that chunk (same document, same heading path). A chunk boundary is the chunker's, not the
    author's: the warning after an example, the code a lead-in announces, land in the next chunk."""
    if most <= 0 or end <= first or end >= ctx.backend.n_units:
        return end
    last = end - 1
    f = ctx.texts.facts(last)
    if not (f.code or f.lead_in or ctx.backend.unit_display(last).rstrip().endswith(LEAD_IN_END)):
        return end
    doc = ctx.backend.unit(last).doc
    stop = end
    while stop < min(end + most, ctx.backend.n_units):
        if ctx.backend.unit(stop).doc != doc or ctx.texts.facts(stop).context != f.context:
            break
        stop += 1
    return stop


def context_cosines(ctx: Context, units: list[int], q_vec: np.ndarray | None) -> list[float]:
    """The cosine of the question with each unit's title and heading path (``unit_facts.ContextVectors``)."""
    if q_vec is None or not units:
        return [0.0] * len(units)
    if ctx.texts.contexts is None:
        ctx.texts.contexts = ContextVectors(ctx.encoder.encode_many)
    return ctx.texts.contexts.cosines([ctx.texts.facts(i).context for i in units], q_vec)


def passage_info(ctx: Context, hits: Hits, top: list[int], documents: DocRanking) -> list[PassageInfo]:
    score = dict(zip(hits.chunks.tolist(), hits.scores.tolist(), strict=True))
    best_chunk = float(hits.scores.max()) if len(hits.scores) and hits.scores.max() > 0 else 1.0
    doc_rank = {int(d): r for r, d in enumerate(documents.docs.tolist())}
    best_doc = float(documents.scores[0]) if len(documents) and documents.scores[0] else 1.0
    ids = np.asarray(top, dtype=np.int64)
    chunk_cos = ctx.backend.chunk_cosines(ids, hits.q_vec).tolist() if hits.q_vec is not None and len(ids) else [0.0] * len(top)
    out = []
    for c, d, cc in zip(top, ctx.backend.chunk_documents(ids).tolist(), chunk_cos, strict=True):
        r = doc_rank.get(int(d))
        out.append(PassageInfo(
            score=score.get(c, 0.0) / best_chunk,
            doc_score=float(documents.scores[r]) / best_doc if r is not None else 0.0,
            doc_rank=r if r is not None else 99,
            cos=float(cc),
            doc_cos=float(documents.mean_cos[r]) if r is not None and len(documents.mean_cos) > r else 0.0,
        ))
    return out


def rank_units(ctx: Context, state: QueryState) -> None:
    """The candidate units scored by the sentence ranker, best first."""
    assert state.rows is not None
    state.candidates = rank_candidates(state.question, state.rows, state.meta, ctx.backend.idf, ctx.quotes,
                                       ctx.rankers.sentences)
