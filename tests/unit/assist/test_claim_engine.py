"""The pure side of claiming a desk-made draft: "/nhan <code>" asks for the phone, a valid phone becomes an event."""
from __future__ import annotations

from typing import Any

import pytest

from bot.dossier.codes import new_code
from bot.engine import events as ev
from bot.engine.claim import claim_digest, claim_request
from tests.unit.engine.helpers import KHAI_SINH, Chat

CODE = new_code("chung-thuc.ban-sao")


@pytest.fixture
def chat(content: Any) -> Chat:
    c = Chat(content)
    c.say("/start")
    return c


def test_claim_request_forms() -> None:
    assert claim_request("/nhan KS-7F3K2Q", "/nhan ks 7f3k2q") == "KS-7F3K2Q"
    assert claim_request("nhận hồ sơ KS-7F3K2Q", "nhan ho so ks 7f3k2q") == "KS-7F3K2Q"
    assert claim_request("Nhận lại hồ sơ ks 7f3 k2q", "nhan lai ho so ks 7f3 k2q") == "ks 7f3 k2q"
    assert claim_request("/nhan", "/nhan") == ""
    assert claim_request("tôi muốn nhận kết quả", "toi muon nhan ket qua") is None


def test_claim_asks_phone_then_emits_digest_not_the_number(chat: Chat) -> None:
    chat.say(f"/nhan {CODE.lower().replace('-', ' ')}")
    assert CODE in chat.text and "số điện thoại" in chat.text
    assert chat.state.pending is not None and chat.state.pending.kind == "claim_phone"
    assert chat.state.pending.ref == CODE
    chat.say("abc")                                     # not a phone: asked again, nothing emitted
    assert "Số điện thoại chưa đúng" in chat.text and not chat.events
    chat.say("số của tôi là 0912 345 678")
    claim = chat.emitted(ev.DraftClaimRequested)
    assert claim == ev.DraftClaimRequested(code=CODE, phone_digest=claim_digest(CODE, "0912345678"))
    assert "0912345678" not in str(claim.data)
    assert chat.state.pending is None


def test_bad_code_is_refused_in_vietnamese(chat: Chat) -> None:
    bad = CODE[:-1] + ("A" if CODE[-1] != "A" else "B")   # wrong check character
    chat.say(f"/nhan {bad}")
    assert "không hợp lệ" in chat.text and not chat.events
    assert chat.state.pending is None
    chat.say("/nhan")
    assert "/nhan" in chat.text and "KS-7F3K2Q" in chat.text


def test_claim_in_the_middle_of_a_flow_resumes_the_question(chat: Chat) -> None:
    chat.say("tôi muốn làm giấy khai sinh cho con", KHAI_SINH)
    before = chat.state.pending
    assert before is not None
    chat.say(f"/nhan {CODE}")
    assert chat.state.pending.kind == "claim_phone" and chat.state.resume == before
    chat.say("bỏ qua")
    assert "Đã bỏ qua" in chat.text and chat.state.pending == before
    chat.say(f"/nhan {CODE}")
    chat.say("0912345678")
    assert ev.EventType.DRAFT_CLAIM_REQUESTED in chat.events and chat.state.pending == before
