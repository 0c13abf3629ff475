"""The bot's own errors and the ONE place that turns any error into a reply.

``CommandTree.on_error`` (application commands), the button callbacks and the message
listeners all go through :func:`user_message` and :func:`report_error`: a
``CitebotError`` becomes its one-line message, a check failure a polite refusal,
anything else a short apology plus a logged traceback.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from index.errors import CitebotError

log = logging.getLogger("citebot.bot")

NO_MENTIONS = discord.AllowedMentions.none()
APOLOGY = "Sorry, something went wrong while handling that. The error has been logged."


class ReindexInProgress(CitebotError):
    def __init__(self) -> None:
        super().__init__("A reindex is already running; this one was not queued. Try again when it has finished.")


class NoIndexLoaded(CitebotError):
    def __init__(self) -> None:
        super().__init__("No index is loaded yet: an admin can build one with /reindex.")


class AnswerExpired(CitebotError):
    def __init__(self) -> None:
        super().__init__("That answer is no longer stored, so its sources and votes are unavailable. Ask again?")


class DiscordUnreachable(CitebotError):
    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"cannot reach Discord at {where}: {reason}")


class NotAdmin(app_commands.CheckFailure):
    def __init__(self) -> None:
        super().__init__(
            "Sorry, only members with the Manage Server permission (or configured admins) can do that."
        )


def one_line(error: BaseException) -> str:
    """The first line of an exception's text, or its type's name when it has none."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def user_message(error: BaseException, *, context: str = "") -> str:
    """The one-line text shown to the user for ``error`` (logs unexpected errors with their traceback)."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, NotAdmin):
        return str(error)
    if isinstance(error, app_commands.NoPrivateMessage):
        return "That command only works in a server."
    if isinstance(error, app_commands.CheckFailure):
        return "Sorry, you can't use that command here."
    if isinstance(error, CitebotError):
        return str(error).splitlines()[0] if str(error) else type(error).__name__
    log.error("Unexpected error%s", f" in {context}" if context else "", exc_info=(type(error), error, error.__traceback__))
    return APOLOGY


async def send_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """Tell the user ``text`` however the interaction currently stands; never raises."""
    from bot.formatting import clip_content

    text = clip_content(text)
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        elif interaction.response.type is discord.InteractionResponseType.deferred_channel_message:
            await interaction.edit_original_response(
                content=text, embed=None, view=None, allowed_mentions=NO_MENTIONS
            )
        else:
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
    except Exception:  # HTTPException, or a connection already closed at shutdown
        log.warning("Could not deliver an error message for interaction %s", interaction.id, exc_info=True)


INVALID_WEBHOOK_TOKEN = 50027
UNKNOWN_WEBHOOK = 10015
UNKNOWN_INTERACTION = 10062


def token_expired(exc: discord.HTTPException) -> bool:
    """Discord's answer to a follow-up or edit after the interaction's 15-minute token ran out."""
    return exc.code in (INVALID_WEBHOOK_TOKEN, UNKNOWN_WEBHOOK) or exc.status == 401


def describe(interaction: discord.Interaction) -> str:
    """"/ask", "button citebot:src:…" — for log lines."""
    if interaction.command is not None:
        return f"/{interaction.command.qualified_name}"
    custom_id = (interaction.data or {}).get("custom_id")
    return f"button {custom_id}" if custom_id else f"interaction {interaction.id}"


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    await send_ephemeral(interaction, user_message(error, context=describe(interaction)))
