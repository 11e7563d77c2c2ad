"""Creating and finding drafts: the effect of a confirmed review, and the look-ups the web pages need."""
from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.dossier.codes import hash_token
from bot.engine.messages import Button, Document, Text, outbound_to_dict
from bot.handoff.communes import find_commune, infer_commune
from bot.runtime.effects import EffectEnv
from bot.storage.repo import ConversationRow, drafts

DRAFT_STATUS_VI = {
    "draft": "đã lập bản nháp, chờ nộp",
    "received": "đã tiếp nhận tại bộ phận một cửa",
    "needs_documents": "cần bổ sung giấy tờ",
    "result_ready": "đã có kết quả",
    "returned": "đã trả kết quả",
    "submitted_online": "đã nộp trực tuyến trên Cổng Dịch vụ công",
}


def citizen_links(base_url: str, code: str, token: str) -> tuple[str, str]:
    """(HTML view, PDF) links that work only with the secret token."""
    return f"{base_url}/d/{code}?t={token}", f"{base_url}/d/{code}.pdf?t={token}"


TOKEN_MASK = "(đã ẩn)"   # what the transcript and a delivered outbox row show instead of the link's token


def without_token(body: dict[str, Any], token: str) -> dict[str, Any]:
    """The message as it is kept: every occurrence of the token masked (only its hash is stored)."""
    return {k: v.replace(token, TOKEN_MASK) if isinstance(v, str) else v for k, v in body.items()}


def _draft_data(env: EffectEnv, data: dict[str, Any], named: str | None = None) -> dict[str, Any]:
    """The stored draft: what the conversation collected plus the rendered content (form order, checklist)."""
    out = {k: data.get(k) for k in ("procedure_id", "answers", "fields", "applicable_docs", "docs_missing",
                                     "docs_have", "unsure")}
    # The commune receiving it (the form's "Kính gửi" line): the citizen's own — the one they named (``named``, a
    # code), else the one in the address they gave — when it is one of the province's; else the configured one.
    province = env.settings.content.province
    own = (find_commune(named, province) if named else None) or infer_commune(data.get("fields") or (), province)
    out["commune"] = own.addressee if own else env.settings.content.commune
    out["commune_code"] = own.code if own else None
    out["assistant_name"] = env.settings.content.assistant_name
    try:
        from bot.dossier.draft import build_stored_draft

        proc = env.content.current.procedure(data.get("procedure_id"))
        if proc is not None:
            content = build_stored_draft(proc, data, env.settings.content.province, env.clock(),
                                         env.content.current.rules)
            out["content"] = content.to_json()
    except ImportError:
        pass
    return out


def _online_offer(env: EffectEnv, conv: ConversationRow, code: str) -> list[dict[str, Any]]:
    """The engine asked how to file this draft (bot/engine/online.py): the question goes after the links."""
    pending = (conv.state or {}).get("pending") or {}
    if pending.get("kind") != "online_choice" or pending.get("ref") != code:
        return []
    buttons = tuple(Button(b["title"], b["payload"]) for b in pending.get("buttons") or ())
    return [outbound_to_dict(Text(text=env.content.current.phrase("online_offer"), buttons=buttons))]


async def create_draft(env: EffectEnv, conn: AsyncConnection, event: Any, conv: ConversationRow) -> None:
    """Effect of ``draft_requested``: store the draft and send the citizen its links and PDF."""
    data = dict(event.data or {})
    code = data.get("code")
    if not code:
        return
    token = secrets.token_urlsafe(16)
    now = env.clock()
    exists = (await conn.execute(select(drafts.c.id).where(drafts.c.code == code))).first()
    if exists is not None:
        return
    stored = _draft_data(env, data, (conv.state or {}).get("commune"))
    await conn.execute(insert(drafts).values(
        code=code, token_hash=hash_token(token), conversation_id=conv.id, procedure_id=data.get("procedure_id", ""),
        data=stored, status="draft", team=conv.team, commune=stored.get("commune_code") or getattr(event, "commune", None),
        complete_documents=not data.get("docs_missing"), created_at=now, updated_at=now))
    view, pdf = citizen_links(env.settings.server.base_url, code, token)
    bodies = [
        outbound_to_dict(Document(url=pdf, filename=f"{code}.pdf", caption=f"Tờ khai và danh sách giấy tờ — hồ sơ {code}",
                                  ref=f"draft:{code}")),
        outbound_to_dict(Text(text=f"Xem lại hồ sơ {code} bất cứ lúc nào tại: {view}\n"
                                   "Giữ bí mật đường dẫn này vì nó chứa thông tin cá nhân của bạn.")),
    ]
    bodies += _online_offer(env, conv, code)
    await env.repo.add_outbox(conn, conv.id, conv.channel, conv.external_id, bodies, now,
                              masked=[without_token(b, token) for b in bodies])
