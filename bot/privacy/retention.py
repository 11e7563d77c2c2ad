"""Retention: transcripts older than the configured number of days are deleted and drafts forgotten
(an anonymous row stays for the counts) by a scheduled job."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Callable

from sqlalchemy import and_, delete, update

from bot.privacy.drafts import forget_drafts
from bot.storage.assist_models import assisted_citizens
from bot.storage.repo import Repo, conversations, drafts, events, outbox, transcript
from bot.storage.db import log_failure

log = logging.getLogger(__name__)


async def purge(repo: Repo, now: dt.datetime, days: int) -> dict[str, int]:
    """Delete what is older than ``days``; event rows keep only type and time for the commune's counts."""
    cutoff = now - dt.timedelta(days=days)
    async with repo.engine.begin() as conn:
        counts = {
            "transcript": (await conn.execute(delete(transcript).where(transcript.c.created_at < cutoff))).rowcount,
            # A draft still moving at the desk is kept: its last change, not its creation, counts.
            "drafts": await forget_drafts(conn, drafts.c.updated_at < cutoff, now),
            # What an idle conversation collected (names, ID numbers, addresses in the fields) is forgotten too.
            "conversations": (await conn.execute(update(conversations).where(and_(
                conversations.c.updated_at < cutoff, conversations.c.mode == "bot",
                conversations.c.procedure_id.is_not(None) | conversations.c.display_name.is_not(None))).values(
                state={}, procedure_id=None, step_id=None, display_name=None,
                version=conversations.c.version + 1))).rowcount,
            "outbox": (await conn.execute(delete(outbox).where(and_(
                outbox.c.created_at < cutoff, outbox.c.sent_at.is_not(None))))).rowcount,
            "events": (await conn.execute(update(events).where(and_(
                events.c.created_at < cutoff, events.c.handled_at.is_not(None))).values(data={}))).rowcount,
            # The walk-in citizen's name and phone (assisted mode) go with the drafts they were kept for.
            "assisted_citizens": (await conn.execute(delete(assisted_citizens).where(
                assisted_citizens.c.created_at < cutoff))).rowcount,
        }
    return {k: int(v or 0) for k, v in counts.items()}


async def retention_loop(repo: Repo, clock: Callable[[], dt.datetime], days: int, every_s: float = 3600.0) -> None:
    """Runs `purge` every hour in each worker (idempotent, so several workers do no harm)."""
    while True:
        try:
            counts = await purge(repo, clock(), days)
            if any(counts.values()):
                log.info("retention purge", extra=counts)
        except Exception as exc:
            log_failure(log, "retention purge failed", exc)
        await asyncio.sleep(every_s)
