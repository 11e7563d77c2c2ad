"""Import a national/provincial list of procedures (CSV or XLSX) as info-level catalog entries.

Provinces publish their lists as spreadsheets with at least a code, a name, a field and the level or
authority. Imported entries are found by the NLU by name; the bot answers with the name, the authority and
a pointer to the national portal, and hands the citizen to a person for details.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from bot.content.catalog import Procedure

IMPORTED_DIR = "procedures_catalog/imported"

_HEADERS = {
    "code": {"ma", "ma thu tuc", "ma tthc", "ma so", "code", "ma thu tuc hanh chinh", "so hieu"},
    "name": {"ten", "ten thu tuc", "ten tthc", "name", "ten thu tuc hanh chinh"},
    "field": {"linh vuc", "field", "ten linh vuc"},
    "authority": {"cap thuc hien", "co quan thuc hien", "authority", "level", "cap", "tham quyen",
                  "co quan giai quyet", "cap giai quyet"},
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
    dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t") if text.strip() else csv.excel
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


def entries_from_rows(rows: list[list[str]], source_name: str, today: dt.date,
                      existing_codes: Iterable[str] = ()) -> tuple[list[dict[str, Any]], ImportReport]:
    """Validate each row into an info-level entry; a bad row is reported and skipped, never fatal."""
    report = ImportReport()
    if not rows:
        report.errors.append("tệp rỗng")
        return [], report
    header_at = next((i for i, r in enumerate(rows[:10]) if {"code", "name"} <= set(_columns(r))), None)
    if header_at is None:
        report.errors.append("không tìm thấy dòng tiêu đề có cột 'Mã thủ tục' và 'Tên thủ tục'")
        return [], report
    cols = _columns(rows[header_at])
    known = {c.strip() for c in existing_codes}
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for n, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        if not any(c.strip() for c in row):
            continue

        def get(key: str) -> str:
            i = cols.get(key)
            return row[i].strip() if i is not None and i < len(row) else ""

        code, name = get("code"), get("name")
        if not code and not name:
            continue  # a numbered but empty row, as spreadsheets often end
        if not code:
            report.errors.append(f"dòng {n}: thiếu mã thủ tục")
            continue
        if not name or len(name) < 5:
            report.errors.append(f"dòng {n}: thiếu tên thủ tục (mã {code})")
            continue
        if len(name) > 500:
            report.errors.append(f"dòng {n}: tên thủ tục quá dài (mã {code})")
            continue
        if code in known:
            report.skipped.append(f"dòng {n}: mã {code} đã có hướng dẫn đầy đủ trong danh mục")
            continue
        pid = procedure_id(code)
        if pid in seen:
            report.errors.append(f"dòng {n}: mã {code} bị lặp")
            continue
        seen.add(pid)
        authority = get("authority") or "Cơ quan có thẩm quyền theo danh mục của tỉnh"
        src = {"id": "danh-muc", "title": f"Danh mục thủ tục hành chính ({source_name})"}
        entry = {
            "id": pid, "name": name, "official_name": name, "field": get("field") or "Khác", "level": "info",
            "status": "in_force", "verified": False, "last_reviewed": today.isoformat(),
            "national_code": {"text": code, "sources": ["danh-muc"]},
            "authority": {"text": authority, "sources": ["danh-muc"]},
            "notes": ["Nhập từ danh mục thủ tục; chưa có hướng dẫn chi tiết — bot chuyển người dân tới cán bộ."],
            "sources": [src],
        }
        try:
            Procedure.model_validate(entry)
        except Exception as exc:  # pydantic ValidationError: report the row, keep going
            report.errors.append(f"dòng {n}: không hợp lệ ({str(exc).splitlines()[0]})")
            continue
        out.append(entry)
        report.imported.append(pid)
    return out, report


def import_file(path: Path, root: Path, today: dt.date, existing_codes: Iterable[str] = ()) -> ImportReport:
    """Read ``path`` and write one YAML file per procedure under procedures_catalog/imported/."""
    try:
        rows = read_rows(path)
    except Exception as exc:
        return ImportReport(errors=[f"không đọc được tệp: {exc}"])
    entries, report = entries_from_rows(rows, path.name, today, existing_codes)
    target = root / IMPORTED_DIR
    target.mkdir(parents=True, exist_ok=True)
    for e in entries:
        (target / f"{e['id']}.yml").write_text(
            "# Nhập tự động từ danh mục thủ tục; sửa tay được, nhập lại sẽ ghi đè.\n"
            + yaml.safe_dump(e, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return report
