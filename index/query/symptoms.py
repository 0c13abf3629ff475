"""A question that quotes an error the docs show: the answer is what follows the error, not the error.

Users paste what went wrong ("keeps throwing CERTIFICATE_VERIFY_FAILED", "getting 'The handshake
operation timed out'"), and docs show that same error in a console block before saying what to do
about it ("You can disable SSL verification completely …"). The block echoes the question, so every
ranker rates it first, yet it is the symptom: the reader already has it. When the question's best
candidate is a code block that shows one of the question's quoted errors, the prose right after the
block (same document, same heading path) is put first in its place, and the block goes second.

Stage ``symptom_first`` (questions only), after ``refine_candidates``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from index.models.documents import CODE
from index.query.pointers import is_pointer

if TYPE_CHECKING:
    from index.query.records import Candidate
    from index.query.state import Context, QueryState

# what a question quotes of an error: a quoted phrase of two words or more, an upper-case code
# (CERTIFICATE_VERIFY_FAILED), an exception name (ConnectError, ReadTimeout is not one: no suffix)
_QUOTED = re.compile(r"'([^'\n]{3,}\s[^'\n]{3,})'|\"([^\"\n]{3,}\s[^\"\n]{3,})\"|`([^`\n]+)`|“([^”\n]{3,}\s[^”\n]{3,})”")
_CODE_WORD = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
_EXCEPTION = re.compile(r"\b[A-Z]\w*(?:Error|Exception)\b")
# how a line of console output reads when it reports an error
_ERROR_LINE = re.compile(r"\b\w*(?:Error|Exception)\b|\bTraceback\b|\berror:|\bfailed\b", re.IGNORECASE)
REACH = 3  # units after the block looked at for the prose that follows it


def quoted_errors(question: str) -> list[str]:
    """What the question quotes that an error message would hold (unique, in order)."""
    found: dict[str, None] = {}
    for m in _QUOTED.finditer(question):
        found[next(g for g in m.groups() if g).strip()] = None
    for pattern in (_CODE_WORD, _EXCEPTION):
        for m in pattern.finditer(question):
            found[m.group(0)] = None
    return [s for s in found if s]


def shows_error(code: str, errors: list[str]) -> bool:
    """A line of ``code`` reports an error and holds one of ``errors`` (case-insensitive)."""
    wanted = [e.lower() for e in errors]
    return any(_ERROR_LINE.search(line) and any(e in line.lower() for e in wanted) for line in code.split("\n"))


def after_symptom(ctx: Context, unit: int) -> int | None:
    """The first prose unit after code block ``unit`` under the same heading path that does not only
    point elsewhere ("Similar issues: …"; None: none near)."""
    b = ctx.backend
    doc, here = b.unit(unit).doc, ctx.texts.facts(unit).context
    for i in range(unit + 1, min(unit + 1 + REACH, b.n_units)):
        u = b.unit(i)
        if u.doc != doc or ctx.texts.facts(i).context != here:
            return None
        if u.kind != CODE and not is_pointer(b.unit_display(i)):
            return i
    return None


def symptom_first(ctx: Context, state: QueryState) -> None:
    """Stage (questions): when the best candidate is a code block showing an error the question quotes,
    the prose after it goes first with its score, the block second."""
    if not state.asks or not state.candidates or not ctx.quotes.symptoms:
        return
    errors = quoted_errors(state.question)
    top = state.candidates[0]
    if not errors or ctx.backend.unit(top.unit).kind != CODE or not shows_error(ctx.backend.unit_display(top.unit), errors):
        return
    fix = after_symptom(ctx, top.unit)
    if fix is None:
        return
    rest = [c for c in state.candidates[1:] if c.unit != fix]
    old = next((c for c in state.candidates if c.unit == fix), None)
    first: Candidate = replace(old or top, unit=fix, score=top.score, row=old.row if old else -1)
    state.candidates = [first, replace(top, score=old.score if old else top.score * 0.5), *rest]
