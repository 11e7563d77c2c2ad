"""Dates and years: "15/3/2020", "ngày 15 tháng 3 năm 2020", "hôm qua" (``today`` is always passed in)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from nlu.fields.base import FieldResult, bad, fold_words, good
from nlu.normalize import fold, nfc_lower

_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})\s*([/\-.])\s*(\d{1,2})(?:\s*\2\s*(\d{4}|\d{2}))?(?![\d/\-])")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_COMPACT_DATE = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{4})(?!\d)")
_WORD_DATE = re.compile(
    r"(?:ngay\s*)?(\d{1,2})\s*(?:thang|thg|th|t)\s*(\d{1,2})(?:\s*(?:nam|n|,|/)?\s*(\d{4}))?(?!\d)"
)


@dataclass(frozen=True, slots=True)
class DateMatch:
    """A date found in folded text; ``problem`` says why it is not a real date."""

    start: int
    end: int
    day: int
    month: int
    year: int | None
    problem: str | None = None
    value: dt.date | None = None


def _full_year(y: str, today: dt.date) -> int:
    if len(y) == 4:
        return int(y)
    yy = int(y)
    return 2000 + yy if 2000 + yy <= today.year else 1900 + yy


def _check(day: int, month: int, year: int | None, today: dt.date) -> tuple[dt.date | None, str | None]:
    if not 1 <= month <= 12:
        return None, f"Tháng {month} không tồn tại, tháng chỉ từ 1 đến 12."
    if day < 1 or day > 31:
        return None, f"Ngày {day} không tồn tại, ngày chỉ từ 1 đến 31."
    try:
        value = dt.date(year if year is not None else 2000, month, day)  # 2000: leap, so 29/02 passes
    except ValueError:
        if month == 2 and day == 29 and year is not None:
            return None, f"Năm {year} không có ngày 29/02."
        return None, f"Ngày {day:02d}/{month:02d} không tồn tại."
    if year is None:
        try:
            value = dt.date(today.year, month, day)
        except ValueError:
            value = dt.date(today.year - today.year % 4, month, day)
    return value, None


def find_dates(text: str, today: dt.date) -> list[DateMatch]:
    """Every date-looking span in ``text`` (offsets index the NFC lower-cased text)."""
    folded = fold(nfc_lower(text))
    found: list[DateMatch] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match[str], d: int, mo: int, y: int | None) -> None:
        if any(m.start() < e and s < m.end() for s, e in taken):
            return
        value, problem = _check(d, mo, y, today)
        found.append(DateMatch(m.start(), m.end(), d, mo, y, problem, value))
        taken.append((m.start(), m.end()))

    for m in _ISO_DATE.finditer(folded):
        add(m, int(m.group(3)), int(m.group(2)), int(m.group(1)))
    for m in _WORD_DATE.finditer(folded):
        add(m, int(m.group(1)), int(m.group(2)), int(m.group(3)) if m.group(3) else None)
    for m in _NUMERIC_DATE.finditer(folded):
        y = _full_year(m.group(4), today) if m.group(4) else None
        add(m, int(m.group(1)), int(m.group(3)), y)
    for m in _COMPACT_DATE.finditer(folded):
        add(m, int(m.group(1)), int(m.group(2)), int(m.group(3)))
    found.sort(key=lambda d: d.start)
    return found


_RELATIVE = {"hom nay": 0, "bua nay": 0, "hom qua": -1, "bua qua": -1, "hom kia": -2}


def validate_date(text: str, today: dt.date, past_only: bool) -> FieldResult:
    f = fold_words(text)
    if f in _RELATIVE:
        day = today + dt.timedelta(days=_RELATIVE[f])
        return good(day.isoformat(), day.strftime("%d/%m/%Y"))
    dates = find_dates(text, today)
    if not dates:
        if re.fullmatch(r"\d{4}", f):
            return bad("Vui lòng ghi đủ ngày, tháng và năm, ví dụ 15/03/2020.")
        return bad("Chưa đọc được ngày. Vui lòng ghi theo dạng ngày/tháng/năm, ví dụ 15/03/2020.")
    if len(dates) > 1:
        return bad("Vui lòng chỉ ghi một ngày, theo dạng ngày/tháng/năm, ví dụ 15/03/2020.")
    d = dates[0]
    if d.problem:
        return bad(d.problem)
    if d.year is None:
        return bad("Vui lòng ghi cả năm, ví dụ 15/03/2020.")
    assert d.value is not None
    if d.value.year < 1900:
        return bad(f"Năm {d.value.year} có vẻ chưa đúng, vui lòng kiểm tra lại.")
    if past_only and d.value > today:
        return bad(f"Ngày {d.value:%d/%m/%Y} chưa tới, vui lòng kiểm tra lại.")
    if d.value.year > today.year + 50:
        return bad(f"Năm {d.value.year} có vẻ chưa đúng, vui lòng kiểm tra lại.")
    return good(d.value.isoformat(), d.value.strftime("%d/%m/%Y"))


def validate_year(text: str, today: dt.date) -> FieldResult:
    m = re.search(r"(?<!\d)(\d{4})(?!\d)", fold_words(text))
    if not m or len(re.findall(r"\d+", text)) != 1:
        return bad("Vui lòng ghi năm bằng 4 chữ số, ví dụ 2020.")
    y = int(m.group(1))
    if y < 1900 or y > today.year + 10:
        return bad(f"Năm {y} có vẻ chưa đúng, vui lòng kiểm tra lại.")
    return good(str(y))
