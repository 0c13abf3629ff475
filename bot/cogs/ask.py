"""/ask: defer at once, answer in a worker thread, edit the deferred reply with the embed."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.cogs.base import ServiceCog
from bot.errors import NO_MENTIONS
from bot.formatting import answer_embed
from bot.views import answer_view

if TYPE_CHECKING:
    from bot.admission import Ticket
    from bot.service import CitebotService


async def answer_reply(
    service: CitebotService, question: str, *, ticket: Ticket, asker: int
) -> tuple[discord.Embed, discord.ui.View]:
    """Ask (in the place ``ticket`` holds), store the answer for its buttons, and format it: (embed, view)."""
    answer = await service.ask(question, ticket=ticket)
    answer_id = await service.remember(answer, asker=asker)
    embed = answer_embed(answer, answer_id=answer_id, docs_base_url=service.settings.docs_base_url)
    return embed, answer_view(answer_id)


def retry_after(service: CitebotService, user_id: int) -> app_commands.CommandOnCooldown | None:
    wait = service.cooldowns.hit(user_id)
    if wait <= 0:
        return None
    cooldown = app_commands.Cooldown(service.cooldowns.rate, service.cooldowns.per)
    return app_commands.CommandOnCooldown(cooldown, wait)


def per_user_cooldown(interaction: discord.Interaction) -> bool:
    error = retry_after(interaction.client.service, interaction.user.id)  # type: ignore[attr-defined]
    if error is not None:
        raise error
    return True


class AskCog(ServiceCog):
    @app_commands.command(name="ask", description="Ask the documents a question; the answer quotes them verbatim.")
    @app_commands.describe(question="What do you want to know?")
    @app_commands.check(per_user_cooldown)
    async def ask(self, interaction: discord.Interaction, question: str) -> None:
        question = self.service.check_question(question)  # too long / empty → polite ephemeral refusal
        ticket = self.service.admit(interaction.guild_id)  # queue full → "busy", ephemeral, at once
        try:
            await interaction.response.defer(thinking=True)
        except BaseException:
            ticket.cancel()
            raise
        embed, view = await answer_reply(self.service, question, ticket=ticket, asker=interaction.user.id)
        await interaction.edit_original_response(embed=embed, view=view, allowed_mentions=NO_MENTIONS)
