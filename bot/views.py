"""The buttons under every answer: Sources, 👍, 👎.

They are ``DynamicItem``s: the answer id lives in the custom_id
(``citebot:src:<answer_id>``, ``citebot:vote:up:<answer_id>``), and the answer
itself in SQLite, so the buttons keep working after the bot restarts.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.errors import NO_MENTIONS, report_error
from bot.formatting import sources_embed

SOURCES_ID = "citebot:src:{answer_id}"
VOTE_ID = "citebot:vote:{vote}:{answer_id}"


def _service(interaction: discord.Interaction) -> Any:
    return interaction.client.service  # type: ignore[attr-defined]


class SourcesButton(discord.ui.DynamicItem[discord.ui.Button], template=r"citebot:src:(?P<answer_id>[0-9a-f]{32})"):
    def __init__(self, answer_id: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Sources",
                emoji="📚",
                style=discord.ButtonStyle.secondary,
                custom_id=SOURCES_ID.format(answer_id=answer_id),
            )
        )
        self.answer_id = answer_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> SourcesButton:
        return cls(match["answer_id"])

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            service = _service(interaction)
            answer = await service.recall(self.answer_id)
            embed = sources_embed(answer, docs_base_url=service.settings.docs_base_url)
            await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)
        except Exception as exc:
            await report_error(interaction, exc)


class VoteButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"citebot:vote:(?P<vote>up|down):(?P<answer_id>[0-9a-f]{32})"
):
    def __init__(self, answer_id: str, vote: str) -> None:
        super().__init__(
            discord.ui.Button(
                emoji="👍" if vote == "up" else "👎",
                style=discord.ButtonStyle.secondary,
                custom_id=VOTE_ID.format(vote=vote, answer_id=answer_id),
            )
        )
        self.answer_id = answer_id
        self.vote = vote

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> VoteButton:
        return cls(match["answer_id"], match["vote"])

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await _service(interaction).vote(self.answer_id, interaction.user.id, self.vote)
            text = (
                "Thanks, glad it helped."
                if self.vote == "up"
                else "Thanks: this question is now on the list of answers to improve."
            )
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        except Exception as exc:
            await report_error(interaction, exc)


DYNAMIC_ITEMS = (SourcesButton, VoteButton)


def answer_view(answer_id: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(SourcesButton(answer_id))
    view.add_item(VoteButton(answer_id, "up"))
    view.add_item(VoteButton(answer_id, "down"))
    return view
