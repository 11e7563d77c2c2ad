"""Per-sender rate limiting, so one abusive sender cannot slow everybody else down.

One limiter, one rule: at most ``burst`` messages in any moving window of ``burst / rate`` seconds (rounded up
to whole seconds), so a sender keeps up ``rate`` messages a second on average and may send ``burst`` at once.
The rule is the same in memory (one worker, ``LocalWindows``) and in Redis (shared by every worker, counted by
the ``limits`` library); while Redis is unreachable the worker counts in its own bounded memory instead.
"""
from __future__ import annotations

import math
import time
from collections import deque
from typing import TYPE_CHECKING, Any, Protocol

from bot.runtime.breaker import Breaker

if TYPE_CHECKING:   # the redis client and `limits` are imported only by a worker that uses Redis (~50 ms of start-up)
    from limits import RateLimitItemPerSecond
    from limits.aio.strategies import MovingWindowRateLimiter
    from redis.asyncio import Redis


class RateLimiter(Protocol):
    async def allow(self, key: str) -> bool: ...


class LocalWindows:
    """The moving window in this worker's memory, for at most ``max_keys`` senders (the least recently heard
    sender is dropped first), so a flood of invented sender ids cannot grow the worker's memory without end.

    Not ``limits``' MemoryStorage: its expiry task walks every sender with one thread hop each, back to back
    under load (~15 % of a worker's CPU at 50 citizens, bench/load.py). Here a sender's hits are trimmed when it
    sends, and senders whose window is empty are dropped oldest-first: no task, no thread, O(1) amortised."""

    def __init__(self, amount: int, seconds: int, max_keys: int = 100_000):
        self.amount, self.seconds, self.max_keys = amount, seconds, max_keys
        self.events: dict[str, deque[float]] = {}   # ordered by each sender's last message

    def hit(self, key: str) -> bool:
        now = time.monotonic()
        cutoff = now - self.seconds
        hits = self.events.pop(key, None) or deque()
        while hits and hits[0] <= cutoff:
            hits.popleft()
        allowed = len(hits) < self.amount
        if allowed:
            hits.append(now)
        self.events[key] = hits   # re-inserted last: the front of the dict is the longest silent sender
        self._drop_stale(cutoff)
        return allowed

    def _drop_stale(self, cutoff: float) -> None:
        while self.events:   # stops at the first (longest silent) sender still inside its window
            key = next(iter(self.events))
            hits = self.events[key]
            if len(self.events) <= self.max_keys and hits and hits[-1] > cutoff:
                return
            del self.events[key]


def _window_seconds(rate: float, burst: int) -> int:
    return max(1, math.ceil(burst / rate))


def sender_limit(rate: float, burst: int) -> RateLimitItemPerSecond:
    """``burst`` messages per ``ceil(burst / rate)`` seconds: the configured average rate with its bursts."""
    from limits import RateLimitItemPerSecond

    return RateLimitItemPerSecond(burst, _window_seconds(rate, burst), namespace="sender")


class SenderLimiter:
    """The per-sender limiter behind the ``RateLimiter`` interface, in memory or in Redis (``redis`` given).

    With Redis, a failure opens a breaker: for a few seconds the worker counts in memory without paying a
    connect timeout on every message, then tries Redis again.
    """

    def __init__(self, rate: float = 2.0, burst: int = 10, *, redis: Redis | None = None,
                 prefix: str = "motcua:rl", max_keys: int = 100_000):
        self.local = LocalWindows(burst, _window_seconds(rate, burst), max_keys)   # the same window as ``item``
        self.item: RateLimitItemPerSecond | None = None
        self.shared: MovingWindowRateLimiter | None = None
        self.storage_errors: tuple[type[Exception], ...] = ()
        if redis is not None:
            from limits.aio.storage import RedisStorage, Storage
            from limits.aio.strategies import MovingWindowRateLimiter
            from limits.errors import StorageError

            self.item = sender_limit(rate, burst)
            pool: dict[str, Any] = {"connection_pool": redis.connection_pool}   # share the app's connections
            storage: Storage = RedisStorage("async+redis://", implementation="redispy", key_prefix=prefix,
                                            wrap_exceptions=True, **pool)
            self.shared = MovingWindowRateLimiter(storage)
            self.storage_errors = (StorageError,)
        self.breaker = Breaker()

    async def allow(self, key: str) -> bool:
        if self.shared is not None and self.item is not None and not self.breaker.open:
            try:
                allowed = await self.shared.hit(self.item, key)
            except self.storage_errors as exc:
                self.breaker.fail(type(getattr(exc, "storage_error", exc)).__name__)
            else:
                self.breaker.ok()
                return allowed
        return self.local.hit(key)
