"""Rate limits: at most N requests per window for each API key or client address.

Counted in each worker process's memory (nothing about a client's address is stored):
with ``--workers N`` one caller can reach up to N times the limit when its connections
land on different workers. Over the limit: a 429 problem with ``Retry-After``.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

__all__ = ["RateLimiter"]


class RateLimiter:
    """At most ``limit`` hits per ``window`` seconds for each bucket (a sliding log).

    >>> now = [0.0]
    >>> limiter = RateLimiter(2, 60, clock=lambda: now[0])
    >>> limiter.hit("key:a"), limiter.hit("key:a"), limiter.hit("key:a"), limiter.hit("key:b")
    (0.0, 0.0, 60.0, 0.0)
    >>> now[0] = 60.0; limiter.hit("key:a")
    0.0
    """

    def __init__(
        self, limit: int, window: float, *, clock: Callable[[], float] = time.monotonic, max_buckets: int = 100_000
    ) -> None:
        self.limit, self.window, self.clock, self.max_buckets = limit, window, clock, max_buckets
        self._log: dict[str, deque[float]] = {}

    def hit(self, bucket: str) -> float:
        """Count one request for ``bucket``: 0.0 when it is allowed, otherwise the
        seconds until one more would be (the request is then not counted)."""
        if self.limit <= 0:
            return 0.0
        now = self.clock()
        log = self._log.get(bucket)
        if log is None:
            if len(self._log) >= self.max_buckets:
                self._prune(now)
            log = self._log[bucket] = deque()
        while log and log[0] <= now - self.window:
            log.popleft()
        if len(log) >= self.limit:
            return log[0] + self.window - now
        log.append(now)
        return 0.0

    @staticmethod
    def retry_after(wait: float) -> str:
        """``wait`` as a ``Retry-After`` value: whole seconds, at least 1."""
        return str(max(1, math.ceil(wait)))

    def _prune(self, now: float) -> None:
        for bucket in [b for b, log in self._log.items() if not log or log[-1] <= now - self.window]:
            del self._log[bucket]
        if len(self._log) >= self.max_buckets:  # all busy: start over rather than grow without bound
            self._log.clear()
