"""SVG charts escape labels; CSV opens in Excel (BOM); XLSX keeps numbers as numbers."""
from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET

from openpyxl import load_workbook

from bot.admin.charts import bar_chart
from bot.admin.export import report_xlsx, table_csv
from bot.admin.reports import Period, Report, Table


def test_bar_chart_is_valid_svg_with_escaped_labels() -> None:
    svg = bar_chart([("<script>alert(1)</script>", 3), ("Đăng ký khai sinh", 6)], title="Top & thủ tục")
    root = ET.fromstring(svg)  # well-formed
    assert "<script>" not in svg
    widths = [float(r.get("width")) for r in root.iter("{http://www.w3.org/2000/svg}rect")]
    assert widths[1] == 2 * widths[0]


def test_empty_chart_says_no_data() -> None:
    assert "Chưa có số liệu" in bar_chart([], title="x")


def _report() -> Report:
    p = Period.of("month", dt.date(2026, 3, 15))
    t = Table("thu_tuc", "Thủ tục", ["STT", "Thủ tục", "Số lượt"], [[1, "Đăng ký khai sinh", 7], [2, "Kết hôn", None]])
    return Report("xa-a", p, {"thu_tuc": t})


def test_csv_has_bom_title_and_vietnamese_headers() -> None:
    data = table_csv(_report(), "thu_tuc")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Thủ tục — Tổ xa-a — Tháng 03/2026"]
    assert rows[2] == ["STT", "Thủ tục", "Số lượt"]
    assert rows[3] == ["1", "Đăng ký khai sinh", "7"] and rows[4][2] == ""


def test_xlsx_opens_and_numbers_are_numbers() -> None:
    wb = load_workbook(io.BytesIO(report_xlsx(_report())))
    ws = wb["Thủ tục"]
    assert ws["A1"].value.startswith("Thủ tục — Tổ xa-a")
    assert [c.value for c in ws[3]] == ["STT", "Thủ tục", "Số lượt"]
    assert ws["C4"].value == 7 and isinstance(ws["C4"].value, int)


def test_periods() -> None:
    d = dt.date(2026, 3, 18)  # a Wednesday
    w = Period.of("week", d)
    assert w.start.date() == dt.date(2026, 3, 16) and w.end.date() == dt.date(2026, 3, 23)
    assert Period.of("month", dt.date(2026, 12, 31)).end.date() == dt.date(2027, 1, 1)
    c = Period.of("custom", d, dt.date(2026, 3, 1), dt.date(2026, 3, 2))
    assert c.end.date() == dt.date(2026, 3, 3) and "01/03/2026" in c.label
