"""What the agent reads in the console, in the citizen's words: the console shows the button title a citizen
tapped, not the payload the engine received ("/tl foreign_parent yes"), and a step by its question, not its id.
It also decides which actions the console offers for a ticket (one table, not template conditions). Pure."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.content.snapshot import ContentSnapshot

# Console actions offered per situation of the conversation's latest ticket. "mine" is claimed by the viewer (or the
# viewer is an admin), "other" is claimed by another agent. Replying to an unclaimed conversation claims it.
CONSOLE_ACTIONS: dict[str, tuple[str, ...]] = {
    "none": ("claim", "say", "note"),
    "queued": ("claim", "say", "note", "close"),
    "mine": ("say", "note", "field", "transfer", "return", "close"),
    "other": ("note",),
    "returned": ("claim", "say", "note"),
    "closed": ("claim", "say", "note"),
}

# Payloads whose button title is a phrase of the content (flows/_phrases.yml), for rows stored without a title.
_PHRASE_OF = {"/canbo": "human_button", "/giayto co": "doc_have", "/giayto chua": "doc_missing",
              "/giayto lagi": "doc_what", "/sua": "review_edit_menu", "/xemlai": "review_back",
              "/xoadulieu_xacnhan": "delete_yes", "/xoadulieu_khong": "delete_no", "/khongphai": "clarify_none",
              "/tieptuc": "switch_no", "/thamkhao": "status_continue", "/boqua": "claim_cancel",
              "/huy_xacnhan": "restart_yes", "/huy_khong": "restart_no"}
_FIXED = {"/start": "Bắt đầu", "/huy": "Làm lại", "/xacnhan": "Xác nhận"}


def situation(ticket: dict[str, Any] | None, viewer: str, role: str) -> str:
    """The key of CONSOLE_ACTIONS for this ticket as seen by ``viewer``."""
    if ticket is None:
        return "none"
    status = ticket["status"]
    if status == "claimed":
        return "mine" if ticket.get("claimed_by") == viewer or role == "admin" else "other"
    return status if status in CONSOLE_ACTIONS else "none"


def console_actions(ticket: dict[str, Any] | None, viewer: str, role: str) -> tuple[str, ...]:
    return CONSOLE_ACTIONS[situation(ticket, viewer, role)]


def step_title(step: Any, snap: ContentSnapshot) -> str:
    """A step as the citizen met it: its question or message, else what the step does."""
    text = getattr(step, "ask", None) or getattr(step, "say", None) or getattr(step, "intro", None)
    if text:
        return " ".join(str(text).split())
    kind = getattr(step, "kind", "")
    if kind == "documents":
        return "Kiểm tra giấy tờ cần chuẩn bị"
    if kind == "fields":
        return "Hỏi thông tin để điền tờ khai"
    if kind == "review":
        return "Xem lại thông tin trước khi lập tờ khai"
    return "Bước tiếp theo"


def _buttons(body: Any) -> dict[str, str]:
    if not isinstance(body, dict):
        return {}
    return {str(b.get("payload")): str(b.get("title")) for b in body.get("buttons") or ()
            if isinstance(b, dict) and b.get("payload") and b.get("title")}


def payload_title(text: str, snap: ContentSnapshot, procedure_id: str | None) -> str | None:
    """The title of a button payload derived from the content, for rows that kept no title; None if unknown."""
    parts = text.split()
    head = parts[0] if parts else ""
    if text in _FIXED:
        return _FIXED[text]
    key = _PHRASE_OF.get(text) or (_PHRASE_OF["/sua"] if head == "/sua" else None)
    if key:
        return snap.phrase(key)
    if head == "/danhgia" and len(parts) == 2:
        return f"Đánh giá {parts[1]}/5"
    if head == "/chon" and len(parts) == 2:
        proc = snap.procedure(parts[1])
        return proc.name if proc else None
    if head == "/tl" and len(parts) == 3:
        flow = snap.flow(procedure_id)
        step = next((s for s in (flow.steps if flow else ()) if s.id == parts[1]), None)
        opt = next((o for o in getattr(step, "options", ()) if o.value == parts[2]), None)
        return opt.label if opt else None
    return None


def shown_transcript(rows: Iterable[Any], snap: ContentSnapshot, procedure_id: str | None) -> list[dict[str, Any]]:
    """Transcript rows with ``text`` as the citizen saw it: a tapped button's title (stored with the row, else from
    the buttons of the message before it, else derived from the content) instead of its payload."""
    out: list[dict[str, Any]] = []
    offered: dict[str, str] = {}
    for r in rows:
        text = r.text or ""
        body = r.body if isinstance(r.body, dict) else None
        if r.direction == "out":
            offered = _buttons(body) or offered
        elif text.startswith("/"):
            stored = body.get("title") if body else None
            text = str(stored or offered.get(text) or payload_title(text, snap, procedure_id) or text)
        elif not text and body and isinstance(body.get("attachment"), dict):
            text = _ATTACHMENT_VI.get(body["attachment"].get("kind"), "[Tệp đính kèm]")   # a photo, no caption
        out.append({"sender": r.sender, "text": text, "at": r.created_at})
    return out


_ATTACHMENT_VI = {"image": "[Ảnh người dân gửi]", "document": "[Tệp người dân gửi]"}
ONLINE_WALK = "Tự nộp trực tuyến"


def online_step_text(state: Any, snap: ContentSnapshot) -> str | None:
    """Where the citizen stands in filing online (pending, or kept to resume while a person helps), or that the
    draft is made; None otherwise. The console shows this instead of the flow's step, which is still the review."""
    from bot.engine.state import PendingKind

    p = next((q for q in (state.pending, state.resume) if q is not None and q.kind in (
        PendingKind.ONLINE_CHOICE, PendingKind.ONLINE_STEP, PendingKind.ONLINE_CODE)), None)
    if p is None:
        return "Đã lập hồ sơ nháp — xong các bước hỏi thông tin" if state.phase == "done" else None
    if p.kind is PendingKind.ONLINE_CHOICE:
        return "Chọn cách nộp: tự nộp trực tuyến, nhờ tổ công nghệ số hay mang đến bộ phận một cửa"
    steps = snap.online.steps_for(state.procedure_id) if snap.online is not None and state.procedure_id else ()
    if p.kind is PendingKind.ONLINE_CODE:
        return f"{ONLINE_WALK} — đã làm xong {len(steps)} bước, chờ mã hồ sơ Cổng cấp"
    idx = (p.ref or "").rpartition("#")[2]
    i = int(idx) if idx.isdigit() else 0
    if not steps:
        return ONLINE_WALK
    i = min(i, len(steps) - 1)
    return f"{ONLINE_WALK} — bước {i + 1}/{len(steps)}: {steps[i].title}"
