"""The per-sender limiter counts the same way in memory and in the real Redis (``limits``, moving window)."""
from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

import pytest
from redis.asyncio import Redis

from bot.runtime.ratelimit import LocalWindows, SenderLimiter, sender_limit

MakeLimiter = Callable[[float, int], SenderLimiter]


@pytest.fixture(params=["memory", "redis"])
def make(request: pytest.FixtureRequest) -> MakeLimiter:
    """A limiter factory on each storage; every Redis limiter has its own key prefix, so tests never share counts."""
    if request.param == "memory":
        return lambda rate, burst: SenderLimiter(rate, burst)
    redis: Redis = request.getfixturevalue("redis")
    prefix = f"motcua:test:rl:{uuid.uuid4().hex[:8]}"
    return lambda rate, burst: SenderLimiter(rate, burst, redis=redis, prefix=prefix)


def test_the_configured_rate_becomes_a_burst_per_window() -> None:
    assert (sender_limit(2.0, 15).amount, sender_limit(2.0, 15).get_expiry()) == (15, 8)
    assert sender_limit(1000.0, 1000).get_expiry() == 1        # never under one second
    assert sender_limit(0.5, 3).get_expiry() == 6


async def test_a_burst_passes_then_the_sender_is_held_back(make: MakeLimiter) -> None:
    limiter = make(1.0, 3)
    assert [await limiter.allow("rest:flood") for _ in range(5)] == [True, True, True, False, False]


async def test_one_flooding_sender_does_not_hold_back_another(make: MakeLimiter) -> None:
    limiter = make(1.0, 2)
    for _ in range(4):
        await limiter.allow("rest:flood")
    assert await limiter.allow("rest:calm")
    assert not await limiter.allow("rest:flood")


async def test_the_sender_may_write_again_once_the_window_has_moved(make: MakeLimiter) -> None:
    limiter = make(2.0, 2)                                      # 2 messages per second
    assert [await limiter.allow("rest:x") for _ in range(3)] == [True, True, False]
    await asyncio.sleep(1.1)
    assert await limiter.allow("rest:x")


async def test_the_redis_count_is_shared_by_workers(redis: Redis) -> None:
    prefix = f"motcua:test:rl:{uuid.uuid4().hex[:8]}"
    one, two = (SenderLimiter(1.0, 3, redis=redis, prefix=prefix) for _ in range(2))
    assert [await one.allow("rest:w"), await two.allow("rest:w"), await one.allow("rest:w")] == [True] * 3
    assert not await two.allow("rest:w")                       # the fourth message, whichever worker takes it
    assert await redis.keys(prefix + ":*")                     # counted in Redis under the given prefix


async def test_memory_and_redis_answer_the_same_sequence_alike(redis: Redis) -> None:
    memory = SenderLimiter(1.0, 4)
    shared = SenderLimiter(1.0, 4, redis=redis, prefix=f"motcua:test:rl:{uuid.uuid4().hex[:8]}")
    keys = ["rest:a", "rest:b", "rest:a", "rest:a", "rest:b", "rest:a", "rest:a", "rest:b"]
    assert [await memory.allow(k) for k in keys] == [await shared.allow(k) for k in keys]


async def test_memory_holds_a_bounded_number_of_senders() -> None:
    limiter = SenderLimiter(1.0, 2, max_keys=3)
    storage = limiter.local
    assert isinstance(storage, LocalWindows)
    for i in range(10):
        assert await limiter.allow(f"rest:invented-{i}")
    assert len(storage.events) == 3
    assert list(storage.events) == ["rest:invented-7", "rest:invented-8", "rest:invented-9"]   # the newest kept


async def test_memory_forgets_silent_senders_and_lets_them_in_again(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr("bot.runtime.ratelimit.time.monotonic", lambda: clock[0])
    limiter = SenderLimiter(1.0, 2)   # 2 messages per 2 s
    assert [await limiter.allow("rest:a") for _ in range(3)] == [True, True, False]
    clock[0] += 1.0
    assert not await limiter.allow("rest:a")      # the window still holds both
    clock[0] += 1.5
    assert await limiter.allow("rest:b")          # a's window is empty: a is dropped, no task, no thread
    assert list(limiter.local.events) == ["rest:b"]
    assert await limiter.allow("rest:a") and await limiter.allow("rest:a") and not await limiter.allow("rest:a")
