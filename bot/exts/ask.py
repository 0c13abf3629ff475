"""/ask question:<text> [private:<bool>] [source:<document or folder>]

Checked and admitted at once, deferred (privately with ``private:``), answered in a worker thread,
then the deferred reply is edited with the quotes and their buttons. In a text channel with
``CITEBOT_ANSWER_MODE=thread`` the public answer starts a thread named after the question, where
follow-ups are asked with the conversation. ``source:`` limits the answer to one indexed document or
folder, with the indexed paths offered as you type (answered on the event loop from a cached list,
well within Discord's 3-second autocomplete window).
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import CitebotBot
from bot.conversation import thread_name
from bot.corpora import parent_of, place
from bot.replies import answer_reply, finish_deferred
from bot.service import Answered
from bot.shaping import span

log = logging.getLogger("citebot.bot")

Interaction = discord.Interaction[CitebotBot]


class Ask(commands.Cog):
    def __init__(self, bot: CitebotBot) -> None:
        self.bot = bot

    @app_commands.command(name="ask", description="Ask the documents a question; the answer quotes them verbatim.")
    @app_commands.describe(
        question="What do you want to know?",
        private="Only you see the answer (default: everyone in the channel).",
        source="Answer only from this document or folder.",
    )
    async def ask(self, interaction: Interaction, question: str, private: bool = False, source: str | None = None) -> None:
        service = self.bot.service
        # empty / too long / too fast / queue full → one private line, before anything is deferred
        request = service.prepare(
            question, asker=interaction.user.id, guild_id=interaction.guild_id, channel_id=interaction.channel_id,
            parent_id=parent_of(interaction.channel),
            source=source, where={"via": "slash", "private": private},
        )
        try:
            await interaction.response.defer(thinking=True, ephemeral=private)
        except BaseException:
            request.ticket.cancel()
            raise
        answered = await service.answer(request)
        await finish_deferred(interaction, answer_reply(service, answered))
        if not private and self.bot.settings.answer_mode == "thread":
            await self.open_thread(interaction, answered)

    @ask.autocomplete("source")
    async def source_choices(self, interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        slot = self.bot.service.corpus_for(*place(interaction))
        return [app_commands.Choice(name=path, value=path) for path in slot.source_choices(current)]

    async def open_thread(self, interaction: Interaction, answered: Answered) -> None:
        """A thread on the answer, where follow-ups are asked with it (nothing if threads cannot be made)."""
        perms = interaction.app_permissions
        if not isinstance(interaction.channel, discord.TextChannel) or not (
            perms.create_public_threads and perms.send_messages_in_threads
        ):
            return
        try:
            message = await interaction.original_response()
        except discord.HTTPException as exc:
            log.info("No thread for /ask %s: %s", interaction.id, exc)
            return
        # recorded first (the thread gets the message's id), so a quick follow-up finds the conversation
        threads = self.bot.service.threads
        await asyncio.to_thread(threads.open_thread, message.id, "answer", interaction.user.id)
        await asyncio.to_thread(
            threads.add_turn, message.id, answered.answer_id, answered.answer.question, answered.query,
            [span(c) for c in answered.answer.citations], interaction.user.id,
        )
        try:
            await message.create_thread(name=thread_name(answered.answer.question))
        except discord.HTTPException as exc:
            log.info("No thread for /ask %s: %s", interaction.id, exc)
            await asyncio.to_thread(threads.drop, message.id)


async def setup(bot: CitebotBot) -> None:
    await bot.add_cog(Ask(bot))
