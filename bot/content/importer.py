"""Import a national/provincial list of procedures (CSV, XLSX or JSON lines) as catalog entries.

Provinces publish each procedure's record: code, name, field, authority, how to submit, documents, time
limit, fee, legal basis, result, who may file. Imported entries are found by the NLU by name and walked by
the generic flow (bot/content/generic.py); every fact names the file and row it came from and stays
unverified until an admin checks it.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.content.catalog import Procedure

IMPORTED_DIR = "procedures_catalog/imported"

_HEADERS = {
    "code": {"ma", "ma thu tuc", "ma tthc", "ma so", "code", "ma thu tuc hanh chinh", "so hieu", "ma so tthc"},
    "name": {"ten", "ten thu tuc", "ten tthc", "name", "ten thu tuc hanh chinh"},
    "field": {"linh vuc", "field", "ten linh vuc"},
    "authority": {"co quan thuc hien", "authority", "tham quyen", "co quan giai quyet", "co quan co tham quyen"},
    "level": {"cap thuc hien", "level", "cap", "cap giai quyet"},
    "channels": {"cach thuc thuc hien", "cach thuc nop", "channels", "cach nop", "hinh thuc nop"},
    "documents": {"thanh phan ho so", "thanh phan so luong ho so", "documents", "ho so", "giay to"},
    "time_limit": {"thoi han giai quyet", "thoi han", "time limit", "time_limit"},
    "fee": {"phi le phi", "le phi", "phi", "fee", "muc phi le phi"},
    "legal_basis": {"can cu phap ly", "legal basis", "legal_basis", "co so phap ly"},
    "result": {"ket qua thuc hien", "ket qua", "result", "ket qua giai quyet"},
    "applies_to": {"doi tuong thuc hien", "applies to", "applies_to", "doi tuong"},
    "source": {"nguon", "nguon du lieu", "source", "url", "lien ket"},
}
def _fold(s: str) -> str:
    s = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    s = "".join(c for c in s if unicodedata.category(c) != "Mn").lower()
    return re.sub(r"[^a-z0-9]+", " ", s).strip()


@dataclass
class ImportReport:
    """What an import did, row by row."""

    imported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)
    records: list[Any] = field(default_factory=list)


def read_rows(path: Path) -> list[list[str]]:
    """Rows of a CSV (UTF-8, with or without BOM; comma or semicolon) or XLSX file."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        ws = wb.worksheets[0]
        rows = [["" if c is None else str(c).strip() for c in row] for row in ws.iter_rows(values_only=True)]
        wb.close()
        return rows
    text = path.read_bytes().decode("utf-8-sig")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    except csv.Error:   # the sniffer gives up on short or regular files: a province's CSV is comma-separated
        dialect = csv.excel
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), dialect)]


def _columns(header: list[str]) -> dict[str, int]:
    cols: dict[str, int] = {}
    for i, h in enumerate(header):
        f = _fold(h)
        for key, names in _HEADERS.items():
            if key not in cols and f in names:
                cols[key] = i
    return cols


def procedure_id(code: str) -> str:
    """``1.001193`` → ``tthc.1-001193``: a stable id in the project's label format."""
    slug = re.sub(r"[^a-z0-9]+", "-", _fold(code)).strip("-")
    return f"tthc.{slug}"


_BULLET = re.compile(r"^\s*(?:[-+•*–]|\(?[0-9]{1,2}[.)]|\(?[a-zđ][.)])\s*", re.IGNORECASE)
_COUNT = re.compile(r"\b0?([1-9][0-9]?)\s*(?:bản|bộ)\b", re.IGNORECASE)
_FORM_NOTE = re.compile(r"\s*\((?:[^()]*\b(?:bản chính|bản sao|xuất trình|bản)\b[^()]*)\)", re.IGNORECASE)
_OPTIONAL = re.compile(r"\(?\s*nếu\s+có\s*\)?", re.IGNORECASE)


def _form_of(folded: str) -> str:
    """How a document is presented, read from its wording ("bản chính", "bản sao", "xuất trình")."""
    if "xuat trinh" in folded:
        return "present"
    has_original, has_copy = "ban chinh" in folded, "ban sao" in folded
    if has_original and has_copy:
        return "original_or_copy"
    if has_copy:
        return "copy"
    return "original"


def _doc_lines(value: str | list[str]) -> list[str]:
    """One document per line (or list item); headings such as "Thành phần hồ sơ gồm:" are dropped."""
    lines = value if isinstance(value, list) else str(value).replace("\r", "\n").replace(";\n", "\n").split("\n")
    out = []
    for raw in lines:
        line = _BULLET.sub("", str(raw)).strip(" ;.")
        folded = _fold(line)
        if len(folded) < 4 or line.endswith(":") or folded.startswith(("so luong ho so", "thanh phan ho so")):
            continue
        out.append(line)
    return out


