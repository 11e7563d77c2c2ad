"""Walks a khai-sinh conversation through any channel: the test supplies how to tap a button and type text."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.content.flow import QuestionStep

VALUES = {
    "person_name": "Nguyễn Văn An", "date_past": "15/03/2020", "date": "15/03/2020", "year": "1990",
    "id_number": "079203012345", "old_id_number": "123456789",
    "identity_document": "Căn cước công dân số 079203012345 cấp ngày 01/01/2021", "phone": "0912345678",
    "email": "an@example.com", "gender": "Nam", "ethnicity": "Kinh", "nationality": "Việt Nam",
    "address": "thôn 3, xã Ea Kar, tỉnh Đắk Lắk", "province": "Đắk Lắk", "number": "2",
    "text": "Nội dung thử nghiệm",
}

PID = "ho-tich.khai-sinh"


def safe_option(step: QuestionStep) -> str:
    for o in step.options:
        if not (o.handoff or o.end or o.switch_to):
            return f"/tl {step.id} {o.value}"
    return f"/tl {step.id} {step.options[0].value}"


async def walk_to_review(content: Any, state: Callable[[], Awaitable[dict[str, Any]]],
                         tap: Callable[[str], Awaitable[None]], say: Callable[[str], Awaitable[None]],
                         until: str = "review") -> int:
    """Drive until the review prompt (or the first pending of kind ``until``); returns how many buttons were tapped."""
    proc = content.procedures[PID]
    flow = content.flows[PID]
    taps = 0
    await say("tôi muốn làm giấy khai sinh cho con")
    for _ in range(120):
        st = await state()
        pending = st.get("pending") or {}
        kind = pending.get("kind")
        if kind == until:
            return taps
        if kind == "clarify":
            await tap(f"/chon {PID}")
            taps += 1
        elif kind == "status_warning":
            await tap("/thamkhao")
            taps += 1
        elif kind == "question":
            step = next(s for s in flow.steps if s.id == pending.get("ref"))
            await tap(safe_option(step))
            taps += 1
        elif kind == "document":
            await tap("/giayto co")
            taps += 1
        elif kind == "commune_confirm":   # a province deployment: "Bạn ở xã Ea Kar, đúng không?"
            await tap("/xa_dung")
            taps += 1
        elif kind == "commune":           # asked by name: the commune of the address the walk types
            await say("xã Ea Kar")
        elif kind == "field" and (doi := switch_button(pending)):
            await tap(doi)   # the date contradicts an earlier answer (flow checks): keep it, change the answer
            taps += 1
        elif kind == "field":
            f = proc.form_field(pending["ref"])
            assert f is not None
            await say(f.choices[0] if f.type == "choice" else VALUES[f.type])
        else:
            raise AssertionError(f"stuck: pending={pending} mode={st.get('mode')} phase={st.get('phase')}")
    raise AssertionError("did not reach the review step")


def switch_button(pending: dict) -> str | None:
    """The "Đổi thành: …" button a failed cross-field check offers, if any."""
    return next((b["payload"] for b in pending.get("buttons", []) if b["payload"].startswith("/doi ")), None)
