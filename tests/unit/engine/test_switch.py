"""A citizen half-way through a flow does not lose their place to one message that names another procedure."""
from __future__ import annotations

from typing import Any

from tests.unit.engine.helpers import Chat, u

KHAI_SINH = u(("ho-tich.khai-sinh", 0.97))
TTHN = u(("ho-tich.xac-nhan-tinh-trang-hon-nhan", 0.93))


def started(content: Any) -> Chat:
    c = Chat(content)
    c.say("/start")
    c.say("tôi muốn làm giấy khai sinh cho con", KHAI_SINH)
    c.say("Có điều khác")  # the usual-case question: then each question alone
    c.say("Có")
    assert "người nước ngoài" in c.text
    return c


def test_another_procedure_mid_flow_asks_before_switching(content: Any) -> None:
    c = started(content)
    c.say("cho tôi xin giấy xác nhận tình trạng hôn nhân", TTHN)
    assert "Bạn đang làm dở thủ tục Đăng ký khai sinh" in c.text
    assert c.buttons == ["Chuyển sang thủ tục mới", "Tiếp tục thủ tục đang làm"]
    assert c.state.procedure_id == "ho-tich.khai-sinh"


def test_continuing_returns_to_the_same_question_with_answers_kept(content: Any) -> None:
    c = started(content)
    c.say("cho tôi xin giấy xác nhận tình trạng hôn nhân", TTHN)
    c.say("Tiếp tục thủ tục đang làm")
    assert "người nước ngoài" in c.text
    assert c.state.procedure_id == "ho-tich.khai-sinh" and dict(c.state.answers).get("born_in_vn") == "yes"


def test_switching_starts_the_new_procedure_and_back_returns(content: Any) -> None:
    c = started(content)
    c.say("xin giấy xác nhận độc thân", TTHN)
    c.say("/chon ho-tich.xac-nhan-tinh-trang-hon-nhan")
    assert c.state.procedure_id == "ho-tich.xac-nhan-tinh-trang-hon-nhan"
    assert "Xác nhận tình trạng hôn nhân" in c.text or "tình trạng hôn nhân" in c.text
    c.say("quay lại")
    assert c.state.procedure_id == "ho-tich.khai-sinh"


def test_a_fresh_conversation_switches_without_asking(content: Any) -> None:
    c = Chat(content)
    c.say("/start")
    c.say("tôi muốn làm giấy khai sinh cho con", KHAI_SINH)
    c.say("xin giấy xác nhận độc thân", TTHN)   # nothing answered yet: nothing to lose
    assert c.state.procedure_id == "ho-tich.xac-nhan-tinh-trang-hon-nhan"
