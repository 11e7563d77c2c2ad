"""The citizen's commune (issue 21), pure engine: asked once when it matters (before a handoff, before a draft, for
"nộp ở đâu") in a province deployment, confirmed when an address or a message already named it (also by its
pre-2025 name), remembered on the state (also across "làm lại"), changeable, never asked without a province."""
from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

import pytest

from bot.engine import ConversationState, TurnContext
from bot.engine.commune_find import find_in_fields, find_in_text, match_commune
from bot.engine.context import CommuneOffice, OldName
from tests.unit.engine.helpers import KHAI_SINH, Chat, u

COMMUNES = (("24277", "Xã Ea Tul"), ("24373", "Xã Ea Kar"), ("1", "Xã Tân An"), ("2", "Phường Tân An"),
            ("3", "Xã Krông Pắc"), ("4", "Xã Phú Hòa 1"), ("5", "Phường Tuy Hòa"))
_HOA_AN = OldName("xã Hòa An, huyện Krông Pắc", ("3",))
_SPLIT = OldName("xã Hòa An, huyện Phú Hoà", ("5", "4"))
OLD = MappingProxyType({"hoa an|krong pac": (_HOA_AN,), "hoa an|phu hoa": (_SPLIT,), "hoa an|": (_HOA_AN, _SPLIT)})
OFFICE = CommuneOffice("24373", "Xã Ea Kar", address="Số 1 Nguyễn Tất Thành, xã Ea Kar", hours="thứ Hai đến thứ Sáu",
                       phone="0262 3827 123")


@dataclass
class ProvinceChat(Chat):
    named: str | None = None   # the commune named in the turn being stepped again

    def ctx(self) -> TurnContext:
        office = OFFICE if (self.named or self.state.commune) == OFFICE.code else None
        return replace(super().ctx(), communes=COMMUNES, province="Đắk Lắk", old_communes=OLD, office=office)

    def say(self, text: str, understanding: Any = None, **kw: Any) -> Any:
        """As the runtime does: a turn that named the commune is stepped again with that commune's desk."""
        before = self.state
        turn = super().say(text, understanding, **kw)
        if turn.state.commune and turn.state.commune != before.commune:
            self.state, self.named = before, turn.state.commune
            turn = super().say(text, understanding, **kw)
            self.named = None
        return turn


def test_a_commune_is_matched_by_its_name_with_or_without_type_word_or_diacritics() -> None:
    assert match_commune("xã Ea Tul", COMMUNES) == "24277"
    assert match_commune("ea tul", COMMUNES) == "24277"
    assert match_commune("Phường Tân An", COMMUNES) == "2"
    assert match_commune("Tân An", COMMUNES) is None      # a commune and a ward share the name: ask again
    assert match_commune("xã Hòa Bình", COMMUNES) is None
    found = find_in_fields((("name", "Ea Tul"), ("home", "thôn 3, xã Ea Kar, tỉnh Đắk Lắk")), COMMUNES, OLD)
    assert found is not None and found.codes == ("24373",)


def test_a_commune_is_read_inside_a_sentence_and_an_old_name_is_mapped() -> None:
    assert find_in_text("tôi ở xã Ea Tul muốn làm khai sinh", COMMUNES, OLD).codes == ("24277",)  # type: ignore[union-attr]
    assert find_in_text("nha toi o xa ea kar", COMMUNES, OLD).codes == ("24373",)  # type: ignore[union-attr]
    old = find_in_text("xã Hòa An, huyện Krông Pắc cũ", COMMUNES, OLD)
    assert old is not None and old.codes == ("3",) and old.old == "xã Hòa An, huyện Krông Pắc"
    assert find_in_text("xa hoa an huyen phu hoa cu", COMMUNES, OLD).codes == ("5", "4")  # type: ignore[union-attr]
    assert find_in_text("Hòa An", COMMUNES, OLD) is None          # no type word in a sentence: not a place
    assert find_in_text("Ea Tul", COMMUNES, OLD, whole=True).codes == ("24277",)  # type: ignore[union-attr]


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


def test_an_address_already_given_is_confirmed_not_asked_and_no_province_means_no_question(content: Any) -> None:
    chat = ProvinceChat(content, state=ConversationState(fields=(("residence", "thôn 1, xã Ea Tul, tỉnh Đắk Lắk"),)))
    chat.say("/canbo")
    assert "Bạn ở xã Ea Tul, đúng không?" in chat.text and chat.buttons == ["Đúng", "Không phải"]
    assert "handoff_requested" not in chat.events
    chat.say("Đúng")
    assert "handoff_requested" in chat.events and chat.state.commune == "24277"
    other = ProvinceChat(content, state=ConversationState(fields=(("residence", "thôn 1, xã Ea Tul, tỉnh Đắk Lắk"),)))
    other.say("/canbo")
    other.say("khong phai")
    assert "xã/phường nào của Đắk Lắk" in other.text and "handoff_requested" not in other.events
    other.say("xa ea kar")
    assert "handoff_requested" in other.events and other.state.commune == "24373"
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


@pytest.mark.parametrize("said", ["đổi xã", "doi xa", "tôi muốn đổi xã", "toi chuyen sang phuong khac",
                                  "mình chuyển nhà sang xã khác rồi", "chuyen ve xa moi"])
def test_a_change_of_commune_is_understood_with_or_without_diacritics(content: Any, said: str) -> None:
    chat = ProvinceChat(content, state=ConversationState(commune="24277", welcomed=True))
    chat.say(said)
    assert "chuyển sang xã/phường nào" in chat.text and chat.state.commune is None, chat.text


