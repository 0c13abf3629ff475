"""The buttons under answers. Each is a ``DynamicItem``: its state (the answer id, a position) lives in
its custom_id and the answer in the feedback database, so every button keeps working after the bot
restarts. ``DYNAMIC_ITEMS`` is what the ``buttons`` extension registers.

Row 0: Sources, More context, Whole section, Next match. Row 1: 👍, 👎 and, where they apply, Ask a
helper (abstentions), Post in channel (private answers), Solved (forum posts).
"""

from __future__ import annotations

import re

import discord

from bot.buttons.answer import SourcesButton, VoteButton
from bot.buttons.followups import MoreContextButton, NextMatchButton, SectionButton
from bot.buttons.handoff import AskHelperButton, PostInChannelButton, SolvedButton

DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem], ...] = (
    SourcesButton,
    VoteButton,
    MoreContextButton,
    SectionButton,
    NextMatchButton,
    PostInChannelButton,
    AskHelperButton,
    SolvedButton,
)


def answer_view(
    answer_id: str,
    *,
    quotes: bool = True,
    sections: bool = False,
    has_more: bool = False,
    helper: int | None = None,
    post: bool = False,
    solved: bool = False,
) -> discord.ui.View:
    """The persistent view of one answer; ``quotes`` is False for an abstention."""
    view = discord.ui.View(timeout=None)
    view.add_item(SourcesButton.make(answer_id=answer_id))
    if quotes:
        view.add_item(MoreContextButton.make(answer_id=answer_id))
        if sections:
            view.add_item(SectionButton.make(answer_id=answer_id))
        if has_more:
            view.add_item(NextMatchButton.make(answer_id=answer_id, position=1))
    view.add_item(VoteButton.make(vote="up", answer_id=answer_id))
    view.add_item(VoteButton.make(vote="down", answer_id=answer_id))
    if helper is not None and not quotes:
        view.add_item(AskHelperButton.make(answer_id=answer_id))
    if post:
        view.add_item(PostInChannelButton.make(answer_id=answer_id))
    if solved:
        view.add_item(SolvedButton.make(answer_id=answer_id))
    return view


def answer_id_of(message: discord.Message) -> str | None:
    """The id of the answer a bot message shows (read from its buttons' custom_ids)."""
    for row in message.components:
        for item in getattr(row, "children", []):
            custom_id = getattr(item, "custom_id", None) or ""
            match = re.fullmatch(r"citebot:src:([0-9a-f]{32})", custom_id)
            if match:
                return match[1]
    return None


__all__ = ["DYNAMIC_ITEMS", "answer_id_of", "answer_view"]
