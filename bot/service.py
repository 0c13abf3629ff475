"""What the extensions call: prepare a question once, answer it off the event loop, store it, rebuild.

* ``prepare`` is the one place a question is checked: stripped and bounded, the asker's cooldown,
  and a place in the bounded queue (``admission.AskGate``). It is synchronous and instant, so every
  way in calls it *before* acknowledging Discord, and refusals go out at once.
* ``answer`` runs the synchronous, CPU-bound ``engine.ask`` in a worker thread
  (``asyncio.to_thread``) once the ticket's turn comes, so the gateway heartbeat never stalls; it
  asks for more quotes than are shown and stores the rest for "Next match".
* Engines live in ``CorpusSlot``s keyed by corpus name: ``default`` and those of ``CITEBOT_CORPORA``;
  ``corpus_for`` picks the one of a channel (or a thread's parent), else of the server, else ``default``.
  A rebuild runs in a thread while the current engine (and every other corpus) keeps answering, then
  swaps in.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from bot.admission import AskGate, Ticket
from bot.cooldown import UserCooldowns
from bot.corpora import (
    DEFAULT_CORPUS,
    BuildIndex,
    CorpusSlot,
    EngineLike,
    OpenEngine,
    ReindexResult,
)
from bot.errors import AnswerExpired
from bot.feedback import FeedbackStore, StoredAnswer, Vote, open_feedback_store
from bot.settings import BotSettings
from bot.shaping import Span, shape
from bot.threads import ThreadStore
from index.errors import CitebotError
from index.query import context
from index.query.answer import Answer, Citation
from index.query.engine import IndexInfo

log = logging.getLogger("citebot.bot")

PURGE_EVERY = 6 * 3600.0  # seconds between two applications of the feedback retention
NEXT_MATCHES = 5  # quotes asked for beyond the shown ones, kept for "Next match"
SOURCE_PASSAGES = 50  # passages asked for when the answer is limited to one source (then filtered)

__all__ = ["AskRequest", "Answered", "CitebotService", "EngineLike", "ReindexResult", "TooFast", "UnknownSource"]


class UnknownSource(CitebotError):
    def __init__(self, source: str) -> None:
        super().__init__(f"No indexed document or folder is called “{source}”: pick one of the suggestions.")


class TooFast(CitebotError):
    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(f"You're asking a little fast: please wait {max(1, math.ceil(retry_after))} s and try again.")


def open_engine(settings: BotSettings, embedder: Any = None) -> EngineLike:
    from index.query.engine import Engine  # heavy: torch, faiss

    wider = settings.model_copy(update={"max_citations": settings.max_citations + NEXT_MATCHES})
    return Engine.open(wider, embedder=embedder)


def build_index(settings: BotSettings, embedder: Any = None) -> Any:
    from index.ingest.builder import build_index as build

    return build(settings, embedder=embedder)


@dataclass(frozen=True, slots=True)
class AskRequest:
    """A question that passed every check, holding its place in the queue."""

    question: str  # checked: what the user asked (the title of the answer)
    asker: int
    guild_id: int | None
    corpus: str
    ticket: Ticket
    source: str | None = None  # limit to this document or folder
    context: str | None = None  # the previous question, for a follow-up that refers to it
    exclude: frozenset[Span] = frozenset()  # quotes already shown in the conversation
    where: dict[str, Any] = field(default_factory=dict)  # stored with the answer (way in, thread…)

    @property
    def query(self) -> str:
        """What the engine is asked: a follow-up is retrieved with the question it follows."""
        return f"{self.context} {self.question}" if self.context else self.question


@dataclass(frozen=True, slots=True)
class Answered:
    answer_id: str
    answer: Answer  # what is shown
    more: list[Citation]  # the next candidates, best first
    corpus: str = DEFAULT_CORPUS
    query: str = ""  # what the engine was asked (a follow-up: with its context)


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
        self.corpora = {
            name: CorpusSlot(name, corpus_settings, engine if name == DEFAULT_CORPUS else None,
                             opener=opener, builder=builder)
            for name, corpus_settings in settings.corpus_settings().items()
        }
        config = settings.corpora
        self._by_guild = config.guild_map() if config is not None else {}
        self._by_channel = config.channel_map() if config is not None else {}
        self.gate = AskGate(
            settings.max_concurrent_asks,
            settings.max_waiting_asks,
            settings.max_waiting_asks_per_guild,
            settings.max_wait_seconds,
        )
        # the event handlers that took a question, until they return (their reply posted): SIGTERM waits
        # for them, not only for the engine's answers
        self._handlers: set[asyncio.Task[Any]] = set()
        self.store = store or open_feedback_store(settings)
        self.threads = ThreadStore(self.store)  # registers its tables before store.init()
        self.cooldowns = UserCooldowns(settings.cooldown_rate, settings.cooldown_seconds)
        self.started = time.monotonic()
        self._housekeeping: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Create the feedback tables (and key), apply the retention, open the engines."""
        await asyncio.to_thread(self.store.init)
        await self.purge_old()
        if self._housekeeping is None:
            self._housekeeping = asyncio.create_task(self._purge_periodically(), name="citebot-retention")
        for slot in self.corpora.values():
            await slot.open()

    def _track_handler(self) -> None:
        """Remember the task that took a question (a Discord event handler), until it ends."""
        try:
            task = asyncio.current_task()
        except RuntimeError:  # no event loop (a script preparing outside one)
            return
        if task is not None and task not in self._handlers:
            self._handlers.add(task)
            task.add_done_callback(self._handlers.discard)

    @property
    def in_flight(self) -> int:
        """Questions taken and not yet answered in Discord (their handlers still running)."""
        return max(sum(not t.done() for t in self._handlers), self.gate.running + self.gate.waiting)

    async def drain(self, grace: float) -> bool:
        """Stop taking questions and wait (at most ``grace`` seconds) until those taken are answered and
        their replies posted; False if some were cut off."""
        self.gate.close()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        if not await self.gate.drained(grace):
            return False
        me = asyncio.current_task()
        pending = {t for t in self._handlers if not t.done() and t is not me}
        if not pending:
            return True
        _, late = await asyncio.wait(pending, timeout=max(0.0, deadline - loop.time()))
        return not late

    async def close(self) -> None:
        if self._housekeeping is not None:
            self._housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._housekeeping
            self._housekeeping = None

    def corpus_for(
        self, guild_id: int | None = None, channel_id: int | None = None, parent_id: int | None = None
    ) -> CorpusSlot:
        """The corpus that answers here: the channel's (or, in a thread or forum post, its parent
        channel's), else the server's, else ``default`` (DMs, servers CITEBOT_CORPORA does not name)."""
        for channel in (channel_id, parent_id):
            if channel is not None and channel in self._by_channel:
                return self.corpora[self._by_channel[channel]]
        if guild_id is not None and guild_id in self._by_guild:
            return self.corpora[self._by_guild[guild_id]]
        return self.corpora[DEFAULT_CORPUS]

    def corpus_of(self, stored: StoredAnswer) -> CorpusSlot:
        """The corpus a stored answer came from (the default one if it is no longer served)."""
        return self.corpora.get(stored.extra.get("corpus", DEFAULT_CORPUS)) or self.corpus_for()

    # the default corpus, for callers that do not care which
    @property
    def engine(self) -> EngineLike:
        return self.corpus_for().engine

    @property
    def info(self) -> IndexInfo | None:
        return self.corpus_for().info

    @property
    def problem(self) -> str | None:
        return self.corpus_for().problem

    @property
    def reindexing(self) -> bool:
        return self.corpus_for().reindexing

    def start_reindex(
        self, guild_id: int | None = None, channel_id: int | None = None, parent_id: int | None = None
    ) -> asyncio.Task[ReindexResult]:
        """Rebuild the corpus that answers here (only that one; the others keep answering)."""
        return self.corpus_for(guild_id, channel_id, parent_id).start_reindex()

    @property
    def uptime(self) -> float:
        return time.monotonic() - self.started

    # ------------------------------------------------------------------ asking

    def check_question(self, question: str) -> str:
        """Empty or over-long questions are refused (EmptyQuestion / QuestionTooLong)."""
        from index.query.engine import check_question

        return check_question(question, self.settings.max_question_chars)

    def prepare(
        self,
        question: str,
        *,
        asker: int,
        guild_id: int | None,
        channel_id: int | None = None,
        parent_id: int | None = None,
        source: str | None = None,
        context: str | None = None,
        exclude: frozenset[Span] = frozenset(),
        where: dict[str, Any] | None = None,
        cooldown: bool = True,
    ) -> AskRequest:
        """Check everything once, in order: the question, the asker's cooldown, a place in the queue.
        Raises EmptyQuestion / QuestionTooLong, TooFast or Busy (all CitebotError, one line each)."""
        question = self.check_question(question)
        if context:  # keep the combined query within the engine's own limit
            room = self.settings.max_question_chars - len(question) - 1
            context = context[-room:].strip() if room > 0 else None
        if cooldown:
            wait = self.cooldowns.hit(asker)
            if wait > 0:
                raise TooFast(wait)
        slot = self.corpus_for(guild_id, channel_id, parent_id)
        if source and slot.loaded and not slot.knows(source):
            raise UnknownSource(source)
        ticket = self.gate.admit(guild_id)
        self._track_handler()
        return AskRequest(question, asker, guild_id, slot.name, ticket, source or None, context or None,
                          exclude, dict(where or {}))

    async def answer(self, request: AskRequest) -> Answered:
        """Ask the engine (in a worker thread, in the request's turn), shape and store the answer."""
        async with request.ticket:
            engine = self.corpora[request.corpus].engine  # the engine current when this question's turn comes
            k = SOURCE_PASSAGES if request.source else None
            raw = await asyncio.to_thread(engine.ask, request.query, k)
        answer, more = shape(
            raw,
            question=request.question,
            shown=self.settings.max_citations,
            passages=self.settings.top_k,
            source=request.source,
            exclude=request.exclude,
        )
        answer_id = await self.remember(answer, asker=request.asker, more=more,
                                        extra={"corpus": request.corpus, **request.where})
        return Answered(answer_id, answer, more, request.corpus, request.query)

    async def ask(
        self, question: str, *, asker: int = 0, guild_id: int | None = None, channel_id: int | None = None
    ) -> Answer:
        """prepare + answer without a Discord event (tests, scripts); no cooldown."""
        request = self.prepare(question, asker=asker, guild_id=guild_id, channel_id=channel_id, cooldown=False)
        return (await self.answer(request)).answer

    async def remember(
        self, answer: Answer, *, asker: int | None = None, more: list[Citation] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        """Store the answer for the buttons (with the keyed hash of who asked); returns its id."""
        answer_id = uuid.uuid4().hex
        await asyncio.to_thread(self.store.save_answer, answer_id, answer, asker=asker, more=more, extra=extra)
        return answer_id

    async def recall(self, answer_id: str) -> StoredAnswer:
        stored = await asyncio.to_thread(self.store.load, answer_id)
        if stored is None:
            raise AnswerExpired()
        return stored

    async def claim(self, answer_id: str, flag: str) -> bool:
        """True the first time ``flag`` is claimed for this answer (a helper pinged, an answer posted)."""
        return await asyncio.to_thread(self.store.claim, answer_id, flag)

    def has_sections(self, stored: StoredAnswer | Answered | str) -> bool:
        """Whether the engine of this answer's corpus can show a quote's heading section."""
        corpus = stored if isinstance(stored, str) else (
            stored.corpus if isinstance(stored, Answered) else stored.extra.get("corpus", DEFAULT_CORPUS))
        slot = self.corpora.get(corpus)
        return slot is not None and slot.loaded and context.has_sections(slot.engine)

    async def vote(self, answer_id: str, user_id: int, vote: Vote) -> None:
        if not await asyncio.to_thread(self.store.record_vote, answer_id, user_id, vote):
            raise AnswerExpired()

    # ------------------------------------------------------------------ retention

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
