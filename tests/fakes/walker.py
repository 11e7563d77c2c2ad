"""One walker for every channel: reads what the bot waits for (``pending.kind``) and answers it like a citizen.

The channel is a ``post`` function (send one message as this citizen, return what the channel returns) and a
``state`` function (the conversation's stored state). Tests change an answer with ``answers`` (a function per
kind) and the values typed into form fields with ``values`` (by field type).
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.content.catalog import Procedure
from bot.content.flow import Flow, QuestionStep

VALUES = {
    "person_name": "Nguyễn Văn An", "date_past": "15/03/2020", "date": "15/03/2020", "year": "1990",
    "id_number": "079203012345", "old_id_number": "123456789",
    "identity_document": "Căn cước công dân số 079203012345 cấp ngày 01/01/2021", "phone": "0912345678",
    "email": "an@example.com", "gender": "Nam", "ethnicity": "Kinh", "nationality": "Việt Nam",
    "address": "thôn 3, xã Ea Kar, tỉnh Đắk Lắk", "province": "Đắk Lắk", "number": "2",
    "text": "Nội dung thử nghiệm",
}

Post = Callable[[str], Awaitable[Any]]
State = Callable[[], Awaitable[dict[str, Any]]]


@dataclass
class Walk:
    """Where a walk is: the last pending and state, the last replies, what was sent and typed."""

    proc: Procedure
    flow: Flow
    values: Mapping[str, str]
    replies: Any = None
    state: dict[str, Any] = field(default_factory=dict)
    pending: dict[str, Any] = field(default_factory=dict)
    sent: list[str] = field(default_factory=list)
    typed: dict[str, str] = field(default_factory=dict)     # field id → the value typed for it

    @property
    def kind(self) -> str | None:
        return self.pending.get("kind")

    def texts(self) -> str:
        return " | ".join(r.get("text", "") for r in self.replies or [] if isinstance(r, dict))


# An answer for one kind: a message, several messages, or None for the default answer.
Answer = Callable[[Walk], "str | list[str] | None"]


def safe_option(step: QuestionStep) -> str:
    """The first answer that keeps the citizen with the bot (no handoff, no end, no switch)."""
    for o in step.options:
        if not (o.handoff or o.end or o.switch_to):
            return f"/tl {step.id} {o.value}"
    return f"/tl {step.id} {step.options[0].value}"


def switch_button(pending: dict[str, Any]) -> str | None:
    """The "Đổi thành: …" button a failed cross-field check offers, if any."""
    return next((b["payload"] for b in pending.get("buttons", []) if b["payload"].startswith("/doi ")), None)


def default_answer(w: Walk) -> str:
    """What a cooperative citizen sends for the current pending kind."""
    kind, pending = w.kind, w.pending
    if kind == "clarify":
        return f"/chon {w.proc.id}"
    if kind == "status_warning":
        return "/thamkhao"
    if kind == "question":
        return safe_option(next(s for s in w.flow.steps if s.id == pending.get("ref")))
    if kind == "document":
        return "/giayto co"
    if kind == "field_check":
        return "/dung"                       # the restored spelling is right
    if kind == "commune_confirm":            # a province deployment: "Bạn ở xã Ea Kar, đúng không?"
        return "/xa_dung"
    if kind == "commune":                    # asked by name: the commune of the address the walk types
        return next((p.strip() for p in w.values["address"].split(",") if p.strip().startswith(("xã", "phường"))),
                    "xã Ea Kar")
    if kind == "field" and (doi := switch_button(pending)):
        return doi   # the date contradicts an earlier answer (flow checks): keep it, change the answer
    if kind == "field":
        f = w.proc.form_field(pending["ref"])
        assert f is not None, pending
        value = f.choices[0] if f.type == "choice" else w.values[f.type]
        w.typed[f.id] = value
        return value
    raise AssertionError(f"{w.proc.id}: stuck with pending={pending} mode={w.state.get('mode')} "
                         f"phase={w.state.get('phase')}: {w.texts()}")


async def walk(post: Post, state: State, proc: Procedure, flow: Flow, *, start: str | None = None,
               values: Mapping[str, str] = VALUES, confirm: bool = True, until: Callable[[Walk], bool] | None = None,
               answers: Mapping[str, Answer] | None = None, limit: int = 150) -> Walk:
    """Send ``start`` (default: asks for the procedure by name), then answer until the review, and confirm it
    (``confirm``) so a draft is made; ``until`` stops earlier. Fails when the bot waits for something unknown."""
    w = Walk(proc, flow, values)
    w.replies = await post(start if start is not None else f"cho tôi hỏi thủ tục {proc.name.lower()}")
    for _ in range(limit):
        w.state = await state()
        w.pending = w.state.get("pending") or {}
        if until is not None and until(w):
            return w
        own = (answers or {}).get(w.kind or "")
        msgs = own(w) if own is not None else None
        if msgs is None and w.kind == "review":
            if confirm:
                w.replies = await post("/xacnhan")
                w.state = await state()
                w.pending = w.state.get("pending") or {}
                if w.kind == "commune_confirm":     # asked before the draft when an address named a commune
                    w.replies = await post("/xa_dung")
            return w
        for msg in [msgs] if isinstance(msgs, str) else msgs or [default_answer(w)]:
            w.sent.append(msg)
            w.replies = await post(msg)
    raise AssertionError(f"{proc.id}: did not reach the review; last pending {w.pending}: {w.texts()[:400]}")
