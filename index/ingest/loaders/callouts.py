"""Callouts: admonitions written as a plain paragraph or block quote with a label in front.

Two dialects that CommonMark parses as ordinary text:

* GitHub alerts: a block quote whose first line is ``[!NOTE]`` (``TIP``, ``IMPORTANT``, ``WARNING``,
  ``CAUTION``); GitHub renders it as a titled box.
* markdown-callouts (a Python-Markdown extension, used by the mkdocstrings family of docs): a paragraph
  starting ``NOTE:``, ``TIP: **Title:**`` …, or a block quote starting that way (``> NOTE: …``,
  collapsible ``>? NOTE: …``); the bold text right after the label is the box's title.

``callout`` recognizes the label at the start of a paragraph's inline token and returns the
admonition's title and the inline children without the label, so the label is context (as a ``!!!
note`` title is) and not quoted text.
"""

from __future__ import annotations

import re

from markdown_it.token import Token

# A label that is an admonition kind is a callout by itself (``NOTE: text``). Another all-caps word
# (markdown-callouts accepts any, e.g. a project's own ``GRIFFE:``) only counts when a bold title follows,
# so prose such as ``HTTP: the protocol`` or ``API: …`` at the start of a paragraph stays text.
_MIN_CUSTOM_LABEL = 3
_GITHUB_ALERT = re.compile(r"^\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*$")
_LABEL = re.compile(r"^(\?\s+)?([A-Z][A-Z0-9_-]*[A-Z0-9]):(?:\s+|$)")


def callout(inline: Token, kinds: frozenset[str], *, in_quote: bool) -> tuple[str, list[Token]] | None:
    """``(title, children without the label)`` when the paragraph opens with a callout label, else None.

    ``kinds`` are the lower-case admonition names; ``in_quote``: the paragraph is the first of a block
    quote (only there do GitHub alerts and the collapsible ``? `` prefix occur).
    """
    children = list(inline.children or [])
    if not children or children[0].type != "text":
        return None
    first = children[0].content
    if in_quote:
        m = _GITHUB_ALERT.match(first)
        if m:
            rest = children[1:]
            if rest and rest[0].type in ("softbreak", "hardbreak"):
                rest = rest[1:]
            return m.group(1).title(), rest
    m = _LABEL.match(first)
    if not m or (m.group(1) and not in_quote):
        return None
    label = m.group(2)
    rest_text = first[m.end() :]
    rest = children[1:]
    title = ""
    if not rest_text and len(rest) >= 3 and rest[0].type == "strong_open":
        close = next((i for i, c in enumerate(rest) if c.type == "strong_close"), -1)
        if close > 0:
            title = "".join(c.content for c in rest[1:close]).strip().rstrip(":.").strip()
            rest = rest[close + 1 :]
    if label.lower() not in kinds and (not title or len(label) < _MIN_CUSTOM_LABEL):
        return None
    if rest_text:
        rest = [children[0].copy(content=rest_text), *rest]
    return title or label.title(), rest
