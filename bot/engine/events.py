"""Domain events the engine emits; the runtime stores them and routes them to rooms (handoff, dossier, reports).

One frozen dataclass per event, so an emitter cannot misspell a name or forget a field, and `EventType` names
every type once for the rooms that register on them and the reports that count them. The database keeps the
type's string and ``data`` as JSON: the strings below are stored in the events table, so they never change
(rows written by earlier versions are read by the same code).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, ClassVar, dataclass_transform


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
    COMMUNE_NOTED = "commune_noted"
    ONLINE_CHOSEN = "online_chosen"          # after the draft: file online alone, by the digital team, or at the desk
    ONLINE_STEP_SHOWN = "online_step_shown"
    ONLINE_STUCK = "online_stuck"
    ONLINE_FILED = "online_filed"            # the portal's dossier code, given by the citizen


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
class Event:
    """A named fact about the conversation. A subclass names its type (``class X(Event, kind=EventType.X)``) and
    declares its data as fields: it becomes a frozen dataclass, as mypy knows from `dataclass_transform`. A
    subclass without ``kind`` is a group that only lends its fields (`ProcedureEvent`, `AgentEvent`)."""

    type: ClassVar[EventType]
    omit_if_none: ClassVar[tuple[str, ...]] = ()   # optional fields left out of ``data`` when unset
    __dataclass_fields__: ClassVar[dict[str, Any]]   # set on each subclass by `dataclass`

    def __init_subclass__(cls, *, kind: EventType | None = None, omit_if_none: tuple[str, ...] = (),
                          **kw: Any) -> None:
        super().__init_subclass__(**kw)
        cls.omit_if_none = omit_if_none
        dataclass(frozen=True)(cls)
        if kind is not None:
            cls.type = kind
            _CLASSES.append(cls)

    @property
    def data(self) -> dict[str, Any]:
        """The JSON-ready data stored with the event (same keys as before the events were typed)."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if not (f.name in self.omit_if_none and getattr(self, f.name) is None)}

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type.value, "data": self.data}


_CLASSES: list[type[Event]] = []


class ProcedureEvent(Event):
    """Something about one procedure of the catalog (its id comes first in the data)."""

    procedure_id: str


class AgentEvent(Event):
    """Something a person of the team did in the conversation."""

    agent: str


# --- identifying the procedure ------------------------------------------------------------------

class ProcedureIdentified(ProcedureEvent, kind=EventType.PROCEDURE_IDENTIFIED):
    """The bot named the procedure the citizen needs, with the NLU's confidence."""

    confidence: float


class ClarificationAsked(Event, kind=EventType.CLARIFICATION_ASKED):
    """"Bạn cần thủ tục nào?" with these candidates as buttons."""

    candidates: list[str]


class ClarificationFailed(Event, kind=EventType.CLARIFICATION_FAILED):
    """Clarifying failed again: a person is offered instead of another guess."""

    failures: int
    candidates: list[str]


class Unrecognized(Event, kind=EventType.UNRECOGNIZED):
    """A message the bot could not read, with the NLU's best guess."""

    text: str
    label: str | None
    confidence: float


class SwitchOffered(ProcedureEvent, kind=EventType.SWITCH_OFFERED):
    """The citizen seems to want another procedure than ``current``: the bot asked before switching."""

    current: str


class ElsewhereReferred(Event, kind=EventType.ELSEWHERE_REFERRED):
    """The citizen was pointed to another office (an entry of the elsewhere list)."""

    id: str


# --- walking the flow ---------------------------------------------------------------------------

class StepCompleted(Event, kind=EventType.STEP_COMPLETED):
    """A step of the flow was done (a question answered, documents or fields finished)."""

    procedure_id: str | None
    step_id: str | None


class StepReached(ProcedureEvent):
    """A documents or fields step began, with how many items it asks."""

    step_id: str
    count: int


class DocumentsReached(StepReached, kind=EventType.DOCUMENTS_REACHED):
    """The documents step began."""



class FieldsReached(StepReached, kind=EventType.FIELDS_REACHED):
    """The form's fields step began."""



class DocumentMissing(ProcedureEvent, kind=EventType.DOCUMENT_MISSING):
    """The citizen does not have this document yet (told how to get it)."""

    doc_id: str


class FieldCollected(ProcedureEvent, kind=EventType.FIELD_COLLECTED, omit_if_none=("source",)):
    """A form field was filled."""

    field_id: str
    source: str | None = None      # "cccd_qr" when read from the ID card's QR code


