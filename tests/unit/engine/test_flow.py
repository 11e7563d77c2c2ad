"""The citizen conversation as the engine runs it: pure, no servers."""
from __future__ import annotations

import json

import pytest

from bot.engine import AgentClaimed, AgentReturned, AgentSaid, ConversationState
from tests.unit.engine.helpers import KHAI_SINH, Chat, u


@pytest.fixture
def chat(content) -> Chat:  # type: ignore[no-untyped-def]
    c = Chat(content)
    c.say("/start")
    return c


def walk_to_documents(chat: Chat, birth_cert: str = "Đã có", witness: str | None = None) -> None:
    chat.say("tôi muốn làm giấy khai sinh cho con", KHAI_SINH)
    chat.say("Có điều khác")  # the usual-case question: then each question alone
    chat.say("Có")
    chat.say("Không, đều là người Việt Nam")
    chat.say("Chỉ làm khai sinh")
    chat.say("Trong 60 ngày")
    chat.say(birth_cert)
    if witness:
        chat.say(witness)
    chat.say("Đã đăng ký kết hôn")
    chat.say("Cha hoặc mẹ")


def test_first_contact_shows_welcome_and_privacy_notice(content) -> None:  # type: ignore[no-untyped-def]
    c = Chat(content)
    c.say("/start")
    assert "Trợ lý Một cửa" in c.text
    assert "/xoadulieu" in c.text


def test_confident_request_starts_the_flow_with_the_first_question(chat: Chat) -> None:
    chat.say("tôi muốn làm giấy khai sinh cho con", KHAI_SINH)
    assert "Đăng ký khai sinh" in chat.text
    assert "Bé sinh ở Việt Nam, cha và mẹ đều là người Việt Nam" in chat.text   # the usual case, in one question
    assert chat.buttons == ["Đúng cả", "Có điều khác"]
    assert chat.event("procedure_identified")["procedure_id"] == "ho-tich.khai-sinh"
    chat.say("Có điều khác")   # then each condition is asked alone
    assert "sinh ra ở Việt Nam" in chat.text
    assert chat.buttons[:2] == ["Có", "Không, sinh ở nước ngoài"]


def test_unsure_nlu_clarifies_instead_of_guessing_then_offers_a_person(chat: Chat) -> None:
    vague = u(("ho-tich.khai-sinh", 0.31), ("ho-tich.khai-sinh-lai", 0.30), ("ho-tich.khai-tu", 0.2),
              ("chung-thuc.ban-sao", 0.1))
    known = [p for p in ("ho-tich.khai-sinh", "ho-tich.khai-sinh-lai", "ho-tich.khai-tu", "chung-thuc.ban-sao")
             if p in chat.content.procedures]
    chat.say("giấy tờ cho con", vague)
    assert "Bạn cần thủ tục nào?" in chat.text
    assert chat.buttons[-1] == "Không phải các thủ tục trên"
    assert chat.buttons[0] == chat.content.procedures[known[0]].name
    assert "procedure_identified" not in chat.events
    seen: list[str] = []
    for _ in range(2):  # "không phải" twice at most: next candidates, then a person is offered
        chat.say("/khongphai")
        seen += chat.events
        if "clarification_failed" in chat.events:
            break
    assert "clarification_failed" in seen
    assert "Gặp cán bộ" in chat.buttons


def test_picking_a_clarification_candidate_by_number_starts_it(chat: Chat) -> None:
    chat.say("khai sinh", u(("ho-tich.khai-sinh", 0.4), ("ho-tich.khai-sinh-lai", 0.35)))
    chat.say("1")
    assert chat.state.procedure_id == "ho-tich.khai-sinh"


