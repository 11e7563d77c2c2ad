"""The citizen's "/xoadulieu": delete transcript and outbox, forget drafts; keep only anonymous counts."""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.privacy.drafts import forget_drafts
from bot.runtime.effects import EffectEnv
from bot.storage.repo import ConversationRow, conversations, drafts, events, outbox, transcript


async def delete_citizen_data(env: EffectEnv, conn: AsyncConnection, event: Any, conv: ConversationRow) -> None:
    """Effect of ``data_deletion_requested`` (runs inside the turn's effect transaction)."""
    cid = conv.id
    # The confirmation the engine just sent must still reach the citizen: keep unsent outbox rows.
    await conn.execute(delete(outbox).where(outbox.c.conversation_id == cid, outbox.c.sent_at.is_not(None)))
    await conn.execute(delete(transcript).where(transcript.c.conversation_id == cid))
    await forget_drafts(conn, drafts.c.conversation_id == cid, env.clock())
    await conn.execute(update(events).where(events.c.conversation_id == cid).values(data={}))
    await conn.execute(update(conversations).where(conversations.c.id == cid).values(display_name=None))
