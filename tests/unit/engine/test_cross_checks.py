"""Issue 16 item 2: answers that contradict each other are caught (flow ``checks``), the citizen may fix either
one, and the fee they are told follows the answer that stands."""
from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bot.content.flow import Flow
from tests.unit.engine.helpers import Chat
from tests.unit.engine.test_flow import fill_fields_until, walk_to_documents

# today in Chat is 2026-11-24: 20/5/2026 is 188 days before, 15/10/2026 is 40 days before.
LONG_AGO, RECENT = "20/5/2026", "15/10/2026"


def _at_birth_date(content: Any, on_time: str = "Trong 60 ngày") -> Chat:
    chat = Chat(content)
    chat.say("/start")
    walk_to_documents(chat)
    if on_time != "Trong 60 ngày":   # walk_to_documents answers "Trong 60 ngày"; redo that answer
        chat = Chat(content)
        chat.say("/start")
        from tests.unit.engine.helpers import KHAI_SINH
        for said in ("tôi muốn làm giấy khai sinh cho con", "Có", "Không, đều là người Việt Nam", "Chỉ làm khai sinh",
                     on_time, "Đã có", "Đã đăng ký kết hôn", "Cha hoặc mẹ"):
            chat.say(said, KHAI_SINH if said.startswith("tôi") else None)
    fill_fields_until(chat, "child_birth_date")
    assert chat.state.pending.ref == "child_birth_date"
    return chat


def test_on_time_answer_then_a_birth_date_188_days_ago_is_questioned(content: Any) -> None:
    chat = _at_birth_date(content)
    chat.say(LONG_AGO)
    assert "check_failed" in chat.events
    assert "188 ngày trước" in chat.text and "20/05/2026" in chat.text and "quá 60 ngày" in chat.text
    assert chat.buttons == ["Đổi thành: Quá 60 ngày"]
    assert chat.state.pending.ref == "child_birth_date"          # still at the date: retyping it is the other fix
    chat.say(RECENT)
    assert "check_failed" not in chat.events
    assert chat.state.field_map["child_birth_date"] == "2026-10-15"
    assert chat.state.pending.ref == "child_gender"


def test_changing_the_earlier_answer_keeps_the_date_and_tells_the_fee_that_applies(content: Any) -> None:
    chat = _at_birth_date(content)
    chat.say(LONG_AGO)
    chat.say("/doi within_60_days no")
    assert chat.state.answer_map["within_60_days"] == "no"
    assert chat.state.field_map["child_birth_date"] == "2026-05-20"
    assert "lệ phí đăng ký quá hạn" in chat.text and "Quá 60 ngày" in chat.text
    assert chat.state.pending.ref == "child_gender"
    fill_fields_until(chat, "__review__")
    chat.say("/xacnhan")
    draft = chat.event("draft_requested")
    assert draft["answers"]["within_60_days"] == "no"


def test_late_answer_with_a_recent_birth_date_is_told_it_is_free(content: Any) -> None:
    chat = _at_birth_date(content, on_time="Quá 60 ngày")
    chat.say(RECENT)
    assert "check_failed" in chat.events and "miễn lệ phí" in chat.text
    chat.say("Đổi thành: Trong 60 ngày")   # typed button title works as the tap
    assert chat.state.answer_map["within_60_days"] == "yes"
    assert "miễn lệ phí" in chat.text


def test_a_contradiction_made_at_the_review_blocks_the_draft_until_fixed(content: Any) -> None:
    chat = _at_birth_date(content)
    chat.say(RECENT)
    fill_fields_until(chat, "__review__")
    chat.say("/sua child_birth_date")
    chat.say(LONG_AGO)
    assert "check_failed" in chat.events
    assert "Đổi thành: Quá 60 ngày" in chat.buttons and "Sửa ngày, tháng, năm sinh" in chat.buttons
    chat.say("/xacnhan")
    assert "draft_requested" not in chat.events and "check_failed" in chat.events
    chat.say("/doi within_60_days no")
    assert "Bạn kiểm tra lại" in chat.text or "Xác nhận" in " ".join(chat.buttons)
    chat.say("/xacnhan")
    assert chat.event("draft_requested")["answers"]["within_60_days"] == "no"


def test_checks_are_validated_as_data(content: Any) -> None:
    flow = content.flows["ho-tich.khai-sinh"].model_dump()
    bad = dict(flow["checks"][0], answer="no_such_question")
    with pytest.raises(ValidationError, match="không phải câu hỏi"):
        Flow.model_validate(dict(flow, checks=[bad]))
    both = dict(flow["checks"][0], older_than_days=10)
    with pytest.raises(ValidationError, match="đúng một quy tắc"):
        Flow.model_validate(dict(flow, checks=[both]))
    wrong_value = dict(flow["checks"][0], switch_to="maybe")
    with pytest.raises(ValidationError, match="không có lựa chọn"):
        Flow.model_validate(dict(flow, checks=[wrong_value]))
