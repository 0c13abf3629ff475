"""A question about a default answered by a sentence that names none: the one that says it first.

"is max_content_length set by default?" restates the option, so the rankers rate first the sentence
that repeats its name ("This is only safe to do if the `max_content_length` is set.") and far below
it the one that answers ("… which is why it's not set by default."). When the best candidate of a
default question (``cues.asks_default``) says no default, neither itself nor through the sentences
after it that its quote would take in (``extend.to_default``), the best of the next ``LOOK``
candidates that does (``cues.names_default``: "by default", "defaults to", "The default is …",
"Default: …") goes first and the best one second. "Best" is read on its block (the option's list item,
the paragraph): the most question-term weight, then the ranker's order; when the question names code
identifiers (``max_content_length``), that block must hold one of them, so a default of another
option ("The default is 1000.") does not answer.

Stage ``default_first`` (questions only), after ``reason_first``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from index.query.cues import asks_default, code_identifiers, names_default
from index.query.extend import MAX_CHARS, to_default
from index.query.spans import neighbourhood, question_evidence

if TYPE_CHECKING:
    from index.query.extend import Evidence, Neighbourhood
    from index.query.state import Context, QueryState

LOOK = 15  # the candidates looked at: a default sentence is short and holds little of the question


def says_default(n: Neighbourhood, unit: int) -> bool:
    """The unit names a default, or its quote for a default question would (``extend.to_default``)."""
    if names_default(n.unit(unit).display):
        return True
    parts = to_default(n, n.part(unit), MAX_CHARS)
    return bool(parts) and names_default(parts[-1].display)


def block_text(n: Neighbourhood, unit: int) -> str:
    """The display text of the unit's whole block (its list item, its paragraph)."""
    return " ".join(n.unit(i).display for i in n.block_units(n.block(unit), unit))


def names_identifier(text: str, identifiers: list[str]) -> bool:
    """The text holds one of the question's identifiers (a call's "(" or a keyword's "=" left off)."""
    return any(ident.rstrip("(=") in text for ident in identifiers)


def default_first(ctx: Context, state: QueryState) -> None:
    """Stage (default questions): the best candidate that names a default before the best one, when
    the best one names none."""
    if not state.asks or len(state.candidates) < 2 or not ctx.quotes.defaults or not asks_default(state.question):
        return
    evidence = question_evidence(ctx, state)
    top = state.candidates[0]
    if says_default(neighbourhood(ctx.backend, top.unit), top.unit):
        return
    idents = code_identifiers(state.question)
    best: tuple[float, int] | None = None
    for k, c in enumerate(state.candidates[1:LOOK], start=1):
        n = neighbourhood(ctx.backend, c.unit)
        if not says_default(n, c.unit):
            continue
        text = block_text(n, c.unit)
        if idents and not names_identifier(text, idents):
            continue
        weight = _weight(evidence, text)
        if weight > 0 and (best is None or weight > best[0] + 1e-9):
            best = (weight, k)
    if best is None:
        return
    k = best[1]
    c = state.candidates[k]
    rest = [x for j, x in enumerate(state.candidates) if j not in (0, k)]
    state.candidates = [replace(c, score=top.score), replace(top, score=c.score), *rest]


def _weight(evidence: Evidence, text: str) -> float:
    """The question-term weight a text holds."""
    return sum(evidence.terms(text).values())
