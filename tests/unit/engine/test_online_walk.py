"""The online walk in the pure engine (issue 22): offered after the draft only where the catalog allows filing
online, one step at a time, every value in its own message to copy, the fee with what VNeID earns, "Mình bị kẹt"
handing off with the step reached."""
from __future__ import annotations

from typing import Any

from bot.engine import ConversationState, Text, online
from bot.engine.turn import Out
from tests.unit.engine.helpers import Chat
from tests.unit.engine.test_flow import fill_fields_until, walk_to_documents


def _drafted(content: Any) -> Chat:
    chat = Chat(content)
    chat.say("/start")
    walk_to_documents(chat)
    fill_fields_until(chat, "__review__")
    chat.say("/xacnhan")
    assert chat.event("draft_requested")
    return chat


def test_after_the_draft_the_three_ways_are_asked_and_the_walk_goes_step_by_step(content: Any) -> None:
    chat = _drafted(content)
    p = chat.state.pending
    assert p is not None and p.kind == "online_choice" and p.ref == "KS-7F3K2Q"
    assert [b.title for b in p.buttons] == ["Tự nộp trực tuyến", "Nhờ tổ công nghệ số nộp giúp",
                                            "Mang đến bộ phận một cửa"]
    chat.say("1")
    assert chat.text.startswith("Bước 1/7 — Đăng nhập") and chat.buttons == ["Xong", "Mình bị kẹt"]
    chat.say("/xong")
    chat.say("/xong")
    copies = [r for r in chat.last.replies if isinstance(r, Text) and r.copy]
    assert [r.copy for r in copies][:3] == ["Nguyễn Văn An", "079203012345", "Cha"]
    assert all(r.text == f"{r.text.split(':')[0]}:\n{r.copy}" for r in copies)
    chat.say("/xong")
    chat.say("/xong")
    assert "Bước 5/7 — Lệ phí" in chat.text and "miễn lệ phí" in chat.text.lower()
    assert "online_step_shown" in chat.events


def test_stuck_hands_off_with_the_step_reached(content: Any) -> None:
    chat = _drafted(content)
    chat.say("/tunop")
    chat.say("/xong")
    chat.say("mình bị kẹt")
    assert chat.state.mode == "waiting_human"
    assert chat.event("handoff_requested") == {"reason": "online_stuck", "procedure_id": "ho-tich.khai-sinh",
                                               "step_id": "online:tim-thu-tuc"}
    assert chat.event("online_stuck")["step_id"] == "tim-thu-tuc"


def test_the_team_files_it_a_handoff_carrying_the_draft(content: Any) -> None:
    chat = _drafted(content)
    chat.say("Nhờ tổ công nghệ số nộp giúp")
    assert chat.event("handoff_requested")["reason"] == "file_for_me"
    assert chat.event("handoff_requested")["step_id"] == "KS-7F3K2Q"
    assert chat.event("online_chosen") == {"code": "KS-7F3K2Q", "choice": "team"}


def test_not_offered_where_the_procedure_cannot_be_filed_online(content: Any) -> None:
    proc = content.procedures["xa-hoi.ho-ngheo"]
    assert proc.submission.online == "none"
    state = ConversationState(procedure_id=proc.id, phase="done", last_draft="HN-7F3K2Q")
    out = Out(Chat(content).ctx())
    assert online.offer(state, out, proc) == state and out.replies == []


def _at_code_question(content: Any) -> Chat:
    chat = _drafted(content)
    chat.say("/tunop")
    while chat.state.pending is not None and chat.state.pending.kind == "online_step":
        chat.say("/xong")
    assert chat.state.pending is not None and chat.state.pending.kind == "online_code"
    return chat


def test_a_kept_receipt_photo_becomes_a_task_and_the_code_question_stays(content: Any) -> None:
    from bot.engine.inputs import Notify

    chat = _at_code_question(content)
    chat.humans_on_duty = False
    chat.say("", receipt=True)
    assert chat.event("handoff_requested") == {"reason": "online_receipt", "procedure_id": "ho-tich.khai-sinh",
                                               "step_id": "KS-7F3K2Q"}
    assert "nhắn lại mã cho bạn vào" in chat.text          # off hours: when, never "soon"
    assert chat.state.mode == "waiting_human" and chat.state.pending.kind == "online_code"
    chat.say("", receipt=True)                                # a second photo replaces the first: no second ticket
    assert "thay cho ảnh trước" in chat.text and "handoff_requested" not in chat.events
    chat.apply(Notify("Đã ghi mã.", filed="KS-OTHER1"))       # another draft: the question stays
    assert chat.state.pending is not None
    chat.apply(Notify("Đã ghi mã.", filed="KS-7F3K2Q"))       # the team recorded this one's code
    assert chat.state.pending is None


def test_a_photo_that_could_not_be_kept_says_why_and_asks_again(content: Any) -> None:
    chat = _at_code_question(content)
    chat.say("", extract_error="Ảnh bạn gửi lớn quá (tối đa 8 MB).")
    assert "lớn quá" in chat.text and "Bạn gõ mã hồ sơ" in chat.text
    assert chat.state.pending.kind == "online_code" and chat.state.mode == "bot"
    assert "handoff_requested" not in chat.events


def test_assisted_conversations_are_not_offered_the_walk(content: Any) -> None:
    proc = content.procedures["ho-tich.khai-sinh"]
    state = ConversationState(procedure_id=proc.id, phase="done", last_draft="KS-7F3K2Q")
    from dataclasses import replace

    out = Out(replace(Chat(content).ctx(), assisted=True))
    assert online.offer(state, out, proc) == state and out.replies == []
    assert online.offer(state, Out(Chat(content).ctx()), proc).pending is not None   # the same, not assisted


def test_receipt_sniffing_and_limits() -> None:
    from bot.dossier.receipt import MAX_BYTES, NOT_A_PHOTO, TOO_BIG, check, sniff

    assert sniff(b"\xff\xd8\xff\xe0rest") == "image/jpeg" and sniff(b"\x89PNG\r\n\x1a\n..") == "image/png"
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff(b"\x00\x00\x00\x18ftypheic....") == "image/heic"
    assert sniff(b"%PDF-1.4") is None and sniff(b"<svg") is None
    assert check(b"\xff\xd8\xff" + b"\x00" * 200) == ("image/jpeg", None)
    assert check(b"\xff\xd8\xff" + b"\x00" * MAX_BYTES) == (None, TOO_BIG)
    assert check(b"GIF89a" + b"\x00" * 200) == (None, NOT_A_PHOTO)
    assert check(b"\xff\xd8\xff") == (None, NOT_A_PHOTO)            # a header, no picture
    assert check(None)[0] is None and check(b"")[0] is None
