"""Everything a turn may read besides the state: content, today's date, settings. No I/O behind it."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.content.snapshot import ContentSnapshot
from nlu.api import ParseContext


@dataclass(frozen=True, slots=True)
class DraftSummary:
    """A citizen's earlier draft, as the runtime found it, for "xem lại hồ sơ" and ask_status."""

    code: str
    procedure_name: str
    status: str                            # in Vietnamese, as the citizen reads it
    url: str = ""
    status_key: str = ""                   # draft | received | needs_documents | result_ready | returned
    official_number: str | None = None     # the dossier number on the provincial system, once the desk records it
    note: str | None = None                # the desk's latest note: documents to add, where to collect the result
    updated_at: dt.datetime | None = None  # local (Vietnam) time of the latest change


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When to trust the NLU, when to clarify."""

    confident: float = 0.55
    margin: float = 0.12
    candidate_floor: float = 0.03
    intent: float = 0.5
    clarify_size: int = 3
    max_clarify_failures: int = 2
    max_history: int = 30
    # Free text (engine._free_text) and a field being asked:
    interrupt_field: float = 0.8           # a question or human request this sure interrupts a field answer
    beats_office_hours: float = 0.9        # only a procedure this sure beats the office-hours cue
    question_target: float = 0.3           # a fee/duration/where question is about the procedure ranked this high
    out_of_scope_candidate: float = 0.2    # a procedure this likely turns "out of scope" into a clarification


@dataclass(frozen=True, slots=True)
class TurnContext:
    """Read-only inputs to `engine.step`."""

    content: ContentSnapshot
    today: dt.date
    province: str | None = None
    privacy_url: str = "/privacy"
    assistant_name: str = "Trợ lý Một cửa"  # the configured name (content.assistant_name): the only one citizens see
    thresholds: Thresholds = field(default_factory=Thresholds)
    drafts: tuple[DraftSummary, ...] | None = None
    humans_on_duty: bool = True
    new_draft_code: str | None = None
    next_duty_text: str | None = None
    office_hours: str | None = None        # the one-stop desk's opening hours (config), if the commune set them
    # The province's communes and wards as (code, official name), when the deployment serves a province: a citizen
    # whose commune is unknown is asked it before a handoff. Empty: never asked.
    communes: tuple[tuple[str, str], ...] = ()


__all__ = ["DraftSummary", "ParseContext", "Thresholds", "TurnContext"]
