"""'Làm lại' never erases a conversation in one tap (issue 16 item 8).

The exact commands ("/huy" — the web chat's header button —, "làm lại" typed, "/restart") ask first whenever a
restart would lose something (answers, fields, ticked documents or the flow's open question); with nothing to lose
they restart at once. The question's yes button has its own payload, so the header button tapped twice asks again
instead of erasing, and "Tiếp tục" leaves the back-stack intact ("Quay lại" still undoes the last answer).
"""
from __future__ import annotations

import pytest

from bot.engine.state import PendingKind
from tests.unit.engine.helpers import KHAI_SINH, Chat

ERASE_QUESTION = "Xóa các câu bạn đã trả lời và làm lại từ đầu?"


@pytest.fixture
def chat(content) -> Chat:  # type: ignore[no-untyped-def]
    c = Chat(content)
    c.say("/start")
    return c


def _answered_one(chat: Chat) -> None:
    chat.say("khai sinh", KHAI_SINH)
    chat.say("Có điều khác")  # the usual-case question: then each question alone
    chat.say("Có")                                   # born_in_vn answered, now at foreign_parent
    assert chat.state.pending.ref == "foreign_parent"


@pytest.mark.parametrize("command", ["/huy", "làm lại", "Làm lại", "/restart", "huy bo", "bắtt đầuu lạii"])
def test_an_exact_restart_command_with_answers_asks_first_and_erases_nothing(chat: Chat, command: str) -> None:
    _answered_one(chat)
    before = chat.state
    chat.say(command)
    assert ERASE_QUESTION in chat.text
    assert chat.buttons == ["Bắt đầu lại", "Tiếp tục"]
    assert "restarted" not in chat.events
    assert chat.state.answer_map == before.answer_map and chat.state.history == before.history
    chat.say("/huy_xacnhan")
    assert "restarted" in chat.events and chat.state.procedure_id is None and chat.state.answers == ()
    assert chat.state.history == ()


def test_the_open_first_question_of_a_flow_is_something_to_lose(chat: Chat) -> None:
    chat.say("khai sinh", KHAI_SINH)
    chat.say("Có điều khác")  # the usual-case question: then each question alone
    question = chat.state.pending
    chat.say("/huy")
    assert chat.state.pending.kind == PendingKind.CONFIRM_RESTART and "restarted" not in chat.events
    chat.say("/huy_khong")
    assert chat.state.pending == question and chat.state.procedure_id == "ho-tich.khai-sinh"


@pytest.mark.parametrize("command", ["/huy", "làm lại"])
def test_with_nothing_to_lose_the_restart_is_immediate(chat: Chat, command: str) -> None:
    chat.say(command)
    assert "restarted" in chat.events and chat.state.pending is None
    assert "Bắt đầu lại" not in chat.buttons


def test_after_the_draft_the_restart_is_immediate(chat: Chat) -> None:
    """The draft keeps what was answered; starting another procedure asks nothing."""
    chat.state = chat.state.__class__(welcomed=True, phase="done", procedure_id="ho-tich.khai-sinh",
                                      answers=(("born_in_vn", "yes"),), last_draft="KS-7F3K2Q")
    chat.say("/huy")
    assert "restarted" in chat.events and chat.state.last_draft == "KS-7F3K2Q"


def test_the_header_button_tapped_twice_asks_again_instead_of_erasing(chat: Chat) -> None:
    _answered_one(chat)
    question = chat.state.pending
    chat.say("/huy")
    chat.say("/huy")                                 # a double tap on "Làm lại"
    assert "restarted" not in chat.events and ERASE_QUESTION in chat.text
    assert chat.state.pending.kind == PendingKind.CONFIRM_RESTART
    assert chat.state.resume == question             # the flow's question is still the one to come back to
    assert "born_in_vn" in chat.state.answer_map
    chat.say("Tiếp tục")
    assert chat.state.pending == question


def test_back_still_works_after_a_cancelled_restart(chat: Chat) -> None:
    _answered_one(chat)
    chat.say("làm lại")
    chat.say("Tiếp tục")
    assert chat.state.pending.ref == "foreign_parent" and "Mình tiếp tục nhé." in chat.text
    chat.say("/quaylai")
    assert chat.state.pending.ref == "born_in_vn"
    assert "born_in_vn" not in chat.state.answer_map


def test_a_restart_asked_during_a_side_question_counts_the_flow_question(chat: Chat) -> None:
    """Asked to delete data mid-flow (the flow's question waits in resume), "/huy" still asks first."""
    chat.say("khai sinh", KHAI_SINH)
    chat.say("Có điều khác")  # the usual-case question: then each question alone
    question = chat.state.pending
    chat.say("/xoadulieu")
    chat.say("/huy")
    assert chat.state.pending.kind == PendingKind.CONFIRM_RESTART and "restarted" not in chat.events
    chat.say("/huy_khong")
    assert chat.state.pending == question
