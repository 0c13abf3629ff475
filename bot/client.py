"""The Discord client: ``CitebotBot`` (a ``commands.Bot`` that holds the service) and its auto-sharded
twin. ``setup_hook`` starts the service (engine opened in a thread), loads every extension of
``bot.exts`` (``extensions.walk_extensions``) and syncs the application commands (to ``guild_id``
only, when set).

Extensions and views read the service as ``interaction.client.service`` with
``discord.Interaction[CitebotBot]``, typed: no ``# type: ignore``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.errors import NO_MENTIONS, DiscordUnreachable, one_line, report_error
from bot.extensions import walk_extensions
from bot.service import CitebotService
from bot.settings import BotSettings

log = logging.getLogger("citebot.bot")


def apply_endpoints(settings: BotSettings) -> None:
    """Point discord.py at ``discord_api_base`` / ``discord_gateway`` (class-wide settings of the library)."""
    discord.http.Route.BASE = settings.discord_api_base.rstrip("/")
    if settings.discord_gateway:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway)


def make_intents(settings: BotSettings) -> discord.Intents:
    """The default intents (guilds, guild and DM messages, …; never members or presences). Messages that
    mention the bot, reply to it with a ping, or are DMs carry their content without the privileged
    Message Content intent; ``message_content`` adds it (for follow-ups in threads that do neither)."""
    intents = discord.Intents.default()
    intents.message_content = settings.message_content
    return intents


class CitebotTree(app_commands.CommandTree):
    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError, /) -> None:
        await report_error(interaction, error)


class CitebotBot(commands.Bot):
    """The bot with its settings and its service (``bot.service``), for every extension to use."""

    def __init__(self, settings: BotSettings, service: CitebotService | None = None, **options: Any) -> None:
        self.settings = settings
        self.service = service or CitebotService(settings)
        options.setdefault("intents", make_intents(settings))
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            allowed_mentions=NO_MENTIONS,
            tree_cls=CitebotTree,
            **options,
        )

    async def login(self, token: str) -> None:
        """The library's login, with its first request (GET /users/@me) bounded by ``connect_timeout``
        and a DNS or connection failure turned into ``DiscordUnreachable`` (one line, no traceback)."""
        http = self.http
        static_login = http.static_login
        timeout = self.settings.connect_timeout
        where = self.settings.discord_api_base

        async def bounded(token: str) -> Any:
            try:
                return await asyncio.wait_for(static_login(token), timeout)
            except TimeoutError:
                raise DiscordUnreachable(where, f"no answer within {timeout:g} s") from None
            except (aiohttp.ClientConnectionError, OSError) as exc:
                raise DiscordUnreachable(where, one_line(exc)) from None

        http.static_login = bounded  # type: ignore[method-assign]
        try:
            await super().login(token)
        finally:
            del http.static_login

    async def setup_hook(self) -> None:
        await self.service.start()
        for name in walk_extensions():
            await self.load_extension(name)
        if self.settings.sync_commands:
            await self.sync_commands()

    async def sync_commands(self) -> list[app_commands.AppCommand]:
        if self.settings.guild_id:
            guild = discord.Object(id=self.settings.guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("Synced %d commands to guild %s", len(synced), self.settings.guild_id)
        else:
            synced = await self.tree.sync()
            log.info("Synced %d global commands (they can take a while to appear)", len(synced))
        return synced

    async def close(self) -> None:
        await self.service.close()
        await super().close()

    async def on_ready(self) -> None:
        user = self.user
        log.info("Connected as %s (id %s) to %d servers", user, getattr(user, "id", "?"), len(self.guilds))

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: messages are handled by the ``mentions`` extension's listener."""


class ShardedCitebotBot(CitebotBot, commands.AutoShardedBot):
    """The same bot over several gateway connections (``CITEBOT_SHARD_COUNT``)."""


def create_bot(settings: BotSettings, service: CitebotService | None = None, **options: Any) -> CitebotBot:
    """The bot for these settings; ``options`` go to ``discord.Client`` (e.g. ``guild_ready_timeout``)."""
    apply_endpoints(settings)
    # a text-only bot: no "PyNaCl / davey is not installed, voice will NOT be supported" warnings
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False
    if settings.shard_count:
        if settings.shard_ids:  # one replica's share of the shards
            options["shard_ids"] = sorted(set(settings.shard_ids))
        return ShardedCitebotBot(settings, service, shard_count=settings.shard_count, **options)
    return CitebotBot(settings, service, **options)
