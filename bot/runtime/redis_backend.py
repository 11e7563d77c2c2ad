"""Redis-backed locks and pub/sub for several workers — each degrades to its in-process twin (with a warning)
while Redis is unreachable, and goes back to Redis when it returns. The rate limiter (ratelimit.py) shares the
breaker."""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.runtime.breaker import Breaker as _Breaker
from bot.runtime.locks import LocalLocks
from bot.runtime.pubsub import MemoryPubSub

log = logging.getLogger(__name__)

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end
"""
_EXTEND = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end
"""


def redis_client(url: str, max_connections: int = 200, pool_timeout: float = 5.0) -> Redis:
    """A worker's Redis client on a blocking pool: when every connection is busy (a burst of a thousand citizens),
    a turn waits for one instead of failing with MaxConnectionsError, which would open the breaker below and drop
    the worker to in-process locks while other workers still use Redis."""
    from redis.asyncio import BlockingConnectionPool

    pool = BlockingConnectionPool.from_url(url, max_connections=max_connections, timeout=pool_timeout,
                                           socket_timeout=1.0, socket_connect_timeout=1.0)
    return Redis.from_pool(pool)   # the client owns the pool: closing it closes every connection


class RedisLocks:
    """A local FIFO lock (order within this worker) plus a Redis lock (exclusion across workers).

    The Redis lock lives ``ttl_ms`` and is extended every third of that while its turn runs, so a long turn keeps
    it but a worker killed mid-turn (kill -9, OOM) blocks that citizen's next message for at most ``ttl_ms``.
    """

    def __init__(self, redis: Redis, ttl_ms: int = 3000, wait_s: float = 15.0, prefix: str = "motcua:lock:"):
        self.redis = redis
        self.ttl_ms = ttl_ms
        self.wait_s = wait_s
        self.prefix = prefix
        self.local = LocalLocks()
        self.breaker = _Breaker()

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        async with self.local.hold(key):
            token = uuid.uuid4().hex
            name = self.prefix + key
            held = await self._acquire(name, token)
            keeper = asyncio.create_task(self._keep(name, token)) if held else None
            try:
                yield
            finally:
                if keeper is not None:
                    keeper.cancel()
                if held:
                    with contextlib.suppress(RedisError, OSError):
                        await self.redis.eval(_RELEASE, 1, name, token)

    async def _keep(self, name: str, token: str) -> None:
        """Extend our lock while the turn runs; stop if it is no longer ours or Redis is unreachable."""
        while True:
            await asyncio.sleep(self.ttl_ms / 3000)
            try:
                if not await self.redis.eval(_EXTEND, 1, name, token, self.ttl_ms):
                    return
            except (RedisError, OSError):
                return

    async def _acquire(self, name: str, token: str) -> bool:
        if self.breaker.open:
            return False
        deadline = time.monotonic() + self.wait_s
        delay = 0.002
        while True:
            try:
                if await self.redis.set(name, token, nx=True, px=self.ttl_ms):
                    self.breaker.ok()
                    return True
            except (RedisError, OSError) as exc:
                self.breaker.fail(type(exc).__name__)
                return False  # the conversation's version column still prevents lost updates
            if time.monotonic() > deadline:
                log.warning("conversation lock wait exceeded; proceeding with optimistic versioning")
                return False
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.05)


class RedisPubSub:
    """Publishes through Redis so every worker's console sees every event; in memory while Redis is down."""

    def __init__(self, redis: Redis, prefix: str = "motcua:ev:"):
        self.redis = redis
        self.prefix = prefix
        self.memory = MemoryPubSub()
        self.breaker = _Breaker()

    async def publish(self, topic: str, data: dict[str, Any]) -> None:
        if not self.breaker.open:
            try:
                await self.redis.publish(self.prefix + topic, json.dumps(data, default=str, ensure_ascii=False))
                self.breaker.ok()
                return
            except (RedisError, OSError) as exc:
                self.breaker.fail(type(exc).__name__)
        await self.memory.publish(topic, data)

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(500)

        async def from_redis() -> None:
            while True:
                try:
                    ps = self.redis.pubsub()
                    await ps.subscribe(self.prefix + topic)
                    try:
                        async for m in ps.listen():
                            if m.get("type") == "message":
                                with contextlib.suppress(ValueError):
                                    _put(queue, json.loads(m["data"]))
                    finally:
                        with contextlib.suppress(Exception):
                            await ps.aclose()
                except (RedisError, OSError):
                    await asyncio.sleep(1.0)

        async def from_memory() -> None:
            async with self.memory.subscribe(topic) as it:
                async for ev in it:
                    _put(queue, ev)

        tasks = [asyncio.create_task(from_redis()), asyncio.create_task(from_memory())]

        async def gen() -> AsyncIterator[dict[str, Any]]:
            while True:
                yield await queue.get()

        try:
            yield gen()
        finally:
            for t in tasks:
                t.cancel()


def _put(queue: asyncio.Queue[dict[str, Any]], item: dict[str, Any]) -> None:
    if queue.full():
        with contextlib.suppress(asyncio.QueueEmpty):
            queue.get_nowait()
    queue.put_nowait(item)
