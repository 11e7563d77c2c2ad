""""Xã làm việc mấy giờ?": the commune's own opening hours when configured, an honest "I don't know" when not."""
from __future__ import annotations

from typing import Any

from tests.unit.engine.helpers import Chat, u

HOURS = "Thứ Hai đến thứ Sáu: sáng 7 giờ 30 – 11 giờ 30, chiều 13 giờ 30 – 17 giờ"
BUSINESS = u(("kinh-doanh.ho-kinh-doanh", 0.61), ("out_of_scope", 0.37))


def test_configured_hours_are_told_and_not_taken_for_a_business_registration(content: Any) -> None:
    c = Chat(content, office_hours=HOURS)
    c.say("/start")
    c.say("mấy giờ xã mở cửa vậy", BUSINESS)
    assert HOURS in c.text
    assert c.state.procedure_id is None


def test_without_configured_hours_the_bot_does_not_guess(content: Any) -> None:
    c = Chat(content)
    c.say("/start")
    c.say("thu 7 uy ban co lam viec khong", u(("out_of_scope", 0.8)))
    assert "chưa có lịch làm việc" in c.text and "7 giờ" not in c.text
    assert "Gặp cán bộ" in c.buttons


def test_mid_flow_the_question_is_answered_and_the_flow_question_asked_again(content: Any) -> None:
    c = Chat(content, office_hours=HOURS)
    c.say("/start")
    c.say("làm giấy khai sinh cho con", u(("ho-tich.khai-sinh", 0.97)))
    question = c.texts[-1]
    c.say("à mà giờ làm việc của xã thế nào", u(("ask_where", 0.6)))
    assert HOURS in c.text and c.texts[-1] == question
    assert c.state.procedure_id == "ho-tich.khai-sinh"


def test_a_business_opening_hours_question_is_not_the_commune_office(content: Any) -> None:
    c = Chat(content, office_hours=HOURS)
    c.say("/start")
    c.say("tôi muốn đăng ký hộ kinh doanh quán cà phê mở cửa lúc nào cũng được",
          u(("kinh-doanh.ho-kinh-doanh", 0.95)))
    assert c.state.procedure_id == "kinh-doanh.ho-kinh-doanh"
