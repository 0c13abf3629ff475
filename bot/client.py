"""The Discord client: a ``commands.Bot`` (or ``AutoShardedBot`` when ``shard_count`` is set).

``setup_hook`` opens the engine (in a thread), registers the persistent buttons,
loads the cogs and syncs the slash commands (to ``guild_id`` only when set).
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

from bot.cogs.admin import AdminCog
from bot.cogs.ask import AskCog
from bot.cogs.mentions import MentionCog
from bot.errors import NO_MENTIONS, DiscordUnreachable, one_line, report_error
from bot.service import CitebotService
from bot.settings import BotSettings
from bot.views import DYNAMIC_ITEMS

log = logging.getLogger("citebot.bot")


def apply_endpoints(settings: BotSettings) -> None:
    """Point discord.py at ``discord_api_base`` / ``discord_gateway`` (class-wide settings of the library)."""
    discord.http.Route.BASE = settings.discord_api_base.rstrip("/")
    if settings.discord_gateway:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway)


def make_intents(settings: BotSettings) -> discord.Intents:
    intents = discord.Intents.default()  # guilds, guild + DM messages, …; never members/presences
    intents.message_content = settings.message_content
    return intents


class CitebotTree(app_commands.CommandTree):
    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError, /) -> None:
        await report_error(interaction, error)


class CitebotMixin:
    """Shared by the plain and the auto-sharded bot."""

    def __init__(self, settings: BotSettings, service: CitebotService | None = None, **options: Any) -> None:
        self.settings = settings
        self.service = service or CitebotService(settings)
        options.setdefault("intents", make_intents(settings))
        super().__init__(  # type: ignore[call-arg]
            command_prefix=commands.when_mentioned,
            help_command=None,
            allowed_mentions=NO_MENTIONS,
            tree_cls=CitebotTree,
            **options,
        )

    async def login(self, token: str) -> None:
        """The library's login, with its first request (GET /users/@me) bounded by ``connect_timeout``
        and a DNS or connection failure turned into ``DiscordUnreachable`` (one line, no traceback)."""
        http = self.http  # type: ignore[attr-defined]
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

        http.static_login = bounded
        try:
            await super().login(token)  # type: ignore[misc]
        finally:
            del http.static_login

    async def setup_hook(self) -> None:
        await self.service.start()
        self.add_dynamic_items(*DYNAMIC_ITEMS)  # type: ignore[attr-defined]
        await self.add_cog(AskCog(self))  # type: ignore[attr-defined,arg-type]
        await self.add_cog(AdminCog(self))  # type: ignore[attr-defined,arg-type]
        if self.settings.message_content:
            await self.add_cog(MentionCog(self))  # type: ignore[attr-defined,arg-type]
        if self.settings.sync_commands:
            await self.sync_commands()

    async def sync_commands(self) -> list[app_commands.AppCommand]:
        tree: app_commands.CommandTree = self.tree  # type: ignore[attr-defined]
        if self.settings.guild_id:
            guild = discord.Object(id=self.settings.guild_id)
            tree.copy_global_to(guild=guild)
            synced = await tree.sync(guild=guild)
            log.info("Synced %d commands to guild %s", len(synced), self.settings.guild_id)
        else:
            synced = await tree.sync()
            log.info("Synced %d global commands (they can take a while to appear)", len(synced))
        return synced

    async def close(self) -> None:
        await self.service.close()
        await super().close()  # type: ignore[misc]

    async def on_ready(self) -> None:
        user = self.user  # type: ignore[attr-defined]
        log.info("Connected as %s (id %s) to %d servers", user, getattr(user, "id", "?"), len(self.guilds))  # type: ignore[attr-defined]

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: mentions are handled by MentionCog's listener."""


class CitebotBot(CitebotMixin, commands.Bot):
    pass


class ShardedCitebotBot(CitebotMixin, commands.AutoShardedBot):
    pass


def create_bot(settings: BotSettings, service: CitebotService | None = None, **options: Any) -> commands.Bot:
    """The bot for these settings; ``options`` go to ``discord.Client`` (e.g. ``guild_ready_timeout``)."""
    apply_endpoints(settings)
    # a text-only bot: no "PyNaCl / davey is not installed, voice will NOT be supported" warnings
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False
    if settings.shard_count:
        return ShardedCitebotBot(settings, service, shard_count=settings.shard_count, **options)
    return CitebotBot(settings, service, **options)
