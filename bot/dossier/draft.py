"""The content of a dossier draft: form values in form order, the checklist, fee, time limit, where to submit.

Pure: everything comes in as arguments (the engine decides which documents apply), so the same inputs
always give the same draft, and the officer's page, the PDF and the JSON export agree.
The JSON export follows ``bot/dossier/schema.json`` (documented in ``docs/dossier-json.md``).
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.content.catalog import Document, FormField, Procedure
from bot.content.rules import Rule, render_rules
from nlu.fields import field_kind
from nlu.words import date_words

DEFAULT_ASSISTANT = "Trợ lý Một cửa"
SCHEMA_VERSION = "1.0"
SCHEMA_ID = "https://motcua.example/schemas/dossier-draft-1.0.json"

FORM_VI = {
    "original": "bản chính",
    "copy": "bản sao (có chứng thực, hoặc bản chụp kèm bản chính để đối chiếu)",
    "original_or_copy": "bản chính hoặc bản sao",
    "present": "xuất trình bản chính (không nộp)",
    "electronic": "bản điện tử",
}


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "").strip()


@dataclass(frozen=True)
class FormValue:
    """One line of the form, in the catalog's order."""

    id: str
    label: str
    section: str | None
    type: str
    value: str  # as stored (ISO dates)
    display: str  # as written on the form (dd/mm/yyyy)
    in_words: str | None  # "Ngày …, tháng …, năm …" where the form asks for it
    required: bool
    # Typed without diacritics and not confirmed by the citizen: the desk checks it with them.
    unsure: bool = False

    @property
    def filled(self) -> bool:
        return bool(self.value)


@dataclass(frozen=True)
class ChecklistItem:
    """A document to bring."""

    id: str
    name: str
    form: str
    form_vi: str
    count: int
    optional: bool
    applies_when: str | None
    lacking: bool
    how_to_get: str | None
    verified: bool
    prefilled: bool = False   # the form this draft fills: supplied by the draft itself, never lacking
    absent: bool = False  # an optional document the citizen said they do not have: neither "Đã có" nor lacking


@dataclass(frozen=True)
class DraftContent:
    """Everything the form, the checklist page and the export show; built once by ``build_draft``."""

    procedure_id: str
    procedure_name: str
    official_name: str
    national_code: str | None
    authority: str
    form_id: str | None
    form_name: str | None
    form_template: str | None
    values: tuple[FormValue, ...]
    checklist: tuple[ChecklistItem, ...]
    fee: str | None
    fee_province: str | None
    fee_exemptions: tuple[str, ...]
    fee_online_note: str | None
    time_limit: str | None
    where: str | None
    online_note: str | None
    result: str | None
    province: str | None
    today: dt.date
    answers: tuple[tuple[str, str], ...] = ()
    unverified: tuple[str, ...] = field(default=())
    addressee: str | None = None   # "Kính gửi: Ủy ban nhân dân xã …" (None: a blank line to write by hand)
    assistant_name: str = "Trợ lý Một cửa"

    # --- look-ups used by templates ------------------------------------------------------------

    def value(self, field_id: str) -> FormValue | None:
        return next((v for v in self.values if v.id == field_id), None)

    def get(self, field_id: str, default: str = "") -> str:
        """The display value of a field, or ``default`` (templates: ``draft.get('child_name')``)."""
        v = self.value(field_id)
        return v.display if v and v.display else default

    @property
    def sections(self) -> list[tuple[str | None, list[FormValue]]]:
        """Values grouped by section, keeping the first-seen order of sections."""
        out: list[tuple[str | None, list[FormValue]]] = []
        for v in self.values:
            if out and out[-1][0] == v.section:
                out[-1][1].append(v)
            else:
                out.append((v.section, [v]))
        return out

    @property
    def unsure(self) -> tuple[FormValue, ...]:
        """Values typed without diacritics that the citizen did not confirm."""
        return tuple(v for v in self.values if v.unsure)

    @property
    def lacking(self) -> tuple[ChecklistItem, ...]:
        return tuple(c for c in self.checklist if c.lacking)

    @property
    def missing_required(self) -> tuple[FormValue, ...]:
        return tuple(v for v in self.values if v.required and not v.filled)

    @property
    def today_words(self) -> str:
        return date_words(self.today)

    # --- export -----------------------------------------------------------------------------------

    def to_json(self, code: str | None = None) -> dict[str, Any]:
        """The portal export (schema ``bot/dossier/schema.json``); plain JSON types only."""
        return {
            "$schema": SCHEMA_ID,
            "schema_version": SCHEMA_VERSION,
            "code": code,
            "created_on": self.today.isoformat(),
            "procedure": {
                "id": self.procedure_id,
                "name": self.procedure_name,
                "official_name": self.official_name,
                "national_code": self.national_code,
                "authority": self.authority,
            },
            "province": self.province,
            "form": None if self.form_id is None else {
                "id": self.form_id,
                "name": self.form_name,
                "fields": [
                    {"id": v.id, "label": v.label, "section": v.section, "type": v.type, "value": v.value or None,
                     "display": v.display or None, "in_words": v.in_words, "required": v.required}
                    for v in self.values
                ],
            },
            "answers": dict(self.answers),
            "checklist": [
                {"id": c.id, "name": c.name, "form": c.form, "count": c.count, "optional": c.optional,
                 "lacking": c.lacking, "how_to_get": c.how_to_get}
                for c in self.checklist
            ],
            "complete_documents": not any(c.lacking for c in self.checklist),
            "fee": {"text": self.fee, "province": self.fee_province, "exemptions": list(self.fee_exemptions),
                    "online_note": self.fee_online_note},
            "time_limit": self.time_limit,
            "submission": {"where": self.where, "online_note": self.online_note},
            "result": self.result,
            "unverified": list(self.unverified),
        }


