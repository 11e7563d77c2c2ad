"""Build a walkable flow for every imported procedure from one template (``flows/_generic.yml``).

A province's list gives each procedure an authority, documents, fee, time limit and how to submit, but no
conversation. Rather than special-casing imported entries in the engine, this module turns each one into the
same `Flow` (summary → documents one by one → requester's details → review) and adds the template's request
form to the entry, so the engine, the draft and the desk treat it like any hand-written procedure. A
hand-written flow always wins: for the same id, or for an imported entry repeating a hand-written entry's code.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.content.catalog import Form, Procedure
from bot.content.flow import Flow

GENERIC_FILE = "_generic.yml"
DEFAULT_TEMPLATE = Path(__file__).resolve().parents[2] / "flows" / GENERIC_FILE
_MAX_VALUE = 260  # characters of one summary line: the summary must fit on one phone screen


def default_template_text() -> str:
    """The shipped template, for callers that load content without the flows folder's underscore files."""
    return DEFAULT_TEMPLATE.read_text(encoding="utf-8") if DEFAULT_TEMPLATE.exists() else ""


def _short(text: str) -> str:
    one = " ".join(text.split())
    return one if len(one) <= _MAX_VALUE else one[: _MAX_VALUE - 1].rstrip() + "…"


def _summary(proc: Procedure, tpl: Mapping[str, Any]) -> str:
    """The one-screen summary: each fact the list gives, and a note for the ones it does not."""
    values = {
        "authority": proc.authority.text,
        "applies_to": proc.applies_to.text if proc.applies_to else None,
        "submission": proc.submission.where.text if proc.submission else None,
        "time_limit": proc.time_limit.text if proc.time_limit else None,
        "fee": proc.fee.text if proc.fee else None,
        "result": proc.result.text if proc.result else None,
    }
    lines = [str(tpl.get("header", ""))]
    missing = []
    for key, pattern in (tpl.get("lines") or {}).items():
        value = values.get(key)
        if value:
            lines.append(str(pattern).replace("{value}", _short(value)))
        elif key in (tpl.get("missing_names") or {}):
            missing.append(str(tpl["missing_names"][key]))
    if missing and tpl.get("missing"):
        lines.append(str(tpl["missing"]).replace("{what}", ", ".join(missing)))
    return "\n".join(line for line in lines if line)


def _fill(data: Any, values: Mapping[str, str]) -> Any:
    """Replace ``{name}``-style placeholders in every string of ``data`` (no format(): texts may hold braces)."""
    if isinstance(data, str):
        for k, v in values.items():
            data = data.replace("{" + k + "}", v)
        return data
    if isinstance(data, list):
        return [_fill(x, values) for x in data]
    if isinstance(data, dict):
        return {k: _fill(v, values) for k, v in data.items()}
    return data


def generic_flow(proc: Procedure, template: Mapping[str, Any]) -> tuple[Flow, Form]:
    """The flow and request form for one imported procedure, built from the template."""
    values = {"name": proc.name, "summary": _summary(proc, template.get("summary") or {})}
    flow_data = _fill(template["flow"], values)
    steps = []
    for step in flow_data["steps"]:
        if step.get("kind") == "documents":
            if not proc.documents:
                continue
            step = {**step, "items": [{"doc": d.id} for d in proc.documents]}
        steps.append(step)
    flow = Flow.model_validate({**flow_data, "procedure": proc.id, "steps": steps})
    form = Form.model_validate(_fill(template["form"], values))
    return flow, form


def apply_generic(procedures: dict[str, Procedure], flows: dict[str, Flow], template_text: str) -> None:
    """Give every imported entry without a hand-written flow its generic flow and form, in place."""
    imported = [pid for pid, p in procedures.items() if p.imported]
    if not imported:
        return
    hand_codes = {p.national_code.text.strip() for p in procedures.values()
                  if not p.imported and p.national_code is not None and p.id in flows}
    template = yaml.safe_load(template_text or default_template_text()) or {}
    for pid in imported:
        proc = procedures[pid]
        if pid not in flows and proc.national_code is not None and proc.national_code.text.strip() in hand_codes:
            del procedures[pid]  # the same procedure is walked deeply under its hand-written id
            continue
        flow, form = generic_flow(proc, template)
        if pid not in flows:  # a hand-written flow for this id wins (an admin's copy of the generated one)
            flows[pid] = flow
        if proc.form is None:
            procedures[pid] = proc.model_copy(update={"form": form})


def generated_flow_yaml(proc: Procedure, template_text: str = "") -> str:
    """The generic flow of ``proc`` as YAML: the starting point for an admin turning it into a deep flow."""
    flow, _ = generic_flow(proc, yaml.safe_load(template_text or default_template_text()) or {})
    data = flow.model_dump(mode="json", exclude_defaults=True)
    head = (f"# Luồng hội thoại: {proc.name}. Sinh từ flows/{GENERIC_FILE}; lưu thành flows/{proc.id}.yml rồi sửa —\n"
            "# luồng viết tay luôn được dùng thay cho luồng chung, và nhập lại danh mục không ghi đè thủ tục này.\n")
    return head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)