def test_birth_certificate_answer_changes_the_document_list(content) -> None:  # type: ignore[no-untyped-def]
    with_cert = Chat(content)
    with_cert.say("/start")
    walk_to_documents(with_cert, "Đã có")
    without = Chat(content)
    without.say("/start")
    walk_to_documents(without, "Không có", witness="Có người làm chứng")
    assert "Bước 1/2 — Giấy chứng sinh" in with_cert.text   # the tờ khai is the draft itself: never asked
    # walk both checklists fully and compare
    seen_with, seen_without = [], []
    for chat, seen in ((with_cert, seen_with), (without, seen_without)):
        while chat.state.pending and chat.state.pending.kind == "document":
            seen.append(chat.state.pending.ref)
            chat.say("/giayto co")
    assert "giay-chung-sinh" in seen_with and "van-ban-lam-chung" not in seen_with
    assert "van-ban-lam-chung" in seen_without and "giay-chung-sinh" not in seen_without


def test_document_explained_and_missing_one_recorded_with_how_to_get(chat: Chat) -> None:
    walk_to_documents(chat)
    assert chat.state.pending.ref == "giay-chung-sinh"
    chat.say("Giấy này là gì?")
    assert "bệnh viện" in chat.text and chat.state.pending.ref == "giay-chung-sinh"
    chat.say("chưa có")
    assert "Xin tại cơ sở y tế" in chat.text
    assert "giay-chung-sinh" in chat.state.docs_missing
    assert "document_missing" in chat.events


def fill_fields_until(chat: Chat, field_id: str) -> None:
    answers = {
        "requester_name": "Nguyễn Văn An", "requester_id": "079203012345", "requester_relation": "Cha",
        "child_name": "Nguyễn Thị Bình", "child_birth_date": "15/10/2026", "child_gender": "Nữ",
        "child_ethnicity": "Kinh", "child_nationality": "Việt Nam",
        "child_birth_place": "Bệnh viện Đa khoa tỉnh Đắk Lắk, tỉnh Đắk Lắk", "child_hometown": "xã Ea Kar, tỉnh Đắk Lắk",
        "mother_name": "Trần Thị Cúc", "mother_birth_date": "12/5/1995", "mother_ethnicity": "Kinh",
        "mother_nationality": "Việt Nam", "mother_residence": "thôn 3, xã Ea Kar, tỉnh Đắk Lắk",
        "father_name": "Nguyễn Văn An", "father_birth_date": "1/1/1990", "father_ethnicity": "Kinh",
        "father_nationality": "Việt Nam", "father_residence": "thôn 3, xã Ea Kar, tỉnh Đắk Lắk", "copies": "Không cần", "phone": "0912345678",
    }
    while chat.state.pending and chat.state.pending.kind == "document":
        chat.say("/giayto co")
    while chat.state.pending and chat.state.pending.kind == "field" and chat.state.pending.ref != field_id:
        chat.say(answers[chat.state.pending.ref])


def test_invalid_date_is_rejected_with_a_reason_and_asked_again(chat: Chat) -> None:
    walk_to_documents(chat)
    fill_fields_until(chat, "child_birth_date")
    chat.say("31/02/2026")
    assert "không tồn tại" in chat.text
    assert chat.state.pending.ref == "child_birth_date"
    assert "field_rejected" in chat.events
    chat.say("15/3/2026")
    assert chat.state.field_map["child_birth_date"] == "2026-03-15"


def test_invalid_id_number_is_rejected(chat: Chat) -> None:
    walk_to_documents(chat)
    fill_fields_until(chat, "requester_id")
    chat.say("12345")
    assert chat.state.pending.ref == "requester_id"
    assert "12" in chat.text  # explains the 12 digits


def test_required_field_cannot_be_skipped_but_optional_can(chat: Chat) -> None:
    walk_to_documents(chat)
    fill_fields_until(chat, "requester_name")
    chat.say("bỏ qua")
    assert "bắt buộc" in chat.text and chat.state.pending.ref == "requester_name"
    fill_fields_until(chat, "phone")
    chat.say("bỏ qua")
    assert chat.state.pending.kind == "review"


