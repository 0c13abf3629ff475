"""A code question that names the code, answered by a block that does not hold it: the one that does first.

"example of cleaning the html output with JustHTML" names the class the answer calls; the rankers may
still rate first another section's block (a shell pipe through ``justhtml -``, introduced by prose that
links to JustHTML), and second the block that calls ``JustHTML(html, fragment=True)``. When a question
asks for code (``cues.wants_code``) and names code identifiers (``cues.code_identifiers``: CamelCase,
snake_case, dotted names, calls, backticks), and the best candidate's own text holds none of them as the
question spells them, the best of the next ``LOOK`` candidates that is a code block holding one, and is
rated at least ``NAMED_RATIO`` of the best, goes first and the best second. Case counts: ``JustHTML``
is the class, ``justhtml`` the command.

Stage ``named_code_first`` (every query kind: "example of … with JustHTML" is no question, and asks for
code all the same), after ``default_first``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from index.models.documents import CODE
from index.query.cues import code_identifiers, holds_identifier, wants_code

if TYPE_CHECKING:
    from index.query.state import Context, QueryState

NAMED_RATIO = 0.05  # the follow-up and neighbour rules' share of the best candidate (``extend.Evidence``)
LOOK = 5  # the candidates looked at (``QuoteParams.refine``: the ones the answer ranker reordered)


def named_code_first(ctx: Context, state: QueryState) -> None:
    """Stage (code asks naming identifiers): a code block holding one of them before a best
    candidate that holds none."""
    if len(state.candidates) < 2 or not ctx.quotes.named_code or not wants_code(state.question):
        return
    idents = code_identifiers(state.question)
    if not idents:
        return
    b = ctx.backend
    top = state.candidates[0]
    if holds_identifier(b.unit_display(top.unit), idents):
        return
    for k, c in enumerate(state.candidates[1:LOOK], start=1):
        if c.score < NAMED_RATIO * top.score:
            break
        if b.unit(c.unit).kind != CODE or not holds_identifier(b.unit_display(c.unit), idents):
            continue
        rest = [x for j, x in enumerate(state.candidates) if j not in (0, k)]
        state.candidates = [replace(c, score=top.score), replace(top, score=c.score), *rest]
        return
