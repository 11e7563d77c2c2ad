"""Validate and normalize one form-field answer typed by a citizen.

The engine calls `validate_field` for every answer it collects. It never raises: a bad answer comes back
with a short, polite Vietnamese reason the bot can show as is, so the citizen knows what to fix.
What each field type means lives in one table, `nlu.fields.registry.FIELD_KINDS`; the validators are
grouped by kind: `dates`, `ids`, `contact` (phone, e-mail), `people` (name, gender, ethnicity, nationality),
`places` (address, province) and `choices` (number, choice, free text).
"""
from __future__ import annotations

from nlu.fields.base import FieldResult, clean_text
from nlu.fields.contact import format_phone, normalize_phone
from nlu.fields.dates import DateMatch, find_dates
from nlu.fields.ids import ID_PROVINCE_CODES, check_id_number
from nlu.fields.people import ETHNIC_GROUPS, find_ethnicity
from nlu.fields.registry import (
    ENTITY_TYPES,
    FIELD_KINDS,
    FIELD_TYPE_NAMES,
    FieldKind,
    FieldSpec,
    field_kind,
    validate_field,
)

__all__ = ["ENTITY_TYPES", "ETHNIC_GROUPS", "FIELD_KINDS", "FIELD_TYPE_NAMES", "ID_PROVINCE_CODES", "DateMatch",
           "FieldKind", "FieldResult", "FieldSpec", "check_id_number", "clean_text", "field_kind", "find_dates",
           "find_ethnicity", "format_phone", "normalize_phone", "validate_field"]
