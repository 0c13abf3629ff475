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
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from bot.cooldown import UserCooldowns
from bot.errors import AnswerExpired, NoIndexLoaded, ReindexInProgress
from bot.feedback import FeedbackStore, Vote
from bot.settings import BotSettings
from index.errors import CitebotError
from index.query.answer import Answer
from index.query.engine import IndexInfo

log = logging.getLogger("citebot.bot")


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
        self._asks = asyncio.Semaphore(settings.max_concurrent_asks)
        self._reindex_task: asyncio.Task[ReindexResult] | None = None
        self.store = store or FeedbackStore(settings.feedback_db)
        self.cooldowns = UserCooldowns(settings.cooldown_rate, settings.cooldown_seconds)
        self.started = time.monotonic()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Create the feedback tables and open the engine if none was given (in a thread)."""
        await asyncio.to_thread(self.store.init)
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

    async def ask(self, question: str) -> Answer:
        question = self.check_question(question)
        async with self._asks:
            engine = self.engine  # the engine current when this question's turn comes
            return await asyncio.to_thread(engine.ask, question)

    async def remember(self, answer: Answer) -> str:
        """Store the answer for the Sources/vote buttons; returns its id."""
        answer_id = uuid.uuid4().hex
        await asyncio.to_thread(self.store.save_answer, answer_id, answer)
        return answer_id

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
