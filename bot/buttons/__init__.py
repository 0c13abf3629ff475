"""The buttons under answers. Each is a ``DynamicItem``: its state (the answer id, a position) lives in
its custom_id and the answer in the feedback database, so every button keeps working after the bot
restarts. ``DYNAMIC_ITEMS`` is what the ``buttons`` extension registers."""

from __future__ import annotations

import re

import discord

from bot.buttons.answer import SourcesButton, VoteButton, answer_buttons

DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem], ...] = (SourcesButton, VoteButton)


def answer_id_of(message: discord.Message) -> str | None:
    """The id of the answer a bot message shows (read from its buttons' custom_ids)."""
    for row in message.components:
        for item in getattr(row, "children", []):
            custom_id = getattr(item, "custom_id", None) or ""
            match = re.fullmatch(r"citebot:src:([0-9a-f]{32})", custom_id)
            if match:
                return match[1]
    return None


def answer_view(answer_id: str) -> discord.ui.View:
    """The persistent view of one answer."""
    view = discord.ui.View(timeout=None)
    for item in answer_buttons(answer_id):
        view.add_item(item)
    return view


__all__ = ["DYNAMIC_ITEMS", "SourcesButton", "VoteButton", "answer_id_of", "answer_view"]
