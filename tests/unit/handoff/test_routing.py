"""Working hours, the 'when will someone answer' text, queue order, ticket transitions, sessions."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.handoff import routing
from bot.handoff.ticket import TransitionError, allowed, next_status

UTC = dt.UTC
HOURS = routing.parse_hours("Mon-Fri 07:30-11:30,13:30-17:00")


def vn(y: int, mo: int, d: int, h: int, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=dt.timezone(dt.timedelta(hours=7)))


@pytest.mark.parametrize("when,expected", [
    (vn(2026, 11, 24, 9, 0), (True, None)),                                   # Tuesday morning
    (vn(2026, 11, 24, 12, 0), (False, "13 giờ 30 chiều thứ Ba, 24/11")),      # lunch break
    (vn(2026, 11, 24, 17, 0), (False, "7 giờ 30 sáng thứ Tư, 25/11")),        # closing time is closed
    (vn(2026, 11, 27, 18, 0), (False, "7 giờ 30 sáng thứ Hai, 30/11")),       # Friday evening → Monday
    (vn(2026, 11, 29, 6, 0), (False, "7 giờ 30 sáng thứ Hai, 30/11")),        # Sunday
    (vn(2026, 11, 24, 7, 29), (False, "7 giờ 30 sáng thứ Ba, 24/11")),
])
def test_duty_and_next_opening_in_vietnamese(when: dt.datetime, expected: tuple[bool, str | None]) -> None:
    assert routing.duty(HOURS, when.astimezone(UTC)) == expected


def test_saturday_morning_and_wrapping_day_ranges() -> None:
    h = routing.parse_hours("Mon-Fri 08:00-17:00; Sat 08:00-11:00")
    assert routing.on_duty(h, vn(2026, 11, 28, 9))
    assert not routing.on_duty(h, vn(2026, 11, 28, 12))
    weekend = routing.parse_hours("Sat-Sun 08:00-10:00")
    assert routing.on_duty(weekend, vn(2026, 11, 29, 9)) and not routing.on_duty(weekend, vn(2026, 11, 30, 9))


def test_a_team_that_never_works_has_no_next_time() -> None:
    assert routing.next_on_duty_text(routing.parse_hours(""), vn(2026, 11, 24, 9)) is None


@pytest.mark.parametrize("bad", ["Mon-Fri", "Xyz 08:00-09:00", "Mon 09:00-08:00", "Mon 25:00-26:00"])
def test_bad_hours_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        routing.parse_hours(bad)


@given(st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31)))
def test_next_opening_is_never_in_the_past_and_is_on_duty(naive: dt.datetime) -> None:
    now = naive.replace(tzinfo=UTC)
    nxt = routing.next_opening(HOURS, now)
    assert nxt is not None and nxt >= now.replace(second=0, microsecond=0) - dt.timedelta(minutes=1)
    assert routing.on_duty(HOURS, nxt)
    assert nxt - now < dt.timedelta(days=4)


def test_queue_puts_own_team_first_then_oldest() -> None:
    t0 = dt.datetime(2026, 11, 24, 1, tzinfo=UTC)
    items = [("b", t0), ("a", t0 + dt.timedelta(minutes=5)), ("a", t0 + dt.timedelta(minutes=1)), ("c", t0)]
    out = routing.order_queue(items, "a", lambda i: i[0], lambda i: i[1])
    assert out == [items[2], items[1], items[0], items[3]]


def test_wait_text() -> None:
    assert routing.wait_text(0) == "vừa xong"
    assert routing.wait_text(12) == "12 phút"
    assert routing.wait_text(125) == "2 giờ 5 phút"
    assert routing.wait_text(120) == "2 giờ"


def test_ticket_transitions() -> None:
    assert next_status("queued", "claim") == "claimed"
    assert next_status("claimed", "transfer") == "claimed"
    assert next_status("claimed", "return") == "returned"
    assert next_status("queued", "cancel") == "closed"
    for status, action in [("claimed", "claim"), ("returned", "claim"), ("closed", "return"), ("queued", "return")]:
        with pytest.raises(TransitionError):
            next_status(status, action)
    assert "claim" in allowed("queued") and "claim" not in allowed("claimed")


def test_opening_hours_read_as_a_citizen_reads_them() -> None:
    from bot.handoff.routing import hours_vi, parse_hours

    text = hours_vi(parse_hours("Mon-Fri 07:30-11:30,13:30-17:00; Sat 07:30-11:30"))
    assert text == "thứ Hai đến thứ Sáu: 7 giờ 30 – 11 giờ 30, 13 giờ 30 – 17 giờ; thứ Bảy: 7 giờ 30 – 11 giờ 30"


@pytest.mark.parametrize("tz", ["Asia/Ho_Chi_Minh", "Asia/Kolkata", "Asia/Kathmandu", "Europe/Berlin"])
def test_duty_answers_are_memoized_per_minute_without_changing_them(tz: str) -> None:
    """duty, on_duty and next_on_duty_text are remembered for the minute (one entry per Hours): every instant
    gets what the plain functions give — half-hour and 45-minute offsets, a DST change, the +7:06:40 of 1900."""
    hours = routing.parse_hours("Mon-Fri 07:30-11:30,13:30-17:00; Sat 08:00-11:00", tz)
    starts = [dt.datetime(2026, 3, 28, 20, 0, tzinfo=UTC), dt.datetime(1900, 1, 5, 0, 0, tzinfo=UTC)]
    for start in starts:
        for i in range(0, 3 * 24 * 60, 7):
            for second in (0, 1, 30, 59):
                now = start + dt.timedelta(minutes=i, seconds=second, microseconds=999_999 if second == 59 else 0)
                for fn in (routing.duty, routing.on_duty, routing.next_on_duty_text):
                    plain: Any = getattr(fn, "__wrapped__")  # noqa: B009 - set by functools.wraps
                    assert fn(hours, now) == plain(hours, now), (fn.__name__, now)
    naive = dt.datetime(2026, 11, 24, 9, 0)
    assert routing.duty(hours, naive) == routing.duty.__wrapped__(hours, naive)   # type: ignore[attr-defined]
