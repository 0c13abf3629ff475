"""/reindex (Manage Server or CITEBOT_ADMIN_IDS only) and /status, for the caller's corpus."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import CitebotBot
from bot.corpora import place
from bot.errors import NO_MENTIONS, NotAdmin, token_expired, user_message
from bot.formatting import clip_content, reindex_report, status_embed
from index.errors import CitebotError

log = logging.getLogger("citebot.bot")

Interaction = discord.Interaction[CitebotBot]
PUBLIC_FAILURE = "Reindex failed; the current index keeps answering. The reason was sent to the admin who asked."


def is_admin(interaction: Interaction) -> bool:
    if interaction.user.id in interaction.client.settings.admin_ids:
        return True
    if interaction.guild is not None and interaction.permissions.manage_guild:
        return True
    raise NotAdmin()


class Admin(commands.Cog):
    def __init__(self, bot: CitebotBot) -> None:
        self.bot = bot

    @app_commands.command(name="reindex", description="Rebuild this server's index from its documents folder (admins).")
    @app_commands.check(is_admin)
    async def reindex(self, interaction: Interaction) -> None:
        service = self.bot.service
        slot = service.corpus_for(*place(interaction))  # this one only: other corpora keep answering
        task = slot.start_reindex()  # ReindexInProgress → private refusal
        of = f" of corpus `{slot.name}`" if len(service.corpora) > 1 else ""
        await interaction.response.send_message(
            f"Rebuilding the index{of} in the background; the current one keeps answering meanwhile.",
            allowed_mentions=NO_MENTIONS,
        )
        try:
            result = await task
        except Exception as exc:  # the reason may name server paths: only the admin who asked sees it
            log.warning("Reindex of corpus %s failed: %s", slot.name, exc, exc_info=not isinstance(exc, CitebotError))
            await tell(interaction, PUBLIC_FAILURE, edit_original=True)
            await tell(interaction, "Reindex failed: " + user_message(exc), ephemeral=True)
            return
        await tell(interaction, reindex_report(result.documents, result.chunks, result.seconds, result.skipped,
                                               corpus=slot.name if of else None))

    @app_commands.command(name="status", description="This server's corpus: documents, indexed commit, model, uptime.")
    async def status(self, interaction: Interaction) -> None:
        service = self.bot.service
        corpus = service.corpus_for(*place(interaction))
        embed = status_embed(
            corpus.info, uptime_seconds=service.uptime, reindexing=corpus.reindexing, problem=corpus.problem,
            corpus=corpus.name,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)


async def tell(interaction: Interaction, text: str, *, ephemeral: bool = False, edit_original: bool = False) -> None:
    """Report through the interaction; once its 15-minute token has expired (a long rebuild), public
    news goes to the channel and private news to the admin's DMs."""
    text = clip_content(text)
    try:
        if edit_original:
            await interaction.edit_original_response(content=text, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.followup.send(text, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS)
        return
    except discord.HTTPException as exc:
        if not token_expired(exc):
            log.warning("Could not report the reindex result: %s", text, exc_info=True)
            return
    try:
        if ephemeral:
            await interaction.user.send(text, allowed_mentions=NO_MENTIONS)
        elif isinstance(interaction.channel, discord.abc.Messageable):
            await interaction.channel.send(text, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException:
        log.warning("Could not report the reindex result: %s", text, exc_info=True)


async def setup(bot: CitebotBot) -> None:
    await bot.add_cog(Admin(bot))
