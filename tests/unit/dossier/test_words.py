"""Numbers and dates in Vietnamese words, as written on the form's "ghi bằng chữ" line."""
import datetime as dt

import pytest

from nlu.words import date_words, month_words, number_words, parse_date


@pytest.mark.parametrize("n, words", [
    (0, "không"), (1, "một"), (4, "bốn"), (5, "năm"), (10, "mười"), (11, "mười một"), (14, "mười bốn"),
    (15, "mười lăm"), (20, "hai mươi"), (21, "hai mươi mốt"), (24, "hai mươi tư"), (25, "hai mươi lăm"),
    (31, "ba mươi mốt"), (100, "một trăm"), (101, "một trăm linh một"), (104, "một trăm linh bốn"),
    (105, "một trăm linh năm"), (110, "một trăm mười"), (115, "một trăm mười lăm"), (999, "chín trăm chín mươi chín"),
    (1000, "một nghìn"), (1990, "một nghìn chín trăm chín mươi"), (2000, "hai nghìn"),
    (2005, "hai nghìn không trăm linh năm"), (2026, "hai nghìn không trăm hai mươi sáu"),
    (2031, "hai nghìn không trăm ba mươi mốt"), (10_000, "mười nghìn"), (15_000, "mười lăm nghìn"),
    (8_000, "tám nghìn"), (1_000_001, "một triệu không trăm linh một"), (2_500_000, "hai triệu năm trăm nghìn"),
])
def test_number_words(n, words):
    assert number_words(n) == words


def test_months_say_tu_for_april():
    assert [month_words(m) for m in (1, 4, 11, 12)] == ["một", "tư", "mười một", "mười hai"]


def test_date_words_follow_form_convention():
    assert date_words(dt.date(2026, 3, 15)) == "Ngày mười lăm, tháng ba, năm hai nghìn không trăm hai mươi sáu"
    assert date_words(dt.date(1990, 4, 21)) == "Ngày hai mươi mốt, tháng tư, năm một nghìn chín trăm chín mươi"
    assert date_words(dt.date(2001, 12, 1)) == "Ngày một, tháng mười hai, năm hai nghìn không trăm linh một"


@pytest.mark.parametrize("text, expected", [
    ("2026-03-15", dt.date(2026, 3, 15)), ("15/03/2026", dt.date(2026, 3, 15)), ("5/3/2026", dt.date(2026, 3, 5)),
    ("1990", None), ("31/02/2026", None), ("", None), ("hôm qua", None),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected
