"""/ask: checked and admitted at once, deferred, answered in a worker thread, then the deferred reply
is edited with the quotes and their buttons."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import CitebotBot
from bot.replies import answer_reply, finish_deferred

Interaction = discord.Interaction[CitebotBot]


class Ask(commands.Cog):
    def __init__(self, bot: CitebotBot) -> None:
        self.bot = bot

    @app_commands.command(name="ask", description="Ask the documents a question; the answer quotes them verbatim.")
    @app_commands.describe(question="What do you want to know?")
    async def ask(self, interaction: Interaction, question: str) -> None:
        service = self.bot.service
        # empty / too long / too fast / queue full → one private line, before anything is deferred
        request = service.prepare(
            question, asker=interaction.user.id, guild_id=interaction.guild_id, channel_id=interaction.channel_id,
            where={"via": "slash"},
        )
        try:
            await interaction.response.defer(thinking=True)
        except BaseException:
            request.ticket.cancel()
            raise
        answered = await service.answer(request)
        await finish_deferred(interaction, answer_reply(service, answered))


async def setup(bot: CitebotBot) -> None:
    await bot.add_cog(Ask(bot))
