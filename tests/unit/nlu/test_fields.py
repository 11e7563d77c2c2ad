"""Field answers: what the bot stores, what it shows back, and the reason it gives when it refuses."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu.fields import FieldResult, validate_field

TODAY = dt.date(2026, 11, 24)


def v(kind: str, text: str, **kw: object) -> FieldResult:
    return validate_field(kind, text, today=TODAY, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["12/3/2020", "12-3-20", "12.03.2020", "ngày 12 tháng 3 năm 2020",
                                  "ngay 12 thang 3 nam 2020", "12 thg 3 2020", "2020-03-12", "12032020"])
def test_dates_in_every_common_spelling(text: str) -> None:
    r = v("date", text)
    assert r.ok and r.value == "2020-03-12" and r.display == "12/03/2020"


def test_impossible_dates_are_refused_with_the_reason() -> None:
    assert v("date", "31/02/2020").reason == "Ngày 31/02 không tồn tại."
    assert v("date", "29/2/2023").reason == "Năm 2023 không có ngày 29/02."
    assert v("date", "29/2/2024").ok
    assert "Tháng 13" in (v("date", "5/13/2020").reason or "")
    assert "Ngày 32" in (v("date", "32/1/2020").reason or "")


def test_date_without_year_asks_for_the_year() -> None:
    r = v("date", "12 thg 3")
    assert not r.ok and "năm" in (r.reason or "")


def test_date_past_refuses_the_future_but_date_accepts_it() -> None:
    assert not v("date_past", "1/1/2030").ok
    assert "chưa tới" in (v("date_past", "1/1/2030").reason or "")
    assert v("date", "1/1/2027").ok
    assert v("date_past", "hôm qua").value == "2026-11-23"


def test_two_digit_years_pivot_on_today() -> None:
    assert v("date_past", "5/6/98").value == "1998-06-05"
    assert v("date_past", "5/6/21").value == "2021-06-05"


def test_citizen_id_number() -> None:
    r = v("id_number", "001 090 123456")
    assert r.ok and r.value == "001090123456" and r.display == "001 090 123456"
    assert v("id_number", "079203012345").ok  # born 2003, female digit 3


@pytest.mark.parametrize("text, words", [
    ("00109012345", "12 chữ số"),
    ("0010901234567", "12 chữ số"),
    ("123456789", "CMND 9 số"),
    ("999090123456", "mã tỉnh"),
    ("003090123456", "mã tỉnh"),
    ("001590123456", "thế kỷ"),
    ("001299123456", "Năm sinh"),   # 2099: not born yet
    ("00109012345a", "12 chữ số"),
])
def test_invalid_id_numbers_say_what_is_wrong(text: str, words: str) -> None:
    r = v("id_number", text)
    assert not r.ok and words in (r.reason or ""), r.reason


def test_old_nine_digit_id() -> None:
    assert v("old_id_number", "123 456 789").value == "123456789"
    assert not v("old_id_number", "001090123456").ok


@pytest.mark.parametrize("text", ["0912345678", "0912 345 678", "+84 912 345 678", "84912345678",
                                  "(+84) 912.345.678", "091-234-5678"])
def test_mobile_numbers_are_stored_as_0xxxxxxxxx(text: str) -> None:
    r = v("phone", text)
    assert r.ok and r.value == "0912345678" and r.display == "0912 345 678"


def test_landline_and_bad_phones() -> None:
    assert v("phone", "024 3825 1234").value == "02438251234"
    assert "2018" in (v("phone", "01212345678").reason or "")
    for bad in ("12345", "0112345678", "091234567", "số của tôi", "+1 650 555 0100"):
        assert not v("phone", bad).ok, bad


def test_gender_ethnicity_nationality_are_canonical_vietnamese() -> None:
    assert v("gender", "con gái").value == "Nữ"
    assert v("gender", "NAM").value == "Nam"
    assert v("gender", "trai").value == "Nam"
    assert not v("gender", "không rõ").ok
    assert v("ethnicity", "kinh").value == "Kinh"
    assert v("ethnicity", "dân tộc Ê-đê").value == "Ê Đê"
    assert v("ethnicity", "hmong").value == "Mông"
    assert v("ethnicity", "khơ me").value == "Khmer"
    assert not v("ethnicity", "người sao Hỏa").ok
    assert v("nationality", "vn").value == "Việt Nam"
    assert v("nationality", "viet nam").value == "Việt Nam"


def test_all_54_ethnic_groups_are_known() -> None:
    from nlu.fields import ETHNIC_GROUPS

    assert len(ETHNIC_GROUPS) == 54
    for group in ETHNIC_GROUPS:
        assert v("ethnicity", group[0]).value == group[0]


def test_person_names_keep_diacritics_in_title_case() -> None:
    assert v("person_name", "nguyễn thị minh khai").value == "Nguyễn Thị Minh Khai"
    assert v("person_name", "Họ tên: trần văn b").value == "Trần Văn B"
    assert "chữ số" in (v("person_name", "Nguyen Van 3").reason or "")
    assert "cả họ và tên" in (v("person_name", "An").reason or "")


def test_address_needs_a_commune_or_province_and_uses_2025_names() -> None:
    r = v("address", "12 Lê Lợi, p bến thành, tp hcm")
    assert r.ok and r.value == "12 Lê Lợi, phường Bến Thành, Thành phố Hồ Chí Minh"
    merged = v("address", "thôn Đông, xã Hòa An, Bình Dương")
    assert merged.ok and merged.value.endswith("Thành phố Hồ Chí Minh")  # type: ignore[union-attr]
    unknown_street = v("address", "ngõ 99 đường Chưa Có Tên, xã Tân Lập, tỉnh Phú Thọ")
    assert unknown_street.ok
    assert not v("address", "nhà tôi gần chợ").ok


def test_province_is_one_of_34() -> None:
    assert v("province", "sài gòn").value == "Thành phố Hồ Chí Minh"
    assert v("province", "Quảng Nam").value == "Thành phố Đà Nẵng"   # merged in 2025
    assert v("province", "ha noi").value == "Thành phố Hà Nội"
    assert not v("province", "Bắc Hà Nội").ok


def test_choice_by_number_text_or_prefix() -> None:
    choices = ("Bản chính", "Bản sao có chứng thực", "Bản điện tử")
    assert v("choice", "2", choices=choices).value == "Bản sao có chứng thực"
    assert v("choice", "ban dien tu", choices=choices).value == "Bản điện tử"
    assert v("choice", "bản sao", choices=choices).value == "Bản sao có chứng thực"
    bad = v("choice", "9", choices=choices)
    assert not bad.ok and "1. Bản chính" in (bad.reason or "")


def test_number_year_email_text() -> None:
    assert v("number", "1.000.000").value == "1000000"
    assert v("number", "ba").value == "3"
    assert v("year", "năm 1998").value == "1998"
    assert not v("year", "3000").ok
    assert v("email", "An.Nguyen@Gmail.com").value == "an.nguyen@gmail.com"
    assert not v("email", "an@").ok
    assert not v("text", "   ").ok
    assert not v("text", "x" * 301).ok
    assert v("text", "x" * 301, max_length=400).ok


@pytest.mark.parametrize("text,value", [
    ("khoảng 250 m2", "250"), ("250m²", "250"), ("250,5 mét vuông", "250.5"), ("tầm 2 bản", "2"),
    ("50 triệu", "50000000"), ("1,5 tr", "1500000"), ("200k", "200000"), ("300 nghìn đồng", "300000"),
    ("1.200 lít", "1200"),
])
def test_numbers_as_citizens_write_them(text: str, value: str) -> None:
    assert v("number", text).value == value


@pytest.mark.parametrize("text", ["nhiều lắm", "2 3", "m2", "khoảng", "12abc"])
def test_non_numbers_are_refused_with_an_example(text: str) -> None:
    r = v("number", text)
    assert not r.ok and "ví dụ" in (r.reason or "")


def test_identity_document_needs_a_number() -> None:
    assert v("identity_document", "CCCD số 001090123456 cấp ngày 15/3/2021").ok
    assert v("identity_document", "hộ chiếu C1234567").ok
    assert not v("identity_document", "căn cước").ok


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(["text", "person_name", "date", "date_past", "year", "id_number", "old_id_number",
                             "identity_document", "phone", "email", "gender", "ethnicity", "nationality",
                             "address", "province", "number", "choice", "unknown-kind"]),
       text=st.text(max_size=400))
def test_never_raises(kind: str, text: str) -> None:
    r = validate_field(kind, text, today=TODAY, choices=("Có", "Không"))
    assert isinstance(r, FieldResult)
    assert r.ok == (r.value is not None)
    assert r.ok or r.reason


def test_huge_and_binary_input_is_refused_politely() -> None:
    assert not v("text", "a" * 1_000_000).ok
    assert not v("date", "\x00\xff\ud800" * 1000).ok
    assert not v("phone", "\x00" * 10).ok


def test_a_ward_unique_in_the_country_brings_its_province() -> None:
    assert v("address", "12 Lê Lợi, phường Bến Thành").value == (
        "12 Lê Lợi, phường Bến Thành, Thành phố Hồ Chí Minh")
    assert v("address", "số 5, p. hoàn kiếm").value == "số 5, phường Hoàn Kiếm, Thành phố Hà Nội"
    # a name many provinces share is kept as typed, not guessed
    assert v("address", "thôn 3, xã Tân Thành").value == "thôn 3, xã Tân Thành"
