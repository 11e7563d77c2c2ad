"""One way to show a moment to a person: Vietnam time (Asia/Ho_Chi_Minh), whatever the database returned.

The database keeps UTC (SQLite hands back naive UTC datetimes, PostgreSQL aware ones); pages, CSV/XLSX exports
and PDFs all format through here so staff never see a UTC clock."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DATETIME = "%d/%m/%Y %H:%M"
TZ_LABEL = "giờ Việt Nam"


def to_vn(t: dt.datetime) -> dt.datetime:
    """The same moment on the Vietnamese clock; a naive time is taken as UTC."""
    return (t if t.tzinfo else t.replace(tzinfo=dt.UTC)).astimezone(VN_TZ)


def vn_time(t: dt.datetime | str | None, fmt: str = DATETIME) -> str:
    """``t`` (a datetime or an ISO string) formatted in Vietnam time; "" for nothing or an unreadable value."""
    if t is None or t == "":
        return ""
    if isinstance(t, str):
        try:
            t = dt.datetime.fromisoformat(t)
        except ValueError:
            return ""
    return to_vn(t).strftime(fmt)
