"""The last stages: which candidates become the answer's quotes (or whether to abstain), and the answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from index.ingest.gitinfo import permalink
from index.query.abstain import abstains
from index.query.answer import Answer, Citation
from index.query.passages import passages_of
from index.query.quotes import pick

if TYPE_CHECKING:
    from index.query.state import Context, QueryState
    from index.storage.backend import Backend


def choose_spans(ctx: Context, state: QueryState) -> None:
    """Abstain when the best evidence is under the threshold; otherwise up to ``max_citations``
    quotes, best first, none repeating another."""
    p = ctx.quotes
    if abstains(ctx, state):
        state.abstained, state.chosen = True, []
        return
    state.abstained = False
    state.chosen = pick(state.candidates, ctx.backend.unit_display, ctx.max_citations, p.keep_ratio)


def answer(ctx: Context, state: QueryState) -> None:
    """The answer: its citations (verbatim quotes with their display text) and passages."""
    assert state.hits is not None
    passages = passages_of(ctx, state.hits, state.passages[: state.k])
    citations = [citation(ctx.backend, c.unit, c.score, ctx.repo_url) for c in state.chosen]
    state.answer = Answer(state.question, state.abstained, citations, passages)


def citation(backend: Backend, i: int, score: float, repo_url: str | None = None) -> Citation:
    """Unit ``i`` as a citation: its source text (the verbatim quote), display text, where it is."""
    u = backend.unit(i)
    doc = backend.document(u.doc)
    commit = backend.manifest.commit
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
