"""The Redis rate limiter degrades to memory while Redis is unreachable, without paying a connect per message."""
from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from bot.runtime.ratelimit import SenderLimiter


async def test_unreachable_redis_falls_back_to_memory_and_stops_trying_for_a_while() -> None:
    redis = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5, socket_timeout=0.5)
    limiter = SenderLimiter(1.0, 2, redis=redis)
    assert limiter.shared is not None
    calls = 0
    real = limiter.shared.hit

    async def counting(*a: Any, **kw: Any) -> bool:
        nonlocal calls
        calls += 1
        return await real(*a, **kw)

    limiter.shared.hit = counting  # type: ignore[method-assign]
    try:
        results = [await limiter.allow("rest:abuser") for _ in range(5)]
        assert results[:2] == [True, True] and results[-1] is False   # the memory count still limits
        assert calls == 1                                              # the breaker skipped Redis after one failure
        assert await limiter.allow("rest:someone-else")                # others are not slowed or blocked
    finally:
        await redis.aclose()
