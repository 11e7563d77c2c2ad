"""Per-conversation locks so one citizen's messages are processed one at a time, in arrival order.

In-process asyncio locks for one worker; Redis locks (same interface) when several workers share a database.
"""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Protocol


class ConversationLocks(Protocol):
    def hold(self, key: str) -> contextlib.AbstractAsyncContextManager[None]: ...


class LocalLocks:
    """asyncio.Lock per key, dropped when nobody waits (no unbounded growth). FIFO, so arrival order holds."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock2, users2 = self._locks[key]
            if users2 <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock2, users2 - 1)

    def __len__(self) -> int:
        return len(self._locks)
