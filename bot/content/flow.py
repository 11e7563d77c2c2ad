"""Schema of a conversation flow (``flows/<procedure-id>.yml``).

A flow is a list of steps run in order; a step runs only when its ``when``
conditions hold over the answers collected so far. Steps ask eligibility
questions, walk the catalog's documents one by one, collect form fields,
show the review, or hand the citizen to a person.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.content.catalog import ProcedureId, Slug
from bot.content.placed import PlacedError

# ``{var: value}`` or ``{var: [v1, v2]}``: every var must hold one of its values.
Condition = dict[str, str | list[str]]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Strict):
    """One answer to a question; typing its label (or its number) also picks it."""

    label: str = Field(min_length=1, max_length=60)
    value: str = Field(min_length=1)
    synonyms: tuple[str, ...] = ()
    say: str | None = None
    goto: str | None = Field(default=None, description="Step id to jump to after this answer")
    switch_to: ProcedureId | None = Field(default=None, description="Continue with another procedure")
    handoff: bool = False
    end: bool = False
    sets: dict[str, str] = Field(
        default_factory=dict,
        description="Answers this option also gives to later questions ({question: value}): a combined question "
                    "(\"Đúng cả\") answers them at once, and they are not asked")


class _Conditional(_Strict):
    """A step or an item that applies only when ``when`` holds and ``unless`` does not."""

    when: Condition = Field(default_factory=dict)
    unless: Condition = Field(default_factory=dict)


class _StepBase(_Conditional):
    id: Slug
    rule: str | None = Field(
        default=None, description="A time-limited rule (_rules.yml); the step runs only while it is in force")


class QuestionStep(_StepBase):
    """An eligibility/variant question with buttons."""

    kind: Literal["question"]
    ask: str
    explain: str | None = None
    options: tuple[Option, ...] = Field(min_length=2, max_length=8)


class DocItem(_Conditional):
    doc: Slug


class DocumentsStep(_StepBase):
    """Walk the listed catalog documents one at a time: Có / Chưa có / Giấy này là gì?"""

    kind: Literal["documents"]
    intro: str | None = None
    items: tuple[DocItem, ...] = Field(min_length=1)


class FieldItem(_Conditional):
    field: Slug
    prefill_from: Slug | None = Field(
        default=None, description="A question step whose chosen option's label fills this field (not asked again)")
    prefill_map: dict[str, str] = Field(
        default_factory=dict, description="Option value → text to put in the field, when the label is not the form's wording")
    copy_from: Slug | None = Field(
        default=None, description="Another field whose value this one takes (e.g. the requester is the person)")
    value: str | None = Field(default=None, description="A fixed value (e.g. 'Bản thân'); the field is not asked")
    same_as: Slug | None = Field(
        default=None, description="Another field whose answer the citizen can reuse with one tap (\"Là tôi\", "
                                  "\"Cùng địa chỉ với mẹ\")")
    same_as_label: str | None = Field(default=None, min_length=1, max_length=40,
                                      description="The button that reuses `same_as`")
    copy_if: Condition = Field(
        default_factory=dict, description="Field values ({field: value}) that make `same_as` certain: then the field "
                                          "is copied and not asked (the requester said she is the mother)")
    suggest: tuple[str, ...] = Field(default=(), description="Usual answers offered as buttons (e.g. Kinh)")
    not_needed_with: Slug | None = Field(
        default=None, description="A field holding an identity paper: once it carries a 12-digit personal ID number "
                                  "(số định danh cá nhân), this field is not needed and not asked (the nơi cư trú of a "
                                  "hộ tịch requester)")

    @model_validator(mode="after")
    def _same_as_needs_label(self) -> FieldItem:
        if (self.same_as is None) != (self.same_as_label is None):
            raise ValueError(f"trường '{self.field}': same_as và same_as_label phải đi cùng nhau")
        if self.copy_if and self.same_as is None:
            raise ValueError(f"trường '{self.field}': copy_if cần same_as")
        return self


class FieldsStep(_StepBase):
    """Ask form fields in order, validating each."""

    kind: Literal["fields"]
    intro: str | None = None
    items: tuple[FieldItem, ...] = Field(min_length=1)


class MessageStep(_StepBase):
    """Say something and go on."""

    kind: Literal["message"]
    say: str


class HandoffStep(_StepBase):
    """A case the bot must not handle alone: explain and hand to a person."""

    kind: Literal["handoff"]
    say: str
    handoff: Literal[True] = True


class ReviewStep(_StepBase):
    """Summary of every collected field, tap to correct, confirm → draft."""

    kind: Literal["review"]
    intro: str | None = None


Step = Annotated[
    QuestionStep | DocumentsStep | FieldsStep | MessageStep | HandoffStep | ReviewStep,
    Field(discriminator="kind"),
]


class Check(_Strict):
    """A cross-field check: when ``when`` holds, the date ``field`` must be within (or older than) a number of days
    before today. Evaluated when the field is answered and again before the draft; on failure the citizen is told
    ``say`` and may retype the field or change the earlier answer ``answer`` to ``switch_to`` (whose ``say`` —
    e.g. the fee that now applies — is then shown)."""

    id: Slug
    field: Slug
    when: Condition = Field(min_length=1)
    within_days: int | None = Field(default=None, ge=0, le=36600)
    older_than_days: int | None = Field(default=None, ge=0, le=36600)
    answer: Slug = Field(description="The question step whose answer contradicts the field")
    switch_to: str = Field(min_length=1, description="The option value that agrees with the field")
    say: str = Field(min_length=1, description="What is wrong, in plain words; {value} and {days} are filled in")

    @model_validator(mode="after")
    def _one_rule(self) -> Check:
        if (self.within_days is None) == (self.older_than_days is None):
            raise ValueError("kiểm tra phải có đúng một quy tắc: within_days hoặc older_than_days")
        return self

    def fails(self, iso_date: str, today: dt.date) -> int | None:
        """Days since the date when the rule is broken, else None (a value that is not a date is not judged)."""
        try:
            days = (today - dt.date.fromisoformat(iso_date)).days
        except ValueError:
            return None
        if self.within_days is not None and days > self.within_days:
            return days
        if self.older_than_days is not None and days <= self.older_than_days:
            return days
        return None


class Flow(_Strict):
    """The conversation for one procedure."""

    procedure: ProcedureId
    intro: str | None = None
    steps: tuple[Step, ...] = Field(min_length=1)
    checks: tuple[Check, ...] = ()

    @model_validator(mode="after")
    def _unique_and_targets(self) -> Flow:
        ids = [s.id for s in self.steps]
        for i, sid in enumerate(ids):
            if sid in ids[:i]:
                raise PlacedError(f"mã bước bị trùng: {sid}", ("steps", i, "id"))
        questions = {s.id for s in self.steps if isinstance(s, QuestionStep)}
        fields = {it.field for s in self.steps if isinstance(s, FieldsStep) for it in s.items}
        for si, s in enumerate(self.steps):
            if isinstance(s, QuestionStep):
                for oi, o in enumerate(s.options):
                    if o.goto and o.goto not in ids:
                        raise PlacedError(f"bước {s.id}: lựa chọn '{o.label}' trỏ tới bước không tồn tại: {o.goto}",
                                          ("steps", si, "options", oi, "goto"))
                    if (bad := self._bad_sets(si, o)) is not None:
                        raise PlacedError(f"bước {s.id}: lựa chọn '{o.label}': {bad}", ("steps", si, "options", oi, "sets"))
            if isinstance(s, FieldsStep):
                for ii, it in enumerate(s.items):
                    for ref in filter(None, (it.same_as, *it.copy_if, it.not_needed_with)):
                        if ref not in fields:
                            raise PlacedError(
                                f"bước {s.id}: trường '{it.field}' dùng trường không có trong luồng: {ref}",
                                ("steps", si, "items", ii, "field"))
                    if it.prefill_from and it.prefill_from not in questions:
                        raise PlacedError(
                            f"bước {s.id}: trường '{it.field}' lấy từ câu hỏi không tồn tại: {it.prefill_from}",
                            ("steps", si, "items", ii, "prefill_from"))
        self._valid_checks(questions)
        return self

    def _bad_sets(self, index: int, opt: Option) -> str | None:
        """Why an option's ``sets`` cannot hold: each names a later question and one of its plain options (an answer
        that hands off, switches or jumps must be chosen by the citizen, never implied)."""
        later = {s.id: s for s in self.steps[index + 1:] if isinstance(s, QuestionStep)}
        for qid, value in opt.sets.items():
            step = later.get(qid)
            if step is None:
                return f"sets trỏ tới câu hỏi không có phía sau: {qid}"
            implied = next((o for o in step.options if o.value == value), None)
            if implied is None:
                return f"câu hỏi {qid} không có lựa chọn '{value}'"
            if implied.handoff or implied.switch_to or implied.end or implied.goto or implied.sets:
                return f"lựa chọn '{implied.label}' của {qid} không thể ngầm định (chuyển cán bộ, chuyển thủ tục, nhảy bước)"
        return None

    def _valid_checks(self, questions: set[str]) -> None:
        fields = {it.field for s in self.steps if isinstance(s, FieldsStep) for it in s.items}
        for c in self.checks:
            if c.field not in fields:
                raise ValueError(f"kiểm tra {c.id}: trường '{c.field}' không có trong bước fields nào")
            for var in (*c.when, c.answer):
                if var not in questions:
                    raise ValueError(f"kiểm tra {c.id}: '{var}' không phải câu hỏi của luồng")
            if self.option_label(c.answer, c.switch_to) is None:
                raise ValueError(f"kiểm tra {c.id}: câu hỏi {c.answer} không có lựa chọn '{c.switch_to}'")

    def failed_check(self, field_id: str | None, answers: dict[str, str], fields: dict[str, str],
                     today: dt.date) -> tuple[Check, int] | None:
        """The first check that fails (of ``field_id``, or of any field when None), with the days counted."""
        for c in self.checks:
            if (field_id is None or c.field == field_id) and fields.get(c.field) and holds(c.when, answers):
                days = c.fails(fields[c.field], today)
                if days is not None:
                    return c, days
        return None

    def option_label(self, step_id: str, value: str) -> str | None:
        """The label of the option a citizen chose at a question step."""
        step = next((s for s in self.steps if s.id == step_id and isinstance(s, QuestionStep)), None)
        opt = next((o for o in step.options if o.value == value), None) if step else None
        return opt.label if opt else None

    def step_index(self, step_id: str) -> int | None:
        return next((i for i, s in enumerate(self.steps) if s.id == step_id), None)


def holds(cond: Condition, answers: dict[str, str]) -> bool:
    """True when every variable in ``cond`` holds one of its allowed values."""
    for var, allowed in cond.items():
        value = answers.get(var)
        if isinstance(allowed, list):
            if value not in allowed:
                return False
        elif value != allowed:
            return False
    return True


def applies(item: _StepBase | DocItem | FieldItem, answers: dict[str, str]) -> bool:
    """``when`` holds and ``unless`` (if any) does not."""
    if item.when and not holds(item.when, answers):
        return False
    return not (item.unless and holds(item.unless, answers))
