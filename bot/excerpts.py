"""Embeds for the follow-up buttons: a quote in its surroundings ("More context", "Whole section")
and the next candidate ("Next match"). Pure, like ``bot.formatting``.

The surroundings are verbatim source lines; the quote inside them is shown in bold. What does not
fit is cut from the far ends first (whole lines), so the quote stays whole as long as it can.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.formatting import (
    COLOR_INFO,
    DESCRIPTION_LIMIT,
    TITLE_LIMIT,
    blockquote,
    citation_ref,
    escape,
    fit_embed,
    quote_display,
    shorten,
    source_ref,
)
from index.query.answer import Citation
from index.query.context import Excerpt

ELLIPSIS_LINE = "…"


def _bold(escaped: str) -> str:
    out = []
    for line in escaped.split("\n"):
        core = line.strip()
        if not core:
            out.append(line)
            continue
        lead = line[: len(line) - len(line.lstrip())]
        trail = line[len(line.rstrip()) :]
        out.append(f"{lead}**{core}**{trail}")
    return "\n".join(out)


def marked(excerpt: Excerpt, c: Citation, limit: int) -> str:
    """``excerpt`` as a block quote with ``c`` in bold, within ``limit`` characters."""
    offset = c.char_start - excerpt.start
    before = excerpt.text[:offset].split("\n")
    quote = excerpt.text[offset : offset + len(c.quote)]
    after = excerpt.text[offset + len(c.quote) :].split("\n")
    cut_before = cut_after = False

    def render(q: str) -> str:
        head = ("\n".join([ELLIPSIS_LINE, *before]) if cut_before else "\n".join(before))
        tail = ("\n".join([*after, ELLIPSIS_LINE]) if cut_after else "\n".join(after))
        return blockquote(escape(head) + _bold(escape(q)) + escape(tail))

    text = render(quote)
    while len(text) > limit and (len(before) > 1 or len(after) > 1):
        # drop a whole line from the longer side, the far end first
        if len(before) > 1 and (len(before) >= len(after) or len(after) <= 1):
            before = before[1:]
            cut_before = True
        else:
            after = after[:-1]
            cut_after = True
        text = render(quote)
    if len(text) > limit and (cut_before or cut_after):  # no room even for the "…" lines
        cut_before = cut_after = False
        text = render(quote)
    if len(text) > limit:  # the quote alone is too long: cut it too
        room = max(limit - (len(text) - len(_bold(escape(quote)))), 8)
        text = render(shorten(quote, room, _plain_room))
        if len(text) > limit:
            text = shorten(text, limit)
    return text


def _plain_room(text: str) -> str:
    return _bold(escape(text))


def _where(excerpt: Excerpt, c: Citation, base_url: str | None) -> str:
    lines = f"lines {excerpt.line}–{excerpt.end_line}" if excerpt.end_line > excerpt.line else f"line {excerpt.line}"
    ref = source_ref(c.source, excerpt.line, page=c.page, base_url=base_url)
    return ref.replace(f"line {excerpt.line}", lines, 1)


def excerpt_embed(
    title: str, pieces: Sequence[tuple[Citation, Excerpt]], *, base_url: str | None = None, heading: bool = False
) -> discord.Embed:
    """One block per quote: where it is (file, lines) and its surroundings with the quote in bold."""
    embed = discord.Embed(title=shorten(title, TITLE_LIMIT, escape), color=COLOR_INFO)
    blocks = []
    budget = DESCRIPTION_LIMIT - 2 * max(len(pieces) - 1, 0)
    for i, (c, ex) in enumerate(pieces):
        where = "— " + _where(ex, c, base_url)
        if heading and ex.heading:
            where += " · " + shorten(ex.heading, 200, escape)
        share = (budget - sum(len(b) for b in blocks)) // (len(pieces) - i) - len(where) - 1
        blocks.append(marked(ex, c, max(share, 16)) + "\n" + where)
    embed.description = "\n\n".join(blocks) if blocks else "Nothing to show."
    return fit_embed(embed)


def next_match_embed(
    question: str, c: Citation, position: int, total: int, *, base_url: str | None = None
) -> discord.Embed:
    """The candidate after the shown quotes: ``position`` (1-based) of ``total`` more."""
    ref = "— " + citation_ref(c, base_url)
    body = quote_display(c, DESCRIPTION_LIMIT - len(ref) - 1)
    embed = discord.Embed(
        title=shorten("Next match: " + " ".join(question.split()), TITLE_LIMIT, escape),
        color=COLOR_INFO,
        description=f"{body}\n{ref}",
    )
    embed.set_footer(text=f"Match {position} of {total} after the answer's quotes (score {c.score:.2f})")
    return fit_embed(embed)