def _display(f: FormField, value: str) -> tuple[str, str | None]:
    """(form text, words where the form asks for them) for one stored value, as its field type shows it."""
    kind = field_kind(f.type)
    return kind.display(value), (kind.in_words(value) if f.in_words else None)


def _form_values(proc: Procedure, fields: Mapping[str, str], unsure: Sequence[str] = ()) -> tuple[FormValue, ...]:
    if proc.form is None:
        return ()
    out = []
    for f in proc.form.fields:
        raw = _nfc(fields.get(f.id))
        shown, words = _display(f, raw) if raw else ("", None)
        out.append(FormValue(f.id, f.label, f.section, f.type, raw, shown, words, f.required,
                             bool(raw) and f.id in unsure))
    return tuple(out)


def _item(doc: Document, lacking: bool, prefilled: bool, have: set[str] | None = None) -> ChecklistItem:
    absent = doc.optional and not lacking and not prefilled and have is not None and doc.id not in have
    return ChecklistItem(doc.id, doc.name, doc.form.value, FORM_VI.get(doc.form.value, doc.form.value), doc.count,
                         doc.optional, doc.applies_when, lacking and not prefilled, doc.how_to_get, doc.verified,
                         prefilled, absent)


def addressee(proc: Procedure, commune: str | None) -> str | None:
    """The "Kính gửi" line: the form's ``addressed_to`` with the receiving commune put in; None when either is
    unknown (the form then keeps a blank line to write on by hand)."""
    if proc.form is None or not proc.form.addressed_to or not _nfc(commune):
        return None
    name = _nfc(commune)
    head, _, rest = name.partition(" ")
    if head.casefold() in ("xã", "phường", "đặc", "thị") and rest:   # "Xã Ea Tu" → "xã Ea Tu"
        name = head.lower() + " " + rest
    return proc.form.addressed_to.replace("{commune}", name)


