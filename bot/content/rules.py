"""Time-limited rules (``procedures_catalog/_rules.yml``): a fee reduction, an exemption, a transition.

A rule that ends must not live in free text: once its date passes, a sentence in a flow would keep
telling citizens about an exemption that no longer exists. Flows and catalog texts refer to a rule with
``{rule:ID}``; the engine says the rule's text only while the rule is in force on the conversation's date,
and ``otherwise`` (often nothing) after. A step with ``rule: ID`` runs only while the rule is in force.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.content.catalog import ProcedureId, refuse_repeated

RULES_FILE = "_rules.yml"
RULE_REF = re.compile(r"\{rule:([a-z0-9][a-z0-9_.-]*)\}")

_D = r"\d{1,2}/\d{1,2}/\d{4}"
# A statement bounded in time: an end date ("đến 28/02/2027", "đến hết năm 2026", "hết 31/12/2026") or a
# window ("15/8/2026–28/02/2027"). A date a fact simply started on ("từ 01/7/2025") stays true and is allowed.
DATED = re.compile(
    rf"(?:đến|tới|hết)\s+(?:hết\s+)?(?:ngày\s+)?{_D}"
    rf"|{_D}\s*[–—-]\s*{_D}"
    r"|(?:đến|tới|hết)\s+(?:hết\s+)?năm\s+\d{4}"
    r"|(?:đến|tới|hết)\s+(?:hết\s+)?(?:ngày\s+)?\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}",
    re.IGNORECASE,
)
EXPIRY_WARNING_DAYS = 30


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleSource(_Strict):
    """Where the rule and its dates were read."""

    title: str = Field(min_length=1)
    url: str | None = None


class Rule(_Strict):
    """A statement that holds only between ``valid_from`` and ``valid_to`` (both inclusive)."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")]
    text: str = Field(min_length=1, description="What the bot says while the rule is in force")
    otherwise: str = Field(default="", description="What it says instead before or after the window")
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    procedures: tuple[ProcedureId, ...] = ()
    sources: tuple[RuleSource, ...] = ()
    verified: bool = True
    note: str | None = Field(default=None, description="For admins: what is uncertain, what to check")

    @model_validator(mode="after")
    def _dated_and_sourced(self) -> Rule:
        if self.valid_from is None and self.valid_to is None:
            raise ValueError("quy định có thời hạn phải có valid_from hoặc valid_to")
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValueError("valid_from phải trước hoặc bằng valid_to")
        if self.verified and not self.sources:
            raise ValueError("quy định đã xác minh phải ghi nguồn (sources), nếu chưa có nguồn hãy đặt verified: false")
        if not self.verified and not self.note:
            raise ValueError("quy định chưa xác minh (verified: false) phải có note nói rõ điều gì chưa chắc")
        return self

    def in_force(self, today: dt.date) -> bool:
        """True on every day of the window, the first and last included."""
        return (self.valid_from is None or self.valid_from <= today) and (
            self.valid_to is None or today <= self.valid_to)

    def expires_within(self, today: dt.date, days: int = EXPIRY_WARNING_DAYS) -> bool:
        """Still in force but ending within ``days``: time for an admin to check for a successor."""
        return self.valid_to is not None and self.in_force(today) and (self.valid_to - today).days <= days

    def say(self, today: dt.date) -> str:
        """The text for ``today``, with ``{valid_from}``/``{valid_to}`` written as dd/mm/yyyy."""
        if not self.in_force(today):
            return self.otherwise
        dates = {"valid_from": _fmt(self.valid_from), "valid_to": _fmt(self.valid_to)}
        return re.sub(r"\{(valid_from|valid_to)\}", lambda m: dates[m.group(1)], self.text)


def _fmt(d: dt.date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


class RuleList(_Strict):
    """The whole ``_rules.yml`` file."""

    rules: tuple[Rule, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> RuleList:
        refuse_repeated((r.id for r in self.rules), "mã quy định")
        return self


def render_rules(text: str, rules: Mapping[str, Rule], today: dt.date) -> str:
    """Replace each ``{rule:ID}`` with what the rule says today; tidy the spaces a dropped rule leaves."""
    if "{rule:" not in text:
        return text
    out = RULE_REF.sub(lambda m: rules[m.group(1)].say(today) if m.group(1) in rules else "", text)
    out = re.sub(r"[ \t]{2,}", " ", out)
    out = re.sub(r"[ \t]+([.,;:)])", r"\1", out)
    return "\n".join(line.strip() for line in out.split("\n")).strip()


def rule_refs(text: str) -> list[str]:
    """Rule ids a text refers to."""
    return RULE_REF.findall(text)


def dated_phrase(text: str) -> str | None:
    """The first time-bounded phrase of ``text`` (what validation rejects in free text), if any."""
    m = DATED.search(text)
    return m.group(0) if m else None


__all__ = ["RULES_FILE", "Rule", "RuleList", "RuleSource", "dated_phrase", "render_rules", "rule_refs"]
