"""The cross-worker conversation lock on the real Redis: a long turn keeps it; a dead worker's lock frees quickly."""
from __future__ import annotations

import asyncio
import time

from redis.asyncio import Redis

from bot.runtime.redis_backend import RedisLocks


async def test_a_turn_longer_than_the_ttl_keeps_its_lock(redis: Redis) -> None:
    a, b = RedisLocks(redis, ttl_ms=300, prefix="motcua:test:"), RedisLocks(redis, ttl_ms=300, prefix="motcua:test:")
    order: list[str] = []

    async def slow() -> None:
        async with a.hold("rest:long"):
            order.append("a-start")
            await asyncio.sleep(1.0)          # more than three times the TTL
            order.append("a-end")

    async def other_worker() -> None:
        await asyncio.sleep(0.1)
        async with b.hold("rest:long"):
            order.append("b")

    await asyncio.gather(slow(), other_worker())
    assert order == ["a-start", "a-end", "b"]
    assert await redis.exists("motcua:test:rest:long") == 0    # released, not left to expire


async def test_a_lock_left_by_a_dead_worker_frees_within_the_ttl(redis: Redis) -> None:
    # What a worker killed mid-turn leaves behind: its lock, with nobody extending it.
    await redis.set("motcua:test:rest:dead", "someone-else", px=3000)
    locks = RedisLocks(redis, prefix="motcua:test:")
    t0 = time.monotonic()
    async with locks.hold("rest:dead"):
        waited = time.monotonic() - t0
    assert 2.0 < waited < 4.0


async def test_a_burst_beyond_the_pool_waits_for_a_connection_instead_of_dropping_to_local_locks(
        redis: Redis) -> None:
    """A thousand citizens at once once exhausted the client's connections (MaxConnectionsError): the breaker opened
    and the worker fell back to in-process locks. On the blocking pool a turn waits for a free connection."""
    from bot.runtime.redis_backend import redis_client

    url = "redis://{host}:{port}/{db}".format(**redis.connection_pool.connection_kwargs)
    small = redis_client(url, max_connections=4, pool_timeout=5.0)
    locks = RedisLocks(small, prefix="motcua:test:burst:")
    held: list[int] = []

    async def turn(i: int) -> None:
        async with locks.hold(f"rest:burst-{i}"):
            held.append(i)
            await asyncio.sleep(0.02)

    try:
        await asyncio.gather(*(turn(i) for i in range(60)))
        assert sorted(held) == list(range(60))
        assert not locks.breaker.open and not locks.breaker.warned   # Redis was never taken for down
    finally:
        await small.aclose()
