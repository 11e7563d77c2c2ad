"""Diacritics put back on addresses, facilities and names typed without them (issue 16, item 1)."""
from __future__ import annotations

import datetime as dt

import pytest

from nlu.fields import validate_field
from nlu.restore import is_plain, restore_name

TODAY = dt.date(2026, 12, 6)


def address(text: str):  # type: ignore[no-untyped-def]
    return validate_field("address", text, today=TODAY)


@pytest.mark.parametrize(("typed", "written"), [
    ("thon 3, xa ea tul, dak lak", "thôn 3, xã Ea Tul, tỉnh Đắk Lắk"),
    ("thon 3 xa ea tul dak lak", "thôn 3, xã Ea Tul, tỉnh Đắk Lắk"),
    ("xom 2, xa ea tul, tinh dak lak", "xóm 2, xã Ea Tul, tỉnh Đắk Lắk"),
    ("to dan pho 5, phuong sai gon, tp hcm", "tổ dân phố 5, phường Sài Gòn, Thành phố Hồ Chí Minh"),
    ("ap 3, xa ea tul, dak lak", "ấp 3, xã Ea Tul, tỉnh Đắk Lắk"),
    ("so 12 ngo 5, phuong sai gon, tp hcm", "số 12 ngõ 5, phường Sài Gòn, Thành phố Hồ Chí Minh"),
])
def test_address_words_wards_and_provinces_get_their_diacritics(typed: str, written: str) -> None:
    res = address(typed)
    assert res.ok and res.value == written
    assert res.check is None   # every word came from a list: nothing to confirm


@pytest.mark.parametrize(("typed", "written"), [
    ("benh vien da khoa, xa ea tul, dak lak", "bệnh viện đa khoa, xã Ea Tul, tỉnh Đắk Lắk"),
    ("tram y te xa ea tul, dak lak", "trạm y tế, xã Ea Tul, tỉnh Đắk Lắk"),
    ("trung tam y te, xa ea tul, dak lak", "trung tâm y tế, xã Ea Tul, tỉnh Đắk Lắk"),
    ("nha ho sinh, xa ea tul, dak lak", "nhà hộ sinh, xã Ea Tul, tỉnh Đắk Lắk"),
    ("benh vien da khoa tinh dak lak", "bệnh viện đa khoa, tỉnh Đắk Lắk"),
])
def test_facilities_get_their_diacritics(typed: str, written: str) -> None:
    res = address(typed)
    assert res.ok and res.value == written and res.check is None


def test_a_street_name_not_in_any_list_is_shown_to_the_citizen_to_confirm() -> None:
    res = address("so 12 duong le loi, phuong sai gon, tp hcm")
    assert res.ok and res.value == "số 12 đường Le Loi, phường Sài Gòn, Thành phố Hồ Chí Minh"
    assert res.check is not None and "«số 12 đường Le Loi, phường Sài Gòn" in res.check


def test_an_unknown_commune_is_questioned_with_the_closest_one_of_the_province() -> None:
    res = address("thon 3, xa ea tuu, dak lak")
    assert res.check is not None
    assert res.check.startswith("Mình chưa tìm thấy xã Ea Tuu ở Đắk Lắk — ý bạn là xã Ea Tul?")
    assert res.value == "thôn 3, xã Ea Tul, tỉnh Đắk Lắk"   # what "Đúng" accepts


def test_an_unknown_commune_typed_with_diacritics_is_questioned_too() -> None:
    res = address("thôn 3, xã Qwxyz, Đắk Lắk")
    assert res.ok and res.check is not None and "Mình chưa tìm thấy xã Qwxyz ở Đắk Lắk" in res.check


def test_an_address_typed_with_diacritics_is_kept_as_typed() -> None:
    res = address("Thôn Ea Kmat, xã Ea Tul, Đắk Lắk")
    assert res.value == "Thôn Ea Kmat, xã Ea Tul, tỉnh Đắk Lắk" and res.check is None


def test_a_name_typed_without_diacritics_is_restored_and_asked() -> None:
    res = validate_field("person_name", "nguyen thi hoa", today=TODAY)
    assert res.value == "Nguyễn Thị Hoa" and res.check is not None and "«Nguyễn Thị Hoa»" in res.check
    typed = validate_field("person_name", "Nguyễn Thị Hòa", today=TODAY)
    assert typed.value == "Nguyễn Thị Hòa" and typed.check is None


def test_plain_detection_and_name_syllables() -> None:
    assert is_plain("thon 3 xa ea tu") and not is_plain("thôn 3") and not is_plain("Đa") and not is_plain("123")
    assert restore_name("TRAN VAN DUC").text == "Trần Văn Đức"


def test_free_text_typed_without_diacritics_is_kept_and_flagged_not_asked() -> None:
    res = validate_field("text", "ghi nham khi dang ky", today=TODAY)
    assert res.value == "ghi nham khi dang ky" and res.unsure and res.check is None
    assert validate_field("text", "benh vien da khoa tinh dak lak", today=TODAY).value == "bệnh viện đa khoa tỉnh Đắk Lắk"
    assert not validate_field("text", "Ghi nhầm khi đăng ký", today=TODAY).unsure
