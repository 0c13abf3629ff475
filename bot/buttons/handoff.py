"""Buttons that hand an answer on: **Post in channel** (an answer only its asker saw), **Ask a helper**
(the asker pings ``CITEBOT_HELPER_ROLE_ID`` once when citebot abstained), and **Solved** (a forum
post's author applies the forum's Solved/Resolved tag)."""

from __future__ import annotations

import discord

from bot.buttons._base import ANSWER_ID, CitebotButton, Interaction, service_of
from bot.errors import NO_MENTIONS
from bot.formatting import answer_embed, clip_content, escape, shorten
from bot.forums import solved_tag

ONLY_ASKER = "Only the person who asked can do that."


async def _is_asker(interaction: Interaction, asker_hash: str | None) -> bool:
    service = service_of(interaction)
    return asker_hash is not None and asker_hash == service.store.user_hash(interaction.user.id)


class PostInChannelButton(CitebotButton, template=rf"citebot:post:{ANSWER_ID}"):
    prefix = "citebot:post"

    @classmethod
    def make(cls, *, answer_id: str) -> PostInChannelButton:  # type: ignore[override]
        return cls(label="Post in channel", emoji="📣", style=discord.ButtonStyle.primary, answer_id=answer_id, row=1)

    async def run(self, interaction: Interaction) -> None:
        from bot.buttons import answer_view

        service = service_of(interaction)
        stored = await service.recall(self.values["answer_id"])
        if not await service.claim(stored.answer_id, "posted"):
            await interaction.response.send_message("That answer is already posted.", ephemeral=True,
                                                    allowed_mentions=NO_MENTIONS)
            return
        embed = answer_embed(stored.answer, answer_id=stored.answer_id, docs_base_url=service.settings.docs_base_url)
        embed.set_author(name=shorten(f"Asked by {interaction.user.display_name} with Apps → Ask citebot", 256))
        view = answer_view(stored.answer_id, helper=service.settings.helper_role_id if stored.answer.abstained else None,
                           has_more=bool(stored.more), sections=service.has_sections(stored))
        await interaction.response.send_message(embed=embed, view=view, allowed_mentions=NO_MENTIONS)


class AskHelperButton(CitebotButton, template=rf"citebot:helper:{ANSWER_ID}"):
    prefix = "citebot:helper"

    @classmethod
    def make(cls, *, answer_id: str) -> AskHelperButton:  # type: ignore[override]
        return cls(label="Ask a helper", emoji="🙋", style=discord.ButtonStyle.primary, answer_id=answer_id, row=1)

    async def run(self, interaction: Interaction) -> None:
        service = service_of(interaction)
        role_id = service.settings.helper_role_id
        stored = await service.recall(self.values["answer_id"])
        if role_id is None:
            await interaction.response.send_message("No helper role is set up here.", ephemeral=True,
                                                    allowed_mentions=NO_MENTIONS)
            return
        if not await _is_asker(interaction, stored.asker_hash):
            await interaction.response.send_message(ONLY_ASKER, ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        if not await service.claim(stored.answer_id, "helper"):
            await interaction.response.send_message("A helper was already asked for this question.", ephemeral=True,
                                                    allowed_mentions=NO_MENTIONS)
            return
        question = shorten(" ".join(stored.answer.question.split()), 1500, escape)
        text = clip_content(
            f"<@&{role_id}> the documents do not answer this question from {interaction.user.mention}: “{question}”"
        )
        only_that_role = discord.AllowedMentions(everyone=False, users=False, roles=[discord.Object(id=role_id)],
                                                 replied_user=False)
        await interaction.response.send_message(text, allowed_mentions=only_that_role)


class SolvedButton(CitebotButton, template=rf"citebot:solved:{ANSWER_ID}"):
    prefix = "citebot:solved"

    @classmethod
    def make(cls, *, answer_id: str) -> SolvedButton:  # type: ignore[override]
        return cls(label="Solved", emoji="✅", style=discord.ButtonStyle.success, answer_id=answer_id, row=1)

    async def run(self, interaction: Interaction) -> None:
        thread = interaction.channel
        if not isinstance(thread, discord.Thread) or not isinstance(thread.parent, discord.ForumChannel):
            await interaction.response.send_message("This only works in a forum post.", ephemeral=True,
                                                    allowed_mentions=NO_MENTIONS)
            return
        if interaction.user.id != thread.owner_id:
            await interaction.response.send_message("Only the author of this post can mark it solved.",
                                                    ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        tag = solved_tag(thread.parent)
        if tag is None:
            await interaction.response.send_message(
                "Glad it helped! This forum has no “Solved” or “Resolved” tag to apply.", ephemeral=True,
                allowed_mentions=NO_MENTIONS)
            return
        if tag in thread.applied_tags:
            await interaction.response.send_message("This post is already marked solved.", ephemeral=True,
                                                    allowed_mentions=NO_MENTIONS)
            return
        try:
            await thread.add_tags(tag, reason="marked solved by its author")
        except discord.Forbidden:
            await interaction.response.send_message(
                "I may not tag posts here (citebot needs Manage Threads for that); a moderator can add the tag.",
                ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        await interaction.response.send_message(f"Marked solved ({tag.name}).", allowed_mentions=NO_MENTIONS)
