"""Old (pre-2025) commune names a citizen still uses, mapped to the 2025 commune they went into, from the NSO
conversion table shipped as nlu/data/old_wards_2025.csv (issue 21 item 2)."""
from __future__ import annotations

from bot.engine.commune_find import find_in_text
from bot.handoff.communes import find_commune, old_names, province_communes
from nlu.geo_old import DATA, old_units


def _choices(province: str) -> tuple[tuple[str, str], ...]:
    return tuple((c.code, c.name) for c in province_communes(province))


def _named(province: str, code: str) -> str:
    return next(c.name for c in province_communes(province) if c.code == code)


def test_the_data_file_cites_its_source_and_covers_the_country() -> None:
    head = DATA.read_text(encoding="utf-8").splitlines()[0]
    assert "BangChuyendoi" in head and "NSO" in head and "vietnam-provinces" in head
    assert len(old_units("Lạng Sơn")) > 150 and len(old_units("Hồ Chí Minh")) > 400


def test_an_old_commune_with_its_old_district_is_mapped() -> None:
    found = find_in_text("xã Gia Cát, huyện Cao Lộc cũ", _choices("Lạng Sơn"), old_names("Lạng Sơn"))
    assert found is not None and found.old == "xã Gia Cát, huyện Cao Lộc"
    assert [_named("Lạng Sơn", c) for c in found.codes] == ["Phường Kỳ Lừa"]
    hcm = find_in_text("phường 5 quận 3 cũ", _choices("Hồ Chí Minh"), old_names("Hồ Chí Minh"))
    assert hcm is not None and [_named("Hồ Chí Minh", c) for c in hcm.codes] == ["Phường Bàn Cờ"]
    typed = find_in_text("p5 q3 cu", _choices("Hồ Chí Minh"), old_names("Hồ Chí Minh"))
    assert typed is not None and typed.codes == hcm.codes


def test_a_split_unit_lists_every_commune_it_went_into_and_a_merged_province_is_included() -> None:
    found = find_in_text("xã Hòa An, huyện Phú Hoà cũ", _choices("Đắk Lắk"), old_names("Đắk Lắk"))   # Phú Yên
    assert found is not None and len(found.codes) == 2
    assert {_named("Đắk Lắk", c) for c in found.codes} == {"Phường Tuy Hòa", "Xã Phú Hòa 1"}


def test_a_current_name_is_not_read_as_an_old_one() -> None:
    found = find_in_text("tôi ở xã Ea Tul", _choices("Đắk Lắk"), old_names("Đắk Lắk"))
    ea_tul = find_commune("xã Ea Tul", "Đắk Lắk")
    assert found is not None and ea_tul is not None and found.codes == (ea_tul.code,) and found.old is None
    assert old_names(None) == {}


def test_an_old_district_named_alone_offers_every_commune_it_went_into() -> None:
    found = find_in_text("quận 3 cũ", _choices("Hồ Chí Minh"), old_names("Hồ Chí Minh"))
    assert found is not None and found.old == "quận 3"
    assert {_named("Hồ Chí Minh", c) for c in found.codes} == {"Phường Bàn Cờ", "Phường Nhiêu Lộc", "Phường Xuân Hòa"}
    assert find_in_text("quận 3", _choices("Hồ Chí Minh"), old_names("Hồ Chí Minh")) is None   # no "cũ": not read
    answered = find_in_text("huyen cao loc cu", _choices("Lạng Sơn"), old_names("Lạng Sơn"), whole=True)
    assert answered is not None and "Phường Kỳ Lừa" in {_named("Lạng Sơn", c) for c in answered.codes}
