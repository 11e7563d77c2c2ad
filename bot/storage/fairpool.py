"""A connection pool that hands a returned connection to the turn that has waited longest.

SQLite runs with one shared connection (`db.create_engine`). SQLAlchemy's asyncio pool queue lets a newly
arriving request take a connection that was just returned even while others are already waiting for it
(`asyncio.Queue.get_nowait` does not look at the waiters), so under load some turns wait many rounds: the
closed-loop p99 doubled once statements stopped yielding to the event loop. Here a returned connection goes
straight to the first waiter, and a newcomer queues behind the waiters: first come, first served.
"""
from __future__ import annotations

import asyncio
import collections
from typing import Any

from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlalchemy.util.concurrency import await_
from sqlalchemy.util.queue import AsyncAdaptedQueue, Empty


class HandoffQueue(AsyncAdaptedQueue[Any]):
    """FIFO hand-off of pooled connections between asyncio tasks."""

    def __init__(self, maxsize: int = 0, use_lifo: bool = False):
        super().__init__(maxsize, use_lifo)
        self._waiters: collections.deque[asyncio.Future[Any]] = collections.deque()

    def put_nowait(self, item: Any) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(item)
                return
        super().put_nowait(item)

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        self.put_nowait(item)   # the pool never returns more connections than it made

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        while self._waiters and self._waiters[0].done():   # timed out or cancelled
            self._waiters.popleft()
        if not block or not self._waiters:
            try:
                return self.get_nowait()
            except Empty:
                if not block:
                    raise
        waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            return await_(asyncio.wait_for(waiter, timeout))
        except TimeoutError as err:
            raise Empty() from err
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self.put_nowait(waiter.result())   # handed over just as this task was cancelled: pass it on
            raise


class FairPool(AsyncAdaptedQueuePool):
    """`AsyncAdaptedQueuePool` with first-come-first-served hand-off (see the module)."""

    _queue_class = HandoffQueue
