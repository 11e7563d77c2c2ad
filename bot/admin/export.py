"""CSV (UTF-8 with BOM, so Excel shows Vietnamese) and XLSX exports of report tables.

Layout a commune can paste: a title row (table, team, period), a blank row, the header row, data.
"""
from __future__ import annotations

import csv
import io

from bot.admin.reports import Report, Table


def _title(report: Report, table: Table) -> str:
    return f"{table.title} — {report.scope} — {report.period.label}"


def table_csv(report: Report, key: str) -> bytes:
    table = report.tables[key]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([_title(report, table)])
    w.writerow([])
    w.writerow(table.headers)
    for row in table.rows:
        w.writerow(["" if v is None else v for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def report_xlsx(report: Report, keys: list[str] | None = None) -> bytes:
    """One sheet per table; numbers stay numbers so the commune's formulas work."""
    from openpyxl import Workbook  # here, not at import: openpyxl is ~0.1-0.5 s of every worker's start-up
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    for key in keys or list(report.tables):
        table = report.tables[key]
        ws = wb.create_sheet(table.title[:31])
        ws.append([_title(report, table)])
        ws["A1"].font = Font(bold=True, size=12)
        ws.append([])
        ws.append(table.headers)
        for cell in ws[3]:
            cell.font = Font(bold=True)
        for row in table.rows:
            ws.append(row)
        for i, h in enumerate(table.headers, 1):
            width = max([len(str(h))] + [len(str(r[i - 1])) for r in table.rows if r[i - 1] is not None])
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(10, width + 2))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
