"""Forgetting a draft: everything personal goes, an anonymous row stays for the commune's counts."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.desk_models import draft_history, draft_receipts
from bot.storage.repo import DRAFT_DELETED, LIVE_DRAFT, drafts


async def forget_drafts(conn: AsyncConnection, where: Any, now: dt.datetime) -> int:
    """Clear the form values, the secret link, the official number and the link to the conversation of
    the drafts ``where`` selects, the photos of their portal receipts, and the desk's notes and numbers in their
    history. What stays (procedure,
    team, dates, whether the documents were complete, the status changes) is what reports count, and names
    no one."""
    chosen = and_(where, LIVE_DRAFT)
    ids = select(drafts.c.id).where(chosen)
    await conn.execute(update(draft_history).where(draft_history.c.draft_id.in_(ids))
                       .values(note=None, official_number=None))
    await conn.execute(delete(draft_receipts).where(draft_receipts.c.draft_id.in_(ids)))   # the receipt photo
    res = await conn.execute(update(drafts).where(chosen).values(
        status=DRAFT_DELETED, data={}, token_hash="", official_number=None, conversation_id=None,
        updated_at=now))
    return int(res.rowcount or 0)
