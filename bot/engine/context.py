"""Everything a turn may read besides the state: content, today's date, settings. No I/O behind it."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

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
class OldName:
    """An old (pre-2025) commune a citizen may still name, and the 2025 commune(s) it went into (several: it was
    split). ``label`` is how the bot repeats it: "xã Gia Cát, huyện Cao Lộc"."""

    label: str
    codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CommuneOffice:
    """The citizen's commune as its admins configured it: where its one-stop desk is, when it is open."""

    code: str
    name: str                      # "Xã Ea Tul"
    address: str | None = None
    hours: str | None = None       # in Vietnamese: "thứ Hai đến thứ Sáu: 7 giờ 30 – 11 giờ 30, 13 giờ 30 – 17 giờ"
    phone: str | None = None


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
    # Old commune names of the province: "ward|district" and "ward|" keys (``nlu.placekeys``) → what they became.
    old_communes: Mapping[str, tuple[OldName, ...]] = field(default_factory=lambda: MappingProxyType({}))
    office: CommuneOffice | None = None    # the citizen's commune's desk, when known and configured
    # An officer runs this conversation for the citizen in front of them (assisted mode, bot/assist): the walk
    # through filing online is not offered — the officer files the draft from the console or takes it at the desk.
    assisted: bool = False


__all__ = ["CommuneOffice", "DraftSummary", "OldName", "ParseContext", "Thresholds", "TurnContext"]
