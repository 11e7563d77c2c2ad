"""Fewer, shorter turns (issue 16 items 5–7): what a citizen types naturally is understood at once."""
from __future__ import annotations

from typing import Any

import pytest

from tests.unit.engine.helpers import KHAI_SINH, Chat, u


def khai_sinh_fields(content: Any, relation: str = "Mẹ") -> Chat:
    """A mother registering her baby, up to the child's name."""
    c = Chat(content)
    c.say("/start")
    c.say("tôi muốn làm giấy khai sinh cho con", KHAI_SINH)
    for answer in ("Đúng cả", "Chỉ làm khai sinh", "Trong 60 ngày"):   # the usual case in one tap
        c.say(answer)
    while c.state.pending is not None and c.state.pending.kind == "document":
        c.say("có")
    c.say("Nguyễn Thị Hoa")
    c.say("079203012345")
    c.say(relation)
    assert c.state.pending is not None and c.state.pending.ref == "child_name"
    return c


def asked(c: Chat) -> str | None:
    return c.state.pending.ref if c.state.pending is not None else None


def test_one_message_fills_the_name_birth_date_and_sex(content: Any) -> None:
    c = khai_sinh_fields(content)
    c.say("bé tên Trần Minh Khôi, sinh 20/11/2026, con trai")
    fields = c.state.field_map
    assert fields["child_name"] == "Trần Minh Khôi"
    assert fields["child_birth_date"] == "2026-11-20"
    assert fields["child_gender"] == "Nam"
    assert asked(c) == "child_ethnicity"      # only what is left
    assert "field_rejected" not in c.events
    guess = khai_sinh_fields(content)
    guess.say("Trần Minh Khôi, 20/11/2026, hôm qua trời mưa")   # a part that fits no field: nothing is guessed
    assert asked(guess) == "child_name" and "child_birth_date" not in guess.state.field_map


def test_kinh_and_viet_nam_in_one_tap(content: Any) -> None:
    c = khai_sinh_fields(content)
    c.say("Trần Minh Khôi, sinh 20/11/2026, con trai")
    assert c.buttons[0] == "Kinh, quốc tịch Việt Nam"
    c.say(c.buttons[0])
    assert c.state.field_map["child_ethnicity"] == "Kinh"
    assert c.state.field_map["child_nationality"] == "Việt Nam"
    assert asked(c) == "child_birth_place"


def _to_mother_and_father(c: Chat) -> None:
    c.say("tran minh khoi, sinh 20/11/2026, con trai")
    c.say("Kinh, quốc tịch Việt Nam")
    c.say("thôn 3, xã Ea Kar, tỉnh Đắk Lắk")
    c.say("thôn 3, xã Ea Kar, tỉnh Đắk Lắk")


def test_the_mother_is_not_asked_her_name_twice(content: Any) -> None:
    c = khai_sinh_fields(content, relation="Mẹ")
    _to_mother_and_father(c)
    assert asked(c) == "mother_birth_date"
    assert c.state.field_map["mother_name"] == "Nguyễn Thị Hoa"


def test_same_address_as_the_mother_typed_or_tapped(content: Any) -> None:
    c = khai_sinh_fields(content, relation="Mẹ")
    _to_mother_and_father(c)
    c.say("15/03/1990")
    c.say("Kinh, quốc tịch Việt Nam")
    c.say("số 12 đường Lê Lợi, phường Buôn Ma Thuột, tỉnh Đắk Lắk")
    c.say("Trần Văn Nam, sinh 15/03/1988")
    assert c.state.field_map["father_birth_date"] == "1988-03-15"
    c.say("Kinh, quốc tịch Việt Nam")
    assert asked(c) == "father_residence"
    assert "Cùng địa chỉ với mẹ" in c.buttons
    c.say("cung dia chi voi me")
    assert c.state.field_map["father_residence"] == c.state.field_map["mother_residence"]
    assert asked(c) == "copies"          # the next field of the form, not the address again


def test_the_father_registering_taps_la_toi_only_where_it_can_be_true(content: Any) -> None:
    c = khai_sinh_fields(content, relation="Cha")
    _to_mother_and_father(c)
    assert asked(c) == "mother_name"
    assert "Là tôi" not in c.buttons          # he is not the mother
    c.say("là tôi")
    assert "mother_name" not in c.state.field_map and "field_rejected" in c.events
    c.say("Nguyễn Thị Hoa, sinh 15/03/1990")
    c.say("Kinh, quốc tịch Việt Nam")
    c.say("thôn 3, xã Ea Kar, tỉnh Đắk Lắk")
    assert "father_name" not in (asked(c) or "")  # copied from the requester: he said he is the father
    assert c.state.field_map["father_name"] == "Nguyễn Thị Hoa"


TYPED = {"person_name": "Lê Văn Bình", "date_past": "15/03/1990", "date": "15/03/2026", "id_number": "079203012345",
         "identity_document": "CCCD số 079203012345 cấp ngày 01/01/2021", "phone": "0912345678", "year": "1990",
         "address": "thôn 3, xã Ea Kar, tỉnh Đắk Lắk", "number": "200", "gender": "Nam", "ethnicity": "Kinh",
         "nationality": "Việt Nam", "email": "binh@gmail.com"}


