"""Domain events the engine emits; the runtime stores them and routes them to rooms (handoff, dossier, reports)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Event:
    """A named fact about the conversation with JSON-ready data."""

    type: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def event(type_: str, **data: Any) -> Event:
    return Event(type_, data)


# Event type names, one place so rooms and reports agree on spelling.
PROCEDURE_IDENTIFIED = "procedure_identified"
CLARIFICATION_ASKED = "clarification_asked"
CLARIFICATION_FAILED = "clarification_failed"
UNRECOGNIZED = "unrecognized"
STEP_COMPLETED = "step_completed"
DOCUMENTS_REACHED = "documents_reached"
DOCUMENT_MISSING = "document_missing"
FIELDS_REACHED = "fields_reached"
FIELD_COLLECTED = "field_collected"
FIELD_REJECTED = "field_rejected"
REVIEW_REACHED = "review_reached"
DRAFT_REQUESTED = "draft_requested"
HANDOFF_REQUESTED = "handoff_requested"
HANDOFF_CANCELLED = "handoff_cancelled"
CITIZEN_MESSAGE_FOR_AGENT = "citizen_message_for_agent"
AGENT_CLAIMED = "agent_claimed"
AGENT_RETURNED = "agent_returned"
AGENT_CLOSED = "agent_closed"
RATING_GIVEN = "rating_given"
CALLBACK_REQUESTED = "callback_requested"
CHECK_FAILED = "check_failed"   # an answer contradicted an earlier one (flow ``checks``)
RESTARTED = "restarted"
DATA_DELETION_REQUESTED = "data_deletion_requested"
DRAFTS_LISTED = "drafts_listed"
STATUS_ASKED = "status_asked"
SWITCH_OFFERED = "switch_offered"
ELSEWHERE_REFERRED = "elsewhere_referred"
DRAFT_CLAIM_REQUESTED = "draft_claim_requested"
