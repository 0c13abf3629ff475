"""Messages: an @mention, a reply to one of the bot's answers, or a DM gets the same answer as /ask.

All three carry their text with the default intents (Discord delivers the content of messages that
mention the bot, reply to it with a ping, or are DMs), so none needs Message Content. A reply to an
answer is a follow-up: short or referring ones are asked with the answered question as context, and
the quotes already shown are not shown again.
"""

from __future__ import annotations

import contextlib
import logging
import re

import discord
from discord.ext import commands

from bot.buttons import answer_id_of
from bot.client import CitebotBot
from bot.conversation import context_for, is_chatter
from bot.errors import user_message
from bot.replies import answer_reply, reply_to, text
from bot.service import AskRequest, TooFast
from bot.shaping import span

log = logging.getLogger("citebot.bot")

WAIT_EMOJI = "⏳"
HOW_TO = "Ask me something after the mention, e.g. `@citebot who praised him?` (or use /ask)."


def mentions_me(content: str, bot_id: int) -> bool:
    """An explicit ``<@bot>`` in the text (not just a reply that pings the bot)."""
    return re.search(rf"<@!?{bot_id}>", content) is not None


def strip_mention(content: str, bot_id: int) -> str:
    """The question left once the bot's own mentions are removed."""
    return " ".join(re.sub(rf"<@!?{bot_id}>", " ", content).split())


def replied_answer(message: discord.Message, bot_id: int) -> str | None:
    """The answer id of the bot's message that ``message`` replies to, if it replies to one."""
    ref = message.reference
    target = ref.resolved if ref is not None else None
    if isinstance(target, discord.Message) and target.author.id == bot_id:
        return answer_id_of(target)
    return None


class Mentions(commands.Cog):
    def __init__(self, bot: CitebotBot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        me = self.bot.user
        if me is None or message.author.bot or message.webhook_id is not None:
            return
        replied = replied_answer(message, me.id) if message.guild is not None else None
        if message.guild is not None and not mentions_me(message.content, me.id) and replied is None:
            return  # not for the bot (threads and forums have their own extensions)
        question = strip_mention(message.content, me.id)
        if not question:
            if mentions_me(message.content, me.id):
                await reply_to(message, text(HOW_TO))
            return  # a reply without text (no Message Content intent and no ping): nothing to answer
        if replied is not None and is_chatter(question):
            return
        await self.answer(message, question, replied)

    async def answer(self, message: discord.Message, question: str, replied: str | None) -> None:
        service = self.bot.service
        context, exclude = None, frozenset()
        if replied is not None:
            with contextlib.suppress(Exception):  # an expired answer: ask without the conversation
                stored = await service.recall(replied)
                context = context_for(question, stored.answer.question)
                exclude = frozenset(span(c) for c in stored.answer.citations)
        try:
            request = service.prepare(
                question, asker=message.author.id, guild_id=message.guild.id if message.guild else None,
                channel_id=message.channel.id, context=context, exclude=exclude,
                where={"via": "dm" if message.guild is None else "mention", "follows": replied},
            )
        except TooFast as cooldown:
            await self.refuse_quietly(message, cooldown)
            return
        except Exception as exc:  # empty / too long / busy: one line
            await reply_to(message, text(user_message(exc, context=f"message {message.id}")))
            return
        await self.deliver(message, request)

    async def deliver(self, message: discord.Message, request: AskRequest) -> None:
        service = self.bot.service
        try:
            with contextlib.suppress(discord.HTTPException):  # "citebot is typing…" is a nicety
                await message.channel.typing()
            answered = await service.answer(request)
        except Exception as exc:  # CitebotError → its message, anything else → logged apology
            await reply_to(message, text(user_message(exc, context=f"message {message.id}")))
            return
        await reply_to(message, answer_reply(service, answered))

    async def refuse_quietly(self, message: discord.Message, cooldown: TooFast) -> None:
        """The first refusal of a window is a reply; later ones a ⏳ reaction (if allowed), else nothing."""
        if self.bot.service.cooldowns.first_refusal(message.author.id, cooldown.retry_after):
            await reply_to(message, text(str(cooldown)))
            return
        if message.guild is not None:
            channel = message.channel
            if not isinstance(channel, discord.abc.GuildChannel | discord.Thread):
                return
            if not channel.permissions_for(message.guild.me).add_reactions:
                return
        with contextlib.suppress(discord.HTTPException):
            await message.add_reaction(WAIT_EMOJI)


async def setup(bot: CitebotBot) -> None:
    await bot.add_cog(Mentions(bot))
