"""Live events for the console (new handoff, new message, claimed…): in memory for one worker,
Redis pub/sub behind the same interface when several workers share the load."""
from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any, Protocol


class PubSub(Protocol):
    async def publish(self, topic: str, data: dict[str, Any]) -> None: ...

    def subscribe(self, topic: str) -> contextlib.AbstractAsyncContextManager[AsyncIterator[dict[str, Any]]]: ...


class MemoryPubSub:
    """Fan-out to in-process subscribers; a slow subscriber drops old events rather than blocking turns."""

    def __init__(self, queue_size: int = 200):
        self._subs: dict[str, set[asyncio.Queue[dict[str, Any]]]] = {}
        self._size = queue_size

    async def publish(self, topic: str, data: dict[str, Any]) -> None:
        payload = json.loads(json.dumps(data, default=str))
        for q in list(self._subs.get(topic, ())):
            if q.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    q.get_nowait()
            q.put_nowait(payload)

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        q: asyncio.Queue[dict[str, Any]] = asyncio.Queue(self._size)
        self._subs.setdefault(topic, set()).add(q)

        async def gen() -> AsyncIterator[dict[str, Any]]:
            while True:
                yield await q.get()

        try:
            yield gen()
        finally:
            self._subs[topic].discard(q)
            if not self._subs[topic]:
                del self._subs[topic]
