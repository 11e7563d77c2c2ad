"""Pure routing decisions: which team a conversation belongs to, a team's working hours, whether
someone is on duty, when they next are, and how a queue is ordered for an agent (own team first, oldest first)."""
from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from bot.privacy.masking import keep_ends

ASSIST_CHANNEL = "assist"   # conversations an officer opens for a citizen at the desk (bot/assist)
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_VI = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


@dataclass(frozen=True, slots=True)
class Hours:
    """Opening windows per weekday (0 = Monday) as minutes since midnight, local time."""

    windows: tuple[tuple[tuple[int, int], ...], ...]
    tz: str = "Asia/Ho_Chi_Minh"


def _minutes(s: str) -> int:
    h, m = s.split(":")
    hi, mi = int(h), int(m)
    if not (0 <= hi <= 24 and 0 <= mi < 60):
        raise ValueError(f"giờ không hợp lệ: {s}")
    return hi * 60 + mi


def parse_hours(spec: str, tz: str = "Asia/Ho_Chi_Minh") -> Hours:
    """Parse "Mon-Fri 07:30-11:30,13:30-17:00; Sat 07:30-11:30" into weekday windows."""
    days: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        m = re.fullmatch(r"([A-Za-z]{3})(?:-([A-Za-z]{3}))?\s+(.+)", part)
        if not m:
            raise ValueError(f"không hiểu khung giờ: {part}")
        a = DAYS.index(m.group(1).title())
        b = DAYS.index(m.group(2).title()) if m.group(2) else a
        wins = []
        for w in m.group(3).split(","):
            start, end = (_minutes(x.strip()) for x in w.split("-"))
            if end <= start:
                raise ValueError(f"khung giờ ngược: {w}")
            wins.append((start, end))
        d = a
        while True:
            days[d].extend(wins)
            if d == b:
                break
            d = (d + 1) % 7
    return Hours(tuple(tuple(sorted(w)) for w in days), tz)