def build_draft(procedure: Procedure, answers: Mapping[str, str], fields: Mapping[str, str],
                missing_docs: Sequence[str], province: str | None, today: dt.date,
                applicable_docs: Sequence[str] | None = None, commune: str | None = None,
                assistant_name: str | None = None, rules: Mapping[str, Rule] | None = None,
                unsure: Sequence[str] = (), docs_have: Sequence[str] | None = None) -> DraftContent:
    """Assemble a draft. ``applicable_docs`` = the flow's documents whose conditions hold (None → all
    documents of the entry); ``missing_docs`` = the ones the citizen said they lack. A ``{rule:ID}`` in a
    fee text prints only if the rule is in force on the draft's day (without ``rules``, never). ``docs_have`` (the
    ones the citizen said they have), when known, keeps an optional document they lack from reading "Đã có"."""
    proc = procedure

    def r(text: str | None) -> str | None:
        return render_rules(text, rules or {}, today) or None if text is not None else None

    missing = set(missing_docs)
    wanted = list(applicable_docs) if applicable_docs is not None else [d.id for d in proc.documents]
    for doc_id in missing_docs:  # a lacking document is always on the checklist
        if doc_id not in wanted:
            wanted.append(doc_id)
    have = set(docs_have) if docs_have is not None else None
    checklist = tuple(_item(d, d.id in missing, bool(d.produced_by_draft and proc.form), have)
                      for d_id in wanted if (d := proc.document(d_id)) is not None)

    fee, fee_prov = proc.fee_for(province)
    limit, _ = proc.time_limit_for(province)
    sub = proc.submission
    unverified = [name for name, ok in (
        ("procedure", proc.verified),
        ("fee", fee.verified if fee else True),
        ("time_limit", limit.verified if limit else True),
        ("form", proc.form.verified if proc.form else True),
    ) if not ok]
    unverified += [f"document:{c.id}" for c in checklist if not c.verified]
    return DraftContent(
        procedure_id=proc.id,
        procedure_name=proc.name,
        official_name=proc.official_name,
        national_code=proc.national_code.text if proc.national_code else None,
        authority=proc.authority.text,
        form_id=proc.form.id if proc.form else None,
        form_name=proc.form.name if proc.form else None,
        form_template=proc.form.template if proc.form else None,
        values=_form_values(proc, fields, unsure),
        checklist=checklist,
        fee=r(fee.text) if fee else None,
        fee_province=fee_prov,
        fee_exemptions=tuple(t for e in fee.exemptions if (t := r(e))) if fee else (),
        fee_online_note=r(fee.vneid_exemption) if fee else None,
        time_limit=limit.text if limit else None,
        where=sub.where.text if sub else None,
        online_note=sub.online_note.text if sub and sub.online_note else None,
        result=proc.result.text if proc.result else None,
        province=province,
        today=today,
        answers=tuple(sorted((str(k), _nfc(str(v))) for k, v in answers.items())),
        unverified=tuple(unverified),
        addressee=addressee(proc, commune),
        assistant_name=_nfc(assistant_name) or DEFAULT_ASSISTANT,
    )


VN = dt.timezone(dt.timedelta(hours=7))   # Vietnam has one time zone and no daylight saving


def vn_date(t: dt.datetime) -> dt.date:
    """The Vietnamese calendar day of a moment (a naive time is UTC, as SQLite returns it): a draft made at
    06:00 in Hà Nội is dated that day, not the UTC day before."""
    return (t if t.tzinfo else t.replace(tzinfo=dt.UTC)).astimezone(VN).date()


def build_stored_draft(procedure: Procedure, data: Mapping[str, Any], province: str | None,
                       made_at: dt.datetime, rules: Mapping[str, Rule] | None = None) -> DraftContent:
    """A stored draft (``drafts.data``) rebuilt with the current catalog, dated the day it was made and addressed
    to the commune that received it (stored with it)."""
    return build_draft(procedure, data.get("answers") or {}, data.get("fields") or {},
                       list(data.get("docs_missing") or []), province, vn_date(made_at),
                       applicable_docs=data.get("applicable_docs"), commune=data.get("commune"),
                       assistant_name=data.get("assistant_name"), rules=rules,
                       unsure=list(data.get("unsure") or []), docs_have=data.get("docs_have"))
