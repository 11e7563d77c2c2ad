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

from bot.content.online import files_online
from bot.dossier.receipt import has_receipt, receipt_of
from bot.engine.online import FILE_FOR_ME, RECEIPT_REASON, STEP_PREFIX
from bot.engine.online import fill as fill_step
from bot.handoff.ticket import OPEN
from bot.runtime.effects import EffectEnv
from bot.storage.desk_models import draft_history
from bot.storage.repo import LIVE_DRAFT, ConversationRow, drafts
from bot.web.vntime import vn_time

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


# --- the digital team files it (the console's panel, bot/web/console) ------------------------------

ERR_ALREADY = "Hồ sơ {code} đã được ghi là nộp trực tuyến (mã {number})."
ERR_NO_DRAFT = "Cuộc trò chuyện này chưa có hồ sơ nháp để nộp trực tuyến."


async def _filing_rows(repo: Any, conversation_id: int) -> tuple[Any, Any, Any]:
    """(conversation, latest ticket, the draft to file): a "nộp giúp" or receipt ticket names its draft, else the
    newest one."""
    from bot.storage.handoff_models import handoffs

    conv = await repo.load_by_id(conversation_id)
    async with repo.engine.connect() as conn:
        ticket = (await conn.execute(select(handoffs).where(handoffs.c.conversation_id == conversation_id)
                                     .order_by(handoffs.c.id.desc()).limit(1))).first()
        q = select(drafts).where(and_(drafts.c.conversation_id == conversation_id, LIVE_DRAFT))
        if ticket is not None and ticket.reason in (FILE_FOR_ME, RECEIPT_REASON) and ticket.step_id:
            q = q.where(drafts.c.code == ticket.step_id)
        row = (await conn.execute(q.order_by(drafts.c.id.desc()).limit(1))).first()
    return conv, ticket, row


def _values(proc: Any, data: dict[str, Any]) -> list[dict[str, str]]:
    """Every value of the draft in the form's order, as the portal's form wants it typed."""
    from bot.engine.flowrun import display_value

    given = dict(data.get("fields") or {})
    return [{"label": f.label, "value": display_value(f, given[f.id])}
            for f in (proc.form.fields if proc.form else ()) if given.get(f.id)]


def _documents(proc: Any, data: dict[str, Any]) -> list[dict[str, Any]]:
    missing = set(data.get("docs_missing") or ())
    out = []
    for d in data.get("applicable_docs") or ():
        doc = proc.document(d)
        if doc is not None and not doc.produced_by_draft:
            out.append({"name": doc.name, "missing": d in missing})
    return out


async def filing_receipt(repo: Any, conversation_id: int) -> Any:
    """The receipt photo of the draft the panel files (mime_type, content, received_at), or None."""
    _, _, row = await _filing_rows(repo, conversation_id)
    return await receipt_of(repo.engine, row.id) if row is not None else None


async def filing_panel(repo: Any, snap: Any, conversation_id: int) -> dict[str, Any] | None:
    """What the agent needs to file the draft on the portal: values to copy, documents, the steps as a checklist
    (the one the citizen was stuck at marked), and the portal code once recorded. None: nothing to file online."""
    _, ticket, row = await _filing_rows(repo, conversation_id)
    proc = snap.procedure(row.procedure_id) if row is not None else None
    if row is None or proc is None or snap.online is None or not files_online(proc):
        return None
    reached = ticket.step_id.removeprefix(STEP_PREFIX) if ticket is not None and ticket.step_id and \
        ticket.step_id.startswith(STEP_PREFIX) else None
    data = row.data or {}
    steps = [{"id": s.id, "title": s.title, "say": fill_step(s.say, proc), "reached": s.id == reached}
             for s in snap.online.steps_for(proc.id)]
    receipt_at = await has_receipt(repo.engine, row.id)
    return {"code": row.code, "procedure": proc.name, "status": row.status,
            "for_me": ticket is not None and ticket.reason == FILE_FOR_ME,
            "receipt_at": vn_time(receipt_at) if receipt_at else None,
            "read_receipt": ticket is not None and ticket.reason == RECEIPT_REASON and receipt_at is not None,
            "portal_code": row.official_number if row.status == SUBMITTED else None,
            "values": _values(proc, data), "documents": _documents(proc, data), "steps": steps,
            "reached": next((f"Bước {i + 1}: {s['title']}" for i, s in enumerate(steps) if s["reached"]), None)}


async def file_for_citizen(handoff: Any, viewer: Any, conversation_id: int, text: str | None) -> str:
    """The agent filed the draft on the portal (history ``online_team``), or read its code on the receipt photo the
    citizen sent (the citizen filed it: ``online_citizen``): store the code and tell the citizen with it. Returns
    the code; ValueError carries the agent's message."""
    portal_code = clean_portal_code(text)
    await handoff.conversation(viewer, conversation_id)   # the agent's team may see it (Forbidden otherwise)
    _, ticket, row = await _filing_rows(handoff.repo, conversation_id)
    if row is None:
        raise ValueError(ERR_NO_DRAFT)
    if row.status == SUBMITTED:
        raise ValueError(ERR_ALREADY.format(code=row.code, number=row.official_number))
    read = ticket is not None and ticket.reason == RECEIPT_REASON and await has_receipt(handoff.repo.engine, row.id)
    async with handoff.repo.engine.begin() as conn:
        await mark_filed(conn, row, portal_code, viewer.username, BY_CITIZEN if read else BY_TEAM, handoff.clock())
    snap = handoff.content.current
    proc = snap.procedure(row.procedure_id)
    await handoff.notify_citizen(conversation_id, snap.phrase(
        "online_receipt_read" if read else "online_team_filed", code=row.code,
        name=proc.name if proc else row.procedure_id, number=portal_code), filed=row.code)
    if read and ticket.status in OPEN:
        await _close_task(handoff, viewer, conversation_id)
    return portal_code


async def _close_task(handoff: Any, viewer: Any, conversation_id: int) -> None:
    """Reading the code was the whole task: close the ticket, so the citizen is back with the bot (who answers
    "hồ sơ của tôi đến đâu" at once) and the queue is clean. Claimed by someone else: left to them."""
    from bot.handoff.service import Forbidden
    from bot.handoff.ticket import TransitionError

    try:
        await handoff.close(viewer, conversation_id)
    except (Forbidden, TransitionError):
        return
