"""Reply helpers every way in shares: an answer as (embed, view), and delivering text or an answer
to a message or an interaction without ever raising or pinging.

The formatting itself is pure (``bot.formatting``); this module is where it meets Discord.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord

from bot.buttons import answer_view
from bot.errors import NO_MENTIONS
from bot.formatting import answer_embed, clip_content

if TYPE_CHECKING:
    from bot.service import Answered, CitebotService

log = logging.getLogger("citebot.bot")


@dataclass(slots=True)
class Reply:
    embed: discord.Embed | None = None
    view: discord.ui.View | None = None
    content: str | None = None

    def kwargs(self) -> dict:
        out: dict = {"allowed_mentions": NO_MENTIONS}
        if self.content is not None:
            out["content"] = clip_content(self.content)
        if self.embed is not None:
            out["embed"] = self.embed
        if self.view is not None:
            out["view"] = self.view
        return out


def answer_reply(service: CitebotService, answered: Answered, *, post: bool = False, solved: bool = False) -> Reply:
    """The embed of a stored answer and its persistent buttons (``post``: "Post in channel" for a private
    answer; ``solved``: "Solved" for a forum post)."""
    settings = service.settings
    embed = answer_embed(answered.answer, answer_id=answered.answer_id, docs_base_url=settings.docs_base_url)
    view = answer_view(
        answered.answer_id,
        quotes=bool(answered.answer.citations) and not answered.answer.abstained,
        sections=service.has_sections(answered),
        has_more=bool(answered.more),
        helper=settings.helper_role_id,
        post=post,
        solved=solved,
    )
    return Reply(embed=embed, view=view)


def text(content: str) -> Reply:
    return Reply(content=content)


async def reply_to(message: discord.Message, reply: Reply) -> discord.Message | None:
    """Reply to ``message`` (no ping of its author); where a reply is not allowed (no Read Message History)
    the answer is posted in the channel instead; None, logged, if Discord refused that too."""
    try:
        return await message.reply(mention_author=False, **reply.kwargs())
    except discord.Forbidden:
        log.info("No reply allowed in channel %s (Read Message History?): posting instead", message.channel.id)
        return await send_to(message.channel, reply)
    except discord.HTTPException:
        log.warning("Could not reply to message %s", message.id, exc_info=True)
        return None


async def send_to(channel: discord.abc.Messageable, reply: Reply) -> discord.Message | None:
    try:
        return await channel.send(**reply.kwargs())
    except discord.HTTPException:
        log.warning("Could not post in channel %s", getattr(channel, "id", "?"), exc_info=True)
        return None


async def finish_deferred(interaction: discord.Interaction, reply: Reply) -> None:
    """Replace the "thinking…" of a deferred interaction with ``reply``."""
    kwargs = reply.kwargs()
    kwargs.setdefault("content", None)
    kwargs.setdefault("embed", None)
    await interaction.edit_original_response(**kwargs)
