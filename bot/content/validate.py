"""Rules that span files: flows refer to documents and fields that exist,
every procedure of the spec has both a catalog entry and a flow."""
from __future__ import annotations

from typing import Mapping

from bot.content.catalog import Procedure
from bot.content.flow import DocumentsStep, FieldsStep, Flow, QuestionStep
from bot.content.snapshot import SpecEntry
from bot.content.yamlsrc import ContentError, YamlDoc


def _file_for(docs: Mapping[str, YamlDoc], folder: str, pid: str) -> tuple[str, YamlDoc | None]:
    name = f"{folder}/{pid}.yml"
    if name not in docs and f"{folder}/imported/{pid}.yml" in docs:
        name = f"{folder}/imported/{pid}.yml"
    return name, docs.get(name)


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
        for si, step in enumerate(flow.steps):
            if isinstance(step, DocumentsStep):
                for ii, item in enumerate(step.items):
                    if proc.document(item.doc) is None:
                        errors.append(
                            ContentError(fname, line("steps", si, "items", ii, "doc"), f"steps.{si}.items.{ii}.doc",
                                         f"giấy tờ '{item.doc}' không có trong procedures_catalog/{pid}.yml")
                        )
            elif isinstance(step, FieldsStep):
                for ii, item in enumerate(step.items):
                    if proc.form_field(item.field) is None:
                        errors.append(
                            ContentError(fname, line("steps", si, "items", ii, "field"), f"steps.{si}.items.{ii}.field",
                                         f"trường '{item.field}' không có trong biểu mẫu (form.fields) của procedures_catalog/{pid}.yml")
                        )
            elif isinstance(step, QuestionStep):
                for oi, opt in enumerate(step.options):
                    if opt.switch_to and opt.switch_to not in procedures:
                        errors.append(
                            ContentError(fname, line("steps", si, "options", oi, "switch_to"), f"steps.{si}.options.{oi}.switch_to",
                                         f"thủ tục '{opt.switch_to}' không có trong danh mục")
                        )
    for pid, proc in procedures.items():
        cname, cdoc = _file_for(docs, "procedures_catalog", pid)
        known = {s.id for s in proc.sources}
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
