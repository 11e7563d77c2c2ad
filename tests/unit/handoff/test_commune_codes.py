"""Communes carry the National Statistics Office's 2025 codes (nlu/data/wards_2025.csv), not the installed
package's wrong ones: a commune set up, asked for or reported by code is the right one (issue 21)."""
from __future__ import annotations

import csv
import importlib.util
from collections import Counter
from pathlib import Path
from types import ModuleType

from bot.handoff.communes import find_commune, old_names, province_communes
from nlu.geo import WARDS, provinces, wards
from nlu.geo_old import old_units

MIGRATION = Path(__file__).parents[3] / "bot/storage/migrations/versions/0010_h21codes.py"


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("m0010", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _code(province: str, name: str) -> str:
    return next(c.code for c in province_communes(province) if c.name == name)


def test_the_list_cites_the_nso_and_covers_the_country() -> None:
    head = WARDS.read_text(encoding="utf-8").splitlines()[0]
    assert "National Statistics Office" in head and "vietnam-provinces 2026.9.0" in head
    assert len(wards()) == 3321 and {w.province_code for w in wards()} == {p.code for p in provinces().values()}


def test_official_codes_including_the_pair_the_old_package_swapped() -> None:
    assert _code("Cao Bằng", "Xã Vinh Quý") == "1561"      # 2025.10.1 had 1561 = Xã Hạ Lang
    assert _code("Cao Bằng", "Xã Hạ Lang") == "1558"
    assert _code("Cao Bằng", "Xã Lý Quốc") == "1537"
    assert _code("Hà Nội", "Phường Văn Miếu - Quốc Tử Giám") == "226"
    assert _code("Hà Nội", "Phường Kim Liên") == "229"
    assert _code("Cần Thơ", "Phường Thốt Nốt") == "31207"
    assert _code("Đắk Lắk", "Xã Ea Tul") == "24277"        # unchanged codes stay
    hit = find_commune("1561", "Cao Bằng")
    assert hit is not None and hit.name == "Xã Vinh Quý" and hit.addressee == "xã Vinh Quý"
    by_name = find_commune("xa ha lang", "Cao Bằng")
    assert by_name is not None and by_name.code == "1558"
    for typed in ("xã Ea H’leo", "xa ea h'leo", "Ea Hleo"):             # either apostrophe, or none
        hit = find_commune(typed, "Đắk Lắk")
        assert hit is not None and hit.code == "24184", typed


def test_every_province_has_unique_codes_and_names_written_properly() -> None:
    assert len({w.code for w in wards()}) == len(wards())
    for info in provinces().values():
        listed = province_communes(info.name)
        assert listed, info.name
        assert len({c.code for c in listed}) == len(listed), info.name
        assert len({c.name for c in listed}) == len(listed), info.name
        assert all(c.name.split(" ")[0] in {"Xã", "Phường", "Đặc"} and "  " not in c.name for c in listed)


def test_every_old_name_points_at_a_commune_of_the_list() -> None:
    for info in provinces().values():
        listed = province_communes(info.name)
        codes, names = {c.code for c in listed}, {c.name for c in listed}
        assert {n for unit in old_units(info.name) for n in unit.into} <= names, info.name   # none dropped
        index = old_names(info.name)
        assert index, info.name
        assert {code for names in index.values() for n in names for code in n.codes} <= codes, info.name
    gia_cat = old_names("Lạng Sơn")["gia cat|cao loc"][0]
    assert [c.name for c in province_communes("Lạng Sơn") if c.code in gia_cat.codes] == ["Phường Kỳ Lừa"]


def test_the_migration_moves_exactly_the_codes_that_changed_onto_the_same_commune() -> None:
    m = _migration()
    with WARDS.open(encoding="utf-8", newline="") as f:
        rows = {r[0]: r for r in csv.reader(f) if r and not r[0].startswith("#")}
    targets = Counter(new for new, _name in m.MOVED.values())
    assert len(m.MOVED) == 131 and max(targets.values()) == 1              # one-to-one: downgrade can undo it
    assert m.MOVED["1561"] == ("1558", "Xã Hạ Lang") and m.MOVED["1537"] == ("1561", "Xã Vinh Quý")
    assert all(rows[new][1] == name for new, name in m.MOVED.values())      # named as in the list
    assert all(rows[code][1] == name for code, name in m.RENAMED.items())
    assert "24277" not in m.MOVED and "4" not in m.MOVED
