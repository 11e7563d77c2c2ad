"""Global commands said in the citizen's own words (issue 18): typos, no diacritics, teencode, polite fillers.

Deletion always asks first; a restart asks first when there are answers to lose (issue 16 item 8), whether read by
the NLU or typed as the exact command ("làm lại", the /huy button).
"""
from __future__ import annotations

from typing import Any

import pytest

from bot.engine.engine import turn_needs
from tests.unit.engine.helpers import KHAI_SINH, Chat, u


@pytest.fixture
def chat(content) -> Chat:  # type: ignore[no-untyped-def]
    c = Chat(content)
    c.say("/start")
    return c


class Understood(Chat):
    """A chat whose messages go through the real trained NLU, as the bot's turn runner does."""

    parser: Any = None

    def say(self, text: str, understanding: Any = None, **kw: Any):  # type: ignore[no-untyped-def]
        needs = turn_needs(self.state, text)
        if understanding is None and needs.nlu is not None:
            understanding = self.parser.parse(text, needs.nlu)
        return super().say(text, understanding, **kw)


@pytest.mark.parametrize("text", ["xoa het du lieu cua toi di", "Xoá hết dữ liệu của tui đi ạ",
                                  "xóa dữ liệuu của mình giúp", "XOA DU LIEU"])
def test_delete_phrasings_reach_the_confirmation_without_the_nlu(chat: Chat, text: str) -> None:
    chat.say("khai sinh", KHAI_SINH)
    chat.say(text)
    assert chat.state.pending.kind == "confirm_delete"
    assert "data_deletion_requested" not in chat.events      # nothing deleted before the citizen confirms
    assert chat.state.procedure_id == "ho-tich.khai-sinh"


@pytest.mark.parametrize("text", ["tôi muốn xóa toàn bộ thông tin cá nhân đã khai", "del hết thông tin của mk đi",
                                  "dung luu thong tin cua toi nua, xoa sach di"])
def test_delete_in_other_words_reaches_the_confirmation_through_the_nlu(real: Understood, text: str) -> None:
    real.say(text)
    assert real.state.pending is not None and real.state.pending.kind == "confirm_delete"
    real.say("/xoadulieu_khong")
    assert "data_deletion_requested" not in real.events


@pytest.mark.parametrize("text", ["cho e gặp cb tư pháp vs", "chuyển e qua cb hộ tịch", "tôi muốnn gặpp cán bộộ", "cho toi noi chuyen voi nguoi that",
                                  "ket noi e vs nhan vien xa di ad"])
def test_a_request_for_a_person_in_teencode_or_typos_reaches_the_handoff(real: Understood, text: str) -> None:
    real.say(text)
    assert real.event("handoff_requested")["reason"] == "citizen_request"
    assert real.state.mode == "waiting_human"


def test_a_restart_read_by_the_nlu_asks_first_and_no_keeps_the_place(chat: Chat) -> None:
    chat.say("khai sinh", KHAI_SINH)
    question = chat.state.pending
    chat.say("thôi hủy hết đi, cho tui bắt đầu lại cái khác", u(("restart", 0.8)))
    assert chat.state.pending.kind == "confirm_restart" and "restarted" not in chat.events
    chat.say("không", u(("deny", 0.9)))
    assert chat.state.pending == question and chat.state.procedure_id == "ho-tich.khai-sinh"
    chat.say("thôi dẹp cái này, tôi tính chuyện khác", u(("restart", 0.8)))
    assert chat.state.pending.kind == "confirm_restart"
    chat.say("có", u(("affirm", 0.9)))
    assert "restarted" in chat.events and chat.state.procedure_id is None


def test_the_restart_question_is_answered_by_typing_a_button_title(chat: Chat) -> None:
    chat.say("khai sinh", KHAI_SINH)
    question = chat.state.pending
    chat.say("thôi dẹp hết", u(("restart", 0.8)))
    assert chat.buttons == ["Bắt đầu lại", "Tiếp tục"]
    chat.say("Tiếp tục")
    assert chat.state.pending == question and "Mình tiếp tục nhé." in chat.text
    chat.say("thôi dẹp hết", u(("restart", 0.8)))
    chat.say("2")
    assert chat.state.pending == question


def test_restart_typed_with_typos_is_the_restart_command(chat: Chat) -> None:
    chat.say("khai sinh", KHAI_SINH)
    chat.say("bắtt đầuu lạii")
    assert chat.state.pending.kind == "confirm_restart" and "restarted" not in chat.events
    chat.say("/huy_xacnhan")
    assert "restarted" in chat.events and chat.state.procedure_id is None


def test_back_and_help_in_other_words(real: Understood) -> None:
    real.say("khai sinh", KHAI_SINH)
    first = real.state.pending.ref
    real.say("Có")
    assert real.state.pending.ref != first
    real.say("nhầm rồi, cho e quay lại câu trc")
    assert real.state.pending.ref == first
    real.say("bot nay dung the nao vay")
    assert "Bạn có thể: nói thủ tục cần làm" in real.text
