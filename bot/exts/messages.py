"""Messages: @mentions, replies to the bot, DMs, follow-ups in citebot's threads, and forum posts.

One listener routes every message, so none is answered twice:

* a DM, or a mention / reply to the bot inside a thread that is not citebot's → answered in place;
* a fresh mention in a text channel → a thread on the question (``CITEBOT_ANSWER_MODE=thread``) with
  the answer in it, or a reply where threads cannot be made (permissions) or are not wanted;
* a reply to one of the bot's answers → a follow-up of that answer, in place;
* a message in a citebot thread → a follow-up, asked with the thread's conversation;
* a new post in a watched forum (``CITEBOT_FORUM_CHANNELS``) → answered once in its thread; later
  messages there only from the post's author.

Mentions, replies that ping the bot and DMs carry their text with the default intents; the other
messages of a thread need ``CITEBOT_MESSAGE_CONTENT`` (without it Discord sends them empty and they
are left alone).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import discord
from discord.ext import commands

from bot.buttons import answer_id_of
from bot.client import CitebotBot
from bot.conversation import context_for, is_chatter, mentions_me, strip_mention, thread_name
from bot.corpora import parent_of
from bot.errors import user_message
from bot.forums import is_watched_forum, post_question
from bot.replies import Reply, answer_reply, reply_to, send_to, text
from bot.service import Answered, AskRequest, CitebotService, TooFast
from bot.shaping import span

log = logging.getLogger("citebot.bot")

WAIT_EMOJI = "⏳"
HOW_TO = "Ask me something after the mention, e.g. `@citebot who praised him?` (or use /ask)."


def replied_answer(message: discord.Message, bot_id: int) -> str | None:
    """The answer id of the bot's message that ``message`` replies to, if it replies to one."""
    ref = message.reference
    target = ref.resolved if ref is not None else None
    if isinstance(target, discord.Message) and target.author.id == bot_id:
        return answer_id_of(target)
    return None


def can_thread(channel: object, me: discord.Member) -> bool:
    """A text channel where the bot may start a public thread and write in it."""
    if not isinstance(channel, discord.TextChannel):
        return False
    perms = channel.permissions_for(me)
    return perms.create_public_threads and perms.send_messages_in_threads


