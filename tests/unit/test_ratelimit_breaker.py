"""The Redis rate limiter degrades to memory while Redis is unreachable, without paying a connect per message."""
from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from bot.runtime.ratelimit import RedisRateLimiter


async def test_unreachable_redis_falls_back_to_memory_and_stops_trying_for_a_while() -> None:
    redis = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5, socket_timeout=0.5)
    limiter = RedisRateLimiter(redis, rate=1.0, burst=2)
    calls = 0
    real = redis.pipeline

    def counting(*a: Any, **kw: Any) -> Any:
        nonlocal calls
        calls += 1
        return real(*a, **kw)

    redis.pipeline = counting  # type: ignore[method-assign]
    try:
        results = [await limiter.allow("rest:abuser") for _ in range(5)]
        assert results[:2] == [True, True] and results[-1] is False   # the memory bucket still limits
        assert calls == 1                                              # the breaker skipped Redis after one failure
        assert await limiter.allow("rest:someone-else")                # others are not slowed or blocked
    finally:
        await redis.aclose()
