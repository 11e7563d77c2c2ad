"""Misses are grouped so an admin labels a whole family of phrasings at once."""
from __future__ import annotations

import datetime as dt

from bot.admin.misses import Miss, fold, group_misses

T = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def m(i: int, text: str, label: str | None = None) -> Miss:
    return Miss(i, text, label, 0.2, T, None)


def test_fold_removes_accents_and_punctuation() -> None:
    assert fold("Đăng KÍ  khai-sinh!") == "dang ki khai sinh"


def test_accent_and_spelling_variants_group_together() -> None:
    groups = group_misses([
        m(1, "đăng kí khai sinh cho con"),
        m(2, "dang ky khai sinh cho con", "ho-tich.khai-sinh"),
        m(3, "xin giấy phép xây nhà"),
        m(4, "Đăng ký khai sinh cho con ạ"),
        m(5, "xin giay phep xay nha o"),
        m(6, "thời tiết hôm nay"),
    ])
    sets = [sorted(x.event_id for x in g.items) for g in groups]
    assert sets[0] == [1, 2, 4]
    assert [3, 5] in sets and [6] in sets
    assert groups[0].suggested_label == "ho-tich.khai-sinh"
    assert groups[0].representative.event_id == 1


def test_empty_texts_are_ignored() -> None:
    assert group_misses([m(1, "  !!! ")]) == []
