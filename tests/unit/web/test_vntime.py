"""Staff read Vietnam time everywhere: the one helper pages, exports and reports format through."""
from __future__ import annotations

import datetime as dt

from bot.admin.reports import Period
from bot.web.vntime import vn_time


def test_utc_moments_are_shown_on_the_vietnamese_clock() -> None:
    assert vn_time(dt.datetime(2026, 11, 24, 20, 30, tzinfo=dt.UTC)) == "25/11/2026 03:30"
    assert vn_time(dt.datetime(2026, 11, 24, 20, 30)) == "25/11/2026 03:30"          # SQLite: naive UTC
    assert vn_time("2026-11-24T03:00:00+00:00", "%H:%M") == "10:00"
    assert vn_time(None) == "" and vn_time("không phải ngày") == ""


def test_a_report_day_is_a_vietnamese_calendar_day() -> None:
    p = Period.of("day", dt.date(2026, 11, 24))
    # Midnight in Hà Nội is 17:00 UTC the day before: a request at 23:30 Hà Nội time belongs to the 24th.
    assert p.start == dt.datetime(2026, 11, 23, 17, 0, tzinfo=dt.UTC)
    assert p.start <= dt.datetime(2026, 11, 24, 16, 30, tzinfo=dt.UTC) < p.end
