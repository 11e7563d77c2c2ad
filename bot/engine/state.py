"""Conversation state: a frozen value the engine replaces on every turn.

It serializes to a small JSON dict stored with the conversation, so a restart
or another worker continues exactly where the citizen was.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from operator import attrgetter
from typing import Any, Literal, TypeVar

from bot.engine.messages import Button

Mode = Literal["bot", "waiting_human", "human"]
Phase = Literal["idle", "clarify", "flow", "done"]


class PendingKind(StrEnum):
    """What the bot is waiting for. A ``StrEnum`` so the value stored in a state's JSON stays the plain string
    (states saved before the enum load unchanged). How each kind is answered is one table: ``engine.WAITING``."""

    CLARIFY = "clarify"                  # which of the shown procedures
    QUESTION = "question"                # an eligibility question of the flow (ref: step id)
    DOCUMENT = "document"                # do you have this document (ref: document id)
    FIELD = "field"                      # a form field (ref: field id)
    REVIEW = "review"                    # the summary before the draft
    REVIEW_EDIT = "review_edit"          # the new value of a field picked on the summary (ref: field id)
    RATING = "rating"                    # 1–5 after an agent
    OFFER_HUMAN = "offer_human"          # meet an officer after failed clarifications
    STATUS_CODE = "status_code"          # which draft the status question is about
    STATUS_WARNING = "status_warning"    # an info-level procedure: officer or reference guide (ref: procedure)
    CONFIRM_DELETE = "confirm_delete"    # really delete my data
    CALLBACK_PHONE = "callback_phone"    # the number to call back out of hours
    CLAIM_PHONE = "claim_phone"          # the phone given at the desk for a claimed draft (ref: draft code)
    SWITCH_CONFIRM = "switch_confirm"    # leave the current procedure for another (ref: procedure)
    CONFIRM_RESTART = "confirm_restart"  # really start over (a restart read by the NLU, or one with answers to lose)
    FIELD_CHECK = "field_check"          # is this restored spelling right ("Đúng" / "Sửa") (ref: field id)
    COMMUNE = "commune"                  # which commune the citizen belongs to, when it matters (ref: reason)
    COMMUNE_CONFIRM = "commune_confirm"  # "Bạn ở xã Ea Tul, đúng không?" for a guessed commune (ref: reason)
    ONLINE_CHOICE = "online_choice"      # after the draft: file online, the digital team, or the desk (ref: draft code)
    ONLINE_STEP = "online_step"          # a step of filing on the portal: Xong / Mình bị kẹt (ref: "<code>#<index>")
    ONLINE_CODE = "online_code"          # the portal's dossier code (ref: draft code)


# Side questions: asked outside the flow, so their own ``resume`` is the flow's question to keep.
SIDE_KINDS = frozenset({PendingKind.RATING, PendingKind.CONFIRM_DELETE, PendingKind.CONFIRM_RESTART,
                        PendingKind.CALLBACK_PHONE, PendingKind.COMMUNE, PendingKind.COMMUNE_CONFIRM,
                        PendingKind.CLAIM_PHONE, PendingKind.STATUS_CODE})


@dataclass(frozen=True, slots=True)
class Pending:
    """What the bot just asked, so the next message (or a tapped button, or a number) answers it."""

    kind: PendingKind
    ref: str | None = None
    buttons: tuple[Button, ...] = ()

    def __post_init__(self) -> None:
        # A plain string is accepted (and checked): an unknown kind is a programming error, raised here.
        object.__setattr__(self, "kind", PendingKind(self.kind))


@dataclass(frozen=True, slots=True)
class Position:
    """Where in a flow the citizen stands; pushed on a back-stack so "quay lại" can undo."""

    phase: Phase = "idle"
    procedure_id: str | None = None
    step_id: str | None = None
    item: int = 0
    answers: tuple[tuple[str, str], ...] = ()
    fields: tuple[tuple[str, str], ...] = ()
    docs_have: tuple[str, ...] = ()
    docs_missing: tuple[str, ...] = ()
    pending: Pending | None = None


_POSITION_FIELDS = tuple(Position.__dataclass_fields__)
_POSITION_OF = attrgetter(*_POSITION_FIELDS)   # a state's Position fields, in Position's argument order


@dataclass(frozen=True, slots=True)
class ConversationState(Position):
    """Everything the engine needs to continue a conversation: where it stands in a flow (the `Position` fields,
    what "quay lại" restores) and what holds across positions."""

    mode: Mode = "bot"
    resume: Pending | None = None
    candidates: tuple[str, ...] = ()
    clarify_offset: int = 0
    clarify_failures: int = 0
    misses: int = 0
    history: tuple[Position, ...] = ()
    welcomed: bool = False
    agent: str | None = None
    last_draft: str | None = None
    # What is already known of the citizen by field type, e.g. (("phone", "0912345678"),) from the desk that
    # opened an assisted conversation: fields of that type are filled from it instead of being asked again.
    contact: tuple[tuple[str, str], ...] = ()
    # Fields whose value was typed without diacritics and not confirmed by the citizen: the desk marks them.
    unsure: tuple[str, ...] = ()
    # The citizen's commune (its 2025 code), once they named it: their handoffs go to that commune's team.
    commune: str | None = None
    # A commune read from an address the citizen gave or a place they named, not yet confirmed: "code" or
    # "code|old name" when it came from a pre-2025 name. Confirmed with two buttons when the commune matters.
    commune_guess: str | None = None

    # --- convenient views -------------------------------------------------------------------
    @property
    def answer_map(self) -> dict[str, str]:
        return dict(self.answers)

    @property
    def field_map(self) -> dict[str, str]:
        return dict(self.fields)

    def with_answer(self, key: str, value: str) -> ConversationState:
        d = dict(self.answers)
        d[key] = value
        return replace(self, answers=tuple(d.items()))

    def with_field(self, key: str, value: str | None) -> ConversationState:
        d = dict(self.fields)
        if value is None:
            d.pop(key, None)
        else:
            d[key] = value
        return replace(self, fields=tuple(d.items()))

    def ask_aside(self, pending: Pending) -> ConversationState:
        """Ask a side question; the flow's own question is kept to ask again after (never another side one)."""
        keep = self.resume if self.pending is not None and self.pending.kind in SIDE_KINDS else self.pending
        return replace(self, pending=pending, resume=keep)

    def with_unsure(self, key: str, unsure: bool) -> ConversationState:
        """Mark (or clear) a field as typed without diacritics and not confirmed."""
        rest = tuple(k for k in self.unsure if k != key)
        return replace(self, unsure=rest + (key,) if unsure else rest)

    def position(self) -> Position:
        return Position(*_POSITION_OF(self))

    def push(self, limit: int = 30) -> ConversationState:
        """Remember the current position before moving on."""
        return replace(self, history=(self.history + (self.position(),))[-limit:])

    def restore(self, pos: Position) -> ConversationState:
        return replace(self, **{f: getattr(pos, f) for f in _POSITION_FIELDS})

    # --- persistence ------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; hand-written because `dataclasses.asdict` deep-copies and this runs every turn."""
        return {
            "mode": self.mode, "phase": self.phase, "procedure_id": self.procedure_id, "step_id": self.step_id,
            "item": self.item, "answers": [list(p) for p in self.answers], "fields": [list(p) for p in self.fields],
            "docs_have": list(self.docs_have), "docs_missing": list(self.docs_missing),
            "pending": _pending_dict(self.pending), "resume": _pending_dict(self.resume),
            "candidates": list(self.candidates), "clarify_offset": self.clarify_offset,
            "clarify_failures": self.clarify_failures, "misses": self.misses,
            "history": _history_dicts(self.history, self.position()), "welcomed": self.welcomed, "agent": self.agent,
            "last_draft": self.last_draft, "contact": [list(p) for p in self.contact],
            "unsure": list(self.unsure), "commune": self.commune,
            "commune_guess": self.commune_guess,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ConversationState:
        """Rebuild from JSON; unknown or damaged data falls back to a fresh state rather than failing a turn."""
        if not data:
            return cls()
        try:
            return _state_from(data)
        except (TypeError, KeyError, ValueError):
            return cls()


T = TypeVar("T")


def _state_replacer() -> Any:
    """``dataclasses.replace`` for `ConversationState`, which the engine calls several times a turn: one function
    written for its 23 fields (what ``dataclasses`` does for ``__init__``) sets each slot directly, instead of
    walking ``fields()`` into a keyword dict for ``__init__``; ~1.5 µs instead of ~5. Same result: the state has
    no ``__post_init__`` and every field is an ``__init__`` argument; an unknown name is a ``TypeError``."""
    names = [f.name for f in dataclasses.fields(ConversationState)]
    assert all(f.init and f._field_type is dataclasses._FIELD for f in dataclasses.fields(ConversationState))  # type: ignore[attr-defined]
    assert not hasattr(ConversationState, "__post_init__")
    scope: dict[str, Any] = {"_MISSING": object(), "_new": object.__new__, "_cls": ConversationState}
    scope.update({f"_set_{n}": getattr(ConversationState, n).__set__ for n in names})   # the slots' own setters
    src = (f"def replace_state(obj, /, *, {', '.join(f'{n}=_MISSING' for n in names)}):\n"
           "    new = _new(_cls)\n"
           + "".join(f"    _set_{n}(new, obj.{n} if {n} is _MISSING else {n})\n" for n in names)
           + "    return new\n")
    exec(src, scope)  # noqa: S102 - generated from the field names above, like dataclasses' own __init__
    return scope["replace_state"]


_REPLACE_STATE = _state_replacer()


def replace(obj: T, /, **changes: Any) -> T:
    """``dataclasses.replace``, fast for a `ConversationState` (see `_state_replacer`)."""
    if type(obj) is ConversationState:
        return _REPLACE_STATE(obj, **changes)  # type: ignore[no-any-return]
    return dataclasses.replace(obj, **changes)  # type: ignore[type-var]


def _pending_dict(p: Pending | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {"kind": p.kind, "ref": p.ref, "buttons": [{"title": b.title, "payload": b.payload} for b in p.buttons]}


# A back-stack position mostly holds a prefix of the next newer position's answers, fields and document lists
# (one more field is collected per step). Storing those as ``<name>_n: length`` instead of full copies keeps a
# late conversation's state at a few KB instead of ~22 KB; it is written and read on every turn.
_SEQS = ("answers", "fields", "docs_have", "docs_missing")


def _history_dicts(history: tuple[Position, ...], current: Position) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    newer = current
    for p in reversed(history):
        d: dict[str, Any] = {"phase": p.phase, "procedure_id": p.procedure_id, "step_id": p.step_id,
                             "item": p.item, "pending": _pending_dict(p.pending)}
        for name in _SEQS:
            mine, theirs = getattr(p, name), getattr(newer, name)
            if mine == theirs[:len(mine)]:
                d[name + "_n"] = len(mine)
            else:
                d[name] = [list(x) if isinstance(x, tuple) else x for x in mine]
        out.append(d)
        newer = p
    out.reverse()
    return out


def _pending_from(d: dict[str, Any] | None) -> Pending | None:
    """A stored question; one of a kind this version no longer asks is dropped, the rest of the state is kept."""
    if not d or d.get("kind") not in _KIND_VALUES:
        return None
    return Pending(kind=PendingKind(d["kind"]), ref=d.get("ref"),
                   buttons=tuple(Button(b["title"], b["payload"]) for b in d.get("buttons", ())))


_KIND_VALUES = frozenset(k.value for k in PendingKind)


def _pairs(v: Any) -> tuple[tuple[str, str], ...]:
    return tuple((str(a), str(b)) for a, b in (v or ()))


def _seq(d: dict[str, Any], name: str, newer: Position) -> tuple[Any, ...]:
    if name + "_n" in d:
        return getattr(newer, name)[:int(d[name + "_n"])]
    if name in ("answers", "fields"):
        return _pairs(d.get(name))
    return tuple(d.get(name, ()))


def _history_from(items: Any, current: Position) -> tuple[Position, ...]:
    """Inverse of `_history_dicts`; also reads positions stored whole (states written before the compact form)."""
    out: list[Position] = []
    newer = current
    for d in reversed(list(items or ())):
        newer = Position(
            phase=d.get("phase", "idle"), procedure_id=d.get("procedure_id"), step_id=d.get("step_id"),
            item=int(d.get("item", 0)), answers=_seq(d, "answers", newer), fields=_seq(d, "fields", newer),
            docs_have=_seq(d, "docs_have", newer), docs_missing=_seq(d, "docs_missing", newer),
            pending=_pending_from(d.get("pending")),
        )
        out.append(newer)
    out.reverse()
    return tuple(out)


def _state_from(d: dict[str, Any]) -> ConversationState:
    known = {f for f in ConversationState.__dataclass_fields__}
    d = {k: v for k, v in d.items() if k in known}
    state = ConversationState(
        mode=d.get("mode", "bot"), phase=d.get("phase", "idle"), procedure_id=d.get("procedure_id"),
        step_id=d.get("step_id"), item=int(d.get("item", 0)), answers=_pairs(d.get("answers")),
        fields=_pairs(d.get("fields")), docs_have=tuple(d.get("docs_have", ())),
        docs_missing=tuple(d.get("docs_missing", ())), pending=_pending_from(d.get("pending")),
        resume=_pending_from(d.get("resume")), candidates=tuple(d.get("candidates", ())), clarify_offset=int(d.get("clarify_offset", 0)),
        clarify_failures=int(d.get("clarify_failures", 0)), misses=int(d.get("misses", 0)),
        welcomed=bool(d.get("welcomed", False)), agent=d.get("agent"), last_draft=d.get("last_draft"),
        contact=_pairs(d.get("contact")), unsure=tuple(str(x) for x in d.get("unsure", ())),
        commune=str(d["commune"]) if d.get("commune") else None,
        commune_guess=str(d["commune_guess"]) if d.get("commune_guess") else None,
    )
    return replace(state, history=_history_from(d.get("history"), state.position()))


__all__ = ["SIDE_KINDS", "ConversationState", "Pending", "PendingKind", "Position", "field", "replace"]
