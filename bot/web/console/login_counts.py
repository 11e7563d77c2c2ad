"""The login throttle's in-process counters (bot/web/console/auth.py ``LoginLimiter``), imported with ``limits``
on the first login attempt rather than by every worker's start."""
from __future__ import annotations

from limits.aio.storage import MemoryStorage


class BoundedMemoryStorage(MemoryStorage):
    """limits' in-process storage with at most ``max_keys`` counters: past that, the oldest window is dropped,
    so a flood of invented usernames cannot grow the worker's memory without end."""

    def __init__(self, max_keys: int = 20_000):
        super().__init__()
        self.max_keys = max_keys

    async def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        if key not in self.storage:
            while len(self.expirations) >= self.max_keys:
                await self.clear(next(iter(self.expirations)))
        return await super().incr(key, expiry, amount)