def test_review_lets_the_citizen_correct_a_field_then_confirm_requests_the_draft(chat: Chat) -> None:
    walk_to_documents(chat)
    fill_fields_until(chat, "phone")
    chat.say("0912 345 678")
    assert chat.state.pending.kind == "review"
    assert "Nguyễn Thị Bình" in chat.text and "15/10/2026" in chat.text
    chat.say("Sửa thông tin")
    chat.say("Người được khai sinh")   # whose answer first (issue 16: not 22 buttons in one list)
    assert "Họ, chữ đệm, tên người được khai sinh" in chat.buttons
    chat.say("/sua child_name")
    chat.say("Nguyễn Thị Bình An")
    assert "Nguyễn Thị Bình An" in chat.text and chat.state.pending.kind == "review"
    chat.say("/xacnhan")
    data = chat.event("draft_requested")
    assert data["code"] == "KS-7F3K2Q"
    assert data["fields"]["child_name"] == "Nguyễn Thị Bình An"
    assert "giay-chung-sinh" in data["applicable_docs"]
    assert "KS-7F3K2Q" in chat.text
    assert chat.state.phase == "done"


def test_back_undoes_the_last_answer(chat: Chat) -> None:
    chat.say("khai sinh", KHAI_SINH)
    chat.say("Có điều khác")  # the usual-case question: then each question alone
    chat.say("Có")
    assert chat.state.pending.ref == "foreign_parent"
    chat.say("quay lại")
    assert chat.state.pending.ref == "born_in_vn"
    assert "born_in_vn" not in chat.state.answer_map


def test_restart_anywhere_clears_the_procedure(chat: Chat) -> None:
    walk_to_documents(chat)
    chat.say("làm lại")
    assert chat.state.procedure_id == "ho-tich.khai-sinh"     # answers to lose: asked first (issue 16 item 8)
    chat.say("Bắt đầu lại")
    assert chat.state.procedure_id is None and chat.state.answers == ()
    assert "restarted" in chat.events


def test_fee_question_mid_flow_is_answered_with_source_then_the_question_repeats(chat: Chat) -> None:
    chat.say("khai sinh", KHAI_SINH)
    chat.say("Có điều khác")  # the usual-case question: then each question alone
    chat.say("lệ phí bao nhiêu vậy", u(("ask_fee", 0.9)))
    assert "Miễn lệ phí" in chat.text
    assert "Nguồn:" in chat.text
    assert chat.texts[-1].startswith("Bé được sinh ra ở Việt Nam")


def test_born_abroad_is_handed_to_a_person(chat: Chat) -> None:
    chat.say("khai sinh", KHAI_SINH)
    chat.say("Có điều khác")  # the usual-case question: then each question alone
    chat.say("Không, sinh ở nước ngoài")
    assert chat.event("handoff_requested")["reason"] == "flow_option"
    assert chat.state.mode == "waiting_human"


def test_human_request_then_agent_chat_then_return_to_chosen_step(chat: Chat) -> None:
    chat.say("khai sinh", KHAI_SINH)
    chat.say("Có điều khác")  # the usual-case question: then each question alone
    chat.say("/canbo")
    assert chat.state.mode == "waiting_human"
    assert chat.event("handoff_requested")["reason"] == "citizen_request"
    chat.apply(AgentClaimed("Chị Lan"))
    assert chat.state.mode == "human" and "Chị Lan" in chat.text
    chat.say("con tôi sinh ở nhà thì sao")
    assert chat.texts == [] and "citizen_message_for_agent" in chat.events
    chat.apply(AgentSaid("Chị Lan", "Bạn cần giấy cam đoan về việc sinh."))
    assert chat.last.replies[0].sender == "agent"
    chat.apply(AgentReturned("Chị Lan", step_id="has_birth_cert"))
    assert chat.state.mode == "bot"
    assert "1 = rất không hài lòng" in chat.text
    chat.say("/danhgia 5")
    assert "rating_given" in chat.events
    assert chat.state.pending.ref == "has_birth_cert"
    assert "Giấy chứng sinh" in chat.text


