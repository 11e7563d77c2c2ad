"""Per-sender rate limiting, so one abusive sender cannot slow everybody else down."""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:   # the redis client is imported only by a worker that uses Redis (~0.1 s of start-up otherwise)
    from redis.asyncio import Redis


class RateLimiter(Protocol):
    async def allow(self, key: str) -> bool: ...


class MemoryRateLimiter:
    """Token bucket per key: ``rate`` messages per second with bursts of ``burst``."""

    def __init__(self, rate: float = 2.0, burst: int = 10, max_keys: int = 100_000):
        self.rate, self.burst, self.max_keys = rate, burst, max_keys
        self._buckets: dict[str, tuple[float, float]] = {}

    async def allow(self, key: str) -> bool:
        now = time.monotonic()
        tokens, last = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return False
        if len(self._buckets) >= self.max_keys and key not in self._buckets:
            self._buckets.clear()  # bounded memory under a flood of distinct senders
        self._buckets[key] = (tokens - 1.0, now)
        return True


class RedisRateLimiter:
    """Fixed 10-second windows in Redis, shared by every worker; falls back to memory if Redis fails."""

    def __init__(self, redis: Redis, rate: float = 2.0, burst: int = 10, prefix: str = "motcua:rl:"):
        self.redis, self.prefix = redis, prefix
        self.limit = int(rate * 10) + burst
        self.fallback = MemoryRateLimiter(rate, burst)
        from redis.exceptions import RedisError

        from bot.runtime.redis_backend import _Breaker

        self._errors = (RedisError, OSError)

        # While Redis is unreachable, count in memory without paying a connect timeout on every message.
        self.breaker = _Breaker()

    async def allow(self, key: str) -> bool:
        if self.breaker.open:
            return await self.fallback.allow(key)
        window = int(time.time() // 10)
        name = f"{self.prefix}{key}:{window}"
        try:
            pipe = self.redis.pipeline(transaction=False)
            pipe.incr(name)
            pipe.expire(name, 20)
            count, _ = await pipe.execute()
            self.breaker.ok()
            return int(count) <= self.limit
        except self._errors as exc:
            self.breaker.fail(type(exc).__name__)
            return await self.fallback.allow(key)
