"""The field-type registry (`nlu.fields.registry`): every type the content uses is one entry, and each entry
validates, shows, offers buttons and writes words as the bot always has."""
from __future__ import annotations

import datetime as dt
import typing
from typing import Any

import pytest

from bot.content.catalog import FormField
from bot.content.flow import FieldsStep
from bot.dossier.draft import _display
from bot.engine.flowrun import _field_buttons, display_value
from nlu.fields import ENTITY_TYPES, FIELD_KINDS, FIELD_TYPE_NAMES, field_kind, validate_field

TODAY = dt.date(2026, 12, 6)


def test_the_schema_accepts_exactly_the_registered_types() -> None:
    assert typing.get_args(FormField.model_fields["type"].annotation) == FIELD_TYPE_NAMES
    assert FIELD_TYPE_NAMES[0] == "text" and len(FIELD_TYPE_NAMES) == 17


def test_every_field_a_flow_asks_has_a_registered_type(content: Any) -> None:
    asked: set[str] = set()
    for pid, flow in content.flows.items():
        proc = content.procedures.get(pid)
        for step in flow.steps:
            if not isinstance(step, FieldsStep) or proc is None:
                continue
            for it in step.items:
                f = proc.form_field(it.field)
                assert f is not None, f"{pid}: {it.field} is not a field of the form"
                assert f.type in FIELD_KINDS, f"{pid}: {it.field} has type {f.type}"
                asked.add(f.type)
    # The shipped flows use most types; a type nobody asks would be dead weight in the table.
    assert {"person_name", "date_past", "gender", "ethnicity", "nationality", "address", "id_number", "phone",
            "choice", "number", "text"} <= asked


def _field(kind: str, **kw: Any) -> FormField:
    return FormField(id="f", label="Trường", type=kind, **kw)


@pytest.mark.parametrize(("kind", "typed", "value", "display"), [
    ("gender", "con trai", "Nam", "Nam"),
    ("gender", "be gai", "Nữ", "Nữ"),
    ("date_past", "15/3/2020", "2020-03-15", "15/03/2020"),
    ("date", "ngay 5 thang 8 nam 2027", "2027-08-05", "05/08/2027"),
    ("year", "năm 1975", "1975", "1975"),
    ("id_number", "079 203 012 345", "079203012345", "079 203 012345"),
    ("phone", "+84 912.345.678", "0912345678", "0912 345 678"),
    ("email", " Ten@Gmail.com ", "ten@gmail.com", "ten@gmail.com"),
    ("ethnicity", "dân tộc kinh", "Kinh", "Kinh"),
    ("nationality", "vn", "Việt Nam", "Việt Nam"),
    ("province", "dak lak", "Đắk Lắk", "Đắk Lắk"),
    ("number", "khoảng 250 m2", "250", "250"),
    ("person_name", "Nguyễn Văn An", "Nguyễn Văn An", "Nguyễn Văn An"),
])
def test_each_type_reads_a_real_answer(kind: str, typed: str, value: str, display: str) -> None:
    res = validate_field(kind, typed, today=TODAY)
    assert res.ok and res.value == value and res.display == display


@pytest.mark.parametrize(("kind", "typed", "reason"), [
    ("date_past", "15/3/2027", "Ngày 15/03/2027 chưa tới, vui lòng kiểm tra lại."),
    ("gender", "không biết", "Vui lòng trả lời Nam hoặc Nữ."),
    ("id_number", "123456789", "Đây có vẻ là số CMND 9 số cũ."),
    ("phone", "01912345678", "Số di động 11 số đầu 01 đã đổi sang 10 số từ năm 2018"),
])
def test_each_type_refuses_with_its_own_reason(kind: str, typed: str, reason: str) -> None:
    res = validate_field(kind, typed, today=TODAY)
    assert not res.ok and res.reason is not None and res.reason.startswith(reason)


def test_choice_reads_a_number_or_a_name_of_its_choices() -> None:
    choices = ("Cha", "Mẹ", "Ông, bà")
    assert validate_field("choice", "2", today=TODAY, choices=choices).value == "Mẹ"
    assert validate_field("choice", "ong ba", today=TODAY, choices=choices).value == "Ông, bà"


def test_buttons_offered_with_each_type() -> None:
    def titles(f: FormField, next_type: str | None = None) -> list[str]:
        return [b.title for b in _field_buttons(f, next_type)]

    assert titles(_field("gender")) == ["Nam", "Nữ"]
    assert titles(_field("nationality")) == ["Việt Nam"]
    assert titles(_field("ethnicity")) == ["Kinh"]
    assert titles(_field("ethnicity"), "nationality") == ["Kinh, quốc tịch Việt Nam", "Kinh"]
    assert titles(_field("choice", choices=("Có", "Không"))) == ["Có", "Không"]
    for kind in ("text", "date_past", "phone", "address", "person_name", "id_number"):
        assert titles(_field(kind)) == []
    quick = _field("number", quick=({"label": "1 bản", "value": "1"},))
    assert [(b.title, b.payload) for b in _field_buttons(quick)] == [("1 bản", "1")]   # the field's own win


def test_read_back_and_form_text_of_each_type() -> None:
    birth = _field("date_past", in_words=True)
    assert display_value(birth, "2026-03-15") == "15/03/2026"
    assert _display(birth, "2026-03-15") == (
        "15/03/2026", "Ngày mười lăm, tháng ba, năm hai nghìn không trăm hai mươi sáu")
    assert _display(_field("date_past"), "2026-03-15") == ("15/03/2026", None)   # words only where asked
    assert _display(birth, "1975") == ("1975", None)                              # not a date: as typed
    assert _display(_field("gender"), "nu") == ("Nữ", None)
    assert _display(_field("text", in_words=True), "abc") == ("abc", None)
    assert display_value(_field("phone"), "0912345678") == "0912345678"


def test_an_unknown_type_reads_as_free_text_and_entities_are_the_nlu_ones() -> None:
    assert field_kind("no_such_type") is FIELD_KINDS["text"]
    assert set(ENTITY_TYPES) == {"date", "id_number", "old_id_number", "phone", "gender", "ethnicity",
                                 "person_name", "address", "province", "number"}
