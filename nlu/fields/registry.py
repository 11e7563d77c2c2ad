"""One entry per form-field type: how an answer is read, shown back, offered as buttons, written in words.

Adding a field type is one `FieldKind` in `FIELD_KINDS` (plus its tests): the catalog schema
(`bot.content.catalog.FieldType`), the engine's buttons and read-backs, the draft's form text and the Rasa
export all read this table.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from nlu.fields import choices, contact, dates, ids, people, places
from nlu.fields.base import FieldResult, bad, clean_text
from nlu.words import date_words, parse_date


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """What a validator may need besides the text: the day it is (never read from the clock here), the
    field's choices and its length limit."""

    today: dt.date
    choices: Sequence[str] = ()
    max_length: int = 300


def _as_is(value: str) -> str:
    return value


def _date_display(value: str) -> str:
    """ISO (what validation stores) or dd/mm/yyyy → dd/mm/yyyy; anything else as it is."""
    d = parse_date(value)
    return d.strftime("%d/%m/%Y") if d is not None else value


def _date_words(value: str) -> str | None:
    """The form's "bằng chữ" line: "Ngày mười lăm, tháng ba, năm hai nghìn …"."""
    d = parse_date(value)
    return date_words(d) if d is not None else None


_GENDER_WORDS = {"nam": "Nam", "nu": "Nữ", "nữ": "Nữ", "male": "Nam", "female": "Nữ", "m": "Nam", "f": "Nữ"}


def _gender_display(value: str) -> str:
    return _GENDER_WORDS.get(value.casefold(), value)


@dataclass(frozen=True, slots=True, eq=False)   # one object per type: compared and hashed by identity
class FieldKind:
    """One field type. ``buttons`` are common answers offered with the question (``offers_choices``: the
    field's own choices); ``paired`` offers other buttons when the next field has the named type (one tap
    answers both); ``entity`` is the entity type the NLU finds for it (exported to Rasa)."""

    name: str
    validate: Callable[[str, FieldSpec], FieldResult]
    display: Callable[[str], str] = _as_is
    words: Callable[[str], str | None] | None = None
    buttons: tuple[str, ...] = ()
    paired: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    offers_choices: bool = False
    entity: str | None = None

    def button_answers(self, choices: Sequence[str] = (), next_kind: str | None = None) -> tuple[str, ...]:
        """The answers offered as buttons when this field is asked."""
        if next_kind is not None and next_kind in self.paired:
            return self.paired[next_kind]
        if self.offers_choices:
            return tuple(choices)
        return self.buttons

    def in_words(self, value: str) -> str | None:
        """The value in words where the form asks for it (dates), else None."""
        return self.words(value) if self.words is not None else None


_KINDS = (
    FieldKind("text", lambda t, s: choices.validate_text(t, s.max_length)),
    FieldKind("person_name", lambda t, s: people.validate_person_name(t, s.max_length), entity="person_name"),
    FieldKind("date", lambda t, s: dates.validate_date(t, s.today, past_only=False),
              display=_date_display, words=_date_words, entity="date"),
    FieldKind("date_past", lambda t, s: dates.validate_date(t, s.today, past_only=True),
              display=_date_display, words=_date_words),
    FieldKind("year", lambda t, s: dates.validate_year(t, s.today)),
    FieldKind("id_number", lambda t, s: ids.validate_id(t, s.today), entity="id_number"),
    FieldKind("old_id_number", lambda t, s: ids.validate_old_id(t), entity="old_id_number"),
    FieldKind("identity_document", lambda t, s: ids.validate_identity_document(t, s.max_length, s.today)),
    FieldKind("phone", lambda t, s: contact.validate_phone(t), entity="phone"),
    FieldKind("email", lambda t, s: contact.validate_email(t)),
    FieldKind("gender", lambda t, s: people.validate_gender(t), display=_gender_display, buttons=("Nam", "Nữ"),
              entity="gender"),
    FieldKind("ethnicity", lambda t, s: people.validate_ethnicity(t), buttons=("Kinh",),
              paired={"nationality": ("Kinh, quốc tịch Việt Nam", "Kinh")}, entity="ethnicity"),
    FieldKind("nationality", lambda t, s: people.validate_nationality(t), buttons=("Việt Nam",)),
    FieldKind("address", lambda t, s: places.validate_address(t, s.max_length), entity="address"),
    FieldKind("province", lambda t, s: places.validate_province(t), entity="province"),
    FieldKind("number", lambda t, s: choices.validate_number(t), entity="number"),
    FieldKind("choice", lambda t, s: choices.validate_choice(t, s.choices), offers_choices=True),
)

FIELD_KINDS: Mapping[str, FieldKind] = MappingProxyType({k.name: k for k in _KINDS})
FIELD_TYPE_NAMES: tuple[str, ...] = tuple(FIELD_KINDS)
# Entity types the NLU finds (the Rasa domain's ``entities``), in the order of the table.
ENTITY_TYPES: tuple[str, ...] = tuple(dict.fromkeys(k.entity for k in _KINDS if k.entity))


def field_kind(name: str) -> FieldKind:
    """The entry for ``name``; an unknown type reads as free text (as it always has)."""
    return FIELD_KINDS.get(name) or FIELD_KINDS["text"]


_HARD_LIMIT = 5000


def validate_field(kind: str, text: str, *, today: dt.date, choices: Sequence[str] = (),
                   max_length: int = 300) -> FieldResult:
    """Check one answer of field type ``kind``; never raises."""
    try:
        if not isinstance(text, str):
            return bad("Vui lòng nhập nội dung.")
        if len(text) > max(_HARD_LIMIT, max_length * 4):
            return bad(f"Nội dung dài quá {max_length} ký tự, vui lòng ghi ngắn gọn hơn.")
        if not clean_text(text):
            return bad("Vui lòng nhập nội dung.")
        return field_kind(kind).validate(text, FieldSpec(today, choices, max_length))
    except Exception:  # noqa: BLE001 - an answer must never crash the conversation
        return bad("Chưa đọc được câu trả lời, vui lòng nhập lại.")


__all__ = ["ENTITY_TYPES", "FIELD_KINDS", "FIELD_TYPE_NAMES", "FieldKind", "FieldSpec", "field_kind",
           "validate_field"]
