"""Entities found in a free message, with offsets into what the citizen typed."""
from __future__ import annotations

import datetime as dt

from nlu.entities import extract_entities

TODAY = dt.date(2026, 11, 24)


def kinds(text: str) -> dict[str, str]:
    return {e.type: e.value for e in extract_entities(text, today=TODAY)}


def test_a_full_self_introduction() -> None:
    text = ("Tôi tên là Nguyễn Văn An, sinh ngày 12/3/1990, CCCD 001090123456, sđt 0912 345 678, "
            "dân tộc Kinh, địa chỉ thôn Đông, xã Hòa An, tỉnh Cao Bằng.")
    ents = extract_entities(text, today=TODAY)
    got = {e.type: e.value for e in ents}
    assert got["person_name"] == "Nguyễn Văn An"
    assert got["date"] == "1990-03-12"
    assert got["id_number"] == "001090123456"
    assert got["phone"] == "0912345678"
    assert got["ethnicity"] == "Kinh"
    assert got["address"] == "thôn Đông, xã Hòa An, tỉnh Cao Bằng"
    for e in ents:
        assert text[e.start:e.end] == e.text


def test_dates_in_words_and_short_months() -> None:
    assert kinds("bé sinh ngày 5 tháng 6 năm 2024")["date"] == "2024-06-05"
    assert kinds("hẹn 12 thg 3")["date"] == "2026-03-12"


def test_invalid_dates_and_ids_are_not_entities() -> None:
    got = kinds("sinh 31/02/2020, số 999090123456")
    assert "date" not in got and "id_number" not in got


def test_money_is_not_a_date_and_plus84_phone_is_found() -> None:
    got = kinds("giá 1.5 triệu, gọi +84 987.654.321")
    assert "date" not in got
    assert got["phone"] == "0987654321"


def test_gender_and_province_without_diacritics() -> None:
    got = kinds("be gai nha toi o ha noi")
    assert got["gender"] == "Nữ"
    assert got["province"] == "Thành phố Hà Nội"


def test_old_id_number_and_name_without_diacritics() -> None:
    got = kinds("toi ten la tran thi b, cmnd 123456789")
    assert got["person_name"] == "Tran Thi B"
    assert got["old_id_number"] == "123456789"


def test_nothing_in_small_talk() -> None:
    assert extract_entities("chào bạn, hôm nay trời đẹp quá", today=TODAY) == ()


def test_numbers_outside_other_entities() -> None:
    got = [(e.type, e.value) for e in extract_entities("con 3 tuổi, giá 1.500.000 đồng, sđt 0912345678", today=TODAY)]
    assert got == [("number", "3"), ("number", "1500000"), ("phone", "0912345678")]


def test_dates_are_read_against_the_day_the_caller_gives() -> None:
    """The NLU never reads the clock: "15/3" is this year's 15 March for the day passed in, and a parse with no
    day finds no date (nor checks the birth year inside an ID number) rather than guessing one."""
    text = "hẹn ngày 15/3, CCCD 001099123456"
    assert kinds(text)["date"] == "2026-03-15"
    assert {e.type: e.value for e in extract_entities(text, today=dt.date(2031, 1, 2))}["date"] == "2031-03-15"
    undated = {e.type: e.value for e in extract_entities(text, today=None)}
    assert "date" not in undated and undated["id_number"] == "001099123456"
