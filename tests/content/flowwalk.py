"""Shared by the content tests: every path through a flow, as the engine's ``applies`` rule takes it.

A path branches on each option of each question that applies (the engine's own ``applies`` rule) and records
what a citizen on it would be shown and asked, so a test can check what the citizen would notice.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bot.content.catalog import Procedure
from bot.content.flow import (
    DocumentsStep,
    FieldsStep,
    Flow,
    HandoffStep,
    MessageStep,
    Option,
    QuestionStep,
    ReviewStep,
    applies,
)
from bot.content.loader import parse_model
from bot.content.rules import RULES_FILE, Rule, RuleList, render_rules
from bot.content.yamlsrc import load_yaml

ROOT = Path(__file__).parents[2]
# The day a walk reads the flows on: time-limited rules (_rules.yml) are said as on that day. Inside the
# NQ 66.22/2026 window (15/8/2026–28/02/2027), so the online-filing exemptions are in force.
WALK_DAY = dt.date(2026, 10, 1)


@lru_cache(maxsize=1)
def shipped_rules() -> Mapping[str, Rule]:
    """The shipped time-limited rules by id."""
    path = ROOT / "procedures_catalog" / RULES_FILE
    doc = load_yaml(path.read_text(encoding="utf-8"), str(path))
    return {r.id: r for r in parse_model(doc, RuleList).rules}


@dataclass
class Walk:
    """One way through a flow: the answers given, where it ends, what was listed, asked and said."""

    answers: dict[str, str]
    outcome: str  # review | handoff | end | switch:<procedure id> | fell_off
    docs: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)      # every form field of the path, asked or filled
    asked: list[str] = field(default_factory=list)       # the ones the citizen is asked
    prefilled: list[str] = field(default_factory=list)   # the ones filled from an answer, a value or another field
    messages: list[str] = field(default_factory=list)    # what the flow says on the way (options' and steps' say)
    review: str | None = None                            # id of the review step reached


def walk(flow: Flow, today: dt.date = WALK_DAY) -> list[Walk]:
    """Every path through ``flow``, from its first step, with the rules in force on ``today``."""
    found: list[Walk] = []
    rules = shipped_rules()

    def in_force(rule_id: str | None) -> bool:
        return rule_id is None or (rule_id in rules and rules[rule_id].in_force(today))

    def go(i: int, answers: dict[str, str], w: Walk) -> None:
        while i < len(flow.steps):
            step = flow.steps[i]
            if not applies(step, answers) or not in_force(step.rule):
                i += 1
                continue
            if isinstance(step, HandoffStep):
                found.append(_end(w, answers, "handoff", [step.say]))
                return
            if isinstance(step, ReviewStep):
                end = _end(w, answers, "review", [step.intro] if step.intro else [])
                end.review = step.id
                found.append(end)
                return
            if isinstance(step, DocumentsStep):
                w = _with(w, docs=[it.doc for it in step.items if applies(it, answers)])
            elif isinstance(step, FieldsStep):
                live = [it for it in step.items if applies(it, answers)]
                pre = [it.field for it in live if it.copy_from or it.value is not None or it.prefill_from
                       and (not it.prefill_map or answers.get(it.prefill_from) in it.prefill_map)]   # else asked
                w = _with(w, fields=[it.field for it in live], asked=[it.field for it in live if it.field not in pre],
                          prefilled=pre)
            elif isinstance(step, QuestionStep):
                if answers.get(step.id) in {o.value for o in step.options}:   # implied by a combined question
                    i += 1
                    continue
                for opt in step.options:
                    nxt = {**answers, step.id: opt.value, **opt.sets}
                    said = [render_rules(x, rules, today) for x in (opt.say, *_implied_says(flow, opt)) if x]
                    if opt.handoff:
                        found.append(_end(w, nxt, "handoff", said))
                    elif opt.switch_to:
                        found.append(_end(w, nxt, f"switch:{opt.switch_to}", said))
                    elif opt.end:
                        found.append(_end(w, nxt, "end", said))
                    elif opt.goto:
                        j = flow.step_index(opt.goto)
                        assert j is not None and j > i, f"{flow.procedure}: goto {opt.goto} must jump forward"
                        go(j, nxt, _with(w, messages=said))
                    else:
                        go(i + 1, nxt, _with(w, messages=said))
                return
            else:
                assert isinstance(step, MessageStep)
                w = _with(w, messages=[step.say])
            i += 1
        found.append(_end(w, answers, "fell_off", []))

    go(0, {}, Walk({}, ""))
    return found


def _implied_says(flow: Flow, opt: Option) -> list[str | None]:
    """What the answers a combined option implies say (the engine says them with the option's own text)."""
    steps = {s.id: s for s in flow.steps if isinstance(s, QuestionStep)}
    return [next((o.say for o in steps[q].options if o.value == v), None) for q, v in opt.sets.items() if q in steps]


def asked_docs(proc: Procedure, docs: list[str]) -> list[str]:
    """The documents a citizen is asked about: the form the draft itself fills (``produced_by_draft``) never is."""
    return [d for d in docs if not ((doc := proc.document(d)) and doc.produced_by_draft and proc.form)]


def _with(w: Walk, **more: list[str]) -> Walk:
    """A copy of ``w`` with ``more`` appended to its lists (branches never share a list)."""
    return Walk(w.answers, w.outcome, *(getattr(w, k) + more.get(k, []) for k in
                                        ("docs", "fields", "asked", "prefilled", "messages")), w.review)


def _end(w: Walk, answers: dict[str, str], outcome: str, said: list[str]) -> Walk:
    end = _with(w, messages=said)
    end.answers, end.outcome = dict(answers), outcome
    return end


def said(text: str | None, today: dt.date = WALK_DAY) -> str:
    """A flow or catalog text as the bot says it on ``today`` (``{rule:ID}`` replaced)."""
    return render_rules(text or "", shipped_rules(), today)
