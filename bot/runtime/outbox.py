"""PUSH delivery: send pending outbox rows of Telegram/Zalo conversations through their adapters.

Called right after each turn (latency) and as a background loop (retries, agent messages and status
notices written by `TurnRunner.apply`). Each row is *claimed* with a short lease before it is sent, so two
flushes (or two processes) never send the same row concurrently; a crash between the send and
`mark_sent` re-sends that one row after the lease (at-least-once only in that crash window).
Rows of one conversation go out in order: a failed row holds back the ones after it.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import Table, and_, or_, select, update

from bot.channels.base import PushChannel, SendError
from bot.engine.messages import Attachment
from bot.storage.db import aware, log_failure
from bot.storage.repo import AFTER_DELIVERY, Repo, delivered
from bot.storage.repo import outbox as _outbox

log = logging.getLogger(__name__)
outbox = cast(Table, _outbox)

LEASE = dt.timedelta(seconds=60)
MAX_ATTEMPTS = 8
GIVE_UP = dt.timedelta(days=3650)   # parked: never due again, kept with its last_error for the admin
PARKED = "gave up: "                 # a parked row does not hold back the conversation's later messages


def backoff(attempts: int) -> dt.timedelta:
    """5 s, 10 s, 20 s … capped at 10 minutes."""
    return dt.timedelta(seconds=min(600, 5 * 2 ** max(0, attempts - 1)))


class OutboxWorker:
    """Delivers outbox rows of the registered push channels."""

    def __init__(self, repo: Repo, clock: Callable[[], dt.datetime]):
        self.repo = repo
        self.clock = clock
        self.channels: dict[str, PushChannel] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._wake = asyncio.Event()
        self._tasks: set[asyncio.Task[int]] = set()
        self.sent = 0
        self.failed = 0

    def register(self, channel: PushChannel) -> None:
        self.channels[channel.name] = channel

    async def fetch(self, attachment: Attachment, channel: str) -> bytes | None:
        """Bytes of a citizen's photo/file, fetched lazily from the channel it came from."""
        if attachment.data is not None:
            return attachment.data
        ch = self.channels.get(channel)
        return await ch.fetch(attachment) if ch is not None else None

    async def flush_soon(self, conversation_id: int, wait: float) -> None:
        """Deliver a turn's replies now, but hold the webhook's answer at most ``wait`` seconds (the rest continues)."""
        task = asyncio.create_task(self.flush(conversation_id))
        self._tasks.add(task)
        task.add_done_callback(self._done)
        await asyncio.wait({task}, timeout=wait)

    def _done(self, task: asyncio.Task[int]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("push delivery failed", exc_info=task.exception())

    async def idle(self) -> None:
        """Wait for deliveries still running after their webhook was answered (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def kick(self) -> None:
        """Ask the background loop to flush now (after `runner.apply`, for instance)."""
        self._wake.set()

    async def _due(self, conversation_id: int | None) -> list[Any]:
        cond: list[Any] = [outbox.c.sent_at.is_(None), outbox.c.channel.in_(list(self.channels))]
        if conversation_id is not None:
            cond.append(outbox.c.conversation_id == conversation_id)
        async with self.repo.engine.connect() as conn:
            return list((await conn.execute(select(outbox).where(and_(*cond)).order_by(outbox.c.id).limit(500))).all())

    async def _claim(self, row_id: int, now: dt.datetime) -> bool:
        async with self.repo.engine.begin() as conn:
            res = await conn.execute(update(outbox).where(and_(
                outbox.c.id == row_id, outbox.c.sent_at.is_(None),
                or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= now),
            )).values(next_attempt_at=now + LEASE))
            return bool(res.rowcount == 1)

    async def flush(self, conversation_id: int | None = None) -> int:
        """Send everything due (of one conversation, or of all); returns how many rows were sent.

        Conversations are flushed independently (one slow chat does not hold up the others); within one
        conversation a lock keeps the rows in order and lets a flush that arrives mid-send pick up new rows.
        """
        if not self.channels:
            return 0
        if conversation_id is not None:
            return await self._flush_one(conversation_id)
        ids = list(dict.fromkeys(r.conversation_id for r in await self._due(None)))
        return sum([await self._flush_one(cid) for cid in ids])

    async def _flush_one(self, conversation_id: int) -> int:
        lock = self._locks.setdefault(conversation_id, asyncio.Lock())
        try:
            async with lock:
                return await self._send_rows(conversation_id)
        finally:
            if not lock.locked() and self._locks.get(conversation_id) is lock:
                del self._locks[conversation_id]

    async def _send_rows(self, conversation_id: int) -> int:
        now = self.clock()
        sent = 0
        for row in await self._due(conversation_id):
            if row.next_attempt_at is not None and aware(row.next_attempt_at) > now:
                if (row.last_error or "").startswith(PARKED):
                    continue
                break   # an earlier row waits for its retry (or another worker holds it): keep the order
            if not await self._claim(row.id, now):
                break
            try:
                await self.channels[row.channel].deliver(row.recipient, dict(delivered(row.body)))
            except SendError as exc:
                await self._failed(row, str(exc), exc.transient, now)
                break
            except Exception as exc:  # an adapter bug must not stop other citizens' messages
                log.exception("push delivery crashed", extra={"channel": row.channel, "outbox_id": row.id})
                await self._failed(row, f"{type(exc).__name__}: {exc}", True, now)
                break
            await self.repo.mark_sent(row.id, self.clock(), keep=(row.body or {}).get(AFTER_DELIVERY))
            sent += 1
        self.sent += sent
        return sent

    async def _failed(self, row: Any, error: str, transient: bool, now: dt.datetime) -> None:
        self.failed += 1
        attempts = (row.attempts or 0) + 1
        if not transient or attempts >= MAX_ATTEMPTS:
            log.warning("push delivery gave up", extra={"channel": row.channel, "outbox_id": row.id, "error": error})
            await self.repo.mark_failed(row.id, PARKED + error, now + GIVE_UP,
                                        keep=(row.body or {}).get(AFTER_DELIVERY))
        else:
            log.info("push delivery will retry", extra={"channel": row.channel, "outbox_id": row.id, "error": error})
            await self.repo.mark_failed(row.id, error, now + backoff(attempts))

    async def run(self, interval: float = 2.0) -> None:
        """Background loop: retries and messages written outside a citizen turn."""
        while True:
            try:
                await self.flush()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 — the delivery loop must outlive one failed flush
                log_failure(log, "outbox loop failed; continuing", exc)
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=interval)
            except TimeoutError:
                pass
            self._wake.clear()