def test_off_hours_handoff_offers_a_call_back(content) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(content, humans_on_duty=False)
    chat.say("/start")
    chat.say("/canbo")
    assert "ngoài giờ" in chat.text
    chat.say("0912345678")
    assert chat.event("callback_requested")["phone"] == "0912345678"


def test_state_survives_a_json_round_trip_mid_flow(chat: Chat) -> None:
    walk_to_documents(chat)
    blob = json.dumps(chat.state.to_dict(), ensure_ascii=False)
    restored = ConversationState.from_dict(json.loads(blob))
    assert restored == chat.state


def test_damaged_state_falls_back_to_a_fresh_conversation() -> None:
    assert ConversationState.from_dict({"pending": {"nokind": 1}}) == ConversationState()


def test_document_list_and_legal_basis_are_answered_at_any_moment_with_sources(chat: Chat) -> None:
    chat.say("khai sinh", KHAI_SINH)
    chat.say("Có điều khác")  # the usual-case question: then each question alone
    chat.say("vậy cần những giấy tờ gì?")
    assert "Giấy tờ cần có (Đăng ký khai sinh)" in chat.text
    assert "Giấy chứng sinh" in chat.text and "Nguồn:" in chat.text
    assert chat.state.pending.ref == "born_in_vn"
    chat.say("căn cứ pháp lý là luật nào vậy")
    assert "Luật Hộ tịch" in chat.text
    assert chat.texts[-1].startswith("Bé được sinh ra ở Việt Nam")


def test_a_field_an_earlier_question_answered_is_prefilled_not_asked_again(content) -> None:  # type: ignore[no-untyped-def]
    assert "can-cuoc.cap-doi-lai" in content.procedures, "the shipped catalog has the căn cước entry"
    chat = Chat(content)
    chat.say("/start")
    chat.say("đổi thẻ căn cước", u(("can-cuoc.cap-doi-lai", 0.95)))
    asked: list[str] = []
    for _ in range(60):
        p = chat.state.pending
        if p is None or p.kind == "review":
            break
        if p.kind == "field":
            asked.append(p.ref)
            chat.say({"full_name": "Nguyễn Văn An", "birth_date": "1/1/1990", "gender": "Nam",
                      "personal_id": "079090012345", "residence": "thôn 3, xã Ea Kar, tỉnh Đắk Lắk",
                      "delivery": "1", "phone": "0912345678"}.get(p.ref, "1"))
        elif p.kind == "question" and p.ref == "request":
            chat.say("Đổi thẻ")
        elif p.kind == "question" and p.ref == "change_reason":
            chat.say("Thẻ bị hỏng, gãy, mờ")
        elif p.kind in ("question", "status_warning", "clarify"):
            chat.say("1")
        else:
            chat.say("/giayto co")
    assert "request_type" not in asked and "reason" not in asked
    assert chat.state.field_map["request_type"] == "Cấp đổi thẻ căn cước"
    assert chat.state.field_map["reason"] == "Thẻ bị hỏng, gãy, mờ"


def test_optional_document_is_not_recorded_as_missing(content) -> None:  # type: ignore[no-untyped-def]
    proc = content.procedures["ho-tich.khai-sinh"]
    docs = tuple(d.model_copy(update={"optional": True}) if d.id == "giay-to-tuy-than" else d for d in proc.documents)
    snap = type(content)(version="t", procedures={**content.procedures, proc.id: proc.model_copy(update={"documents": docs})},
                         flows=content.flows, phrases=content.phrases, spec=content.spec)
    chat = Chat(snap)
    chat.say("/start")
    walk_to_documents(chat)
    while chat.state.pending.ref != "giay-to-tuy-than":
        chat.say("/giayto co")
    assert "chỉ cần nếu bạn có" in chat.text
    chat.say("Chưa có")
    assert "giay-to-tuy-than" not in chat.state.docs_missing
    assert "không bắt buộc" in chat.text
