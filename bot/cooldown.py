"""Per-user rate limit shared by /ask and mentions: ``rate`` questions per ``per`` seconds."""

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
        return 0.0
