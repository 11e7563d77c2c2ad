"""A citizen who types without diacritics: names and places reach the form with them, or are asked about,
and the draft marks what the citizen did not confirm (issue 16, item 1)."""
from __future__ import annotations

import pytest

from tests.unit.engine.helpers import KHAI_SINH, Chat

PLAIN = {
    "requester_name": "nguyen van an", "requester_id": "079203012345", "requester_relation": "cha",
    "child_name": "nguyen thi hoa", "child_birth_date": "20/10/2026", "child_gender": "nu",
    "child_ethnicity": "kinh", "child_nationality": "viet nam",
    "child_birth_place": "benh vien da khoa, xa ea tul, dak lak", "child_hometown": "xa ea kar, dak lak",
    "mother_name": "tran thi cuc", "mother_birth_date": "12/5/1995", "mother_ethnicity": "kinh",
    "mother_nationality": "viet nam", "mother_residence": "thon 3, xa ea tul, dak lak",
    "father_name": "nguyen van an", "father_birth_date": "1/1/1990", "father_ethnicity": "kinh",
    "father_nationality": "viet nam", "father_residence": "xom 2 xa ea tul dak lak", "phone": "0912345678", "copies": "1",
}


@pytest.fixture
def chat(content) -> Chat:  # type: ignore[no-untyped-def]
    c = Chat(content)
    c.say("/start")
    c.say("toi muon lam giay khai sinh cho con", KHAI_SINH)
    for answer in ("co", "khong, deu la nguoi viet nam", "chi lam khai sinh", "trong 60 ngay", "da co",
                   "da dang ky ket hon", "cha hoac me"):
        c.say(answer)
    while c.state.pending and c.state.pending.kind == "document":
        c.say("/giayto co")
    return c


def _fill(chat: Chat, until: str | None = None, confirm: bool = True) -> None:
    """Answer every field as typed without diacritics; tap "Đúng" on each check unless told not to."""
    for _ in range(80):
        p = chat.state.pending
        if p is None or p.kind not in ("field", "field_check") or p.ref == until and p.kind == "field":
            return
        if p.kind == "field_check":
            if not confirm:
                return
            chat.say("/dung")
        else:
            chat.say(PLAIN[p.ref])


def test_plain_journey_writes_places_with_diacritics_and_asks_to_confirm_names(chat: Chat) -> None:
    _fill(chat, until="child_name")
    chat.say("nguyen thi hoa")
    assert chat.state.pending.kind == "field_check"
    assert "Nguyễn Thị Hoa" in chat.text and chat.buttons == ["Đúng", "Sửa"]
    _fill(chat)
    assert chat.state.pending.kind == "review"
    chat.say("/xacnhan")
    data = chat.event("draft_requested")
    fields = data["fields"]
    assert fields["child_name"] == "Nguyễn Thị Hoa" and fields["mother_name"] == "Trần Thị Cúc"
    assert fields["child_birth_place"] == "bệnh viện đa khoa, xã Ea Tul, tỉnh Đắk Lắk"
    assert fields["mother_residence"] == "thôn 3, xã Ea Tul, tỉnh Đắk Lắk"
    assert fields["father_residence"] == "xóm 2, xã Ea Tul, tỉnh Đắk Lắk"
    assert data["unsure"] == []   # every guess was confirmed with "Đúng"


def test_a_name_retyped_without_diacritics_at_the_review_is_marked_for_the_desk(chat: Chat) -> None:
    _fill(chat)
    assert chat.state.pending.kind == "review"
    chat.say("/sua child_name")
    chat.say("nguyen thi hoa")
    assert chat.state.pending.kind == "review" and "child_name" in chat.state.unsure
    assert "Nguyễn Thị Hoa (gõ không dấu, chưa xác nhận cách viết)" in chat.text
    from bot.engine.state import ConversationState

    assert ConversationState.from_dict(chat.state.to_dict()).unsure == chat.state.unsure
    chat.say("/xacnhan")
    assert chat.event("draft_requested")["unsure"] == ["child_name"]


def test_unknown_commune_is_questioned_with_the_closest_one(chat: Chat) -> None:
    _fill(chat, until="mother_residence")
    chat.say("thon 3, xa ea tuu, dak lak")
    assert chat.state.pending.kind == "field_check"
    assert "Mình chưa tìm thấy xã Ea Tuu ở Đắk Lắk — ý bạn là xã Ea Tul?" in chat.text
    chat.say("Đúng")
    assert chat.state.field_map["mother_residence"] == "thôn 3, xã Ea Tul, tỉnh Đắk Lắk"
    assert "mother_residence" not in chat.state.unsure
    assert chat.state.pending.kind == "field" and chat.state.pending.ref != "mother_residence"


def test_sua_lets_the_citizen_retype_the_value(chat: Chat) -> None:
    _fill(chat, until="child_name")
    chat.say("nguyen thi hoa")
    chat.say("/gosua")
    assert chat.state.pending.kind == "field" and chat.state.pending.ref == "child_name"
    assert "gõ lại" in chat.text and "child_name" not in chat.state.field_map
    chat.say("Nguyễn Thị Hòa")
    assert chat.state.field_map["child_name"] == "Nguyễn Thị Hòa"
    assert "child_name" not in chat.state.unsure and chat.state.pending.ref != "child_name"


def test_typing_the_correction_at_the_check_replaces_the_guess(chat: Chat) -> None:
    _fill(chat, until="child_name")
    chat.say("nguyen thi hoa")
    chat.say("Nguyễn Thị Họa")
    assert chat.state.field_map["child_name"] == "Nguyễn Thị Họa"
    assert "child_name" not in chat.state.unsure
    assert chat.state.pending.kind == "field" and chat.state.pending.ref != "child_name"


def test_a_value_an_officer_sets_is_no_longer_marked(chat: Chat) -> None:
    from bot.engine import AgentSetField

    _fill(chat)
    chat.say("/sua child_name")
    chat.say("nguyen thi hoa")
    assert "child_name" in chat.state.unsure
    chat.apply(AgentSetField(field_id="child_name", value="Nguyễn Thị Hòa", agent_name="Lan"))
    assert chat.state.field_map["child_name"] == "Nguyễn Thị Hòa" and "child_name" not in chat.state.unsure
