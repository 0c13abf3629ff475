"""What every button shares: a ``DynamicItem`` whose state lives in its custom_id (so it survives a
restart), typed access to the bot's service, and one error path."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar, Self

import discord

from bot.errors import report_error

if TYPE_CHECKING:
    from bot.service import CitebotService

Interaction = discord.Interaction["CitebotBot"]
ANSWER_ID = r"(?P<answer_id>[0-9a-f]{32})"


def service_of(interaction: Interaction) -> CitebotService:
    return interaction.client.service


class CitebotButton(discord.ui.DynamicItem[discord.ui.Button], template=r"citebot:never:(?P<x>.)"):
    """A button whose custom_id is ``prefix`` + ``:``-joined ``fields``; subclasses set ``prefix``,
    ``fields``, ``template``, and implement ``run``. Errors become one private line."""

    prefix: ClassVar[str]
    fields: ClassVar[tuple[str, ...]] = ("answer_id",)

    def __init__(self, *, label: str | None = None, emoji: str | None = None,
                 style: discord.ButtonStyle = discord.ButtonStyle.secondary, row: int | None = None,
                 **values: Any) -> None:
        self.values = values
        custom_id = ":".join([self.prefix, *(str(values[f]) for f in self.fields)])
        super().__init__(discord.ui.Button(label=label, emoji=emoji, style=style, custom_id=custom_id, row=row))

    @classmethod
    def make(cls, **values: Any) -> Self:
        return cls(**values)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> Self:
        return cls.make(**match.groupdict())

    async def callback(self, interaction: Interaction) -> None:
        try:
            await self.run(interaction)
        except Exception as exc:
            await report_error(interaction, exc)

    async def run(self, interaction: Interaction) -> None:
        raise NotImplementedError
