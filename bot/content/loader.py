"""Read and validate the content folders into a `ContentSnapshot`.

Errors name ``file:line: field: problem`` in Vietnamese, so an admin can
fix a broken edit without reading a traceback.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bot.content.catalog import Procedure
from bot.content.elsewhere import ELSEWHERE_FILE, Elsewhere, ElsewhereList
from bot.content.flow import Flow
from bot.content.generic import GENERIC_FILE, apply_generic
from bot.content.online import ONLINE_FILE, OnlineGuide, unknown_procedures
from bot.content.placed import PlacedError
from bot.content.rules import RULES_FILE, Rule, RuleList
from bot.content.snapshot import ContentSnapshot, SpecEntry
from bot.content.validate import cross_check, rules_check
from bot.content.yamlsrc import ContentError, ContentErrors, YamlDoc, load_yaml

M = TypeVar("M", bound=BaseModel)

SPEC_FILE = "_spec.yml"
PHRASES_FILE = "_phrases.yml"

_MESSAGES = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường không được phép (sai tên?)",
    "string_type": "phải là chuỗi chữ",
    "string_too_short": "không được để trống",
    "string_too_long": "quá dài",
    "string_pattern_mismatch": "sai định dạng mã (chỉ chữ thường không dấu, số, dấu gạch ngang)",
    "int_type": "phải là số nguyên",
    "int_parsing": "phải là số nguyên",
    "bool_type": "phải là true hoặc false",
    "bool_parsing": "phải là true hoặc false",
    "date_type": "phải là ngày dạng YYYY-MM-DD",
    "date_from_datetime_parsing": "phải là ngày dạng YYYY-MM-DD",
    "date_parsing": "phải là ngày dạng YYYY-MM-DD",
    "enum": "giá trị không hợp lệ",
    "literal_error": "giá trị không hợp lệ",
    "union_tag_invalid": "kind không hợp lệ (question, documents, fields, message, handoff, review)",
    "union_tag_not_found": "thiếu kind (question, documents, fields, message, handoff, review)",
    "too_short": "danh sách quá ngắn",
    "too_long": "danh sách quá dài",
    "dict_type": "phải là một bảng khóa: giá trị",
    "model_type": "phải là một bảng khóa: giá trị",
    "tuple_type": "phải là một danh sách",
    "list_type": "phải là một danh sách",
    "greater_than_equal": "giá trị quá nhỏ",
    "less_than_equal": "giá trị quá lớn",
}


def _problem(err: Mapping[str, Any]) -> str:
    kind = err.get("type", "")
    if kind == "value_error":
        msg = str(err.get("msg", ""))
        return msg.removeprefix("Value error, ")
    base = _MESSAGES.get(kind, str(err.get("msg", "không hợp lệ")))
    ctx = err.get("ctx") or {}
    if kind in ("enum", "literal_error") and "expected" in ctx:
        base += f" (cho phép: {ctx['expected']})"
    return base


def _loc_to_path(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    # Discriminated unions add the tag name to loc ("steps", 3, "question", "ask"); drop it.
    out: list[str | int] = []
    for i, part in enumerate(loc):
        if isinstance(part, str) and i > 0 and isinstance(loc[i - 1], int) and part in {
            "question",
            "documents",
            "fields",
            "message",
            "handoff",
            "review",
        }:
            continue
        out.append(part)
    return tuple(out)


def parse_model(doc: YamlDoc, model: type[M]) -> M:
    """Validate ``doc`` against ``model``; raise `ContentErrors` with lines."""
    if not isinstance(doc.data, dict):
        raise ContentErrors([ContentError(doc.file, 1, "", "tệp phải là một bảng khóa: giá trị")])
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        errors = []
        for err in exc.errors():
            path = _loc_to_path(tuple(err["loc"]))
            cause = (err.get("ctx") or {}).get("error")
            if isinstance(cause, PlacedError):   # a whole-file rule that knows the value it is about
                path = path + tuple(cause.path)
            errors.append(
                ContentError(doc.file, doc.line_of(path), ".".join(str(p) for p in path), _problem(err))
            )
        raise ContentErrors(errors) from None


def _parse_named(name: str, text: str, model: type[M], key: str,
                 errors: list[ContentError]) -> tuple[M, YamlDoc] | None:
    """One catalog or flow file, whose ``key`` (its id) must be the file's name; None when it does not parse."""
    try:
        doc = load_yaml(text, name)
        obj = parse_model(doc, model)
    except ContentErrors as exc:
        errors += exc.errors
        return None
    expected = Path(name).name.removesuffix(".yml")
    if getattr(obj, key) != expected:
        errors.append(ContentError(name, doc.line_of((key,)), key, f"mã '{getattr(obj, key)}' khác tên tệp '{expected}'"))
    return obj, doc


