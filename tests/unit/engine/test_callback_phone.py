"""Issue 16 item 10: the call-back phone left off hours is validated, and the bot says one time, not "sớm"."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.engine import TurnContext
from tests.unit.engine.helpers import KHAI_SINH, Chat

WHEN = "7 giờ 30 sáng thứ Hai"


@dataclass
class OffHoursChat(Chat):
    humans_on_duty: bool = False

    def ctx(self) -> TurnContext:
        return TurnContext(content=self.content, today=self.today, new_draft_code=self.code,
                           humans_on_duty=False, next_duty_text=WHEN)


def _off_hours_handoff(content: Any) -> OffHoursChat:
    chat = OffHoursChat(content)
    chat.say("/start")
    chat.say("tôi muốn làm giấy khai sinh cho con", KHAI_SINH)
    chat.say("/canbo")
    assert WHEN in chat.text and chat.state.pending.kind == "callback_phone"
    assert "Bỏ qua" in chat.buttons
    return chat


def test_a_short_number_is_refused_and_asked_again(content: Any) -> None:
    chat = _off_hours_handoff(content)
    chat.say("0123")
    assert "callback_requested" not in chat.events
    assert "Số điện thoại chưa đúng" in chat.text and "gõ lại số điện thoại" in chat.text
    assert chat.state.pending.kind == "callback_phone"
    assert "Bỏ qua" in chat.buttons
    assert "sớm" not in chat.text
    chat.say("0912 345 678")
    assert chat.event("callback_requested")["phone"] == "0912345678"
    assert f"Cán bộ sẽ gọi lại cho bạn vào {WHEN}" in chat.text


def test_skipping_the_number_keeps_the_same_time(content: Any) -> None:
    chat = _off_hours_handoff(content)
    chat.say("/boqua")
    assert "callback_requested" not in chat.events
    assert WHEN in chat.text and "sớm" not in chat.text
    assert chat.state.pending is None or chat.state.pending.kind != "callback_phone"


def test_a_message_while_waiting_off_hours_repeats_the_time_never_soon(content: Any) -> None:
    chat = _off_hours_handoff(content)
    chat.say("con tôi sinh ở nhà thì sao ạ")
    assert "citizen_message_for_agent" in chat.events
    assert WHEN in chat.text and "sớm" not in chat.text
    chat.say("cảm ơn, tôi chờ")
    assert "sớm" not in chat.text


def test_on_duty_waiting_still_says_soon(content: Any) -> None:
    chat = Chat(content)
    chat.say("/start")
    chat.say("/canbo")
    chat.say("alo có ai không")
    assert "Cán bộ sẽ trả lời bạn sớm" in chat.text
