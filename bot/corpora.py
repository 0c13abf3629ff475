"""One corpus the bot answers from: its engine, why it has none, and its rebuild.

The service holds one ``CorpusSlot`` per corpus name: ``default`` (``CITEBOT_DOCS_DIR`` /
``CITEBOT_INDEX_DIR``) and each corpus of ``CITEBOT_CORPORA`` (``bot.corpus_config``), each with its
own settings (docs folder, index directory, repository URL), engine, source paths and reindex.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from bot.corpus_config import DEFAULT_CORPUS  # noqa: F401 - re-exported: the service names it from here
from bot.errors import NoIndexLoaded, ReindexInProgress
from bot.settings import BotSettings
from index.errors import CitebotError
from index.query import context
from index.query.answer import Answer
from index.query.engine import IndexInfo

log = logging.getLogger("citebot.bot")

CHOICE_VALUE_LIMIT = 100  # Discord's longest autocomplete choice value


class EngineLike(Protocol):
    info: IndexInfo
    embedder: Any

    def ask(self, question: str, k: int | None = None) -> Answer: ...


OpenEngine = Callable[[BotSettings, Any], EngineLike]
BuildIndex = Callable[[BotSettings, Any], Any]  # -> BuildReport(documents, chunks, skipped, seconds, ...)


def parent_of(channel: object) -> int | None:
    """The channel a thread or forum post belongs to (a channel mapping covers its threads)."""
    parent = getattr(channel, "parent_id", None)
    return parent if isinstance(parent, int) else None


def place(interaction: Any) -> tuple[int | None, int | None, int | None]:
    """(guild, channel, parent channel) of an interaction: what ``corpus_for`` needs."""
    return interaction.guild_id, interaction.channel_id, parent_of(interaction.channel)


@dataclass(frozen=True, slots=True)
class ReindexResult:
    documents: int
    chunks: int
    skipped: int
    seconds: float  # build + open, wall clock


class CorpusSlot:
    def __init__(
        self,
        name: str,
        settings: BotSettings,
        engine: EngineLike | None,
        *,
        opener: OpenEngine,
        builder: BuildIndex,
    ) -> None:
        self.name = name
        self.settings = settings
        self._engine = engine
        self._opener = opener
        self._builder = builder
        self._load_error: CitebotError | None = None
        self._reindex_task: asyncio.Task[ReindexResult] | None = None
        self._paths: tuple[object, list[str]] | None = None  # (engine, its documents and folders)

    async def open(self) -> None:
        """Open the engine (in a thread) unless one was given; a missing or refused index is kept as the
        reason, and the bot keeps running: /reindex can build one."""
        if self._engine is None:
            try:
                self._engine = await asyncio.to_thread(self._opener, self.settings, None)
            except CitebotError as exc:  # IndexNotFound, ModelMismatch, CorruptIndex…
                self._load_error = exc
                log.warning("No index loaded for corpus %s: %s", self.name, exc)
                return
            log.info("Index loaded for corpus %s: %s", self.name, self._engine.info)
        await asyncio.to_thread(self.paths)  # the source picker's list, made off the event loop

    @property
    def engine(self) -> EngineLike:
        if self._engine is None:
            raise self._load_error or NoIndexLoaded()
        return self._engine

    @property
    def loaded(self) -> bool:
        return self._engine is not None

    @property
    def info(self) -> IndexInfo | None:
        return self._engine.info if self._engine is not None else None

    @property
    def problem(self) -> str | None:
        return None if self._engine is not None else str(self._load_error or NoIndexLoaded())

    def paths(self) -> list[str]:
        """Every indexed document and folder ("docs/", "docs/api/"…), sorted; cached per engine."""
        engine = self._engine
        if engine is None:
            return []
        if self._paths is None or self._paths[0] is not engine:
            documents = set(context.sources(engine))
            folders = {p[: i + 1] for p in documents for i, ch in enumerate(p) if ch == "/"}
            self._paths = (engine, sorted(documents | folders))
        return self._paths[1]

    def knows(self, source: str) -> bool:
        """``source`` names an indexed document or folder (a folder with or without its final "/")."""
        wanted = source.strip()
        paths = self.paths()
        return wanted in paths or (wanted.rstrip("/") + "/") in paths

    def source_choices(self, typed: str, limit: int = 25) -> list[str]:
        """Up to ``limit`` paths for what was typed: paths starting with it first, then paths whose
        file or folder name starts with it, then any containing it. Paths over Discord's 100-character
        choice value are offered through their folders."""
        typed = typed.strip().lower()
        usable = [p for p in self.paths() if len(p) <= CHOICE_VALUE_LIMIT]
        if not typed:
            return [p for p in usable if p.count("/") <= 1][:limit]
        first, second, third = [], [], []
        for p in usable:
            low = p.lower()
            if low.startswith(typed):
                first.append(p)
            elif any(part.startswith(typed) for part in low.split("/")):
                second.append(p)
            elif typed in low:
                third.append(p)
            if len(first) >= limit:
                break
        return (first + second + third)[:limit]

    @property
    def reindexing(self) -> bool:
        return self._reindex_task is not None and not self._reindex_task.done()

    def start_reindex(self) -> asyncio.Task[ReindexResult]:
        """Start a background rebuild; raises ReindexInProgress if one is running (not queued)."""
        if self.reindexing:
            raise ReindexInProgress()
        self._reindex_task = asyncio.create_task(self._reindex(), name=f"citebot-reindex-{self.name}")
        return self._reindex_task

    async def _reindex(self) -> ReindexResult:
        began = time.perf_counter()
        embedder = getattr(self._engine, "embedder", None)
        log.info("Reindex of corpus %s started", self.name)
        report = await asyncio.to_thread(self._builder, self.settings, embedder)
        engine = await asyncio.to_thread(self._opener, self.settings, embedder)
        self._engine, self._load_error = engine, None  # questions from now on use the new index
        await asyncio.to_thread(self.paths)
        result = ReindexResult(
            documents=int(report.documents),
            chunks=int(report.chunks),
            skipped=len(getattr(report, "skipped", []) or []),
            seconds=time.perf_counter() - began,
        )
        log.info("Reindex of corpus %s done: %s", self.name, result)
        return result
