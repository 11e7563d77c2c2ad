"""Per-sender rate limiting, so one abusive sender cannot slow everybody else down.

One limiter, one rule, counted by the ``limits`` library: at most ``burst`` messages in any moving window of
``burst / rate`` seconds (rounded up to whole seconds), so a sender keeps up ``rate`` messages a second on
average and may send ``burst`` at once. The rule is the same in memory (one worker) and in Redis (shared by
every worker); while Redis is unreachable the worker counts in its own bounded memory instead.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Protocol

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

if TYPE_CHECKING:   # the redis client is imported only by a worker that uses Redis (~0.1 s of start-up otherwise)
    from redis.asyncio import Redis


class RateLimiter(Protocol):
    async def allow(self, key: str) -> bool: ...


class BoundedMemoryStorage(MemoryStorage):
    """``limits``' in-process storage with at most ``max_keys`` senders: past that the oldest sender's window is
    dropped, so a flood of invented sender ids cannot grow the worker's memory without end."""

    def __init__(self, max_keys: int = 100_000):
        super().__init__()
        self.max_keys = max_keys

    async def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        while key not in self.events and len(self.events) >= self.max_keys:
            await self.clear(next(iter(self.events)))
        return await super().acquire_entry(key, limit, expiry, amount)


def sender_limit(rate: float, burst: int) -> RateLimitItemPerSecond:
    """``burst`` messages per ``ceil(burst / rate)`` seconds: the configured average rate with its bursts."""
    seconds = max(1, math.ceil(burst / rate))
    return RateLimitItemPerSecond(burst, seconds, namespace="sender")


class SenderLimiter:
    """The per-sender limiter behind the ``RateLimiter`` interface, in memory or in Redis (``redis`` given).

    With Redis, a failure opens a breaker: for a few seconds the worker counts in memory without paying a
    connect timeout on every message, then tries Redis again.
    """

    def __init__(self, rate: float = 2.0, burst: int = 10, *, redis: Redis | None = None,
                 prefix: str = "motcua:rl", max_keys: int = 100_000):
        from bot.runtime.redis_backend import _Breaker

        self.item = sender_limit(rate, burst)
        self.local = MovingWindowRateLimiter(BoundedMemoryStorage(max_keys))
        self.shared: MovingWindowRateLimiter | None = None
        if redis is not None:
            pool: dict[str, Any] = {"connection_pool": redis.connection_pool}   # share the app's connections
            storage: Storage = RedisStorage("async+redis://", implementation="redispy", key_prefix=prefix,
                                            wrap_exceptions=True, **pool)
            self.shared = MovingWindowRateLimiter(storage)
        self.breaker = _Breaker()

    async def allow(self, key: str) -> bool:
        if self.shared is not None and not self.breaker.open:
            try:
                allowed = await self.shared.hit(self.item, key)
            except StorageError as exc:
                self.breaker.fail(type(exc.storage_error).__name__)
            else:
                self.breaker.ok()
                return allowed
        return await self.local.hit(self.item, key)