class FieldRejected(ProcedureEvent, kind=EventType.FIELD_REJECTED):
    """An answer did not pass its field type's check."""

    field_id: str
    field_type: str


class ReviewReached(ProcedureEvent, kind=EventType.REVIEW_REACHED):
    """The citizen was shown the summary of their answers."""


class DraftRequested(ProcedureEvent, kind=EventType.DRAFT_REQUESTED):
    """The citizen confirmed the summary: the dossier room makes the draft (bot/dossier)."""

    code: str | None
    answers: dict[str, str]
    fields: dict[str, str]
    applicable_docs: list[str]
    docs_missing: list[str]
    docs_have: list[str]
    unsure: list[str] = field(default_factory=list)   # fields typed without diacritics, not confirmed


class CheckFailed(ProcedureEvent, kind=EventType.CHECK_FAILED):
    """An answer contradicted an earlier one (a flow's ``checks``); the citizen is asked to fix either."""

    check_id: str


class OnlineChosen(Event, kind=EventType.ONLINE_CHOSEN):
    """After the draft (bot/engine/online.py): ``choice`` is self | team | desk."""

    code: str
    choice: str


class OnlineStepShown(Event, kind=EventType.ONLINE_STEP_SHOWN):
    """A step of the guided online filing was shown (``step_id`` of flows/_online.yml)."""

    code: str
    step_id: str


class OnlineStuck(Event, kind=EventType.ONLINE_STUCK):
    """"Mình bị kẹt" at a step of the online filing: a person takes over from that step."""

    code: str
    step_id: str


class OnlineFiled(Event, kind=EventType.ONLINE_FILED):
    """The draft was filed on the portal; the dossier room stores ``portal_code`` with it (bot/dossier/online.py)."""

    code: str
    portal_code: str
    by: str   # citizen


# --- people -------------------------------------------------------------------------------------

class HandoffRequested(Event, kind=EventType.HANDOFF_REQUESTED):
    """The conversation asks for a person of the team, for ``reason``."""

    reason: str
    procedure_id: str | None
    step_id: str | None


class HandoffCancelled(Event, kind=EventType.HANDOFF_CANCELLED):
    """The citizen took back a request for a person before anyone claimed it."""


class CitizenMessageForAgent(Event, kind=EventType.CITIZEN_MESSAGE_FOR_AGENT):
    """A message the citizen wrote while a person has the conversation."""

    text: str


class AgentClaimed(AgentEvent, kind=EventType.AGENT_CLAIMED):
    """A person took the conversation over."""


class AgentReturned(AgentEvent, kind=EventType.AGENT_RETURNED):
    """The person gave the conversation back to the bot, at ``step_id``."""

    step_id: str | None


class AgentClosed(AgentEvent, kind=EventType.AGENT_CLOSED):
    """A person ended the conversation."""


class RatingGiven(Event, kind=EventType.RATING_GIVEN):
    """The citizen rated the conversation (1 to 5)."""

    rating: int


class CallbackRequested(Event, kind=EventType.CALLBACK_REQUESTED):
    """The citizen left a number to be called back on."""

    phone: str


# --- the conversation and the citizen's data ----------------------------------------------------

class Restarted(Event, kind=EventType.RESTARTED):
    """The citizen started over ("Làm lại")."""

    procedure_id: str | None


class DataDeletionRequested(Event, kind=EventType.DATA_DELETION_REQUESTED):
    """The citizen asked to erase their data (the privacy room does it)."""


class DraftsListed(Event, kind=EventType.DRAFTS_LISTED):
    """The citizen's drafts were shown ("/hoso")."""


class CommuneNoted(Event, kind=EventType.COMMUNE_NOTED):
    """The citizen named, confirmed or changed their commune. Its row records the commune (``events.commune``)
    when written, so reports keep counting the conversation there after the state is erased or the citizen moves."""


class StatusAsked(Event, kind=EventType.STATUS_ASKED):
    """The citizen asked how their dossier is going."""


class DraftClaimRequested(Event, kind=EventType.DRAFT_CLAIM_REQUESTED):
    """A draft made at the desk is claimed; the phone is only a salted digest (bot/engine/claim.py)."""

    code: str
    phone_digest: str


EVENT_CLASSES: dict[EventType, type[Event]] = {c.type: c for c in _CLASSES}
if len(EVENT_CLASSES) != len(_CLASSES) or set(EVENT_CLASSES) != set(EventType):  # pragma: no cover - a type without its class fails every import
    raise RuntimeError(f"no event class for {sorted(set(EventType) - set(EVENT_CLASSES))}")
