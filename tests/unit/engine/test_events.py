"""Typed events: one frozen class per event, and the names the events table stores never change (rows written
before the events were typed, and the reports over them, must keep reading the same strings)."""
from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from bot.engine import AgentClaimed, AgentReturned
from bot.engine import events as ev
from tests.unit.engine.helpers import KHAI_SINH, Chat, u

# Spelled out, not taken from the code: these strings are in the events table and in the reports' queries.
STORED_NAMES = {
    "procedure_identified", "clarification_asked", "clarification_failed", "unrecognized", "step_completed",
    "documents_reached", "document_missing", "fields_reached", "field_collected", "field_rejected",
    "review_reached", "draft_requested", "handoff_requested", "handoff_cancelled", "citizen_message_for_agent",
    "agent_claimed", "agent_returned", "agent_closed", "rating_given", "callback_requested", "restarted",
    "data_deletion_requested", "drafts_listed", "status_asked", "switch_offered", "elsewhere_referred",
    "draft_claim_requested", "check_failed",
    "online_chosen", "online_step_shown", "online_stuck", "online_filed", "commune_noted",
}


def test_every_stored_name_is_kept_and_has_exactly_one_event_class() -> None:
    assert {t.value for t in ev.EventType} == STORED_NAMES
    subclasses = [c for c in vars(ev).values() if isinstance(c, type) and issubclass(c, ev.Event) and c is not ev.Event]
    classes = [c for c in subclasses if hasattr(c, "type")]
    assert sorted(c.type.value for c in classes) == sorted(STORED_NAMES)
    # The rest only group shared fields and are never emitted themselves.
    assert {c.__name__ for c in subclasses if c not in classes} == {"ProcedureEvent", "StepReached", "AgentEvent"}
    assert all(ev.EVENT_CLASSES[c.type] is c for c in classes)


def test_an_event_is_frozen_and_checks_its_fields() -> None:
    e = ev.RatingGiven(rating=5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.rating = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        ev.HandoffRequested(reason="citizen_request")  # type: ignore[call-arg]


def test_stored_data_keeps_its_shape() -> None:
    assert ev.FieldCollected("p", "ho_ten").to_dict() == {"type": "field_collected",
                                                          "data": {"procedure_id": "p", "field_id": "ho_ten"}}
    assert ev.FieldCollected("p", "ho_ten", source="cccd_qr").data["source"] == "cccd_qr"
    assert ev.HandoffCancelled().to_dict() == {"type": "handoff_cancelled", "data": {}}


def _stored(events: Any) -> list[dict[str, Any]]:
    """What the runtime writes: the type's string and the data, through JSON like the events table."""
    return json.loads(json.dumps([{"type": e.type.value, "data": e.data} for e in events]))


def test_a_conversation_emits_typed_events_stored_under_the_old_names(content: Any) -> None:
    chat = Chat(content)
    chat.say("tôi muốn làm giấy khai sinh cho con", KHAI_SINH)
    identified = chat.emitted(ev.ProcedureIdentified)
    assert identified.procedure_id == "ho-tich.khai-sinh" and identified.confidence == 0.92
    rows = _stored(chat.last.events if chat.last else ())
    assert {"type": "procedure_identified", "data": {"procedure_id": "ho-tich.khai-sinh", "confidence": 0.92}} in rows
    chat.say("gặp cán bộ")
    assert chat.emitted(ev.HandoffRequested).reason == "citizen_request"
    chat.apply(AgentClaimed(agent_name="Chị Lan"))
    assert _stored(chat.last.events if chat.last else ()) == [{"type": "agent_claimed", "data": {"agent": "Chị Lan"}}]
    chat.apply(AgentReturned(agent_name="Chị Lan", step_id=None))
    assert chat.events[0] == "agent_returned" and chat.emitted(ev.AgentReturned).agent == "Chị Lan"
    chat.say("/danhgia 5")
    assert chat.emitted(ev.RatingGiven) == ev.RatingGiven(rating=5)
    chat.say("có cái này lạ quá", u(("out_of_scope", 0.9)))
    assert _stored(chat.last.events if chat.last else ()) == [
        {"type": "unrecognized", "data": {"text": "có cái này lạ quá", "label": "out_of_scope", "confidence": 0.9}}]
