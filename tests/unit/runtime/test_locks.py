"""Per-conversation locks, in one worker and on the real Redis: one turn at a time per citizen, in arrival order."""
from __future__ import annotations

import asyncio
import uuid

import pytest
from redis.asyncio import Redis

from bot.runtime.locks import ConversationLocks, LocalLocks
from bot.runtime.redis_backend import RedisLocks


@pytest.fixture(params=["memory", "redis"])
def locks(request: pytest.FixtureRequest) -> ConversationLocks:
    if request.param == "memory":
        return LocalLocks()
    redis: Redis = request.getfixturevalue("redis")
    return RedisLocks(redis, prefix=f"motcua:test:lock:{uuid.uuid4().hex[:8]}:")


async def _turn(locks: ConversationLocks, key: str, name: str, log: list[str], pause: float = 0.05) -> None:
    async with locks.hold(key):
        log.append(f"{name}+")
        await asyncio.sleep(pause)
        log.append(f"{name}-")


async def test_one_citizens_turns_run_one_at_a_time_in_arrival_order(locks: ConversationLocks) -> None:
    log: list[str] = []
    turns = []
    for name in "abcd":
        turns.append(asyncio.create_task(_turn(locks, "rest:one", name, log)))
        await asyncio.sleep(0)                                 # each arrives after the one before
    await asyncio.gather(*turns)
    assert log == ["a+", "a-", "b+", "b-", "c+", "c-", "d+", "d-"]


async def test_different_citizens_do_not_wait_for_each_other(locks: ConversationLocks) -> None:
    log: list[str] = []
    await asyncio.gather(_turn(locks, "rest:x", "x", log, 0.2), _turn(locks, "rest:y", "y", log, 0.01))
    assert log.index("y-") < log.index("x-")


async def test_a_failing_turn_releases_the_lock(locks: ConversationLocks) -> None:
    with pytest.raises(RuntimeError):
        async with locks.hold("rest:crash"):
            raise RuntimeError("the turn failed")
    async with asyncio.timeout(1.0):                           # the next message is not blocked
        async with locks.hold("rest:crash"):
            pass


async def test_nothing_is_left_behind_after_the_turns() -> None:
    local = LocalLocks()
    await asyncio.gather(*(_turn(local, f"rest:{i % 3}", str(i), []) for i in range(9)))
    assert len(local) == 0                                     # no lock per citizen kept forever


async def test_no_redis_lock_key_is_left_after_a_turn(redis: Redis) -> None:
    prefix = f"motcua:test:lock:{uuid.uuid4().hex[:8]}:"
    locks = RedisLocks(redis, prefix=prefix)
    async with locks.hold("rest:k"):
        assert await redis.exists(prefix + "rest:k") == 1      # held in Redis while the turn runs
    assert await redis.keys(prefix + "*") == []
