"""Rules that span files: flows refer to documents and fields that exist,
every procedure of the spec has both a catalog entry and a flow."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from bot.content.catalog import Procedure
from bot.content.flow import DocumentsStep, FieldsStep, Flow, QuestionStep
from bot.content.rules import RULES_FILE, Rule, dated_phrase, rule_refs
from bot.content.snapshot import SpecEntry
from bot.content.yamlsrc import ContentError, YamlDoc


def _file_for(docs: Mapping[str, YamlDoc], folder: str, pid: str) -> tuple[str, YamlDoc | None]:
    name = f"{folder}/{pid}.yml"
    if name not in docs and f"{folder}/imported/{pid}.yml" in docs:
        name = f"{folder}/imported/{pid}.yml"
    return name, docs.get(name)


def _step_errors(flow: Flow, proc: Procedure, procedures: Mapping[str, Procedure], pid: str, fname: str,
                 line: Callable[..., int]) -> list[ContentError]:
    """A flow's steps name documents, form fields and procedures that must exist; apart to keep cross_check short."""
    errors: list[ContentError] = []

    def add(message: str, *path: str | int) -> None:
        errors.append(ContentError(fname, line("steps", *path), "steps." + ".".join(map(str, path)), message))

    for si, step in enumerate(flow.steps):
        if isinstance(step, DocumentsStep):
            for ii, item in enumerate(step.items):
                if proc.document(item.doc) is None:
                    add(f"giấy tờ '{item.doc}' không có trong procedures_catalog/{pid}.yml", si, "items", ii, "doc")
        elif isinstance(step, FieldsStep):
            for ii, fitem in enumerate(step.items):
                if proc.form_field(fitem.field) is None:
                    add(f"trường '{fitem.field}' không có trong biểu mẫu (form.fields) của procedures_catalog/{pid}.yml",
                        si, "items", ii, "field")
        elif isinstance(step, QuestionStep):
            for oi, opt in enumerate(step.options):
                if opt.switch_to and opt.switch_to not in procedures:
                    add(f"thủ tục '{opt.switch_to}' không có trong danh mục", si, "options", oi, "switch_to")
    return errors


def _source_refs(proc: Procedure) -> list[tuple[tuple[str | int, ...], tuple[str, ...]]]:
    """Every (YAML path, source ids) pair of a procedure's facts, so each cited source can be checked once."""
    refs: list[tuple[tuple[str | int, ...], tuple[str, ...]]] = []
    for key in ("national_code", "authority", "dossier_sets", "time_limit", "result", "fee"):
        fact = getattr(proc, key)
        if fact is not None:
            refs.append(((key,), fact.sources))
    for i, f in enumerate(proc.legal_basis):
        refs.append((("legal_basis", i), f.sources))
    for i, d in enumerate(proc.documents):
        refs.append((("documents", i), d.sources))
    for i, c in enumerate(proc.changes):
        refs.append((("changes", i), c.sources))
    if proc.submission:
        refs.append((("submission", "where"), proc.submission.where.sources))
    if proc.form:
        refs.append((("form",), proc.form.sources))
    for prov, ov in proc.province_overrides.items():
        if ov.fee:
            refs.append((("province_overrides", prov, "fee"), ov.fee.sources))
        if ov.time_limit:
            refs.append((("province_overrides", prov, "time_limit"), ov.time_limit.sources))
    return refs


def cross_check(
    procedures: Mapping[str, Procedure],
    flows: Mapping[str, Flow],
    docs: Mapping[str, YamlDoc],
    spec: tuple[SpecEntry, ...],
    *,
    require_all: bool = True,
) -> list[ContentError]:
    """Problems that no single file shows on its own."""
    errors: list[ContentError] = []
    for pid, flow in flows.items():
        fname, fdoc = _file_for(docs, "flows", pid)

        def line(*path: str | int, _d: YamlDoc | None = fdoc) -> int:
            return _d.line_of(path) if _d else 1

        proc = procedures.get(pid)
        if proc is None:
            errors.append(ContentError(fname, line("procedure"), "procedure", f"không có mục danh mục procedures_catalog/{pid}.yml"))
            continue
        if proc.level == "info":
            errors.append(ContentError(fname, 1, "procedure", "thủ tục level: info không có luồng hội thoại"))
        errors += _step_errors(flow, proc, procedures, pid, fname, line)
    for pid, proc in procedures.items():
        cname, cdoc = _file_for(docs, "procedures_catalog", pid)
        known = {s.id for s in proc.sources}
        refs = _source_refs(proc)
        for path, srcs in refs:
            for s in srcs:
                if s not in known:
                    errors.append(
                        ContentError(cname, cdoc.line_of(path) if cdoc else 1, ".".join(map(str, path)) + ".sources",
                                     f"nguồn '{s}' không có trong danh sách sources của tệp")
                    )
        if proc.level == "full" and pid not in flows:
            errors.append(ContentError(cname, 1, "level", f"thủ tục level: full cần luồng flows/{pid}.yml"))
    if require_all:
        for entry in spec:
            if entry.kind != "procedure":
                continue
            if entry.id not in procedures:
                errors.append(ContentError(f"procedures_catalog/{entry.id}.yml", 1, "", "thiếu mục danh mục cho thủ tục trong spec"))
            elif procedures[entry.id].level == "full" and entry.id not in flows:
                pass  # reported above
    return errors


