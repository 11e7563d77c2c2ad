"""What the bot is waiting for (`PendingKind`, `engine.WAITING`): stored states keep loading, the runtime learns
what a turn needs from `turn_needs` alone, and the side questions and restarts behave the same everywhere."""
from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

import pytest

from bot.dossier.codes import new_code
from bot.engine import CitizenSaid, ConversationState, InboundMessage, Text, TurnContext, step, turn_needs
from bot.engine.context import DraftSummary
from bot.engine.messages import Button
from bot.engine.state import Pending, PendingKind
from tests.unit.engine.helpers import Chat, u

# Spelled out, not taken from the enum: these are the strings states in the database hold.
STORED_KINDS = ("clarify", "question", "document", "field", "review", "review_edit", "rating", "offer_human",
                "status_code", "status_warning", "confirm_delete", "callback_phone", "claim_phone",
                "switch_confirm")


@pytest.mark.parametrize("kind", STORED_KINDS)
def test_a_state_stored_with_each_kind_string_loads_and_saves_the_same_string(kind: str) -> None:
    pending = {"kind": kind, "ref": "x", "buttons": [{"title": "Có", "payload": "/co"}]}
    stored = {"welcomed": True, "phase": "flow", "procedure_id": "ho-tich.khai-sinh", "step_id": "s1",
              "fields": [["ho_ten", "Nguyễn Văn An"]], "pending": pending, "resume": pending,
              "history": [{"phase": "flow", "procedure_id": "ho-tich.khai-sinh", "step_id": "s0", "pending": pending}]}
    state = ConversationState.from_dict(json.loads(json.dumps(stored)))
    assert state.field_map == {"ho_ten": "Nguyễn Văn An"}, "the stored state was thrown away"
    for p in (state.pending, state.resume, state.history[0].pending):
        assert p is not None and p.kind is PendingKind(kind) and p.kind == kind and p.ref == "x"
    again = json.loads(json.dumps(state.to_dict()))
    assert again["pending"]["kind"] == kind and again["resume"]["kind"] == kind
    assert again["history"][0]["pending"]["kind"] == kind


def test_a_stored_question_of_a_kind_no_longer_asked_drops_only_the_question() -> None:
    stored = {"welcomed": True, "phase": "flow", "procedure_id": "ho-tich.khai-sinh",
              "fields": [["ho_ten", "Nguyễn Văn An"]], "pending": {"kind": "vneid", "ref": None, "buttons": []}}
    state = ConversationState.from_dict(stored)
    assert state.pending is None and state.field_map == {"ho_ten": "Nguyễn Văn An"} and state.phase == "flow"


def test_an_unknown_kind_is_refused_where_it_is_made() -> None:
    with pytest.raises(ValueError):
        Pending("vneid")


def _waiting(kind: PendingKind, **kw: Any) -> ConversationState:
    buttons = (Button("Đã có", "/co"), Button("Chưa có", "/chua"))
    return ConversationState(welcomed=True, phase="flow", procedure_id="ho-tich.khai-sinh",
                             pending=Pending(kind, "x", buttons), **kw)


def test_turn_needs_tells_the_runtime_what_to_fetch() -> None:
    assert turn_needs(_waiting(PendingKind.STATUS_CODE), "KS-7F3K2Q").drafts
    assert turn_needs(_waiting(PendingKind.REVIEW), "xác nhận").draft_code_for == "ho-tich.khai-sinh"
    assert turn_needs(_waiting(PendingKind.DOCUMENT), "xác nhận").draft_code_for is None
    plain = turn_needs(ConversationState(welcomed=True), "tôi muốn đăng ký khai sinh")
    assert not plain.drafts and plain.nlu is not None and plain.nlu.expecting is None
    assert plain.wants_drafts(u(("ask_status", 0.9))) and not plain.wants_drafts(u(("greet", 0.9)))
    assert turn_needs(ConversationState(welcomed=True), "/hoso").drafts


