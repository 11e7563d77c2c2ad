"""Requests another body handles (divorce, passport...) are pointed there, not mapped to a commune procedure."""
from __future__ import annotations

from typing import Any

from tests.unit.engine.helpers import Chat, u

OUT = u(("out_of_scope", 0.98), ("ho-tich.xac-nhan-tinh-trang-hon-nhan", 0.01))
UNSURE = u(("ho-tich.xac-nhan-tinh-trang-hon-nhan", 0.45), ("ho-tich.ket-hon", 0.35))
KET_HON = u(("ho-tich.ket-hon", 0.97))


def test_divorce_is_sent_to_the_court_with_a_person_offered(content: Any) -> None:
    c = Chat(content)
    c.say("/start")
    c.say("tôi muốn ly hôn", OUT)
    assert "ly hôn không phải thủ tục của xã/phường" in c.text
    assert "Tòa án" in c.text
    assert "chưa được cán bộ xác minh lại" not in c.text   # both divorce facts now cite their sources (issue 17)
    assert "Gặp cán bộ" in c.buttons
    assert "elsewhere_referred" in c.events
    assert c.state.procedure_id is None



def test_a_referral_with_an_unverified_fact_says_so(content: Any) -> None:
    c = Chat(content)
    c.say("/start")
    c.say("tôi muốn rút bảo hiểm xã hội một lần", OUT)
    assert "Bảo hiểm xã hội" in c.text
    assert "chưa được cán bộ xác minh lại, bạn nên gọi hỏi cơ quan đó" in c.text   # its facts are unverified

def test_an_unsure_guess_at_a_commune_procedure_does_not_win_over_the_referral(content: Any) -> None:
    c = Chat(content)
    c.say("/start")
    c.say("Tui mún LY DỊ, lam sao", UNSURE)
    assert "Tòa án" in c.text and "Bạn cần thủ tục nào" not in c.text


def test_without_diacritics_and_in_teencode_the_passport_is_recognised(content: Any) -> None:
    c = Chat(content)
    c.say("/start")
    c.say("lam ho chieu o dau z", u(("ask_where", 0.7)))
    assert "Quản lý xuất nhập cảnh" in c.text


def test_a_message_that_clearly_names_a_commune_procedure_goes_to_it(content: Any) -> None:
    c = Chat(content)
    c.say("/start")
    c.say("sau khi ly hôn tôi muốn đăng ký kết hôn lại", KET_HON)
    assert c.state.procedure_id == "ho-tich.ket-hon"
    assert "Tòa án" not in c.text


def test_mid_flow_the_referral_is_given_and_the_question_asked_again(content: Any) -> None:
    c = Chat(content)
    c.say("/start")
    c.say("làm giấy khai sinh cho con", u(("ho-tich.khai-sinh", 0.97)))
    c.say("Có")
    question = c.texts[-1]
    c.say("à mà làm hộ chiếu cho bé ở đâu nhỉ", u(("ask_where", 0.8)))
    assert "Quản lý xuất nhập cảnh" in c.text
    assert c.texts[-1] == question
    assert c.state.procedure_id == "ho-tich.khai-sinh"


def test_words_inside_other_words_do_not_trigger(content: Any) -> None:
    from bot.content.elsewhere import match

    assert match(content.elsewhere, "bằng lái xe máy hết hạn") is not None
    assert match(content.elsewhere, "tôi cần bản sao bằng tốt nghiệp") is None
    assert match(content.elsewhere, "thuế đất nộp ở đâu") is None
