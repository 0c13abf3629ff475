"""What the cogs call: the current engine, asking off the event loop, reindex + swap, answer storage.

* ``ask`` runs the synchronous, CPU-bound ``engine.ask`` in a worker thread
  (``asyncio.to_thread``) under a semaphore of ``max_concurrent_asks``, so the
  gateway heartbeat never stalls.
* ``start_reindex`` builds a new index in a thread while the current engine keeps
  answering, opens a new engine on it (reusing the embedder) and swaps it in.
  A second reindex while one runs raises ``ReindexInProgress`` (not queued).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from bot.admission import AskGate, Ticket
from bot.cooldown import UserCooldowns
from bot.errors import AnswerExpired, NoIndexLoaded, ReindexInProgress
from bot.feedback import FeedbackStore, Vote
from bot.settings import BotSettings
from index.errors import CitebotError
from index.query.answer import Answer
from index.query.engine import IndexInfo

log = logging.getLogger("citebot.bot")

PURGE_EVERY = 6 * 3600.0  # seconds between two applications of the feedback retention


class EngineLike(Protocol):
    info: IndexInfo
    embedder: Any

    def ask(self, question: str, k: int | None = None) -> Answer: ...


OpenEngine = Callable[[BotSettings, Any], EngineLike]
BuildIndex = Callable[[BotSettings, Any], Any]  # -> BuildReport(documents, chunks, skipped, seconds, ...)


def open_engine(settings: BotSettings, embedder: Any = None) -> EngineLike:
    from index.query.engine import Engine  # heavy: torch, faiss

    return Engine.open(settings, embedder=embedder)


def build_index(settings: BotSettings, embedder: Any = None) -> Any:
    from index.ingest.builder import build_index as build

    return build(settings, embedder=embedder)


@dataclass(frozen=True, slots=True)
class ReindexResult:
    documents: int
    chunks: int
    skipped: int
    seconds: float  # build + open, wall clock


class CitebotService:
    def __init__(
        self,
        settings: BotSettings,
        engine: EngineLike | None = None,
        *,
        opener: OpenEngine = open_engine,
        builder: BuildIndex = build_index,
        store: FeedbackStore | None = None,
    ) -> None:
        self.settings = settings
        self._engine = engine
        self._opener = opener
        self._builder = builder
        self._load_error: CitebotError | None = None
        self.gate = AskGate(
            settings.max_concurrent_asks,
            settings.max_waiting_asks,
            settings.max_waiting_asks_per_guild,
            settings.max_wait_seconds,
        )
        self._reindex_task: asyncio.Task[ReindexResult] | None = None
        self.store = store or FeedbackStore(settings.feedback_db)
        self.cooldowns = UserCooldowns(settings.cooldown_rate, settings.cooldown_seconds)
        self.started = time.monotonic()
        self._housekeeping: asyncio.Task[None] | None = None

    async def close(self) -> None:
        if self._housekeeping is not None:
            self._housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._housekeeping
            self._housekeeping = None

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Create the feedback tables (and key), apply the retention, open the engine if none was given."""
        await asyncio.to_thread(self.store.init)
        await self.purge_old()
        if self._housekeeping is None:
            self._housekeeping = asyncio.create_task(self._purge_periodically(), name="citebot-retention")
        if self._engine is None:
            try:
                self._engine = await asyncio.to_thread(self._opener, self.settings, None)
            except CitebotError as exc:  # IndexNotFound, ModelMismatch…: keep running, /reindex can fix it
                self._load_error = exc
                log.warning("No index loaded: %s", exc)
            else:
                log.info("Index loaded: %s", self._engine.info)

    @property
    def engine(self) -> EngineLike:
        if self._engine is None:
            raise self._load_error or NoIndexLoaded()
        return self._engine

    @property
    def info(self) -> IndexInfo | None:
        return self._engine.info if self._engine is not None else None

    @property
    def problem(self) -> str | None:
        return None if self._engine is not None else str(self._load_error or NoIndexLoaded())

    @property
    def uptime(self) -> float:
        return time.monotonic() - self.started

    # ------------------------------------------------------------------ asking

    def check_question(self, question: str) -> str:
        """Refuse an empty or over-long question before anything is deferred or computed."""
        from index.query.engine import check_question

        return check_question(question, self.settings.max_question_chars)

    def admit(self, guild_id: int | None) -> Ticket:
        """A place in the bounded queue for one question (``Busy`` at once when it is full)."""
        return self.gate.admit(guild_id)

    async def ask(self, question: str, *, ticket: Ticket | None = None) -> Answer:
        ticket = ticket or self.admit(None)
        try:
            question = self.check_question(question)
        except CitebotError:
            ticket.cancel()
            raise
        async with ticket:
            engine = self.engine  # the engine current when this question's turn comes
            return await asyncio.to_thread(engine.ask, question)

    async def remember(self, answer: Answer, *, asker: int | None = None) -> str:
        """Store the answer for the buttons (with the keyed hash of who asked); returns its id."""
        answer_id = uuid.uuid4().hex
        await asyncio.to_thread(self.store.save_answer, answer_id, answer, asker=asker)
        return answer_id

    async def _purge_periodically(self) -> None:
        while True:
            await asyncio.sleep(PURGE_EVERY)
            try:
                await self.purge_old()
            except Exception:  # a locked or full disk must not end the loop
                log.warning("Feedback retention failed", exc_info=True)

    async def purge_old(self) -> None:
        days = self.settings.feedback_retention_days
        if days > 0:
            counts = await asyncio.to_thread(self.store.purge, days)
            if any(counts.values()):
                log.info("Feedback retention (%g days): deleted %s", days, counts)

    async def recall(self, answer_id: str) -> Answer:
        answer = await asyncio.to_thread(self.store.load_answer, answer_id)
        if answer is None:
            raise AnswerExpired()
        return answer

    async def vote(self, answer_id: str, user_id: int, vote: Vote) -> None:
        if not await asyncio.to_thread(self.store.record_vote, answer_id, user_id, vote):
            raise AnswerExpired()

    # ------------------------------------------------------------------ reindexing

    @property
    def reindexing(self) -> bool:
        return self._reindex_task is not None and not self._reindex_task.done()

    def start_reindex(self) -> asyncio.Task[ReindexResult]:
        """Start a background rebuild; raises ReindexInProgress if one is running."""
        if self.reindexing:
            raise ReindexInProgress()
        self._reindex_task = asyncio.create_task(self._reindex(), name="citebot-reindex")
        return self._reindex_task

    async def _reindex(self) -> ReindexResult:
        began = time.perf_counter()
        embedder = getattr(self._engine, "embedder", None)
        log.info("Reindex started")
        report = await asyncio.to_thread(self._builder, self.settings, embedder)
        engine = await asyncio.to_thread(self._opener, self.settings, embedder)
        self._engine, self._load_error = engine, None  # questions from now on use the new index
        result = ReindexResult(
            documents=int(report.documents),
            chunks=int(report.chunks),
            skipped=len(getattr(report, "skipped", []) or []),
            seconds=time.perf_counter() - began,
        )
        log.info("Reindex done: %s", result)
        return result
