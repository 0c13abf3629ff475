"""The one thing every cog needs: the bot's ``CitebotService``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord.ext import commands

if TYPE_CHECKING:
    from bot.service import CitebotService


class ServiceCog(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @property
    def service(self) -> CitebotService:
        return self.bot.service  # type: ignore[attr-defined]
