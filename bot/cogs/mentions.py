"""@mentions in a channel and direct messages get the same answer as /ask, as a reply.

Loaded only when ``CITEBOT_MESSAGE_CONTENT`` is on (privileged intent).
"""

from __future__ import annotations

import contextlib
import logging
import re
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.ask import answer_reply, retry_after
from bot.cogs.base import ServiceCog
from bot.errors import NO_MENTIONS, user_message
from bot.formatting import clip_content

if TYPE_CHECKING:
    pass

log = logging.getLogger("citebot.bot")

WAIT_EMOJI = "⏳"
HOW_TO = "Ask me something after the mention, e.g. `@citebot who praised him?` (or use /ask)."


def mentions_me(content: str, bot_id: int) -> bool:
    """An explicit ``<@bot>`` in the text (not just a reply that pings the bot)."""
    return re.search(rf"<@!?{bot_id}>", content) is not None


def strip_mention(content: str, bot_id: int) -> str:
    """The question left once the bot's own mentions are removed."""
    return " ".join(re.sub(rf"<@!?{bot_id}>", " ", content).split())


class MentionCog(ServiceCog):
    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        me = self.bot.user
        if me is None or message.author.bot or message.webhook_id is not None:
            return
        if message.guild is not None and not mentions_me(message.content, me.id):
            return
        question = strip_mention(message.content, me.id)
        if not question:
            await self._reply(message, content=HOW_TO)
            return
        cooldown = retry_after(self.service, message.author.id)
        if cooldown is not None:
            await self._refuse_quietly(message, cooldown)
            return
        try:
            question = self.service.check_question(question)
            ticket = self.service.admit(message.guild.id if message.guild else None)
            with contextlib.suppress(discord.HTTPException):  # "citebot is typing…" is a nicety
                await message.channel.typing()
            embed, view = await answer_reply(self.service, question, ticket=ticket, asker=message.author.id)
        except Exception as exc:  # CitebotError → its message, anything else → logged apology
            await self._reply(message, content=user_message(exc, context=f"message {message.id}"))
            return
        await self._reply(message, embed=embed, view=view)

    async def _refuse_quietly(self, message: discord.Message, cooldown: app_commands.CommandOnCooldown) -> None:
        """The first refusal of a window is a reply; later ones a ⏳ reaction (if allowed), else nothing."""
        if self.service.cooldowns.first_refusal(message.author.id, cooldown.retry_after):
            await self._reply(message, content=user_message(cooldown))
            return
        me = message.guild.me if message.guild is not None else None
        if me is not None and not message.channel.permissions_for(me).add_reactions:  # type: ignore[union-attr]
            return
        with contextlib.suppress(discord.HTTPException):
            await message.add_reaction(WAIT_EMOJI)

    async def _reply(
        self,
        message: discord.Message,
        *,
        content: str | None = None,
        embed: discord.Embed | None = None,
        view: discord.ui.View | None = None,
    ) -> None:
        kwargs: dict = {"allowed_mentions": NO_MENTIONS, "mention_author": False}
        if content is not None:
            kwargs["content"] = clip_content(content)
        if embed is not None:
            kwargs["embed"] = embed
        if view is not None:
            kwargs["view"] = view
        try:
            await message.reply(**kwargs)
        except discord.HTTPException:
            log.warning("Could not reply to message %s", message.id, exc_info=True)
