"""The citizen's "/xoadulieu": everything personal goes (bot/privacy/registry.py lists it); only anonymous
counts stay."""
from __future__ import annotations

import secrets
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.admin.models import TrainingExampleRow
from bot.handoff.ticket import OPEN
from bot.privacy.drafts import forget_drafts
from bot.privacy.registry import ERASED_PREFIX, PERSONAL_EVENT_TYPES
from bot.runtime.effects import EffectEnv
from bot.storage.handoff_models import audit, handoffs, notes
from bot.storage.repo import ConversationRow, conversations, drafts, events, outbox, transcript

training_examples = cast(Table, TrainingExampleRow.__table__)


def erased_id() -> str:
    """A conversation's new external id: unique, and no platform user id (nor a guessable one)."""
    return ERASED_PREFIX + secrets.token_hex(16)


async def delete_citizen_data(env: EffectEnv, conn: AsyncConnection, event: Any, conv: ConversationRow) -> None:
    """Effect of ``data_deletion_requested`` (runs inside the turn's effect transaction)."""
    cid = conv.id
    # The confirmation the engine just sent must still reach the citizen: keep unsent outbox rows.
    await conn.execute(delete(outbox).where(outbox.c.conversation_id == cid, outbox.c.sent_at.is_not(None)))
    await conn.execute(delete(transcript).where(transcript.c.conversation_id == cid))
    await forget_drafts(conn, drafts.c.conversation_id == cid, env.clock())
    # Messages an admin labelled as training examples are the citizen's words too.
    own_events = select(events.c.id).where(events.c.conversation_id == cid)
    await conn.execute(delete(training_examples).where(training_examples.c.event_id.in_(own_events)))
    await conn.execute(update(events).where(events.c.conversation_id == cid,
                                            events.c.type.in_(PERSONAL_EVENT_TYPES)).values(data={}))
    # The agents' notes can hold ID numbers and addresses; the ticket stays (handoff counts) without the phone.
    await conn.execute(delete(notes).where(notes.c.conversation_id == cid))
    await conn.execute(update(handoffs).where(handoffs.c.conversation_id == cid).values(callback_phone=None))
    # Nobody is left to answer: an open request leaves the queue, and the audit says why.
    closed = await conn.execute(update(handoffs).where(handoffs.c.conversation_id == cid, handoffs.c.status.in_(OPEN))
                                .values(status="closed", resolved_at=env.clock()))
    if closed.rowcount:
        await conn.execute(insert(audit).values(actor="citizen", action="data_deleted", conversation_id=cid,
                                                details={}, at=env.clock()))
    await conn.execute(update(conversations).where(conversations.c.id == cid).values(
        display_name=None, external_id=erased_id()))
