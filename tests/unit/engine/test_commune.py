"""The citizen's commune (issue 21), pure engine: asked once before a handoff in a province deployment, read from
an address already given, remembered on the state (also across "làm lại"), never asked without a province."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from bot.engine import ConversationState, TurnContext
from bot.engine.commune import commune_in_fields, match_commune
from tests.unit.engine.helpers import Chat

COMMUNES = (("24277", "Xã Ea Tul"), ("24373", "Xã Ea Kar"), ("1", "Xã Tân An"), ("2", "Phường Tân An"))


@dataclass
class ProvinceChat(Chat):
    def ctx(self) -> TurnContext:
        return replace(super().ctx(), communes=COMMUNES, province="Đắk Lắk")


def test_a_commune_is_matched_by_its_name_with_or_without_type_word_or_diacritics() -> None:
    assert match_commune("xã Ea Tul", COMMUNES) == "24277"
    assert match_commune("ea tul", COMMUNES) == "24277"
    assert match_commune("Phường Tân An", COMMUNES) == "2"
    assert match_commune("Tân An", COMMUNES) is None      # a commune and a ward share the name: ask again
    assert match_commune("xã Hòa Bình", COMMUNES) is None
    assert commune_in_fields((("name", "Ea Tul"), ("home", "thôn 3, xã Ea Kar, tỉnh Đắk Lắk")), COMMUNES) == "24373"


def test_the_commune_is_asked_before_a_handoff_then_remembered(content: Any) -> None:
    chat = ProvinceChat(content)
    chat.say("/canbo")
    assert "xã/phường nào của Đắk Lắk" in chat.text and "handoff_requested" not in chat.events
    chat.say("ea kar")
    assert "handoff_requested" in chat.events and chat.state.commune == "24373"
    assert ConversationState.from_dict(chat.state.to_dict()).commune == "24373"
    chat.say("/huy")
    chat.say("/canbo")
    assert "handoff_requested" in chat.events and "xã/phường nào" not in chat.text


def test_skipping_the_question_hands_off_without_a_commune(content: Any) -> None:
    chat = ProvinceChat(content)
    chat.say("/canbo")
    chat.say("/canbo")
    assert "handoff_requested" in chat.events and chat.state.commune is None and chat.state.pending is None


def test_an_address_already_given_or_no_province_means_no_question(content: Any) -> None:
    chat = ProvinceChat(content, state=ConversationState(fields=(("residence", "thôn 1, xã Ea Tul, tỉnh Đắk Lắk"),)))
    chat.say("/canbo")
    assert "handoff_requested" in chat.events
    plain = Chat(content)
    plain.say("/canbo")
    assert "handoff_requested" in plain.events


def test_a_citizen_who_moved_names_the_new_commune(content: Any) -> None:
    chat = ProvinceChat(content, state=ConversationState(commune="24277"))
    chat.say("tôi chuyển sang xã khác")
    assert "chuyển sang xã/phường nào" in chat.text and chat.state.commune is None
    chat.say("xã Ea Kar")
    assert chat.state.commune == "24373" and "handoff_requested" not in chat.events
    assert "đã ghi nhận bạn ở xã Ea Kar" in chat.text, chat.text
    chat.say("tôi chuyển sang xã khác")
    chat.say("xã Không Có")   # not found: the citizen is not kept at the question
    assert chat.state.pending is None and chat.state.commune is None
    plain = Chat(content)   # no province: the words are no commune change
    plain.say("tôi chuyển sang xã khác")
    assert "chuyển sang xã/phường nào" not in plain.text
