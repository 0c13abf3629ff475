"""Apps → **Ask citebot**: a message context-menu command that answers the selected message's text.

The answer is private to whoever asked (so a helper can check it first), with a **Post in channel**
button that posts it for everyone. Registered for both installs Discord offers: added to a server
(guild install) and added to a user's account (user install: usable in servers where citebot is not
a member, and in DMs).
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import CitebotBot
from bot.conversation import strip_mention
from bot.corpora import parent_of
from bot.replies import answer_reply, finish_deferred
from index.errors import CitebotError

Interaction = discord.Interaction[CitebotBot]
MENU_NAME = "Ask citebot"


class NothingToAsk(CitebotError):
    def __init__(self) -> None:
        super().__init__("That message has no text to ask about.")


class AskMenu(commands.Cog):
    def __init__(self, bot: CitebotBot) -> None:
        self.bot = bot
        self.menu = app_commands.ContextMenu(
            name=MENU_NAME,
            callback=self.ask_about,
            allowed_installs=app_commands.AppInstallationType(guild=True, user=True),
            allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True),
        )
        bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    async def ask_about(self, interaction: Interaction, message: discord.Message) -> None:
        service = self.bot.service
        me = self.bot.user
        question = strip_mention(message.content, me.id) if me is not None else message.content.strip()
        if not question:
            raise NothingToAsk()
        request = service.prepare(
            question, asker=interaction.user.id, guild_id=interaction.guild_id, channel_id=interaction.channel_id,
            parent_id=parent_of(interaction.channel),
            where={"via": "menu"},
        )
        try:
            await interaction.response.defer(thinking=True, ephemeral=True)
        except BaseException:
            request.ticket.cancel()
            raise
        answered = await service.answer(request)
        await finish_deferred(interaction, answer_reply(service, answered, post=True))


async def setup(bot: CitebotBot) -> None:
    await bot.add_cog(AskMenu(bot))
