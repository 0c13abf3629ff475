"""The last stages: which candidates become the answer's quotes (or whether to abstain), how far each
quote reaches (``index.query.extend``: a lead-in with its code, a sentence with its follow-up, a long
code block trimmed), and the answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from index.query.abstain import abstains
from index.query.answer import Answer, Citation, Part
from index.query.cues import asks_default, base_stem, code_identifiers, evidence_terms
from index.query.extend import WANTS_CODE, Evidence, Neighbourhood, Span, bulleted, extend
from index.query.passages import passages_of
from index.query.permalinks import permalink
from index.query.quotes import pick_spans

if TYPE_CHECKING:
    from index.query.state import Context, QueryState
    from index.storage.backend import Backend


PREFETCH_CANDIDATES = 8  # the candidates whose spans a remote backend fetches in one go


def choose_spans(ctx: Context, state: QueryState) -> None:
    """Abstain when the best evidence is under the threshold; otherwise up to ``max_citations``
    quotes, best first, none repeating another."""
    p = ctx.quotes
    if abstains(ctx, state):
        state.abstained, state.chosen, state.spans = True, [], []
        return
    state.abstained = False
    prefetch = getattr(ctx.backend, "prefetch_spans", None)  # optional: a remote backend's one round trip
    if prefetch is not None:
        terms = {base_stem(t) for t in evidence_terms(state.question, ctx.texts.terms)}
        prefetch([c.unit for c in state.candidates[:PREFETCH_CANDIDATES]], sorted(terms))
    evidence = question_evidence(ctx, state)
    spans: dict[int, tuple[Span, ...]] = {}

    def spans_of(unit: int) -> tuple[Span, ...]:
        """The unit's span, or when it takes in its neighbours, that and the span without them (for a
        candidate whose neighbour a better one already quotes)."""
        if unit not in spans:
            n = neighbourhood(ctx.backend, unit)
            span = extend(n, unit, evidence, neighbours=p.neighbours)
            spans[unit] = (span, extend(n, unit, evidence, neighbours=False)) if "neighbours" in span.why else (span,)
        return spans[unit]

    picked = pick_spans(state.candidates, ctx.backend.unit_display, ctx.max_citations, p.keep_ratio, spans_of)
    state.chosen = [c for c, _ in picked]
    state.spans = [s for _, s in picked]  # type: ignore[misc]


def question_evidence(ctx: Context, state: QueryState) -> Evidence:
    """What the span rules read of the question: the candidates' probabilities, and its IDF-weighted terms."""
    weights = {t: ctx.backend.idf(t) for t in {base_stem(t) for t in evidence_terms(state.question, ctx.texts.terms)}}

    def terms(text: str) -> dict[str, float]:
        return {t: weights[t] for t in {base_stem(t) for t in ctx.texts.terms(text)} if t in weights}

    default = asks_default(state.question)
    return Evidence({c.unit: c.score for c in state.candidates}, terms, sum(weights.values()),
                    wants_code=bool(WANTS_CODE.search(state.question)), asks_default=default,
                    identifiers=tuple(code_identifiers(state.question)) if default else ())


def neighbourhood(backend: Backend, unit: int) -> Neighbourhood:
    """The units of ``unit``'s document (read on demand) and the document's blocks."""
    u = backend.unit(unit)
    first, last = (int(x[0]) for x in backend.document_units(np.asarray([u.doc], dtype=np.int64)))
    blocks = backend.document_blocks(u.doc)
    kinds, _ = backend.tables()
    base = u.block - _local_block(blocks, u)
    return Neighbourhood(first, last, backend.unit, base, blocks, kinds, backend.document(u.doc).text, {unit: u})


def _local_block(blocks: np.ndarray, u: object) -> int:
    """The row of ``u``'s block among its document's blocks (in source order, never overlapping)."""
    start, end = int(u.start), int(u.end)  # type: ignore[attr-defined]
    k = int(np.searchsorted(blocks["start"], start, side="right")) - 1
    while k > 0 and not (int(blocks["start"][k]) <= start and end <= int(blocks["end"][k])):
        k -= 1
    return max(k, 0)


def answer(ctx: Context, state: QueryState) -> None:
    """The answer: its citations (verbatim quotes with their display text) and passages."""
    assert state.hits is not None
    passages = passages_of(ctx, state.hits, state.passages[: state.k])
    spans = state.spans if len(state.spans) == len(state.chosen) else [None] * len(state.chosen)
    citations = [
        citation(ctx.backend, c.unit, c.score, ctx.repo_url, span) for c, span in zip(state.chosen, spans, strict=True)
    ]
    state.answer = Answer(state.question, state.abstained, citations, passages)


def citation(backend: Backend, i: int, score: float, repo_url: str | None = None, span: Span | None = None) -> Citation:
    """Unit ``i`` (or the span grown from it) as a citation: its source text (the verbatim quote),
    display text, where it is."""
    u = backend.unit(i)
    doc = backend.document(u.doc)
    commit = backend.manifest.commit
    if span is not None and (len(span.parts) > 1 or span.parts[0].trimmed):
        line, end_line = span.line, span.end_line
        url = permalink(repo_url, commit, doc.repo_path, line, end_line) if repo_url and commit and doc.repo_path else None
        quote = doc.text[span.start : span.end]
        return Citation(
            quote=quote,
            source=doc.source,
            line=line,
            char_start=span.start,
            char_end=span.end,
            score=score,
            page=u.page,
            display=span.display(doc.text),
            kind=span.kind,
            language=span.language,
            end_line=end_line,
            url=url,
            parts=tuple(
                Part(p.kind, bulleted(p), p.start, p.end, p.line, p.end_line, p.language, p.trimmed)
                for p in span.parts
            ),
        )
    url = permalink(repo_url, commit, doc.repo_path, u.line, u.end_line) if repo_url and commit and doc.repo_path else None
    return Citation(
        quote=u.quote,
        source=doc.source,
        line=u.line,
        char_start=u.start,
        char_end=u.end,
        score=score,
        page=u.page,
        display="" if u.display == u.quote else u.display,
        kind=u.kind,
        language=u.language,
        end_line=u.end_line,
        url=url,
    )
