"""Fixtures for the Discord layer: a fake engine, a fake Discord, and a real bot wired to both."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import discord
import pytest
from botfakes import TOKEN, FakeBuilder, FakeEngine, FakeOpener, bot_settings
from discord.ext import commands
from fake_discord import FakeDiscord

from bot.client import create_bot
from bot.feedback import FeedbackStore
from bot.service import CitebotService


@pytest.fixture(autouse=True)
def _restore_discord_globals() -> Any:
    """create_bot() points discord.py's class-wide endpoints at the fake; undo that after each test."""
    base = discord.http.Route.BASE
    gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    yield
    discord.http.Route.BASE = base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway


@pytest.fixture
def fake_options() -> dict[str, Any]:
    """Keyword arguments of the test's FakeDiscord (override with ``@pytest.mark.parametrize``)."""
    return {}


@pytest.fixture
async def fake_discord(fake_options: dict[str, Any]) -> AsyncIterator[FakeDiscord]:
    fake = await FakeDiscord(heartbeat_interval=0.25, **fake_options).start()
    try:
        yield fake
    finally:
        await fake.close()


@pytest.fixture(params=["sqlite", "postgres"])
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[..., FeedbackStore]:
    """``new_store(**kw)`` → a feedback store, not yet initialised: SQLite in tmp_path, or PostgreSQL in a
    new database of the session's server (the same database, and key file, for every call of one test:
    a second store is a restart, or another replica)."""

    def make(**kw: Any) -> FeedbackStore:
        if request.param == "sqlite":
            return FeedbackStore(tmp_path / "fb.sqlite3", **kw)
        from bot.feedback.postgres import PostgresFeedbackStore

        return PostgresFeedbackStore(request.getfixturevalue("pg_dsn"), key_file=tmp_path / "fb.key", **kw)

    return make


@pytest.fixture
def fake_builder() -> FakeBuilder:
    return FakeBuilder()


@pytest.fixture
def fake_opener() -> FakeOpener:
    return FakeOpener()


StartBot = Callable[..., Awaitable[commands.Bot]]


@pytest.fixture
async def start_bot(
    fake_discord: FakeDiscord, tmp_path: Path, fake_builder: FakeBuilder, fake_opener: FakeOpener
) -> AsyncIterator[StartBot]:
    """``await start_bot(engine=None, **settings)`` → a real bot connected to the fake and ready."""
    running: list[tuple[commands.Bot, asyncio.Task[None]]] = []

    async def start(engine: Any = None, *, service: CitebotService | None = None, **overrides: Any) -> commands.Bot:
        settings = bot_settings(fake_discord, tmp_path, **overrides)
        if service is None:
            service = CitebotService(
                settings, engine if engine is not None else FakeEngine(), builder=fake_builder, opener=fake_opener
            )
        bot = create_bot(settings, service, guild_ready_timeout=0.05)
        task = asyncio.create_task(bot.start(TOKEN), name="bot-under-test")
        running.append((bot, task))
        deadline = time.monotonic() + 15
        while not bot.is_ready():
            if task.done():
                task.result()  # raises what went wrong
                raise AssertionError("bot stopped before it was ready")
            if time.monotonic() > deadline:
                raise AssertionError("bot not ready after 15 s")
            await asyncio.sleep(0.02)
        return bot

    yield start
    for bot, task in running:
        await asyncio.wait_for(bot.close(), 10)
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(task, 10)
    assert fake_discord.unanswered() == [], "the bot called routes the fake does not implement"
    if not getattr(fake_discord, "expect_refusals", False):
        refused = [(r.method, r.path, r.status, r.error_code, r.problems) for r in fake_discord.refused()]
        assert refused == [], "Discord would have refused these requests"
