"""/reindex (Manage Server or CITEBOT_ADMIN_IDS only) and /status."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.cogs.base import ServiceCog
from bot.errors import NO_MENTIONS, NotAdmin, token_expired, user_message
from bot.formatting import clip_content, reindex_report, status_embed
from index.errors import CitebotError

log = logging.getLogger("citebot.bot")

PUBLIC_FAILURE = "Reindex failed; the current index keeps answering. The reason was sent to the admin who asked."


def is_admin(interaction: discord.Interaction) -> bool:
    settings = interaction.client.service.settings  # type: ignore[attr-defined]
    if interaction.user.id in settings.admin_ids:
        return True
    if interaction.guild is not None and interaction.permissions.manage_guild:
        return True
    raise NotAdmin()


class AdminCog(ServiceCog):
    @app_commands.command(name="reindex", description="Rebuild the index from the documents folder (admins).")
    @app_commands.check(is_admin)
    async def reindex(self, interaction: discord.Interaction) -> None:
        task = self.service.start_reindex()  # ReindexInProgress → ephemeral refusal, not queued
        await interaction.response.send_message(
            "Rebuilding the index in the background; the current one keeps answering meanwhile.",
            allowed_mentions=NO_MENTIONS,
        )
        try:
            result = await task
        except Exception as exc:  # the reason may name server paths: only the admin who asked sees it
            log.warning("Reindex failed: %s", exc, exc_info=not isinstance(exc, CitebotError))
            await self._tell(interaction, PUBLIC_FAILURE, edit_original=True)
            await self._tell(interaction, "Reindex failed: " + user_message(exc), ephemeral=True)
            return
        text = reindex_report(result.documents, result.chunks, result.seconds, result.skipped)
        await self._tell(interaction, text)

    @staticmethod
    async def _tell(
        interaction: discord.Interaction, text: str, *, ephemeral: bool = False, edit_original: bool = False
    ) -> None:
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

    @app_commands.command(name="status", description="Index size, build time, model and uptime.")
    async def status(self, interaction: discord.Interaction) -> None:
        service = self.service
        embed = status_embed(
            service.info,
            uptime_seconds=service.uptime,
            reindexing=service.reindexing,
            problem=service.problem,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)
