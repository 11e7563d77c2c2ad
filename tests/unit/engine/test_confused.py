"""A citizen lost at a question gets the same question again in plainer words, with its buttons and
"Gặp cán bộ" — not "Bạn cần làm thủ tục gì?" nor "gõ số thứ tự" (issue 16, item 9)."""
from __future__ import annotations

import pytest

from tests.unit.engine.helpers import KHAI_SINH, Chat
from tests.unit.engine.test_flow import fill_fields_until, walk_to_documents


@pytest.fixture
def chat(content) -> Chat:  # type: ignore[no-untyped-def]
    c = Chat(content)
    c.say("/start")
    return c


@pytest.mark.parametrize("lost", ["toi khong biet", "kho qua", "khong hieu gi het", "Tôi không hiểu gì hết"])
def test_confused_at_a_question_gets_the_same_question_with_its_buttons_and_a_person(chat: Chat, lost: str) -> None:
    chat.say("tôi muốn làm giấy khai sinh cho con", KHAI_SINH)
    before = chat.state.pending
    asked = chat.texts[-1].split("\n")[0]
    options = list(chat.buttons)
    chat.say(lost)
    assert chat.state.pending.kind == "question" and chat.state.pending.ref == before.ref
    assert chat.state.procedure_id == "ho-tich.khai-sinh" and chat.state.phase == "flow"
    assert asked in chat.text and "dễ hơn" in chat.text
    assert chat.buttons == options + ["Gặp cán bộ"]
    assert "thủ tục gì" not in chat.text and "số thứ tự" not in chat.text
    assert len(chat.texts) == 1
    chat.say(options[0])   # the question still takes its answer
    assert chat.state.pending.ref != before.ref


def test_confused_at_a_document_explains_it_and_asks_again(chat: Chat) -> None:
    walk_to_documents(chat)
    ref = chat.state.pending.ref
    chat.say("kho qua")
    assert chat.state.pending.kind == "document" and chat.state.pending.ref == ref
    assert "Gặp cán bộ" in chat.buttons and "Chưa có" in chat.buttons
    assert "thủ tục gì" not in chat.text


def test_confused_at_a_required_field_gets_an_example_not_a_refusal(chat: Chat) -> None:
    walk_to_documents(chat)
    fill_fields_until(chat, "requester_id")
    chat.say("toi khong biet")
    assert chat.state.pending.kind == "field" and chat.state.pending.ref == "requester_id"
    assert "12 chữ số" in chat.text and "bắt buộc" not in chat.text
    assert chat.buttons == ["Gặp cán bộ"]
    assert "requester_id" not in chat.state.field_map


def test_confused_at_an_address_gets_an_example_and_a_person(chat: Chat) -> None:
    walk_to_documents(chat)
    fill_fields_until(chat, "child_birth_place")
    chat.say("khong hieu gi het")
    assert chat.state.pending.ref == "child_birth_place" and "child_birth_place" not in chat.state.field_map
    assert "dễ hơn" in chat.text and "thôn 3, xã Ea Tul" in chat.text and chat.buttons == ["Gặp cán bộ"]


def test_a_missed_answer_at_a_question_never_asks_to_type_a_number(chat: Chat) -> None:
    chat.say("tôi muốn làm giấy khai sinh cho con", KHAI_SINH)
    chat.say("abc xyz")
    assert "số thứ tự" not in chat.text


def test_the_person_button_works_by_its_number_on_numbered_menus(chat: Chat) -> None:
    chat.say("tôi muốn làm giấy khai sinh cho con", KHAI_SINH)
    chat.say("toi khong biet")
    number = chat.buttons.index("Gặp cán bộ") + 1
    chat.say(str(number))
    assert "handoff_requested" in chat.events
