"""Per-user rate limit shared by every way in: ``rate`` questions per ``per`` seconds.

A refusal is told once: ``hit`` says how long to wait, and ``first_refusal`` is true only for the
first refusal of a window, so a user who keeps mentioning the bot gets one public reply, not one per
message.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class UserCooldowns:
    def __init__(self, rate: int, per: float, clock: Callable[[], float] = time.monotonic) -> None:
        if rate < 1 or per <= 0:
            raise ValueError("rate must be >= 1 and per > 0")
        self.rate = rate
        self.per = per
        self._clock = clock
        self._hits: dict[int, deque[float]] = {}
        self._told_until: dict[int, float] = {}  # user -> end of the window they were told about

    def hit(self, user_id: int) -> float:
        """Count one question by ``user_id``: 0.0 if allowed, else seconds to wait (not counted)."""
        now = self._clock()
        hits = self._hits.setdefault(user_id, deque())
        while hits and now - hits[0] >= self.per:
            hits.popleft()
        if len(hits) >= self.rate:
            return self.per - (now - hits[0])
        hits.append(now)
        if len(self._hits) > 10_000:  # forget idle users now and then
            self._hits = {u: h for u, h in self._hits.items() if h and now - h[-1] < self.per}
            self._told_until = {u: t for u, t in self._told_until.items() if t > now}
        return 0.0

    def first_refusal(self, user_id: int, wait: float) -> bool:
        """True once per refused window: tell the user then; stay quiet about later refusals."""
        now = self._clock()
        if self._told_until.get(user_id, 0.0) > now:
            return False
        self._told_until[user_id] = now + wait
        return True
