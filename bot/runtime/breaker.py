"""The circuit breaker in front of Redis, shared by the Redis locks and pub/sub (redis_backend.py) and the
per-sender rate limiter (ratelimit.py). Apart from redis_backend so a worker without Redis never imports the
Redis client (~30 ms of every start)."""
from __future__ import annotations

import logging
import time

log = logging.getLogger("bot.runtime.redis_backend")   # where these warnings have always been logged


class Breaker:
    """After a Redis failure, skip Redis for a few seconds instead of paying a timeout on every turn."""

    def __init__(self, cooldown: float = 2.0):
        self.cooldown = cooldown
        self.down_until = 0.0
        self.warned = False

    @property
    def open(self) -> bool:
        return time.monotonic() < self.down_until

    def fail(self, what: str) -> None:
        self.down_until = time.monotonic() + self.cooldown
        if not self.warned:
            log.warning("Redis unreachable (%s): degrading to single-worker behaviour", what)
            self.warned = True

    def ok(self) -> None:
        if self.warned:
            log.warning("Redis reachable again: cross-worker locks and events restored")
        self.warned = False
        self.down_until = 0.0