def _read(path: Path, name: str) -> str:
    """The file's text; a file saved in another encoding (Latin-1, Windows-1258…) is a content error at the line of
    its first foreign byte, so `motcua validate` says which file to fix instead of printing a traceback."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ContentErrors([ContentError(name, line, "", "tệp không phải UTF-8: hãy lưu lại tệp với bảng mã UTF-8")]
                            ) from None


def load_spec(path: Path) -> tuple[SpecEntry, ...]:
    """The project's labels (procedure and intent ids)."""
    doc = load_yaml(path.read_text(encoding="utf-8"), str(path))
    data = doc.data or {}
    out = [SpecEntry(p["id"], p["name"], "procedure") for p in data.get("procedures", [])]
    out += [SpecEntry(i["id"], i.get("meaning", i["id"]), "intent") for i in data.get("intents", [])]
    return tuple(out)


def _read_catalog(
    catalog_texts: Mapping[str, str], errors: list[ContentError], docs: dict[str, YamlDoc],
) -> tuple[dict[str, Procedure], tuple[Elsewhere, ...], dict[str, Rule], bool]:
    """Parse the catalog files (procedures, rules, elsewhere); errors and parsed docs are collected, not raised.

    The last item is True when _rules.yml is broken, so it is reported once and not at every reference."""
    procedures: dict[str, Procedure] = {}
    elsewhere: tuple[Elsewhere, ...] = ()
    rules: dict[str, Rule] = {}
    rules_broken = False
    for name, text in sorted(catalog_texts.items()):
        if Path(name).name == RULES_FILE:
            try:
                rdoc = load_yaml(text, name)
                rules = {r.id: r for r in parse_model(rdoc, RuleList).rules}
                docs[name] = rdoc
            except ContentErrors as exc:
                errors += exc.errors
                rules_broken = True
            continue
        if Path(name).name == ELSEWHERE_FILE:
            try:
                elsewhere = parse_model(load_yaml(text, name), ElsewhereList).entries
            except ContentErrors as exc:
                errors += exc.errors
            continue
        parsed = _parse_named(name, text, Procedure, "id", errors)
        if parsed is not None:
            procedures[parsed[0].id], docs[name] = parsed
    return procedures, elsewhere, rules, rules_broken


def _read_flows(
    flow_texts: Mapping[str, str], errors: list[ContentError], docs: dict[str, YamlDoc],
) -> tuple[dict[str, Flow], str]:
    """Parse the flow files, collecting errors; the generic template's text is returned apart, applied later
    (the online filing guide is read by `_read_online`)."""
    flows: dict[str, Flow] = {}
    generic_text = ""
    for name, text in sorted(flow_texts.items()):
        if Path(name).name == GENERIC_FILE:
            generic_text = text
            continue
        if Path(name).name == ONLINE_FILE:
            continue
        parsed = _parse_named(name, text, Flow, "procedure", errors)
        if parsed is not None:
            flows[parsed[0].procedure], docs[name] = parsed
    return flows, generic_text


def _read_online(flow_texts: Mapping[str, str], procedures: Mapping[str, Procedure],
                 errors: list[ContentError]) -> OnlineGuide | None:
    """The guided online filing (``flows/_online.yml``), checked against the catalog; None when absent or broken."""
    name = next((n for n in flow_texts if Path(n).name == ONLINE_FILE), None)
    if name is None:
        return None
    try:
        doc = load_yaml(flow_texts[name], name)
        guide = parse_model(doc, OnlineGuide)
    except ContentErrors as exc:
        errors += exc.errors
        return None
    for pid, problem in unknown_procedures(guide, procedures):
        errors.append(ContentError(name, doc.line_of(("procedures", pid)), f"procedures.{pid}", problem))
    return guide