def drive_to(content: Any, pid: str, field_id: str) -> Chat:
    """Open ``pid`` and answer (first options, every paper at hand, plain values) until ``field_id`` is asked."""
    c = Chat(content)
    c.say("/start")
    c.say("thủ tục", u((pid, 0.95)))
    for _ in range(80):
        p = c.state.pending
        if p is None or p.ref == field_id:
            break
        if any(b.payload.startswith("/doi ") for b in p.buttons):
            c.say(next(b.payload for b in p.buttons if b.payload.startswith("/doi ")))   # a contradiction: fix it
        elif p.kind == "question":
            c.say("1")
        elif p.kind == "document":
            c.say("có")
        elif p.kind == "status_warning":
            c.say(p.buttons[-1].payload)
        else:
            f = content.procedures[pid].form_field(p.ref)
            c.say(TYPED.get(f.type, f.choices[0] if f.choices else "đất ở"))
    assert asked(c) == field_id
    return c


@pytest.mark.parametrize("pid", ["dat-dai.cap-gcn-lan-dau", "dat-dai.chuyen-muc-dich", "dat-dai.bien-dong"])
def test_parcel_and_map_sheet_as_people_write_them(content: Any, pid: str) -> None:
    c = drive_to(content, pid, "parcel_no")
    c.say("Thửa số 25, tờ bản đồ số 7")
    assert "field_rejected" not in c.events
    assert c.state.field_map["parcel_no"] == "25"
    assert c.state.field_map["map_sheet_no"] == "7"


def test_a_bare_twelve_digit_number_is_the_personal_id_card(content: Any) -> None:
    c = drive_to(content, "ho-tich.ket-hon", "bride_id_doc")
    c.say("079 203 012 345")
    assert "field_rejected" not in c.events
    assert c.state.field_map["bride_id_doc"] == "Căn cước số 079203012345"   # the desk reads which paper it is
    c2 = drive_to(content, "ho-tich.ket-hon", "bride_id_doc")
    c2.say("999203012345")
    assert "field_rejected" in c2.events and "mã tỉnh" in c2.text


def test_numbers_and_names_said_with_their_cue_are_accepted(content: Any) -> None:
    c2 = drive_to(content, "ho-tich.khai-sinh", "requester_name")
    c2.say("Tôi là Nguyễn Thị Hoa")
    assert c2.state.field_map["requester_name"] == "Nguyễn Thị Hoa"
    c2.say("CCCD 079203012345")
    assert c2.state.field_map["requester_id"] == "079203012345"
    c3 = drive_to(content, "ho-tich.khai-sinh", "phone")
    c3.say("sđt 0912 345 678")
    assert c3.state.field_map["phone"] == "0912345678"


def test_a_journey_typed_without_diacritics_gives_a_draft_with_them(content: Any) -> None:
    c = Chat(content)
    c.say("/start")
    c.say("toi muon lam giay khai sinh cho con", KHAI_SINH)
    c.say("Có điều khác")  # the usual-case question: then each question alone
    for answer in ("co", "khong, deu la nguoi viet nam", "chi lam khai sinh", "trong 60 ngay", "da co",
                   "da dang ky ket hon", "cha hoac me"):
        c.say(answer)
    while c.state.pending is not None and c.state.pending.kind == "document":
        c.say("co")
    for answer in ("nguyen thi hoa", "079203012345", "me", "be ten tran minh khoi, sinh 20/11/2026, con trai",
                   "kinh, quoc tich viet nam", "thon 3, xa ea kar, tinh dak lak", "thon 3, xa ea kar, tinh dak lak",
                   "15/03/1990", "kinh, quoc tich viet nam", "thon 3, xa ea kar, tinh dak lak",
                   "tran van nam, sinh 10/05/1988", "kinh, quoc tich viet nam", "cung dia chi voi me", "khong can",
                   "bo qua"):
        c.say(answer)
        while c.state.pending is not None and c.state.pending.kind == "field_check":
            c.say("/dung")        # the citizen confirms each name restored with diacritics
        assert "field_rejected" not in c.events, (answer, c.text)
    assert c.state.pending is not None and c.state.pending.kind == "review"
    c.say("xac nhan")
    fields = c.event("draft_requested")["fields"]
    assert fields["requester_name"] == "Nguyễn Thị Hoa"
    assert fields["child_name"] == "Trần Minh Khôi"
    assert fields["mother_name"] == "Nguyễn Thị Hoa"
    assert fields["father_name"] == "Trần Văn Nam"
    assert (fields["child_gender"], fields["child_ethnicity"], fields["father_nationality"]) == ("Nam", "Kinh", "Việt Nam")
    assert fields["father_residence"] == fields["mother_residence"]


