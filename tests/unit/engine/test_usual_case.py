"""The usual case in one tap (issue 16 item 5): a combined question answers the yes/no questions people usually
answer together; "Có điều khác" asks them one by one. Flow data (`sets`), never a procedure in Python."""
from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bot.content.flow import Flow
from bot.content.placed import PlacedError
from tests.unit.engine.helpers import KHAI_SINH, Chat, u

IMPLIED = {"born_in_vn": "yes", "foreign_parent": "no", "has_birth_cert": "yes", "parents_married": "yes",
           "who_registers": "parent"}


def _asked(c: Chat) -> str | None:
    return c.state.pending.ref if c.state.pending is not None else None


def _opened(content: Any) -> Chat:
    c = Chat(content)
    c.say("/start")
    c.say("tôi muốn làm giấy khai sinh cho con", KHAI_SINH)
    assert _asked(c) == "usual_case"
    assert "Bé sinh ở Việt Nam" in c.text and "Cha mẹ bé đã đăng ký kết hôn" in c.text   # every condition shown
    return c


@pytest.mark.parametrize("said", ["Đúng cả", "dung ca", "đúng vậy", "có"])
def test_one_tap_answers_the_usual_conditions_and_they_are_not_asked(content: Any, said: str) -> None:
    c = _opened(content)
    c.say(said)
    assert {k: c.state.answer_map.get(k) for k in IMPLIED} == IMPLIED
    refs = [_asked(c)]
    for answer in ("Chỉ làm khai sinh", "Trong 60 ngày"):
        c.say(answer)
        refs.append(_asked(c))
    assert refs == ["want_lien_thong", "within_60_days", "giay-chung-sinh"]   # straight to the papers
    assert "Giấy chứng sinh" in c.text                      # the implied "Đã có" chooses the papers


def test_another_case_asks_each_condition_alone(content: Any) -> None:
    c = _opened(content)
    c.say("Có điều khác")
    assert _asked(c) == "born_in_vn" and c.buttons[:2] == ["Có", "Không, sinh ở nước ngoài"]
    c.say("Không, sinh ở nước ngoài")            # the exceptions keep their own way (a person takes over)
    assert "handoff_requested" in c.events


def test_back_after_the_usual_case_undoes_every_implied_answer(content: Any) -> None:
    c = _opened(content)
    c.say("Đúng cả")
    c.say("/quaylai")
    assert _asked(c) == "usual_case"
    assert not set(IMPLIED) & set(c.state.answer_map)


def test_what_an_implied_answer_says_is_still_said(content: Any) -> None:
    """The fee that follows from "Mất chưa quá 15 ngày" is told with the one tap that implied it."""
    c = Chat(content)
    c.say("/start")
    c.say("làm giấy khai tử cho bố", u(("ho-tich.khai-tu", 0.93)))
    assert _asked(c) == "usual_case"
    c.say("Đúng cả")
    assert "miễn lệ phí" in c.text
    assert c.state.answer_map["within_15_days"] == "yes" and _asked(c) == "pension"


def test_sets_are_validated_as_data(content: Any) -> None:
    flow = content.flows["ho-tich.khai-sinh"].model_dump()
    steps = flow["steps"]
    usual = next(i for i, s in enumerate(steps) if s["id"] == "usual_case")

    def with_sets(sets: dict[str, str]) -> dict[str, Any]:
        opts = [dict(steps[usual]["options"][0], sets=sets), *steps[usual]["options"][1:]]
        return dict(flow, steps=[*steps[:usual], dict(steps[usual], options=opts), *steps[usual + 1:]])

    for sets, why in (({"no_such_question": "yes"}, "không có phía sau"),
                      ({"born_in_vn": "maybe"}, "không có lựa chọn"),
                      ({"born_in_vn": "no"}, "không thể ngầm định")):   # a handoff is never implied
        with pytest.raises((ValidationError, PlacedError), match=why):
            Flow.model_validate(with_sets(sets))


# --- the requester's details once ---------------------------------------------------------------------------------

TTHN = u(("ho-tich.xac-nhan-tinh-trang-hon-nhan", 0.93))


def _tthn_to_name(content: Any) -> Chat:
    c = Chat(content)
    c.say("/start")
    c.say("xin giấy xác nhận độc thân", TTHN)
    for answer in ("Mua bán, thế chấp nhà đất, vay vốn", "Đúng cả", "Chưa kết hôn lần nào", "Không / chưa rõ"):
        c.say(answer)
    while c.state.pending is not None and c.state.pending.kind == "document":
        c.say("có")
    assert _asked(c) == "requester_name"
    return c