def _clock_vi(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    return f"{h} giờ" + (f" {m:02d}" if m else "")


def hours_vi(hours: Hours) -> str:
    """Opening hours as a citizen reads them: "thứ Hai đến thứ Sáu: 7 giờ 30 – 11 giờ 30, 13 giờ 30 – 17 giờ;
    thứ Bảy: 7 giờ 30 – 11 giờ 30" (consecutive days with the same windows are joined)."""
    groups: list[tuple[int, int, tuple[tuple[int, int], ...]]] = []
    for day, wins in enumerate(hours.windows):
        if groups and groups[-1][2] == wins and groups[-1][1] == day - 1:
            groups[-1] = (groups[-1][0], day, wins)
        else:
            groups.append((day, day, wins))
    parts = []
    for first, last, wins in groups:
        if not wins:
            continue
        days = DAY_VI[first] if first == last else f"{DAY_VI[first]} đến {DAY_VI[last]}"
        parts.append(f"{days}: " + ", ".join(f"{_clock_vi(a)} – {_clock_vi(b)}" for a, b in wins))
    return "; ".join(parts)


R = TypeVar("R")
_MINUTE = dt.timedelta(minutes=1)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _steady_minute(tz: str, minute: int) -> bool:
    """Whether every instant of this UTC minute (minutes since the epoch) falls in one local minute of ``tz``: the
    same whole-minute UTC offset at its first and last microsecond (not a historical LMT offset such as +7:06:40)."""
    zone = ZoneInfo(tz)
    first = _EPOCH + minute * _MINUTE
    offset = first.astimezone(zone).utcoffset()
    return (offset is not None and offset % _MINUTE == dt.timedelta(0)
            and (first + _MINUTE - dt.timedelta(microseconds=1)).astimezone(zone).utcoffset() == offset)


def _per_minute(fn: Callable[[Hours, dt.datetime], R]) -> Callable[[Hours, dt.datetime], R]:
    """Memoize ``fn(hours, now)`` for the minute ``now`` falls in: every turn asks whether someone is on duty and
    when they next are, and the answer reads only the local minute (hours and minutes, the date, the weekday).
    One entry per ``Hours`` value (the teams' and communes' configured hours, never a citizen's data), held by
    identity, replaced when the minute changes."""
    cache: dict[int, tuple[Hours, int, R]] = {}

    @functools.wraps(fn)
    def memo(hours: Hours, now: dt.datetime) -> R:
        if now.tzinfo is None:   # a naive time is read as the machine's local time: not memoized
            return fn(hours, now)
        minute = (now - _EPOCH) // _MINUTE
        hit = cache.get(id(hours))
        if hit is not None and hit[0] is hours and hit[1] == minute:
            return hit[2]
        result = fn(hours, now)
        if _steady_minute(hours.tz, minute):
            if len(cache) >= 512:   # hours edited many times: forget the old values
                cache.clear()
            cache[id(hours)] = (hours, minute, result)
        return result

    return memo


@_per_minute
def on_duty(hours: Hours, now: dt.datetime) -> bool:
    local = now.astimezone(ZoneInfo(hours.tz))
    mins = local.hour * 60 + local.minute
    return any(s <= mins < e for s, e in hours.windows[local.weekday()])


def next_opening(hours: Hours, now: dt.datetime) -> dt.datetime | None:
    """The next moment someone is on duty (now if on duty); None when the team never works."""
    zone = ZoneInfo(hours.tz)
    local = now.astimezone(zone)
    mins = local.hour * 60 + local.minute
    for offset in range(8):
        day = local.date() + dt.timedelta(days=offset)
        for s, e in hours.windows[day.weekday()]:
            if offset == 0 and mins >= e:
                continue
            if offset == 0 and s <= mins:
                return local
            return dt.datetime.combine(day, dt.time(s // 60, s % 60), zone)
    return None


def vi_time(t: dt.datetime) -> str:
    """"8 giờ sáng thứ Hai, 01/12" / "13 giờ 30 chiều thứ Ba, 02/12"."""
    part = "sáng" if t.hour < 11 else "trưa" if t.hour < 13 else "chiều" if t.hour < 18 else "tối"
    clock = f"{t.hour} giờ" + (f" {t.minute:02d}" if t.minute else "")
    return f"{clock} {part} {DAY_VI[t.weekday()]}, {t.day:02d}/{t.month:02d}"


@_per_minute
def next_on_duty_text(hours: Hours, now: dt.datetime) -> str | None:
    nxt = next_opening(hours, now)
    return vi_time(nxt) if nxt is not None else None


@_per_minute
def duty(hours: Hours, now: dt.datetime) -> tuple[bool, str | None]:
    """The engine's duty hook answer: (on duty now, when someone next answers in Vietnamese)."""
    if on_duty(hours, now):
        return True, None
    return False, next_on_duty_text(hours, now)


def wait_minutes(requested_at: dt.datetime, now: dt.datetime) -> int:
    return max(0, int((now - requested_at).total_seconds() // 60))


def wait_text(minutes: int) -> str:
    if minutes < 1:
        return "vừa xong"
    if minutes < 60:
        return f"{minutes} phút"
    h, m = divmod(minutes, 60)
    return f"{h} giờ {m} phút" if m else f"{h} giờ"


T = TypeVar("T")


class RouteRule(Protocol):
    """What `route_team` reads of a configured rule (``handoff.routes`` in config.yml). Read-only properties,
    so a rule holding lists (the settings model) fits as well as one holding tuples."""

    @property
    def team(self) -> str: ...

    @property
    def channels(self) -> Sequence[str]: ...

    @property
    def procedures(self) -> Sequence[str]: ...


def route_team(rules: Iterable[RouteRule], channel: str, procedure_id: str | None) -> str | None:
    """The team of the first rule that fits, None when none does.

    A rule fits when its ``channels`` (any when empty) hold the channel and one of its ``procedures``
    patterns (any when empty; shell-style, e.g. ``dat-dai.*``) matches the procedure under discussion.
    """
    for r in rules:
        if r.channels and channel not in r.channels:
            continue
        if r.procedures and not (procedure_id and any(fnmatchcase(procedure_id, p) for p in r.procedures)):
            continue
        return r.team
    return None


ROLES = ("agent", "officer", "admin")   # digital team · one-stop officer (desk + console) · admin
ROLES_VI = {"agent": "tổ công nghệ số", "officer": "cán bộ một cửa", "admin": "quản trị viên"}


def works_desk(role: str) -> bool:
    """Only officers (and admins) record official numbers and dossier statuses; others read the desk."""
    return role in ("officer", "admin")


def visible_teams(role: str, team: str) -> frozenset[str] | None:
    """Teams an account may see: None = all (admin)."""
    return None if role == "admin" else frozenset({team})


def order_queue(items: Iterable[T], my_team: str, team_of: Callable[[T], str],
                requested_of: Callable[[T], dt.datetime]) -> list[T]:
    """Own team first, then the oldest request first."""
    return sorted(items, key=lambda i: (team_of(i) != my_team, requested_of(i)))


def mask_phone(phone: str | None) -> str:
    """A phone number as logs may show it."""
    if not phone:
        return ""
    return keep_ends(phone, 3, 2, "****", min_len=6, short="****")


__all__: Sequence[str] = (
    "Hours",
    "duty",
    "mask_phone",
    "next_on_duty_text",
    "next_opening",
    "on_duty",
    "order_queue",
    "parse_hours",
    "route_team",
    "vi_time",
    "visible_teams",
    "wait_minutes",
    "wait_text",
)
