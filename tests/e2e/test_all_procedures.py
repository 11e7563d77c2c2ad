"""Every procedure with a flow can be walked over REST from a free-text request to the review step."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from bot.content.flow import QuestionStep
from bot.content.loader import load_content
from tests.conftest import ROOT, new_sender
from tests.fakes.driver import switch_button

CONTENT = load_content(Path(os.environ.get("MOTCUA_TEST_CONTENT_ROOT", ROOT)), require_all=False)
FULL = sorted(pid for pid, p in CONTENT.procedures.items() if p.level == "full" and pid in CONTENT.flows)

VALUES = {
    "person_name": "Nguyễn Văn An", "date_past": "15/03/2020", "date": "15/03/2020", "year": "1990",
    "id_number": "079203012345", "old_id_number": "123456789",
    "identity_document": "Căn cước công dân số 079203012345 cấp ngày 01/01/2021", "phone": "0912345678",
    "email": "an@example.com", "gender": "Nam", "ethnicity": "Kinh", "nationality": "Việt Nam",
    "address": "thôn 3, xã Ea Kar, tỉnh Đắk Lắk", "province": "Đắk Lắk", "number": "2",
    "text": "Nội dung thử nghiệm",
}


async def post(client: Any, sender: str, message: str) -> list[dict[str, Any]]:
    resp = await client.post("/webhooks/rest/webhook", json={"sender": sender, "message": message})
    assert resp.status == 200
    return await resp.json()


def safe_option(step: QuestionStep) -> str:
    """The first answer that keeps the citizen with the bot (no handoff, no end, no switch)."""
    for o in step.options:
        if not (o.handoff or o.end or o.switch_to):
            return f"/tl {step.id} {o.value}"
    return f"/tl {step.id} {step.options[0].value}"


@pytest.mark.parametrize("pid", FULL)
async def test_walk_to_review(client: Any, services: Any, pid: str) -> None:
    proc = CONTENT.procedures[pid]
    flow = CONTENT.flows[pid]
    s = new_sender()
    r = await post(client, s, f"cho tôi hỏi thủ tục {proc.name.lower()}")
    for _ in range(120):
        row = await services.repo.load("rest", s)
        state = row.state
        pending = state.get("pending") or {}
        kind = pending.get("kind")
        if kind == "review":
            break
        if kind == "clarify":
            msg = f"/chon {pid}"
        elif kind == "status_warning":
            msg = "/thamkhao"
        elif kind == "question":
            step = next(st for st in flow.steps if st.id == pending.get("ref"))
            msg = safe_option(step)
        elif kind == "document":
            msg = "/giayto co"
        elif kind == "field" and (doi := switch_button(pending)):
            msg = doi   # the date contradicts an earlier answer (flow checks): keep it, change the answer
        elif kind == "field":
            f = proc.form_field(pending["ref"])
            assert f is not None
            msg = f.choices[0] if f.type == "choice" else VALUES[f.type]
        else:
            texts = " | ".join(x.get("text", "") for x in r)
            pytest.fail(f"{pid}: stuck with pending={pending} mode={state.get('mode')} phase={state.get('phase')}: {texts}")
        r = await post(client, s, msg)
    else:
        pytest.fail(f"{pid}: did not reach review")
    texts = "\n".join(x.get("text", "") for x in r)
    assert "Thông tin bạn đã cung cấp" in texts or "Giấy tờ cần có" in texts
    assert any(b["payload"] == "/xacnhan" for x in r for b in x.get("buttons", []))

