"""A why question answered by the rule instead of its reason: the reason first.

Docs state a rule and then why ("If using a client instance, then cookies should always be set on the
client …" / "We prefer enforcing a stricter API here because it provides clearer expectations …"). A
why question restates the rule, so the rankers rate the rule first and its reason second. When the
best candidate of a why question gives no reason and a candidate of the same section does (an explicit
marker: "because", "so that", "in order to", "the reason" …, not the weaker "instead", "allows" or "to
avoid" that ``cues.gives_reason`` also counts: "it's advised to avoid passing unicode header values" is
advice, not a reason) and is rated at least ``REASON_RATIO`` of it, that reason goes first and the rule
second.

Stage ``reason_first`` (questions only), after ``refine_candidates``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from index.models.documents import CODE
from index.query.cues import asks_why

if TYPE_CHECKING:
    from index.query.state import Context, QueryState

STRONG_REASON = re.compile(
    r"\b(?:because|so that|in order to|the reason|for this reason|this is so|that's why|which is why)\b",
    re.IGNORECASE,
)
REASON_RATIO = 0.05  # the follow-up and neighbour rules' share of the best candidate (``extend.Evidence``)
LOOK = 5  # the candidates looked at (``QuoteParams.refine``: the ones the answer ranker reordered)


def states_reason(text: str) -> bool:
    return bool(STRONG_REASON.search(text))


def reason_first(ctx: Context, state: QueryState) -> None:
    """Stage (why questions): the best-rated reason of the best candidate's section before it, when the
    best candidate itself gives none."""
    if not state.asks or len(state.candidates) < 2 or not ctx.quotes.reasons or not asks_why(state.question):
        return
    b, facts = ctx.backend, ctx.texts.facts
    top = state.candidates[0]
    if b.unit(top.unit).kind == CODE or states_reason(b.unit_display(top.unit)):
        return
    doc, here = b.unit(top.unit).doc, facts(top.unit).context
    for k, c in enumerate(state.candidates[1:LOOK], start=1):
        if c.score < REASON_RATIO * top.score:
            break
        u = b.unit(c.unit)
        if u.kind == CODE or u.doc != doc or facts(c.unit).context != here or not states_reason(u.display):
            continue
        rest = [x for j, x in enumerate(state.candidates) if j not in (0, k)]
        state.candidates = [replace(c, score=top.score), replace(top, score=c.score), *rest]
        return
