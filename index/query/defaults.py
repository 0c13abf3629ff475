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

Docs also show the defaults as code: "Using the defaults, as above, is equivalent to:" and the
``configure(...)`` call with every option at its default (``UnitFacts.default_code``). Retrieval seldom
brings that block up (it names everything, so it matches nothing in particular), so its lines are
options too: a line that sets one of the question's identifiers (``cache_logger_on_first_use=False``),
or, for a question that names none, the line with the most question-term weight ("whats the default
timestamp format" → ``TimeStamper(fmt="%Y-%m-%d %H:%M:%S", utc=False),``). The block goes first then,
as a new candidate if it was none; its quote is cut to the lines that set the identifiers
(``extend.code_span``). Weights leave out the word "default" itself: every option says it.

Stage ``default_first`` (questions only), after ``reason_first``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from index.query.cues import asks_default, code_identifiers, holds_identifier, names_default, sets_identifier
from index.query.extend import MAX_CHARS, to_default
from index.query.spans import neighbourhood, question_evidence

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from index.query.extend import Neighbourhood
    from index.query.state import Context, QueryState

LOOK = 15  # the candidates looked at: a default sentence is short and holds little of the question
# the question's best documents whose default-configuration code is looked at (the overview page that
# shows it ranks high for a default question; a remote corpus is never walked whole)
DOCS = 10


def says_default(n: Neighbourhood, unit: int) -> bool:
    """The unit names a default, or its quote for a default question would (``extend.to_default``)."""
    if names_default(n.unit(unit).display):
        return True
    parts = to_default(n, n.part(unit), MAX_CHARS)
    return bool(parts) and names_default(parts[-1].display)


def block_text(n: Neighbourhood, unit: int) -> str:
    """The display text of the unit's whole block (its list item, its paragraph)."""
    return " ".join(n.unit(i).display for i in n.block_units(n.block(unit), unit))


def default_code_line(ctx: Context, weight: Callable[[str], float], identifiers: list[str],
                      docs: Sequence[int]) -> tuple[float, int] | None:
    """The best line of the docs' default-configuration code (``UnitFacts.default_code``) for the
    question, as (weight, unit): one that sets a named identifier, or with no identifier named, the
    line with the most weight; None when no line holds question terms (or sets a named identifier)."""
    best: tuple[float, int] | None = None
    for unit in ctx.texts.facts.default_code(docs):
        for line in ctx.backend.unit_display(unit).split("\n"):
            if identifiers and not sets_identifier(line, identifiers):
                continue
            w = weight(line)
            if w > 0 and (best is None or w > best[0] + 1e-9):
                best = (w, unit)
    return best


def default_first(ctx: Context, state: QueryState) -> None:
    """Stage (default questions): the best candidate that names a default (or the default-configuration
    code that sets what the question names) before the best one, when the best one names none."""
    if not state.asks or not state.candidates or not ctx.quotes.defaults or not asks_default(state.question):
        return
    evidence = question_evidence(ctx, state)
    top = state.candidates[0]
    if says_default(neighbourhood(ctx.backend, top.unit), top.unit):
        return
    idents = code_identifiers(state.question)
    plain = set(ctx.texts.terms("default defaults"))

    def weight(text: str) -> float:
        return sum(w for t, w in evidence.terms(text).items() if t not in plain)

    best: tuple[float, int] | None = None
    for c in state.candidates[1:LOOK]:
        n = neighbourhood(ctx.backend, c.unit)
        if not says_default(n, c.unit):
            continue
        text = block_text(n, c.unit)
        if idents and not holds_identifier(text, idents):
            continue
        w = weight(text)
        if w > 0 and (best is None or w > best[0] + 1e-9):
            best = (w, c.unit)
    code = default_code_line(ctx, weight, idents, state.documents.docs[:DOCS].tolist() if state.documents else [])
    if code is not None and (best is None or code[0] > best[0] + 1e-9):
        best = code
    if best is None or best[1] == top.unit:
        return
    unit = best[1]
    k = next((j for j, c in enumerate(state.candidates) if c.unit == unit), None)
    if k is None:  # the default-configuration block retrieval did not bring up: a candidate now
        new = replace(top, unit=unit, cos=0.0, lex=0.0, row=-1)
        state.candidates = [new, *state.candidates]
        return
    c = state.candidates[k]
    rest = [x for j, x in enumerate(state.candidates) if j not in (0, k)]
    state.candidates = [replace(c, score=top.score), replace(top, score=c.score), *rest]