def _read_phrases(phrases_text: str, errors: list[ContentError]) -> dict[str, str]:
    """The bot's phrases (key: text); a malformed file adds an error and yields none."""
    phrases: dict[str, str] = {}
    try:
        pdoc = load_yaml(phrases_text, "flows/" + PHRASES_FILE)
        if not isinstance(pdoc.data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in pdoc.data.items()
        ):
            errors.append(ContentError(pdoc.file, 1, "", "mỗi câu phải là khóa: chuỗi"))
        else:
            phrases = dict(pdoc.data)
    except ContentErrors as exc:
        errors += exc.errors
    return phrases


def load_texts(
    catalog_texts: Mapping[str, str],
    flow_texts: Mapping[str, str],
    phrases_text: str,
    spec: tuple[SpecEntry, ...],
    *,
    require_all: bool = True,
    dated_prose: bool = True,
) -> ContentSnapshot:
    """Validate content given as ``{file name: YAML text}`` (used by files and the admin editor).

    ``dated_prose=False`` serves a version published before dates in free text were refused; any new
    edit or publish is checked in full."""
    errors: list[ContentError] = []
    docs: dict[str, YamlDoc] = {}
    procedures, elsewhere, rules, rules_broken = _read_catalog(catalog_texts, errors, docs)
    flows, generic_text = _read_flows(flow_texts, errors, docs)
    phrases = _read_phrases(phrases_text, errors)
    online = _read_online(flow_texts, procedures, errors)
    try:
        apply_generic(procedures, flows, generic_text)
    except Exception as exc:  # noqa: BLE001 — a broken template is reported like any content error, never a crash
        errors.append(ContentError("flows/" + GENERIC_FILE, 1, "", f"mẫu luồng chung không hợp lệ: {exc}"))
    broken = {Path(e.file).name.removesuffix(".yml") for e in errors}
    later = cross_check(procedures, flows, docs, spec, require_all=require_all)
    later += rules_check(None if rules_broken else rules, procedures, docs, require_all=require_all,
                         dated_prose=dated_prose)
    errors += [e for e in later if not _follows_from(e, broken)]
    if errors:
        raise ContentErrors(errors)
    digest = hashlib.sha256()
    for part in (catalog_texts, flow_texts):
        for k in sorted(part):
            digest.update(k.encode() + b"\0" + part[k].encode() + b"\0")
    digest.update(phrases_text.encode())
    return ContentSnapshot(
        version=digest.hexdigest()[:12], procedures=procedures, flows=flows, phrases=phrases, spec=spec,
        elsewhere=elsewhere, rules=rules, online=online,
    )


def _follows_from(error: ContentError, broken: set[str]) -> bool:
    """True for a cross-file complaint that only exists because a file could not be read
    ("cần luồng flows/x.yml" when flows/x.yml has a syntax error): the admin fixes that file first."""
    if Path(error.file).name.removesuffix(".yml") in broken:
        return True
    return any(f"'{pid}'" in error.problem or f"/{pid}.yml" in error.problem for pid in broken)


def read_folder_texts(root: Path, catalog_dir: str = "procedures_catalog", flows_dir: str = "flows") -> tuple[dict[str, str], dict[str, str], str]:
    """Read the content folders as ``{relative file name: text}``."""
    cat = {
        f"{catalog_dir}/{p.name}": _read(p, f"{catalog_dir}/{p.name}")
        for p in sorted((root / catalog_dir).glob("*.yml"))
        if not p.name.startswith("_") or p.name in (ELSEWHERE_FILE, RULES_FILE)
    }
    cat.update({
        f"{catalog_dir}/imported/{p.name}": _read(p, f"{catalog_dir}/imported/{p.name}")
        for p in sorted((root / catalog_dir / "imported").glob("*.yml"))
    })
    flo = {
        f"{flows_dir}/{p.name}": _read(p, f"{flows_dir}/{p.name}")
        for p in sorted((root / flows_dir).glob("*.yml"))
        if not p.name.startswith("_") or p.name in (GENERIC_FILE, ONLINE_FILE)
    }
    phrases_path = root / flows_dir / PHRASES_FILE
    phrases = _read(phrases_path, f"{flows_dir}/{PHRASES_FILE}") if phrases_path.exists() else "{}"
    return cat, flo, phrases


def load_content(root: Path, *, require_all: bool = True) -> ContentSnapshot:
    """Load and validate the shipped content folders under ``root``."""
    cat, flo, phrases = read_folder_texts(root)
    spec_path = root / "procedures_catalog" / SPEC_FILE
    spec = load_spec(spec_path) if spec_path.exists() else ()
    return load_texts(cat, flo, phrases, spec, require_all=require_all)
