"""Schema of a procedure entry (``procedures_catalog/<procedure-id>.yml``).

Every fact a citizen acts on is a `Fact`: it names the sources it was read in,
or says ``verified: false`` so an admin knows to check it before launch.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import Enum
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from nlu.fields.registry import FIELD_TYPE_NAMES

ProcedureId = Annotated[str, Field(pattern=r"^[a-z0-9-]+\.[a-z0-9.-]+$")]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def refuse_repeated(ids: Iterable[str], what: str) -> None:
    """Refuse an id written twice ("<what> bị trùng: a, b"): the bot and the desk refer to things by id."""
    seen = list(ids)
    dup = sorted({i for i in seen if seen.count(i) > 1})
    if dup:
        raise ValueError(f"{what} bị trùng: {', '.join(dup)}")


class _Sourced(_Strict):
    """A fact a citizen acts on: verified only with the sources it was read in (``what`` names it in the error)."""

    what: ClassVar[str] = "thông tin"
    if TYPE_CHECKING:   # declared by each subclass, where they stand among its fields
        sources: tuple[str, ...]
        verified: bool

    @model_validator(mode="after")
    def _needs_source_or_flag(self) -> Self:
        if self.verified and not self.sources:
            raise ValueError(f"{self.what} đã xác minh phải ghi nguồn (sources), nếu chưa có nguồn hãy đặt verified: false")
        return self


class Source(_Strict):
    """A document a fact was read in."""

    id: Slug | Annotated[str, Field(pattern=r"^S\d+[a-z]?$")]
    title: str
    url: str | None = None


class Fact(_Sourced):
    """A statement with provenance."""

    text: str = Field(min_length=1)
    sources: tuple[str, ...] = ()
    verified: bool = True


class Status(str, Enum):
    in_force = "in_force"
    changed = "changed"
    possibly_abolished = "possibly_abolished"
    under_review = "under_review"


class DocumentForm(str, Enum):
    """How a document is presented at the desk."""

    original = "original"  # bản chính
    copy = "copy"  # bản sao (chứng thực hoặc kèm bản chính để đối chiếu)
    original_or_copy = "original_or_copy"
    present = "present"  # xuất trình, không nộp
    electronic = "electronic"  # bản điện tử / dữ liệu điện tử


class Document(_Sourced):
    """One document of the dossier."""

    what: ClassVar[str] = "giấy tờ"

    id: Slug
    name: str
    explain: str = Field(description="Answer to 'Giấy này là gì?' in plain Vietnamese")
    form: DocumentForm = DocumentForm.original
    count: int = Field(default=1, ge=0, le=20)
    applies_when: str | None = Field(default=None, description="Human wording of when this document is needed")
    optional: bool = Field(default=False, description="A paper brought only if the citizen has it ('nếu có')")
    produced_by_draft: bool = Field(
        default=False, description="The entry's form is this document: the draft fills it, so it is never asked "
                                   "and is ticked as supplied on the checklist")
    how_to_get: str | None = Field(default=None, description="Where a citizen obtains it if missing")
    sources: tuple[str, ...] = ()
    verified: bool = True


# The field types are the entries of the registry (`nlu.fields.registry.FIELD_KINDS`): the schema accepts exactly
# those names, in the registry's order (the order an admin sees them listed in a validation error).
if TYPE_CHECKING:
    FieldType = str
else:
    FieldType = Literal[FIELD_TYPE_NAMES]


class QuickAnswer(_Strict):
    """A button offered with a field: tapping it answers ``value`` (validated like typed text)."""

    label: str = Field(min_length=1, max_length=40)
    value: str = Field(min_length=1)


class FormField(_Strict):
    """One field of the application form (tờ khai)."""

    id: Slug
    label: str
    type: FieldType = "text"
    ask: str | None = Field(default=None, description="Question the bot asks; defaults to the label")
    hint: str | None = None
    required: bool = True
    in_words: bool = False
    choices: tuple[str, ...] = ()
    max_length: int = Field(default=300, ge=1, le=2000)
    section: str | None = None
    quick: tuple[QuickAnswer, ...] = Field(default=(), max_length=6, description="Common answers as buttons")

    @model_validator(mode="after")
    def _choices_for_choice(self) -> FormField:
        if self.type == "choice" and not self.choices:
            raise ValueError("trường kiểu choice phải có danh sách choices")
        return self


class Form(_Strict):
    """The application form a draft pre-fills."""

    id: Slug
    name: str
    template: str | None = Field(default=None, description="Path under procedures_catalog/, e.g. forms/x.html.j2")
    addressed_to: str | None = Field(
        default=None, pattern=r"\{commune\}",
        description="The 'Kính gửi' line; {commune} becomes the configured commune (content.commune)")
    sources: tuple[str, ...] = ()
    verified: bool = True
    fields: tuple[FormField, ...] = Field(min_length=1)


class Submission(_Strict):
    """Where and how to submit."""

    where: Fact
    channels: tuple[Literal["in_person", "post", "online"], ...] = ("in_person",)
    online: Literal["full", "partial", "none"] = "none"
    online_note: Fact | None = None


class Fee(_Sourced):
    """Fees, with exemptions; province rules override ``text``."""

    what: ClassVar[str] = "lệ phí"

    text: str
    exemptions: tuple[str, ...] = ()
    vneid_exemption: str | None = Field(default=None, description="What filing online with VNeID level 2 earns")
    sources: tuple[str, ...] = ()
    verified: bool = True


class ProvinceOverride(_Strict):
    """A province's own rule (People's Council resolution)."""

    fee: Fee | None = None
    time_limit: Fact | None = None
    note: str | None = None


class Change(_Strict):
    """A resolution that changed the procedure for a time window."""

    resolution: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    note: str
    sources: tuple[str, ...] = ()
    verified: bool = True


class Procedure(_Strict):
    """A procedure entry: the facts the bot tells citizens."""

    id: ProcedureId
    name: str = Field(description="Short name the bot uses in conversation")
    official_name: str
    colloquial_names: tuple[str, ...] = ()
    field: str
    level: Literal["full", "info"] = "full"
    status: Status = Status.in_force
    status_note: str | None = None
    verified: bool
    last_reviewed: dt.date
    summary: str | None = None
    national_code: Fact | None = None
    authority: Fact
    legal_basis: tuple[Fact, ...] = ()
    documents: tuple[Document, ...] = ()
    dossier_sets: Fact | None = None
    time_limit: Fact | None = None
    fee: Fee | None = None
    submission: Submission | None = None
    result: Fact | None = None
    applies_to: Fact | None = Field(default=None, description="Who may file (Đối tượng thực hiện)")
    form: Form | None = None
    imported: bool = Field(
        default=False, description="Read from a province's list: walked by the generic flow (flows/_generic.yml) "
                                   "unless a hand-written flow with the same id exists")
    province_overrides: dict[str, ProvinceOverride] = Field(default_factory=dict)
    changes: tuple[Change, ...] = ()
    notes: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()

    @model_validator(mode="after")
    def _status_note(self) -> Procedure:
        if self.status != Status.in_force and not self.status_note:
            raise ValueError("thủ tục không ở trạng thái in_force phải có status_note giải thích cho người dân")
        refuse_repeated((d.id for d in self.documents), "mã giấy tờ")
        produced = [d.id for d in self.documents if d.produced_by_draft]
        if produced and not self.form:
            raise ValueError(f"giấy tờ {', '.join(produced)} có produced_by_draft nhưng thủ tục không có form để điền sẵn")
        if self.form:
            refuse_repeated((f.id for f in self.form.fields), "mã trường")
        return self

    def document(self, doc_id: str) -> Document | None:
        return next((d for d in self.documents if d.id == doc_id), None)

    def form_field(self, field_id: str) -> FormField | None:
        if not self.form:
            return None
        return next((f for f in self.form.fields if f.id == field_id), None)

    def fee_for(self, province: str | None) -> tuple[Fee | None, str | None]:
        """The fee rule that applies, and the province whose rule it is (None = national)."""
        ov = self.province_overrides.get(province or "")
        if ov and ov.fee:
            return ov.fee, province
        return self.fee, None

    def time_limit_for(self, province: str | None) -> tuple[Fact | None, str | None]:
        ov = self.province_overrides.get(province or "")
        if ov and ov.time_limit:
            return ov.time_limit, province
        return self.time_limit, None

    def active_changes(self, today: dt.date) -> tuple[Change, ...]:
        return tuple(
            c
            for c in self.changes
            if (c.valid_from is None or c.valid_from <= today) and (c.valid_to is None or today <= c.valid_to)
        )
