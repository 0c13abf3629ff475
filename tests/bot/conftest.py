"""Fixtures for the Discord layer: a fake engine, a fake Discord, and a real bot wired to both."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import discord
import pytest
from discord.ext import commands

from bot.client import create_bot
from bot.service import CitebotService
from bot.settings import BotSettings
from index.answer import Answer, Citation, Passage
from index.engine import IndexInfo
from fake_discord import GUILD_ID, FakeDiscord

TOKEN = "FAKE.token-never-to-be-logged.0123456789"

FIRE_DOC = (
    "Paris Fire Brigade, annual notes.\n"
    "The fire started at 3 a.m. in the kitchen of the bakery on Rue Mouffetard.\n"
    "Forty firefighters answered the call within eight minutes.\n"
)
EVERYONE_DOC = (
    "Bulletin board.\n"
    "@everyone must leave the building now. Tell <@123456789012345678> too, "
    "and read [the rules](http://evil.example/x) first.\n"
)
LONG_SENTENCE = "The brigade kept a careful record of every call it answered that winter, street by street. "
LONG_DOC = "Long report.\n" + LONG_SENTENCE * 120
DOCS = {"fire.txt": FIRE_DOC, "board.txt": EVERYONE_DOC, "long-report.txt": LONG_DOC}


def cite(source: str, quote: str, score: float = 0.9) -> Citation:
    text = DOCS[source]
    start = text.index(quote)
    line = text.count("\n", 0, start) + 1
    return Citation(quote=quote, source=source, line=line, char_start=start, char_end=start + len(quote), score=score)


def passage(source: str, text: str, score: float = 0.5) -> Passage:
    doc = DOCS[source]
    start = doc.index(text)
    return Passage(text=text, source=source, char_start=start, char_end=start + len(text), score=score,
                   line=doc.count("\n", 0, start) + 1)


FIRE_QUOTE = "The fire started at 3 a.m. in the kitchen of the bakery on Rue Mouffetard."
EVERYONE_QUOTE = EVERYONE_DOC.splitlines()[1]


def fake_answer(question: str) -> Answer:
    """Deterministic answers keyed on words of the question."""
    q = question.lower()
    if "everyone" in q:
        c = cite("board.txt", EVERYONE_QUOTE)
        return Answer(question, False, [c], [passage("board.txt", EVERYONE_QUOTE, 0.8)])
    if "long" in q:
        quote = LONG_DOC[len("Long report.\n"):].rstrip()
        cites = [cite("long-report.txt", quote, 0.8 - i / 10) for i in range(3)]
        passages = [passage("long-report.txt", quote, 0.8 - i / 10) for i in range(10)]
        return Answer(question, False, cites, passages)
    if "weather" in q or "unknown" in q:
        return Answer(question, True, [], [passage("fire.txt", FIRE_DOC.splitlines()[2] + "\n", 0.2),
                                           passage("long-report.txt", LONG_SENTENCE.strip(), 0.1)])
    c = cite("fire.txt", FIRE_QUOTE)
    return Answer(question, False, [c], [passage("fire.txt", FIRE_QUOTE, 0.9), passage("fire.txt", "Forty firefighters answered the call within eight minutes.", 0.4)])


class FakeEngine:
    """Same surface as index.engine.Engine: ask(question, k), info, embedder."""

    def __init__(self, *, delay: float = 0.0, documents: int = 3, chunks: int = 42, embedder: Any = None) -> None:
        self.delay = delay
        self.embedder = embedder if embedder is not None else object()
        self.info = IndexInfo(
            index_dir=Path("/nonexistent/index"),
            documents=documents,
            chunks=chunks,
            built_at="2024-05-01T12:00:00+00:00",
            model="fake-minilm",
            backend="torch",
        )
        self.questions: list[str] = []
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()

    def ask(self, question: str, k: int | None = None) -> Answer:
        with self._lock:
            self.questions.append(question)
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            if self.delay:
                time.sleep(self.delay)  # CPU-bound stand-in: blocks its worker thread, not the loop
            return fake_answer(question)
        finally:
            with self._lock:
                self.active -= 1


class FakeBuilder:
    """Stands in for index.builder.build_index; ``gate`` lets a test hold the build open."""

    def __init__(self) -> None:
        self.calls: list[Any] = []  # the embedder passed each time
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self, settings: BotSettings, embedder: Any) -> SimpleNamespace:
        self.calls.append(embedder)
        self.gate.wait(10)
        return SimpleNamespace(documents=4, chunks=57, skipped=[], seconds=0.01, chunks_per_second=5700.0)


class FakeOpener:
    def __init__(self) -> None:
        self.calls: list[Any] = []
        self.engines: list[FakeEngine] = []

    def __call__(self, settings: BotSettings, embedder: Any) -> FakeEngine:
        self.calls.append(embedder)
        engine = FakeEngine(documents=4, chunks=57, embedder=embedder)
        self.engines.append(engine)
        return engine


@pytest.fixture(autouse=True)
def _restore_discord_globals() -> Any:
    """create_bot() points discord.py's class-wide endpoints at the fake; undo that after each test."""
    base = discord.http.Route.BASE
    gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    yield
    discord.http.Route.BASE = base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    fake = await FakeDiscord(heartbeat_interval=0.25).start()
    try:
        yield fake
    finally:
        await fake.close()


def bot_settings(fake: FakeDiscord, tmp_path: Path, **overrides: Any) -> BotSettings:
    values: dict[str, Any] = {
        "discord_token": TOKEN,
        "discord_api_base": fake.api_base,
        "discord_gateway": fake.gateway_url,
        "guild_id": GUILD_ID,
        "feedback_db": tmp_path / "feedback.sqlite3",
        "docs_dir": tmp_path / "docs",
        "index_dir": tmp_path / "index",
        "cooldown_rate": 1000,
        "cooldown_seconds": 60,
        "max_concurrent_asks": 4,
    }
    values.update(overrides)
    return BotSettings(_env_file=None, **values)


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
        try:
            await asyncio.wait_for(task, 10)
        except (asyncio.CancelledError, Exception):
            pass
