"""Back-pressure for questions: a bounded wait in front of the engine's worker threads.

At most ``concurrent`` questions are answered at once. Beyond that a question may wait, but only
while fewer than ``max_waiting`` wait overall and fewer than ``max_waiting_per_guild`` wait from its
server (DMs count as one "server"), and only for ``max_wait`` seconds. Anything beyond is refused at
once with ``Busy``, so a burst never builds a queue whose tail outlives the interaction's 15-minute
token (Discord then rejects the answer), and one busy server cannot starve the others.

    ticket = gate.admit(guild_id)       # Busy now, or a place in the queue
    await interaction.response.defer()
    async with ticket:                  # waits (bounded) for a worker
        answer = await asyncio.to_thread(engine.ask, question)
"""

from __future__ import annotations

import asyncio
from collections import Counter
from types import TracebackType

from index.errors import CitebotError

BUSY = "citebot is busy answering other questions right now: please try again in a minute."
STOPPING = "citebot is restarting: please ask again in a minute."


class Busy(CitebotError):
    def __init__(self) -> None:
        super().__init__(BUSY)


class Stopping(CitebotError):
    """The bot is shutting down (SIGTERM): it finishes the questions it has, and takes no new ones."""

    def __init__(self) -> None:
        super().__init__(STOPPING)


class AskGate:
    def __init__(self, concurrent: int, max_waiting: int, max_waiting_per_guild: int, max_wait: float) -> None:
        if concurrent < 1 or max_waiting < 0 or max_waiting_per_guild < 0 or max_wait <= 0:
            raise ValueError("concurrent >= 1, waiting bounds >= 0, max_wait > 0")
        self.concurrent = concurrent
        self.max_waiting = max_waiting
        self.max_waiting_per_guild = max_waiting_per_guild
        self.max_wait = max_wait
        self._free = concurrent  # workers not answering
        self._slots = asyncio.Semaphore(concurrent)
        self._promised = 0  # admitted onto a free worker, not holding it yet
        self._queued: Counter[int | None] = Counter()  # admitted to wait, per guild
        self.refused = 0
        self.closed = False

    @property
    def waiting(self) -> int:
        return sum(self._queued.values())

    @property
    def running(self) -> int:
        return self.concurrent - self._free

    @property
    def idle(self) -> bool:
        """No question admitted, waiting or being answered."""
        return self._promised == 0 and self.waiting == 0 and self.running == 0

    def close(self) -> None:
        """Take no new questions (``Stopping``); those already admitted still get their turn."""
        self.closed = True

    async def drained(self, timeout: float, poll: float = 0.05) -> bool:
        """Wait (at most ``timeout`` seconds) until every admitted question has been answered; False if
        some were still running or waiting when the time ran out."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not self.idle:
            if asyncio.get_running_loop().time() >= deadline:
                return False
            await asyncio.sleep(poll)
        return True

    def admit(self, guild_id: int | None) -> Ticket:
        """A place for one question from ``guild_id``; ``Stopping`` once the gate is closed, ``Busy`` if it
        would have to wait and the queue (overall, or this server's share) is full."""
        if self.closed:
            raise Stopping()
        if self._promised + self.waiting < self._free:
            self._promised += 1
            return Ticket(self, guild_id, queued=False)
        if self.waiting >= self.max_waiting or self._queued[guild_id] >= self.max_waiting_per_guild:
            self.refused += 1
            raise Busy()
        self._queued[guild_id] += 1
        return Ticket(self, guild_id, queued=True)

    def _leave(self, ticket: Ticket) -> None:
        if not ticket.queued:
            self._promised -= 1
            return
        self._queued[ticket.guild_id] -= 1
        if self._queued[ticket.guild_id] <= 0:
            del self._queued[ticket.guild_id]


class Ticket:
    """One admitted question: ``async with ticket`` waits for a worker (at most ``max_wait``)."""

    def __init__(self, gate: AskGate, guild_id: int | None, *, queued: bool) -> None:
        self.gate = gate
        self.guild_id = guild_id
        self.queued = queued
        self._admitted = True
        self._holding = False

    def cancel(self) -> None:
        """Give the place back without asking (e.g. the question turned out to be invalid)."""
        if self._admitted:
            self._admitted = False
            self.gate._leave(self)

    async def __aenter__(self) -> Ticket:
        if not self._admitted:
            raise RuntimeError("this ticket was cancelled or used")
        try:
            await asyncio.wait_for(self.gate._slots.acquire(), self.gate.max_wait)
        except TimeoutError:
            self.gate.refused += 1
            raise Busy() from None
        finally:
            self.cancel()
        self._holding = True
        self.gate._free -= 1
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._holding:
            self._holding = False
            self.gate._free += 1
            self.gate._slots.release()
