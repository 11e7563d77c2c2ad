"""Domain events the engine emits; the runtime stores them and routes them to rooms (handoff, dossier, reports).

One frozen dataclass per event, so an emitter cannot misspell a name or forget a field, and `EventType` names
every type once for the rooms that register on them and the reports that count them. The database keeps the
type's string and ``data`` as JSON: the strings below are stored in the events table, so they never change
(rows written by earlier versions are read by the same code).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, ClassVar


class EventType(StrEnum):
    """Every event type; the value is what the events table stores."""

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
    ONLINE_CHOSEN = "online_chosen"          # after the draft: file online alone, by the digital team, or at the desk
    ONLINE_STEP_SHOWN = "online_step_shown"
    ONLINE_STUCK = "online_stuck"
    ONLINE_FILED = "online_filed"            # the portal's dossier code, given by the citizen


@dataclass(frozen=True, slots=True)
class Event:
    """A named fact about the conversation. Subclasses set ``type`` and declare their data as fields."""

    type: ClassVar[EventType]
    omit_if_none: ClassVar[tuple[str, ...]] = ()   # optional fields left out of ``data`` when unset

    @property
    def data(self) -> dict[str, Any]:
        """The JSON-ready data stored with the event (same keys as before the events were typed)."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if not (f.name in self.omit_if_none and getattr(self, f.name) is None)}

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type.value, "data": self.data}


# --- identifying the procedure ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ProcedureIdentified(Event):
    type = EventType.PROCEDURE_IDENTIFIED
    procedure_id: str
    confidence: float


@dataclass(frozen=True, slots=True)
class ClarificationAsked(Event):
    type = EventType.CLARIFICATION_ASKED
    candidates: list[str]


@dataclass(frozen=True, slots=True)
class ClarificationFailed(Event):
    type = EventType.CLARIFICATION_FAILED
    failures: int
    candidates: list[str]


@dataclass(frozen=True, slots=True)
class Unrecognized(Event):
    type = EventType.UNRECOGNIZED
    text: str
    label: str | None
    confidence: float


@dataclass(frozen=True, slots=True)
class SwitchOffered(Event):
    type = EventType.SWITCH_OFFERED
    procedure_id: str
    current: str


@dataclass(frozen=True, slots=True)
class ElsewhereReferred(Event):
    type = EventType.ELSEWHERE_REFERRED
    id: str


# --- walking the flow ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class StepCompleted(Event):
    type = EventType.STEP_COMPLETED
    procedure_id: str | None
    step_id: str | None


@dataclass(frozen=True, slots=True)
class DocumentsReached(Event):
    type = EventType.DOCUMENTS_REACHED
    procedure_id: str
    step_id: str
    count: int


@dataclass(frozen=True, slots=True)
class DocumentMissing(Event):
    type = EventType.DOCUMENT_MISSING
    procedure_id: str
    doc_id: str


@dataclass(frozen=True, slots=True)
class FieldsReached(Event):
    type = EventType.FIELDS_REACHED
    procedure_id: str
    step_id: str
    count: int


@dataclass(frozen=True, slots=True)
class FieldCollected(Event):
    type = EventType.FIELD_COLLECTED
    omit_if_none = ("source",)
    procedure_id: str
    field_id: str
    source: str | None = None      # "cccd_qr" when read from the ID card's QR code


@dataclass(frozen=True, slots=True)
class FieldRejected(Event):
    type = EventType.FIELD_REJECTED
    procedure_id: str
    field_id: str
    field_type: str


@dataclass(frozen=True, slots=True)
class ReviewReached(Event):
    type = EventType.REVIEW_REACHED
    procedure_id: str


@dataclass(frozen=True, slots=True)
class DraftRequested(Event):
    """The citizen confirmed the summary: the dossier room makes the draft (bot/dossier)."""

    type = EventType.DRAFT_REQUESTED
    procedure_id: str
    code: str | None
    answers: dict[str, str]
    fields: dict[str, str]
    applicable_docs: list[str]
    docs_missing: list[str]
    docs_have: list[str]
    unsure: list[str] = field(default_factory=list)   # fields typed without diacritics, not confirmed


