"""Retention: what holds personal data (bot/privacy/registry.py) is deleted or emptied once older than the
configured number of days, by a scheduled job; anonymous rows stay for the counts."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import Text, and_, bindparam, cast, delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.privacy.deletion import erased_id, training_examples
from bot.privacy.drafts import forget_drafts
from bot.privacy.registry import ERASED_PREFIX, PERSONAL_EVENT_TYPES
from bot.storage.assist_models import assisted_citizens
from bot.storage.db import log_failure
from bot.storage.handoff_models import handoffs, notes
from bot.storage.repo import Repo, conversations, drafts, events, outbox, transcript

log = logging.getLogger(__name__)


def _n(res: object) -> int:
    return int(getattr(res, "rowcount", 0) or 0)


async def purge(repo: Repo, now: dt.datetime, days: int) -> dict[str, int]:
    """Delete or empty what is older than ``days``; returns how many rows each step touched."""
    cutoff = now - dt.timedelta(days=days)
    async with repo.engine.begin() as conn:
        counts = {
            "transcript": _n(await conn.execute(delete(transcript).where(transcript.c.created_at < cutoff))),
            # A draft still moving at the desk is kept: its last change, not its creation, counts.
            "drafts": await forget_drafts(conn, drafts.c.updated_at < cutoff, now),
            "conversations": await _idle_conversations(conn, cutoff),
            # Old messages, even undelivered (a push that failed for that long is dead, a pull citizen gone);
            # the sent ones of an erased conversation at once (the deletion confirmation, once delivered).
            "outbox": _n(await conn.execute(delete(outbox).where((outbox.c.created_at < cutoff) | and_(
                outbox.c.sent_at.is_not(None), outbox.c.conversation_id.in_(_erased()))))),
            # Examples an admin labelled from a message go when the message would have gone.
            "training_examples": _n(await conn.execute(delete(training_examples).where(
                training_examples.c.event_id.in_(select(events.c.id).where(events.c.created_at < cutoff))))),
            # Only types whose data names someone are emptied: reports keep procedures, reasons and ratings.
            "events": _n(await conn.execute(update(events).where(and_(
                events.c.created_at < cutoff, events.c.handled_at.is_not(None),
                # (compared as text: PostgreSQL has no equality on json)
                events.c.type.in_(PERSONAL_EVENT_TYPES), cast(events.c.data, Text) != "{}")).values(data={}))),
            "handoff_notes": _n(await conn.execute(delete(notes).where(notes.c.created_at < cutoff))),
            "callback_phones": _n(await conn.execute(update(handoffs).where(
                handoffs.c.requested_at < cutoff, handoffs.c.callback_phone.is_not(None)).values(callback_phone=None))),
            # The walk-in citizen's name and phone (assisted mode) go with the drafts they were kept for.
            "assisted_citizens": _n(await conn.execute(delete(assisted_citizens).where(
                assisted_citizens.c.created_at < cutoff))),
        }
    return counts


def _erased() -> Any:
    return select(conversations.c.id).where(conversations.c.external_id.startswith(ERASED_PREFIX))


async def _idle_conversations(conn: AsyncConnection, cutoff: dt.datetime) -> int:
    """What an idle conversation collected (names, ID numbers, addresses in the fields) and the platform user
    id are forgotten, unless a draft still moving at the desk must reach the citizen through it. A conversation
    left waiting for a person that long is forgotten too: every turn and agent message touches ``updated_at``."""
    live_draft = exists().where(drafts.c.conversation_id == conversations.c.id)
    ids = list((await conn.execute(select(conversations.c.id).where(and_(
        conversations.c.updated_at < cutoff,
        ~conversations.c.external_id.startswith(ERASED_PREFIX), ~live_draft)))).scalars())
    if not ids:
        return 0
    await conn.execute(update(conversations).where(conversations.c.id == bindparam("cid")).values(
        state={}, mode="bot", procedure_id=None, step_id=None, display_name=None, external_id=bindparam("ext"),
        version=conversations.c.version + 1), [{"cid": i, "ext": erased_id()} for i in ids])
    return len(ids)


async def retention_loop(repo: Repo, clock: Callable[[], dt.datetime], days: int, every_s: float = 3600.0,
                         examples_gone: Callable[[], Awaitable[None]] | None = None,
                         first_after_s: float = 0.0) -> None:
    """Runs `purge` every hour in each worker (idempotent, so several workers do no harm), the first one
    ``first_after_s`` after the start; ``examples_gone`` is called when labelled examples were deleted (the NLU
    retrains without them)."""
    await asyncio.sleep(first_after_s)
    while True:
        try:
            counts = await purge(repo, clock(), days)
            if any(counts.values()):
                log.info("retention purge", extra=counts)
            if counts.get("training_examples") and examples_gone is not None:
                await examples_gone()
        except Exception as exc:  # noqa: BLE001 — the purge loop must outlive one failed run
            log_failure(log, "retention purge failed", exc)
        await asyncio.sleep(every_s)