@pytest.mark.parametrize(("kind", "text", "expecting"), [
    (PendingKind.DOCUMENT, "hình như chưa", "yes_no"),
    (PendingKind.QUESTION, "con tôi sinh ở bệnh viện", "choice"),
    (PendingKind.RATING, "tạm được", "number"),
    (PendingKind.FIELD, "có cần ghi tên đệm không?", "field"),
    (PendingKind.SWITCH_CONFIRM, "ừ thì sao", None),
])
def test_the_nlu_is_told_what_the_question_expects(kind: PendingKind, text: str, expecting: str | None) -> None:
    needs = turn_needs(_waiting(kind), text)
    assert needs.nlu is not None and needs.nlu.expecting == expecting
    assert needs.nlu.procedure_id == "ho-tich.khai-sinh"


@pytest.mark.parametrize(("state", "text"), [
    (_waiting(PendingKind.DOCUMENT), "đã có"),                 # a typed button title
    (_waiting(PendingKind.DOCUMENT), "2"),                     # a button's number
    (_waiting(PendingKind.DOCUMENT), "/co"),                   # a payload
    (_waiting(PendingKind.FIELD), "Nguyễn Văn An"),            # a field answer without a question mark
    (_waiting(PendingKind.CLAIM_PHONE), "số tôi 0912345678?"),  # a phone number is never an intent
    (_waiting(PendingKind.DOCUMENT, mode="human"), "chị ơi"),  # an officer reads it
    (ConversationState(welcomed=True), "   "),
])
def test_answers_read_without_the_classifier(state: ConversationState, text: str) -> None:
    assert turn_needs(state, text).nlu is None


def test_restart_understood_while_waiting_for_an_officer_asks_then_cancels_the_request(content: Any) -> None:
    chat = Chat(content, state=ConversationState(welcomed=True, mode="waiting_human", procedure_id="ho-tich.khai-sinh"))
    chat.say("thôi cho tôi làm lại từ đầu nhé", u(("restart", 0.9)))
    assert chat.state.pending is not None and chat.state.pending.kind == PendingKind.CONFIRM_RESTART
    assert "restarted" not in chat.events      # a misread costs one tap, never the conversation
    chat.say("/huy")
    assert chat.events[-2:] == ["restarted", "handoff_cancelled"]
    assert chat.state.mode == "bot" and chat.state.procedure_id is None


def test_the_flow_question_survives_a_deletion_cancelled_while_asked_for_a_draft_code(content: Any) -> None:
    """Asked which draft, the citizen starts deleting their data and cancels: the flow's question comes back,
    not the draft-code question (which used to replace it for good)."""
    drafts = tuple(DraftSummary(code=new_code("ho-tich.khai-sinh", random.Random(i)), procedure_name="Đăng ký khai sinh",
                                status="đã lập bản nháp, chờ nộp", status_key="draft") for i in (1, 2))
    flow_q = Pending(PendingKind.DOCUMENT, "giay-chung-sinh")
    state = ConversationState(welcomed=True, phase="flow", procedure_id="ho-tich.khai-sinh", pending=flow_q)
    ctx = TurnContext(content=content, today=dt.date(2026, 11, 25), drafts=drafts)

    def say(state: ConversationState, text: str, understanding: Any = None) -> ConversationState:
        msg = InboundMessage(channel="test", sender_id="u", text=text, payload=text if text.startswith("/") else None)
        return step(state, CitizenSaid(msg, understanding), ctx).state

    state = say(state, "hồ sơ của tôi tới đâu rồi", u(("ask_status", 0.93)))
    assert state.pending is not None and state.pending.kind == PendingKind.STATUS_CODE
    state = say(state, "/xoadulieu")
    assert state.pending is not None and state.pending.kind == PendingKind.CONFIRM_DELETE
    msg = InboundMessage(channel="test", sender_id="u", text="/xoadulieu_khong", payload="/xoadulieu_khong")
    turn = step(state, CitizenSaid(msg, None), ctx)
    assert turn.state.pending == flow_q and turn.state.resume is None
    shown = [b.payload for r in turn.replies if isinstance(r, Text) for b in r.buttons]
    assert not set(shown) & {d.code for d in drafts}, "the draft-code question was asked again"
