"""Route committed domain events to the rooms that act on them (dossier, handoff, privacy, live events).

Each handler runs in the same transaction that marks its event handled, so an effect happens once:
a crash before commit leaves the event unhandled and the sweeper runs it again.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.engine.events import Event
from bot.runtime.content import ContentStore
from bot.settings import Settings
from bot.storage.db import aware, log_failure
from bot.storage.repo import ConversationRow, Repo, events

log = logging.getLogger(__name__)


@dataclass(slots=True)
class EffectEnv:
    """What handlers may use."""

    settings: Settings
    repo: Repo
    clock: Callable[[], dt.datetime]
    content: ContentStore


Handler = Callable[[EffectEnv, AsyncConnection, Any, ConversationRow], Awaitable[None]]
AfterCommit = Callable[[Any, ConversationRow], Awaitable[None]]


class Effects:
    """A tiny, explicit dispatch table: event type → handlers. Rooms register on an event class; the table is
    keyed by the type's stored string, which is what the rows read back from the events table carry."""

    def __init__(self, env: EffectEnv):
        self.env = env
        self._handlers: dict[str, list[Handler]] = {}
        self._after: dict[str, list[AfterCommit]] = {}

    def on(self, event: type[Event], handler: Handler) -> None:
        """Register a transactional handler (database work only)."""
        self._handlers.setdefault(event.type.value, []).append(handler)

    def after(self, event: type[Event], hook: AfterCommit) -> None:
        """Register a best-effort hook run after commit (notifications, live console updates)."""
        self._after.setdefault(event.type.value, []).append(hook)

    def wants(self, event_type: str) -> bool:
        """Whether any room acts on this event; others are stored already handled (no extra round trips)."""
        return event_type in self._handlers or event_type in self._after

    async def run(self, event_ids: list[int], conv: ConversationRow) -> None:
        rows = await self.env.repo.events_by_ids(event_ids)
        for row in rows:
            await self._run_one(row, conv)

    async def _run_one(self, row: Any, conv: ConversationRow) -> None:
        handlers = self._handlers.get(row.type, [])
        async with self.env.repo.engine.begin() as conn:
            res = await conn.execute(update(events).where(and_(events.c.id == row.id, events.c.handled_at.is_(None)))
                                     .values(handled_at=self.env.clock()))
            if res.rowcount != 1:
                return  # another worker handled it
            for h in handlers:
                await h(self.env, conn, row, conv)
        for hook in self._after.get(row.type, []):
            try:
                await hook(row, conv)
            except Exception:  # a failed notification must not fail the citizen's turn
                log.exception("after-commit hook failed", extra={"event": row.type})

    async def sweep(self, older_than: dt.timedelta = dt.timedelta(seconds=10)) -> int:
        """Run events a crashed worker committed but never handled. Returns how many ran."""
        cutoff = self.env.clock() - older_than
        done = 0
        for row in await self.env.repo.unhandled_events(limit=200):
            if row.created_at is not None and aware(row.created_at) > cutoff:
                continue
            conv = await self.env.repo.load_by_id(row.conversation_id) if row.conversation_id else None
            if conv is None:
                continue
            await self._run_one(row, conv)
            done += 1
        return done

    async def sweeper(self, interval: float = 5.0) -> None:
        """Background loop for `sweep`."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.sweep()
            except Exception as exc:  # noqa: BLE001 — the sweep loop must outlive one failed sweep
                log_failure(log, "effect sweep failed", exc)