_FLOW_PROSE = frozenset({"say", "ask", "explain", "intro"})
# Catalog keys whose texts a citizen reads (``changes`` carry their own dates; ``notes`` are for admins).
_CATALOG_PROSE = frozenset({
    "summary", "status_note", "national_code", "authority", "legal_basis", "documents", "dossier_sets",
    "time_limit", "fee", "submission", "result", "province_overrides",
})
_NOT_PROSE = frozenset({"sources", "id", "doc", "field", "form", "channels", "online", "verified"})


def _strings(data: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every string value under ``data`` with its path."""
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for k, v in data.items():
            if k not in _NOT_PROSE:
                yield from _strings(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _strings(v, path + (i,))


def _prose(name: str, doc: YamlDoc) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """The free texts of a flow or catalog file that must not carry a time-bounded statement."""
    data = doc.data if isinstance(doc.data, dict) else {}
    if name.startswith("flows/"):
        for path, text in _strings(data, ()):
            if any(isinstance(p, str) and p in _FLOW_PROSE for p in path[-1:]):
                yield path, text
    elif name.startswith("procedures_catalog/") and Path(name).name != RULES_FILE:
        for key in _CATALOG_PROSE & data.keys():
            yield from _strings(data[key], (key,))


def _step_rules(doc: YamlDoc) -> Iterator[tuple[tuple[str | int, ...], str]]:
    steps = doc.data.get("steps") if isinstance(doc.data, dict) else None
    for i, step in enumerate(steps if isinstance(steps, list) else []):
        if isinstance(step, dict) and isinstance(step.get("rule"), str):
            yield ("steps", i, "rule"), step["rule"]


class _Everything:
    """Contains every id (stands for a rules file that could not be read)."""

    def __contains__(self, _item: object) -> bool:
        return True


def rules_check(rules: Mapping[str, Rule] | None, procedures: Mapping[str, Procedure],
                docs: Mapping[str, YamlDoc], *, require_all: bool = True,
                dated_prose: bool = True) -> list[ContentError]:
    """References to unknown rules, and dates written into free text instead of a rule.

    ``rules`` is None when ``_rules.yml`` itself did not validate: references are then not checked."""
    errors: list[ContentError] = []
    known = rules if rules is not None else _Everything()
    for name, doc in sorted(docs.items()):
        for path, text in _prose(name, doc):
            field = ".".join(map(str, path))
            for rid in rule_refs(text):
                if rid not in known:
                    errors.append(ContentError(name, doc.line_of(path), field,
                                               f"quy định '{rid}' không có trong procedures_catalog/{RULES_FILE}"))
            phrase = dated_phrase(text) if dated_prose else None
            if phrase:
                errors.append(ContentError(
                    name, doc.line_of(path), field,
                    f"câu có thời hạn \"{phrase}\" viết thẳng vào nội dung sẽ sai khi hết hạn: chuyển thành một "
                    f"quy định trong procedures_catalog/{RULES_FILE} (valid_from, valid_to, sources) "
                    f"và dẫn bằng {{rule:mã}}"))
        for path, rid in _step_rules(doc):
            if rid not in known:
                errors.append(ContentError(name, doc.line_of(path), ".".join(map(str, path)),
                                           f"quy định '{rid}' không có trong procedures_catalog/{RULES_FILE}"))
    rdoc = next((d for n, d in docs.items() if Path(n).name == RULES_FILE), None)
    for i, rule in enumerate((rules or {}).values()):
        for j, pid in enumerate(rule.procedures):
            if require_all and pid not in procedures and rdoc is not None:
                errors.append(ContentError(rdoc.file, rdoc.line_of(("rules", i, "procedures", j)),
                                           f"rules.{i}.procedures.{j}", f"thủ tục '{pid}' không có trong danh mục"))
    return errors


def rule_warnings(rules: Mapping[str, Rule], today: dt.date) -> list[str]:
    """Rules ending within 30 days: the admin should look for what replaces them."""
    out = []
    for rule in sorted(rules.values(), key=lambda r: (r.valid_to or dt.date.max, r.id)):
        if rule.expires_within(today) and rule.valid_to is not None:
            days = (rule.valid_to - today).days
            out.append(f"procedures_catalog/{RULES_FILE}: rules.{rule.id}: hết hiệu lực sau {days} ngày "
                       f"({rule.valid_to:%d/%m/%Y}); kiểm tra văn bản thay thế")
    return out