class Messages(commands.Cog):
    def __init__(self, bot: CitebotBot) -> None:
        self.bot = bot

    @property
    def service(self) -> CitebotService:
        return self.bot.service

    # ------------------------------------------------------------------ routing

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        me = self.bot.user
        if me is None or message.author.bot or message.webhook_id is not None:
            return
        if message.guild is None:
            question = strip_mention(message.content, me.id)
            if question and not is_chatter(question):
                await self.answer_here(message, question, follows=replied_answer(message, me.id))
        elif isinstance(message.channel, discord.Thread):
            await self.in_thread(message, message.channel)
        else:
            await self.in_channel(message)

    async def in_channel(self, message: discord.Message) -> None:
        me = self.bot.user
        assert me is not None and message.guild is not None
        explicit, replied = mentions_me(message.content, me.id), replied_answer(message, me.id)
        if not explicit and replied is None:
            return  # not for the bot
        question = strip_mention(message.content, me.id)
        if not question:
            if explicit:
                await reply_to(message, text(HOW_TO))
            return  # a reply without text: nothing to answer
        if replied is not None:
            if not is_chatter(question):
                await self.answer_here(message, question, follows=replied)
            return
        if self.bot.settings.answer_mode == "thread" and can_thread(message.channel, message.guild.me):
            await self.answer_in_new_thread(message, question)
        else:
            await self.answer_here(message, question)

    async def in_thread(self, message: discord.Message, thread: discord.Thread) -> None:
        me = self.bot.user
        assert me is not None
        question = strip_mention(message.content, me.id)
        if is_watched_forum(thread.parent, self.bot.settings.forum_channels):
            if message.id == thread.id:  # the post's first message
                await self.forum_post(message, thread)
                return
            record = await asyncio.to_thread(self.service.threads.get, thread.id)
            if record is not None and message.author.id == thread.owner_id and question and not is_chatter(question):
                await self.follow_up(message, thread, question, solved=True)
            return  # others' messages in a post are theirs to answer
        record = await asyncio.to_thread(self.service.threads.get, thread.id)
        if record is not None:
            if question and not is_chatter(question):
                await self.follow_up(message, thread, question)
            return
        explicit, replied = mentions_me(message.content, me.id), replied_answer(message, me.id)
        if (explicit or replied is not None) and question and not is_chatter(question):
            await self.answer_here(message, question, follows=replied)  # someone else's thread: in place
        elif explicit and not question:
            await reply_to(message, text(HOW_TO))

    # ------------------------------------------------------------------ flows

    async def answer_here(self, message: discord.Message, question: str, *, follows: str | None = None) -> None:
        """Answer as a reply; a reply to an answer is asked with that answer as context."""
        context, exclude = None, frozenset()
        if follows is not None:
            with contextlib.suppress(Exception):  # an expired answer: ask without it
                stored = await self.service.recall(follows)
                context = context_for(question, stored.answer.question)
                exclude = frozenset(span(c) for c in stored.answer.citations)
        via = "dm" if message.guild is None else "mention"
        request = await self.prepare(message, question, context=context, exclude=exclude,
                                     where={"via": via, "follows": follows})
        if request is None:
            return
        answered = await self.run(message, request, message.channel)
        if answered is not None:
            await reply_to(message, answer_reply(self.service, answered))

    async def answer_in_new_thread(self, message: discord.Message, question: str) -> None:
        """A thread on the question, named after it, with the answer inside (a reply if it cannot be made)."""
        request = await self.prepare(message, question, where={"via": "mention"})
        if request is None:
            return
        # recorded first (a thread started on a message has that message's id), so that a quick
        # follow-up already finds the thread citebot's
        await asyncio.to_thread(self.service.threads.open_thread, message.id, "answer", message.author.id)
        try:
            thread = await message.create_thread(name=thread_name(question))
        except discord.HTTPException as exc:  # no permission after all, or the message already has a thread
            log.info("No thread for message %s (%s): replying in place", message.id, exc)
            await asyncio.to_thread(self.service.threads.drop, message.id)
            answered = await self.run(message, request, message.channel)
            if answered is not None:
                await reply_to(message, answer_reply(self.service, answered))
            return
        answered = await self.run(message, request, thread)
        if answered is not None:  # the turn is recorded first: a quick follow-up must already see it
            await self.record_turn(thread.id, answered, message.author.id)
            await send_to(thread, answer_reply(self.service, answered))

    async def follow_up(self, message: discord.Message, thread: discord.Thread, question: str, *,
                        solved: bool = False) -> None:
        """A message in a citebot thread: asked with the conversation, no quote shown twice."""
        conversation = await asyncio.to_thread(self.service.threads.conversation, thread.id)
        request = await self.prepare(
            message, question, context=context_for(question, conversation.last_query), exclude=conversation.shown,
            where={"via": "thread", "thread": thread.id},
        )
        if request is None:
            return
        answered = await self.run(message, request, thread)
        if answered is not None:
            await self.record_turn(thread.id, answered, message.author.id)
            await reply_to(message, answer_reply(self.service, answered, solved=solved))

    async def forum_post(self, message: discord.Message, thread: discord.Thread) -> None:
        """A new forum post: answered once (a resumed gateway may deliver it twice), in its own thread."""
        if not await asyncio.to_thread(self.service.threads.open_thread, thread.id, "forum", thread.owner_id):
            return
        question = post_question(thread.name, message.content)
        request = await self.prepare(message, question, where={"via": "forum", "thread": thread.id})
        if request is None:
            return
        answered = await self.run(message, request, thread)
        if answered is not None:
            await self.record_turn(thread.id, answered, message.author.id)
            await send_to(thread, answer_reply(self.service, answered, solved=True))

    # ------------------------------------------------------------------ steps

    async def prepare(self, message: discord.Message, question: str, **options: object) -> AskRequest | None:
        """``service.prepare``, with refusals told in one line (a cooldown only once per window)."""
        try:
            return self.service.prepare(
                question, asker=message.author.id, guild_id=message.guild.id if message.guild else None,
                channel_id=message.channel.id, parent_id=parent_of(message.channel), **options,  # type: ignore[arg-type]
            )
        except TooFast as cooldown:
            await self.refuse_quietly(message, cooldown)
        except Exception as exc:  # empty / too long / busy
            await reply_to(message, text(user_message(exc, context=f"message {message.id}")))
        return None

    async def run(self, message: discord.Message, request: AskRequest, where: discord.abc.Messageable) -> Answered | None:
        """Answer in a worker thread, "typing…" in ``where`` meanwhile; failures become one reply."""
        try:
            with contextlib.suppress(discord.HTTPException):  # "citebot is typing…" is a nicety
                await where.typing()
            return await self.service.answer(request)
        except Exception as exc:  # CitebotError → its message, anything else → logged apology
            failure = text(user_message(exc, context=f"message {message.id}"))
            if where is message.channel:
                await reply_to(message, failure)
            else:
                await send_to(where, failure)
            return None

    async def record_turn(self, thread_id: int, answered: Answered, asker: int) -> None:
        shown = [span(c) for c in answered.answer.citations]
        await asyncio.to_thread(self.service.threads.add_turn, thread_id, answered.answer_id,
                                answered.answer.question, answered.query, shown, asker)

    async def refuse_quietly(self, message: discord.Message, cooldown: TooFast) -> None:
        """The first refusal of a window is a reply; later ones a ⏳ reaction (if allowed), else nothing."""
        if self.service.cooldowns.first_refusal(message.author.id, cooldown.retry_after):
            await reply_to(message, Reply(content=str(cooldown)))
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
    await bot.add_cog(Messages(bot))