def test_who_has_every_paper_answers_the_checklist_once(content: Any) -> None:
    c = Chat(content)
    c.say("/start")
    c.say("tôi muốn làm giấy khai sinh cho con", KHAI_SINH)
    c.say("Có điều khác")  # the usual-case question: then each question alone
    for answer in ("Có", "Không, đều là người Việt Nam", "Chỉ làm khai sinh", "Trong 60 ngày", "Đã có",
                   "Đã đăng ký kết hôn", "Cha hoặc mẹ"):
        c.say(answer)
    assert c.state.pending is not None and c.state.pending.kind == "document"
    listed = c.text
    assert "Giấy chứng sinh" in listed and "Giấy tờ tùy thân" in listed   # the whole list, before the first one
    assert any(b.startswith("Có đủ cả") for b in c.buttons)
    c.say("co du ca roi")
    assert c.state.pending is not None and c.state.pending.kind == "field"
    assert {"giay-chung-sinh", "giay-to-tuy-than"} <= set(c.state.docs_have) and not c.state.docs_missing
    c.say("/quaylai")                                   # one paper missing: still walked one by one
    assert c.state.pending is not None and c.state.pending.kind == "document"
    c.say("Chưa có")
    assert "giay-chung-sinh" in c.state.docs_missing
    assert c.state.pending is not None and c.state.pending.kind == "document"


def _khai_sinh_review(content: Any) -> Chat:
    c = khai_sinh_fields(content)
    for answer in ("Trần Minh Khôi, sinh 20/11/2026, con trai", "Kinh, quốc tịch Việt Nam",
                   "thôn 3, xã Ea Kar, tỉnh Đắk Lắk", "thôn 3, xã Ea Kar, tỉnh Đắk Lắk", "15/03/1990",
                   "Kinh, quốc tịch Việt Nam", "thôn 3, xã Ea Kar, tỉnh Đắk Lắk", "Trần Văn Nam, sinh 10/05/1988",
                   "Kinh, quốc tịch Việt Nam", "Cùng địa chỉ với mẹ", "Không cần", "0912345678"):
        c.say(answer)
    assert c.state.pending is not None and c.state.pending.kind == "review"
    return c


def test_the_review_is_grouped_by_person(content: Any) -> None:
    c = _khai_sinh_review(content)
    review = next(t for t in c.texts if "Thông tin bạn đã cung cấp" in t)
    lines = review.splitlines()
    for section in ("Người yêu cầu", "Người được khai sinh", "Người mẹ", "Người cha"):
        assert section in lines, section
    assert lines.index("Người mẹ") < lines.index("• Họ, chữ đệm, tên người mẹ: Nguyễn Thị Hoa") < lines.index("Người cha")


def test_correcting_an_answer_asks_whose_first_then_which(content: Any) -> None:
    c = _khai_sinh_review(content)
    c.say("Sửa thông tin")
    assert len(c.buttons) <= 7 and "Người cha" in c.buttons      # not 22 buttons in one list
    c.say("Người cha")
    assert "Họ, chữ đệm, tên người cha" in c.buttons and "Họ, chữ đệm, tên người mẹ" not in c.buttons
    c.say("Họ, chữ đệm, tên người cha")
    c.say("Trần Văn Nhân")
    assert c.state.field_map["father_name"] == "Trần Văn Nhân"
    assert c.state.pending is not None and c.state.pending.kind == "review"


def test_the_first_question_comes_within_two_messages_of_the_greeting(content: Any) -> None:
    c = Chat(content)
    c.say("cho tôi hỏi thủ tục đăng ký khai sinh", KHAI_SINH)
    texts = c.texts
    assert "Xin chào" in texts[0] and "/xoadulieu" in texts[0]       # the greeting, with the privacy note
    assert len(texts) <= 3 and "Bé sinh ở Việt Nam" in texts[-1] and c.buttons == ["Đúng cả", "Có điều khác"]
    assert not any("Nghị quyết" in t for t in texts)                 # resolutions come with the fee, not first


def test_the_fee_answer_is_one_line_for_this_citizen_with_the_rule_behind_a_button(content: Any) -> None:
    c = Chat(content)
    c.say("/start")
    c.say("tôi muốn làm giấy khai sinh cho con", KHAI_SINH)
    c.say("Có điều khác")  # the usual-case question: then each question alone
    for answer in ("Có", "Không, đều là người Việt Nam", "Chỉ làm khai sinh", "Trong 60 ngày"):
        c.say(answer)
    c.say("lệ phí bao nhiêu?", u(("ask_fee", 0.95)))
    assert c.texts[0] == "Đăng ký đúng hạn nên bạn được miễn lệ phí."
    assert "Xem căn cứ" in c.buttons
    assert "Giấy chứng sinh" in c.texts[-1]               # and the question it interrupted is asked again
    c.say("/lephi")
    detail = c.text
    assert "Nghị quyết 66.22/2026/NQ-CP" in detail       # the resolution in force comes with the fee detail
    assert c.state.pending is not None and c.state.pending.ref == "has_birth_cert"
