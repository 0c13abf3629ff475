"""/reindex (Manage Server or CITEBOT_ADMIN_IDS only) and /status."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.cogs.base import ServiceCog
from bot.errors import NO_MENTIONS, NotAdmin, user_message
from bot.formatting import clip_content, reindex_report, status_embed

if TYPE_CHECKING:
    pass

log = logging.getLogger("citebot.bot")


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
        except Exception as exc:
            text = "Reindex failed: " + user_message(exc)
        else:
            text = reindex_report(result.documents, result.chunks, result.seconds, result.skipped)
        try:
            await interaction.followup.send(clip_content(text), allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:  # e.g. the 15-minute interaction token expired
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
