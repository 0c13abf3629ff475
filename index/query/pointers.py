"""Prose that only sends the reader elsewhere is no answer: the best candidate that says something first.

"**Similar issues**: [encode/httpx#1412](…), [encode/httpx#1433](…)", "See the Routing section.", "For
more details, refer to …" share the words of the topic they point to, so a question about the topic can
rate them first, yet they answer nothing. When the best candidate is such a pointer — its display opens
with "See", "For more details / information …", "Refer to", "Similar issues", "Related issues" … — and
the question does not ask where to read more, the best candidate that is not a pointer goes first and
the pointer second. (Links alone do not make a pointer: "[A broadly requests-compatible API](…)." says
something.)

Stage ``pointer_last`` (questions only), after ``refine_candidates``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from index.query.state import Context, QueryState

_OPENS_AS_POINTER = re.compile(
    r"(?:see(?: also)?|for (?:more|further|full|detailed|additional) (?:details|information|info|examples)|"
    r"refer to|similar issues|related (?:issues|topics|reading)|related:|more (?:details|information) (?:can be found|is available))(?!\w)",
    re.IGNORECASE,
)
# a question that asks where to read more: a pointer may be its answer
_ASKS_WHERE = re.compile(r"\bwhere\b|\b(?:docs|documentation|page|link|reference|read more|more info)\b", re.IGNORECASE)
LOOK = 5  # the candidates looked at (``QuoteParams.refine``)
_MARKUP = " *_`>[(\"'“"


def is_pointer(display: str) -> bool:
    """The unit only points elsewhere: its display text opens as a pointer."""
    return bool(_OPENS_AS_POINTER.match(display.lstrip(_MARKUP)))


def pointer_last(ctx: Context, state: QueryState) -> None:
    """Stage (questions): a pointer rated first goes below the best candidate that is not one."""
    if not state.asks or len(state.candidates) < 2 or not ctx.quotes.pointers or _ASKS_WHERE.search(state.question):
        return
    b = ctx.backend

    def pointer(unit: int) -> bool:
        return is_pointer(b.unit_display(unit))

    top = state.candidates[0]
    if not pointer(top.unit):
        return
    for k, c in enumerate(state.candidates[1:LOOK], start=1):
        if not pointer(c.unit):
            rest = [x for j, x in enumerate(state.candidates) if j not in (0, k)]
            state.candidates = [replace(c, score=top.score), replace(top, score=c.score), *rest]
            return