@dataclass(frozen=True, slots=True)
class CheckFailed(Event):
    """An answer contradicted an earlier one (a flow's ``checks``); the citizen is asked to fix either."""

    type = EventType.CHECK_FAILED
    procedure_id: str
    check_id: str


@dataclass(frozen=True, slots=True)
class OnlineChosen(Event):
    """After the draft (bot/engine/online.py): ``choice`` is self | team | desk."""

    type = EventType.ONLINE_CHOSEN
    code: str
    choice: str


@dataclass(frozen=True, slots=True)
class OnlineStepShown(Event):
    type = EventType.ONLINE_STEP_SHOWN
    code: str
    step_id: str


@dataclass(frozen=True, slots=True)
class OnlineStuck(Event):
    type = EventType.ONLINE_STUCK
    code: str
    step_id: str


@dataclass(frozen=True, slots=True)
class OnlineFiled(Event):
    """The draft was filed on the portal; the dossier room stores ``portal_code`` with it (bot/dossier/online.py)."""

    type = EventType.ONLINE_FILED
    code: str
    portal_code: str
    by: str   # citizen


# --- people -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class HandoffRequested(Event):
    type = EventType.HANDOFF_REQUESTED
    reason: str
    procedure_id: str | None
    step_id: str | None


@dataclass(frozen=True, slots=True)
class HandoffCancelled(Event):
    type = EventType.HANDOFF_CANCELLED


@dataclass(frozen=True, slots=True)
class CitizenMessageForAgent(Event):
    type = EventType.CITIZEN_MESSAGE_FOR_AGENT
    text: str


@dataclass(frozen=True, slots=True)
class AgentClaimed(Event):
    type = EventType.AGENT_CLAIMED
    agent: str


@dataclass(frozen=True, slots=True)
class AgentReturned(Event):
    type = EventType.AGENT_RETURNED
    agent: str
    step_id: str | None


@dataclass(frozen=True, slots=True)
class AgentClosed(Event):
    type = EventType.AGENT_CLOSED
    agent: str


@dataclass(frozen=True, slots=True)
class RatingGiven(Event):
    type = EventType.RATING_GIVEN
    rating: int


@dataclass(frozen=True, slots=True)
class CallbackRequested(Event):
    type = EventType.CALLBACK_REQUESTED
    phone: str


# --- the conversation and the citizen's data ----------------------------------------------------

@dataclass(frozen=True, slots=True)
class Restarted(Event):
    type = EventType.RESTARTED
    procedure_id: str | None


@dataclass(frozen=True, slots=True)
class DataDeletionRequested(Event):
    type = EventType.DATA_DELETION_REQUESTED


@dataclass(frozen=True, slots=True)
class DraftsListed(Event):
    type = EventType.DRAFTS_LISTED


@dataclass(frozen=True, slots=True)
class StatusAsked(Event):
    type = EventType.STATUS_ASKED


@dataclass(frozen=True, slots=True)
class DraftClaimRequested(Event):
    """A draft made at the desk is claimed; the phone is only a salted digest (bot/engine/claim.py)."""

    type = EventType.DRAFT_CLAIM_REQUESTED
    code: str
    phone_digest: str


# The module's classes, not Event.__subclasses__(): dataclass(slots=True) leaves the pre-slots class behind too.
_CLASSES = [c for c in list(globals().values()) if isinstance(c, type) and issubclass(c, Event) and c is not Event]
EVENT_CLASSES: dict[EventType, type[Event]] = {c.type: c for c in _CLASSES}
if len(EVENT_CLASSES) != len(_CLASSES) or set(EVENT_CLASSES) != set(EventType):  # pragma: no cover - a type without its class fails every import
    raise RuntimeError(f"no event class for {sorted(set(EventType) - set(EVENT_CLASSES))}")