def parse_documents(value: str | list[str], source: str) -> list[dict[str, Any]]:
    """The documents of a "Thành phần hồ sơ" cell, each with its form, count and whether it is optional."""
    docs: list[dict[str, Any]] = []
    seen: set[str] = set()
    for line in _doc_lines(value):
        folded = _fold(line)
        optional = "neu co" in folded
        name = _FORM_NOTE.sub("", _OPTIONAL.sub("", line)).strip(" ,;.")
        name = re.sub(r"\s*[:(,–-]?\s*\(?0?[1-9][0-9]?\s*(?:bản|bộ)\b.*$", "", name, flags=re.IGNORECASE) or name
        name = name[:200].strip(" ,;.:(") or line[:200]
        base = re.sub(r"[^a-z0-9]+", "-", _fold(name))
        base = (base[:40].rsplit("-", 1)[0] if len(base) > 40 else base).strip("-") or "giay-to"
        slug, i = base, 2
        while slug in seen:
            slug, i = f"{base}-{i}", i + 1
        seen.add(slug)
        count = _COUNT.search(line)
        docs.append({
            "id": slug, "name": name, "explain": line[:600], "form": _form_of(folded),
            "count": int(count.group(1)) if count else 1, "optional": optional,
            "sources": [source], "verified": False,
        })
    return docs


def _channels(folded: str) -> list[str]:
    out = [c for c, words in (("in_person", ("truc tiep",)), ("post", ("buu chinh", "buu dien")),
                             ("online", ("truc tuyen", "dich vu cong", "online"))) if any(w in folded for w in words)]
    return out or ["in_person"]


def _fact(text: str, source: str) -> dict[str, Any] | None:
    text = text.strip()
    return {"text": text, "sources": [source], "verified": False} if text else None


def _source(source_name: str, n: int, cited: str) -> dict[str, Any]:
    """Where the row's facts were read: the file and row, and the public page the row cites, if any."""
    src: dict[str, Any] = {"id": f"nhap-dong-{n}", "title": f"{source_name}, dòng {n}"}
    url = next((w for w in cited.split() if w.startswith(("http://", "https://"))), None)
    if url:
        src["url"] = url
    rest = " ".join(w for w in cited.split() if w != url).strip(" -–;,")
    if rest:
        src["title"] += f" (theo {rest[:300]})"
    return src


def build_entry(get: Any, code: str, name: str, source_name: str, n: int, today: dt.date) -> dict[str, Any]:
    """One catalog entry from a record; every fact names the row it came from and is unverified."""
    src = _source(source_name, n, get("source"))
    sid = src["id"]
    authority = get("authority") or get("level") or "Cơ quan có thẩm quyền theo danh mục của tỉnh"
    entry: dict[str, Any] = {
        "id": procedure_id(code), "name": name, "official_name": name, "field": get("field") or "Khác",
        "level": "full", "imported": True, "status": "in_force", "verified": False,
        "last_reviewed": today.isoformat(),
        "national_code": _fact(code, sid), "authority": _fact(authority, sid),
        "legal_basis": [_fact(x, sid) for x in _doc_lines(get("legal_basis"))],
        "documents": parse_documents(get("documents"), sid),
        "time_limit": _fact(get("time_limit"), sid), "result": _fact(get("result"), sid),
        "applies_to": _fact(get("applies_to"), sid),
        "notes": [("Nhập từ danh mục thủ tục của tỉnh; bot hướng dẫn theo luồng chung (flows/_generic.yml) "
                   "cho tới khi có luồng viết tay. Mọi thông tin chưa được cán bộ xác minh.")],
        "sources": [src],
    }
    if get("fee"):
        entry["fee"] = {"text": get("fee"), "sources": [sid], "verified": False}
    if get("channels"):
        channels = _channels(_fold(get("channels")))
        entry["submission"] = {"where": _fact(get("channels"), sid), "channels": channels,
                               "online": "partial" if "online" in channels else "none"}
    return {k: v for k, v in entry.items() if v not in (None, [])}


def _getter(row: list[str] | dict[str, Any], cols: dict[str, int]) -> Any:
    def get(key: str) -> Any:
        if isinstance(row, dict):
            value = row.get(key, "")
            return value if isinstance(value, list) else str(value or "").strip()
        i = cols.get(key)
        return row[i].strip() if i is not None and i < len(row) else ""
    return get