def test_a_requester_asking_for_herself_gives_her_details_with_her_name(content: Any) -> None:
    c = _tthn_to_name(content)
    assert "ngày sinh, giới tính và số căn cước" in c.text     # the person the paper is for is the requester
    c.say("Nguyễn Thị Hoa, sinh 15/3/1990, nữ, 079190012345")
    f = c.state.field_map
    assert f["person_name"] == "Nguyễn Thị Hoa" and f["person_birth_date"] == "1990-03-15"
    assert f["person_gender"] == "Nữ" and "079190012345" in f["requester_id_doc"] and "079190012345" in f["person_id_doc"]
    assert _asked(c) == "person_ethnicity"      # not her residence: the form wants it only without an ID number
    assert "requester_residence" not in f


def test_without_the_id_number_the_residence_is_still_asked(content: Any) -> None:
    c = _tthn_to_name(content)
    c.say("Nguyễn Thị Hoa")
    assert _asked(c) == "requester_residence"


def test_the_marital_status_answered_at_the_question_is_not_asked_again(content: Any) -> None:
    c = _tthn_to_name(content)
    c.say("Nguyễn Thị Hoa, sinh 15/3/1990, nữ, 079190012345")
    seen = []
    while c.state.pending is not None and c.state.pending.kind == "field":
        seen.append(_asked(c))
        c.say({"person_ethnicity": "Kinh, quốc tịch Việt Nam", "person_residence": "thôn 3, xã Ea Kar, tỉnh Đắk Lắk",
               "purpose": "để vay vốn ngân hàng", "copies": "Không cần", "phone": "0912345678"}[_asked(c) or ""])
    assert "marital_status" not in seen
    assert c.state.field_map["marital_status"] == "Chưa đăng ký kết hôn với ai"


# --- small things ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("first", ["/start", "tôi muốn làm giấy khai sinh cho con"])
def test_the_welcome_names_the_configured_assistant(content: Any, first: str) -> None:
    c = Chat(content, assistant_name="Trợ lý Xã Ea Kar")
    c.say(first, KHAI_SINH if first != "/start" else None)
    assert "Mình là Trợ lý Xã Ea Kar" in c.texts[0] and "Một cửa" not in c.texts[0]


def test_a_tapped_quick_answer_reads_back_as_its_button(content: Any) -> None:
    c = _tthn_to_name(content)
    c.say("Nguyễn Thị Hoa, sinh 15/3/1990, nữ, 079190012345")
    for answer in ("Kinh, quốc tịch Việt Nam", "thôn 3, xã Ea Kar, tỉnh Đắk Lắk", "để vay vốn ngân hàng"):
        c.say(answer)
    assert _asked(c) == "copies" and "2 bản" in c.buttons
    c.say("2 bản")
    assert c.state.field_map["copies"] == "2"              # the desk reads a number
    c.say("0912345678")
    assert "Đề nghị cấp bản sao (số lượng): 2 bản" in c.text   # the citizen reads what she tapped


def test_the_end_of_the_papers_and_the_form_intro_are_one_message(content: Any) -> None:
    c = _opened(content)
    for answer in ("Đúng cả", "Chỉ làm khai sinh", "Trong 60 ngày"):
        c.say(answer)
    c.say(next(b for b in c.buttons if b.startswith("Có đủ")))
    assert len(c.texts) == 2, c.texts                         # "Xong phần giấy tờ. Tiếp theo…" + the first field
    assert c.texts[0].startswith("Xong phần giấy tờ.") and "điền sẵn tờ khai" in c.texts[0]
    assert _asked(c) == "requester_name" and "Họ và tên" in c.texts[1]


def _ket_hon_fields(content: Any, *answers: str) -> list[str | None]:
    """Walk kết hôn with ``answers`` to the review; the fields asked, in order."""
    c = Chat(content)
    c.say("/start")
    c.say("chúng tôi muốn đăng ký kết hôn", u(("ho-tich.ket-hon", 0.93)))
    for a in answers:
        c.say(a)
    while c.state.pending is not None and c.state.pending.kind == "document":
        c.say("có")
    typed = {"person_name": "Nguyễn Thị Hoa, sinh 15/3/1995, 079195012345", "ethnicity": "Kinh, quốc tịch Việt Nam",
             "choice": "Lần thứ hai", "number": "Không cần", "phone": "0912345678", "address": "thôn 3, xã Ea Kar"}
    proc, seen = content.procedures["ho-tich.ket-hon"], []
    while c.state.pending is not None and c.state.pending.kind == "field":
        seen.append(_asked(c))
        c.say(typed[proc.form_field(_asked(c)).type])
    assert c.state.pending is not None and c.state.pending.kind == "review", c.text
    return seen


def test_first_marriages_are_not_asked_which_marriage_it_is(content: Any) -> None:
    asked = _ket_hon_fields(content, "Đúng cả")
    assert "bride_marriage_no" not in asked and "groom_marriage_no" not in asked
    assert "bride_residence" not in asked                  # the ID number came with the name
    again = _ket_hon_fields(content, "Có điều khác", "Đúng vậy", "Đã đủ tuổi", "Không, cả hai đang độc thân",
                            "Có người đã ly hôn", "Tại Tòa án Việt Nam")
    assert "bride_marriage_no" in again and "groom_marriage_no" in again   # after a divorce it is asked
