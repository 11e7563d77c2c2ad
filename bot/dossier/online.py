"""A draft filed on the national portal: its dossier code stored with the draft, by the citizen or the digital team.

The portal's code goes where the desk keeps the official number (``drafts.official_number``), so the desk, the
console and "hồ sơ của tôi đến đâu" show it with no new column; the draft's status becomes ``submitted_online``
and a ``draft_history`` row says who filed it (action ``online_citizen`` or ``online_team``), which is what the
reports count (the history outlives a forgotten draft, so the counts do not change after a deletion).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.runtime.effects import EffectEnv
from bot.storage.desk_models import draft_history
from bot.storage.repo import LIVE_DRAFT, ConversationRow, drafts

BY_CITIZEN, BY_TEAM = "online_citizen", "online_team"
SUBMITTED = "submitted_online"
MAX_PORTAL_CODE = 64
_PORTAL_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-/]{3,62}[A-Za-z0-9]$")

ERR_PORTAL_EMPTY = "Bạn nhập mã hồ sơ Cổng Dịch vụ công cấp sau khi nộp (ví dụ 000.00.31.H12-261206-0001)."
ERR_PORTAL_BAD = ("Mã hồ sơ Cổng cấp chỉ gồm chữ, số, dấu chấm, gạch ngang hoặc gạch chéo, dài 5–64 ký tự "
                  "(ví dụ 000.00.31.H12-261206-0001).")


def clean_portal_code(text: str | None) -> str:
    """The code as typed, trimmed; ValueError with the officer's message when it cannot be one."""
    value = (text or "").strip()
    if not value:
        raise ValueError(ERR_PORTAL_EMPTY)
    if not _PORTAL_CODE.match(value):
        raise ValueError(ERR_PORTAL_BAD)
    return value


async def mark_filed(conn: AsyncConnection, row: Any, portal_code: str, actor: str, by: str,
                     now: dt.datetime) -> None:
    """Store the portal code on the draft row and the history line saying who filed it."""
    await conn.execute(update(drafts).where(drafts.c.id == row.id)
                       .values(status=SUBMITTED, official_number=portal_code, updated_at=now))
    await conn.execute(insert(draft_history).values(
        draft_id=row.id, at=now, actor=actor[:64], action=by, from_status=row.status, to_status=SUBMITTED,
        official_number=portal_code))


async def record_citizen_filing(env: EffectEnv, conn: AsyncConnection, event: Any, conv: ConversationRow) -> None:
    """Effect of ``online_filed``: the citizen's own draft (of this conversation) gets the code they sent."""
    data = dict(event.data or {})
    try:
        portal_code = clean_portal_code(data.get("portal_code"))
    except ValueError:
        return
    row = (await conn.execute(select(drafts.c.id, drafts.c.status).where(and_(
        drafts.c.code == data.get("code"), drafts.c.conversation_id == conv.id, LIVE_DRAFT)))).first()
    if row is None:
        return
    await mark_filed(conn, row, portal_code, "người dân", BY_CITIZEN, env.clock())