def test_an_old_name_is_mapped_to_its_2025_commune_with_confirmation(content: Any) -> None:
    chat = ProvinceChat(content, state=ConversationState(welcomed=True))
    chat.say("tôi ở xã Hòa An, huyện Krông Pắc cũ")
    assert "Xã Hòa An, huyện Krông Pắc (cũ) nay thuộc xã Krông Pắc" in chat.text, chat.text
    assert chat.buttons == ["Đúng", "Không phải"] and chat.state.commune is None
    chat.say("/xa_dung")
    assert chat.state.commune == "3" and "đã ghi nhận bạn ở xã Krông Pắc" in chat.text
    wrong = ProvinceChat(content, state=ConversationState(welcomed=True))
    wrong.say("tôi ở xã Hòa An, huyện Krông Pắc cũ")
    wrong.say("Không phải")
    assert "Bạn đang ở xã/phường nào của Đắk Lắk?" in wrong.text and wrong.buttons == ["Bỏ qua"]
    wrong.say("ea kar")
    assert wrong.state.commune == "24373" and wrong.state.pending is None and "handoff_requested" not in wrong.events
    split = ProvinceChat(content, state=ConversationState(welcomed=True))
    split.say("xa hoa an huyen phu hoa cu")   # split between two communes: the citizen picks one
    assert "nay được chia vào: phường Tuy Hòa, xã Phú Hòa 1" in split.text
    assert split.buttons == ["Phường Tuy Hòa", "Xã Phú Hòa 1", "Không phải các xã/phường trên"]
    split.say("Xã Phú Hòa 1")
    assert split.state.commune == "4"
    numbered = ProvinceChat(content, state=ConversationState(welcomed=True))   # Zalo: the menu's numbers
    numbered.say("xa hoa an huyen phu hoa cu")
    numbered.say("1")
    assert numbered.state.commune == "5"


def test_skipping_by_typing_the_button_title_answers_where_without_a_commune(content: Any) -> None:
    chat = ProvinceChat(content, state=ConversationState(welcomed=True))
    chat.say("làm giấy khai sinh cho con", KHAI_SINH)
    chat.say("nộp ở đâu", u(("ask_where", 0.9)))
    chat.say("bo qua")
    assert "Nơi nộp (" in chat.text and chat.state.commune is None and chat.state.pending is not None
    assert chat.state.pending.kind == "question"


def test_a_place_named_with_a_procedure_is_remembered_and_confirmed_when_it_matters(content: Any) -> None:
    chat = ProvinceChat(content, state=ConversationState(welcomed=True))
    chat.say("tôi ở xã Ea Kar muốn làm giấy khai sinh cho con", KHAI_SINH)
    assert chat.state.procedure_id == "ho-tich.khai-sinh" and chat.state.commune_guess == "24373"
    chat.say("/canbo")
    assert "Bạn ở xã Ea Kar, đúng không?" in chat.text
    chat.say("dung")
    assert "handoff_requested" in chat.events and chat.state.commune == "24373"


def test_where_to_submit_asks_the_commune_then_names_its_desk(content: Any) -> None:
    chat = ProvinceChat(content, state=ConversationState(welcomed=True))
    chat.say("làm giấy khai sinh cho con", KHAI_SINH)
    chat.say("nộp ở đâu vậy", u(("ask_where", 0.9)))
    assert "Bạn ở xã/phường nào của Đắk Lắk?" in chat.text and chat.buttons == ["Bỏ qua"]
    chat.say("ea kar")
    assert "Nơi nộp (" in chat.text and "Bộ phận một cửa của UBND xã Ea Kar:" in chat.text, chat.text
    assert "Số 1 Nguyễn Tất Thành" in chat.text and "0262 3827 123" in chat.text
    assert chat.state.procedure_id == "ho-tich.khai-sinh" and chat.state.pending is not None
    chat.say("nop o dau", u(("ask_where", 0.9)))   # known now: answered at once
    assert "Bộ phận một cửa của UBND xã Ea Kar:" in chat.text and "xã/phường nào" not in chat.text
    chat.say("xã làm việc mấy giờ")
    assert "thứ Hai đến thứ Sáu" in chat.text


def test_the_commune_is_asked_before_the_draft_and_skipping_still_makes_it(content: Any) -> None:
    from tests.unit.engine.test_journey import _khai_sinh_review

    c = _khai_sinh_review(content)
    chat = ProvinceChat(content, state=replace(c.state, fields=tuple((k, v.replace("xã Ea Kar", "thôn Ea Kar"))
                                                                     for k, v in c.state.fields)))
    chat.say("Xác nhận")
    assert "draft_requested" not in chat.events and "«Kính gửi»" in chat.text
    chat.say("xã Ea Tul")
    assert "draft_requested" in chat.events and chat.state.commune == "24277"
    skipped = ProvinceChat(content, state=replace(c.state, fields=chat.state.fields, commune=None))
    skipped.say("Xác nhận")
    skipped.say("/xa_boqua")
    assert "draft_requested" in skipped.events and skipped.state.commune is None
    known = ProvinceChat(content, state=replace(c.state, commune="24373"))   # known: no question
    known.say("Xác nhận")
    assert "draft_requested" in known.events
    guessed = ProvinceChat(content, state=c.state)   # the address typed in the form: confirmed
    guessed.say("Xác nhận")
    assert "Bạn ở xã Ea Kar, đúng không?" in guessed.text
    guessed.say("/xa_dung")
    assert "draft_requested" in guessed.events and guessed.state.commune == "24373"