def _records(rows: list[list[str]] | list[dict[str, Any]], report: ImportReport
             ) -> list[tuple[int, list[str] | dict[str, Any]]] | None:
    """Numbered records after the header row (tables) or as given (JSON lines); None when no header."""
    if rows and isinstance(rows[0], tuple):
        return [(n, r) for n, r in rows]  # type: ignore[misc]
    header_at = next((i for i, r in enumerate(rows[:10]) if {"code", "name"} <= set(_columns(r))), None)  # type: ignore[arg-type]
    if header_at is None:
        report.errors.append("không tìm thấy dòng tiêu đề có cột 'Mã thủ tục' và 'Tên thủ tục'")
        return None
    report.columns = _columns(rows[header_at])  # type: ignore[arg-type]
    return list(enumerate(rows[header_at + 1:], start=header_at + 2))


def entries_from_rows(rows: list[Any], source_name: str, today: dt.date,
                      existing_codes: Iterable[str] = ()) -> tuple[list[dict[str, Any]], ImportReport]:
    """Validate each record into a catalog entry; a bad row is reported and skipped, never fatal."""
    report = ImportReport()
    if not rows:
        report.errors.append("tệp rỗng")
        return [], report
    records = _records(rows, report)
    if records is None:
        return [], report
    known = {c.strip() for c in existing_codes}
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for n, row in records:
        get = _getter(row, report.columns)
        if isinstance(row, list) and not any(c.strip() for c in row):
            continue
        code, name = get("code"), " ".join(str(get("name")).split())
        if not code and not name:
            continue  # a numbered but empty row, as spreadsheets often end
        problem = _row_problem(code, name, known, seen)
        if problem:
            (report.skipped if "đã có hướng dẫn" in problem else report.errors).append(f"dòng {n}: {problem}")
            continue
        entry = build_entry(get, code, name, source_name, n, today)
        try:
            Procedure.model_validate(entry)
        except Exception as exc:  # noqa: BLE001 — pydantic ValidationError and any other: report the row, keep going
            report.errors.append(f"dòng {n}: không hợp lệ ({str(exc).splitlines()[0]})")
            continue
        seen.add(entry["id"])
        out.append(entry)
        report.imported.append(entry["id"])
    return out, report


def _row_problem(code: str, name: str, known: set[str], seen: set[str]) -> str | None:
    if not code:
        return "thiếu mã thủ tục"
    if not name or len(name) < 5:
        return f"thiếu tên thủ tục (mã {code})"
    if len(name) > 500:
        return f"tên thủ tục quá dài (mã {code})"
    if len(code) > 40:
        return f"mã thủ tục quá dài ({code[:40]}…)"
    if code in known:
        return f"mã {code} đã có hướng dẫn đầy đủ trong danh mục"
    if procedure_id(code) in seen:
        return f"mã {code} bị lặp"
    return None


def read_jsonl(path: Path) -> ImportReport:
    """JSON lines: one record per line, keys as the table headers (Vietnamese or English), folded."""
    records: list[tuple[int, dict[str, Any]]] = []
    report = ImportReport()
    for n, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            report.errors.append(f"dòng {n}: không phải JSON hợp lệ ({exc.msg})")
            continue
        if not isinstance(data, dict):
            report.errors.append(f"dòng {n}: mỗi dòng phải là một đối tượng JSON")
            continue
        cols = _columns([str(k) for k in data])
        values = list(data.values())
        records.append((n, {key: values[i] for key, i in cols.items()}))
    report.records = records
    return report


def import_file(path: Path, root: Path, today: dt.date, existing_codes: Iterable[str] = ()) -> ImportReport:
    """Read ``path`` and write one YAML file per procedure under procedures_catalog/imported/.

    Re-importing rewrites an entry in place; an entry whose id has a hand-written flow is left alone."""
    try:
        if path.suffix.lower() in (".jsonl", ".ndjson"):
            pre = read_jsonl(path)
            rows: list[Any] = pre.records
        else:
            pre, rows = ImportReport(), read_rows(path)
    except Exception as exc:  # noqa: BLE001 — any unreadable file (CSV, XLSX, JSON) is one clear error
        return ImportReport(errors=[f"không đọc được tệp: {exc}"])
    if not rows and pre.errors:
        return pre
    entries, report = entries_from_rows(rows, path.name, today, existing_codes)
    report.errors = pre.errors + report.errors
    target = root / IMPORTED_DIR
    target.mkdir(parents=True, exist_ok=True)
    for e in entries:
        if (root / "flows" / f"{e['id']}.yml").exists():
            report.imported.remove(e["id"])
            report.skipped.append(f"{e['id']}: đã có luồng viết tay flows/{e['id']}.yml, không ghi đè")
            continue
        (target / f"{e['id']}.yml").write_text(
            "# Nhập tự động từ danh mục thủ tục; nhập lại sẽ cập nhật tệp này. Mọi thông tin chưa xác minh.\n"
            + yaml.safe_dump(e, allow_unicode=True, sort_keys=False, width=110), encoding="utf-8")
    return report
