"""Provinces and wards in the post-July-2025 structure (34 provinces, no districts).

Provinces come from the ``vietnam-provinces`` package (its 34 rows written out below); communes and wards,
with their official codes, from ``data/wards_2025.csv`` (the National Statistics Office's list: the installed
package's 2025 codes are wrong for about 120 units, see ``scripts/build_wards_2025.py``). The 63 → 34 merger
table maps an old province a citizen still writes ("Bình Dương") to the province it belongs to now.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlu.normalize import fold, nfc_lower

# Old province (folded, without "tinh"/"thanh pho") → codename of the 2025 province it merged into.
_MERGED_INTO = {
    "ha giang": "tuyen_quang", "yen bai": "lao_cai", "bac kan": "thai_nguyen", "bac can": "thai_nguyen",
    "vinh phuc": "phu_tho", "hoa binh": "phu_tho", "bac giang": "bac_ninh", "thai binh": "hung_yen",
    "hai duong": "hai_phong", "ha nam": "ninh_binh", "nam dinh": "ninh_binh", "quang binh": "quang_tri",
    "quang nam": "da_nang", "kon tum": "quang_ngai", "binh dinh": "gia_lai", "ninh thuan": "khanh_hoa",
    "dak nong": "lam_dong", "dac nong": "lam_dong", "binh thuan": "lam_dong", "phu yen": "dak_lak",
    "binh duong": "ho_chi_minh", "ba ria vung tau": "ho_chi_minh", "ba ria": "ho_chi_minh",
    "vung tau": "ho_chi_minh", "brvt": "ho_chi_minh", "binh phuoc": "dong_nai", "long an": "tay_ninh",
    "soc trang": "can_tho", "hau giang": "can_tho", "ben tre": "vinh_long", "tra vinh": "vinh_long",
    "tien giang": "dong_thap", "bac lieu": "ca_mau", "kien giang": "an_giang",
}
# Everyday names of current provinces (folded).
_ALIASES = {
    "hcm": "ho_chi_minh", "tp hcm": "ho_chi_minh", "tphcm": "ho_chi_minh", "sai gon": "ho_chi_minh",
    "sg": "ho_chi_minh", "thanh pho hcm": "ho_chi_minh", "ho chi minh": "ho_chi_minh",
    "hn": "ha_noi", "tp hn": "ha_noi", "thua thien hue": "hue", "tt hue": "hue", "dak lak": "dak_lak",
    "dac lac": "dak_lak", "daklak": "dak_lak", "khanh hoa": "khanh_hoa", "thanh hoa": "thanh_hoa",
    "da nang": "da_nang", "can tho": "can_tho", "hai phong": "hai_phong",
}
WARDS = Path(__file__).parent / "data" / "wards_2025.csv"
_PREFIX = re.compile(r"^(?:tinh|thanh pho|tp|t p)\s+")


@dataclass(frozen=True, slots=True)
class ProvinceInfo:
    code: int
    name: str  # e.g. "Thành phố Hà Nội", "Cao Bằng"
    codename: str

    @property
    def full_name(self) -> str:
        """The form written at the end of an address: "tỉnh Cao Bằng", "Thành phố Hà Nội"."""
        return self.name if self.name.startswith("Thành phố") else f"tỉnh {self.name}"


def _key(text: str) -> str:
    k = fold(nfc_lower(text)).replace("-", " ").replace(".", " ").replace("'", "").replace("’", "")
    k = re.sub(r"\s+", " ", k).strip()
    return _PREFIX.sub("", k)


# The 34 provinces of the installed ``vietnam-provinces`` (2025.10.1) as (code, name, codename), written out:
# importing the package (an enum of 3,321 ward codes and every ward's record) took ~45 ms of every worker's start
# (its first parse), for these 34 rows. tests/unit/nlu/test_geo_provinces.py checks they equal the package's.
_PROVINCES_2025: tuple[tuple[int, str, str], ...] = (
    (1, "Thành phố Hà Nội", "ha_noi"), (4, "Cao Bằng", "cao_bang"), (8, "Tuyên Quang", "tuyen_quang"),
    (11, "Điện Biên", "dien_bien"), (12, "Lai Châu", "lai_chau"), (14, "Sơn La", "son_la"),
    (15, "Lào Cai", "lao_cai"), (19, "Thái Nguyên", "thai_nguyen"), (20, "Lạng Sơn", "lang_son"),
    (22, "Quảng Ninh", "quang_ninh"), (24, "Bắc Ninh", "bac_ninh"), (25, "Phú Thọ", "phu_tho"),
    (31, "Thành phố Hải Phòng", "hai_phong"), (33, "Hưng Yên", "hung_yen"), (37, "Ninh Bình", "ninh_binh"),
    (38, "Thanh Hóa", "thanh_hoa"), (40, "Nghệ An", "nghe_an"), (42, "Hà Tĩnh", "ha_tinh"),
    (44, "Quảng Trị", "quang_tri"), (46, "Thành phố Huế", "hue"), (48, "Thành phố Đà Nẵng", "da_nang"),
    (51, "Quảng Ngãi", "quang_ngai"), (52, "Gia Lai", "gia_lai"), (56, "Khánh Hòa", "khanh_hoa"),
    (66, "Đắk Lắk", "dak_lak"), (68, "Lâm Đồng", "lam_dong"), (75, "Đồng Nai", "dong_nai"),
    (79, "Thành phố Hồ Chí Minh", "ho_chi_minh"), (80, "Tây Ninh", "tay_ninh"), (82, "Đồng Tháp", "dong_thap"),
    (86, "Vĩnh Long", "vinh_long"), (91, "An Giang", "an_giang"), (92, "Thành phố Cần Thơ", "can_tho"),
    (96, "Cà Mau", "ca_mau"),
)


@lru_cache(maxsize=1)
def provinces() -> dict[str, ProvinceInfo]:
    """codename → province, for the 34 provinces."""
    return {codename: ProvinceInfo(code, name, codename) for code, name, codename in _PROVINCES_2025}


@lru_cache(maxsize=1)
def _province_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for info in provinces().values():
        index[_key(info.name)] = info.codename
        index[info.codename.replace("_", " ")] = info.codename
    index.update(_ALIASES)
    index.update(_MERGED_INTO)
    return index


def find_province(text: str) -> tuple[ProvinceInfo, bool] | None:
    """The 2025 province named by ``text`` and whether it was an old (merged) name."""
    key = _key(text)
    code = _province_index().get(key)
    if code is None:
        return None
    return provinces()[code], key in _MERGED_INTO


@lru_cache(maxsize=1)
def province_names_folded() -> tuple[tuple[str, str], ...]:
    """(folded name, codename) longest first, for searching inside a sentence."""
    pairs = sorted(_province_index().items(), key=lambda kv: -len(kv[0]))
    return tuple(pairs)


_WARD_PREFIX = re.compile(r"^(?:xa|phuong|dac khu|thi tran|p|x|f)\s+")


def _ward_key(text: str) -> str:
    return _WARD_PREFIX.sub("", _key(text))


@dataclass(frozen=True, slots=True)
class WardInfo:
    """A 2025 commune, ward or special zone: its official code, name and province code."""

    code: int
    name: str            # "Xã Vinh Quý"
    province_code: int


@lru_cache(maxsize=1)
def wards() -> tuple[WardInfo, ...]:
    """Every 2025 commune-level unit of the country, by code (read once from the shipped list)."""
    with WARDS.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.reader(f) if r and not r[0].startswith("#")][1:]
    return tuple(WardInfo(int(code), name, int(province)) for code, name, province, _name in rows)


@lru_cache(maxsize=1)
def _ward_index() -> dict[tuple[int, str], list[str]]:
    index: dict[tuple[int, str], list[str]] = {}
    for w in wards():
        index.setdefault((w.province_code, _ward_key(w.name)), []).append(w.name)
    return index


def find_ward(text: str, province: ProvinceInfo) -> str | None:
    """The official ward/commune name in ``province`` matching ``text`` ("p ben thanh"), if unique."""
    key = _ward_key(text)
    if not key:
        return None
    names = _ward_index().get((province.code, key), [])
    if len(names) == 1:
        return names[0]
    typed = _key(text)
    for n in names:  # "xã Tân Thành" vs "phường Tân Thành": the typed type word decides
        if _key(n).startswith(typed.split(" ")[0]) and typed.split(" ")[0] in {"xa", "phuong", "dac"}:
            return n
    return None


@lru_cache(maxsize=1)
def _ward_by_name() -> dict[str, list[tuple[str, int]]]:
    out: dict[str, list[tuple[str, int]]] = {}
    for (code, key), names in _ward_index().items():
        for n in names:
            out.setdefault(key, []).append((n, code))
    return out


def find_ward_anywhere(text: str) -> tuple[str, ProvinceInfo] | None:
    """The ward/commune and its province when ``text`` names exactly one in the whole country."""
    key = _ward_key(text)
    hits = _ward_by_name().get(key, []) if key else []
    typed = _key(text).split(" ")[0]
    if len(hits) > 1 and typed in {"xa", "phuong", "dac"}:
        hits = [h for h in hits if _key(h[0]).startswith(typed)]
    if len(hits) != 1:
        return None
    name, code = hits[0]
    info = next(p for p in provinces().values() if p.code == code)
    return name, info


_TYPE_WORDS = ("Xã ", "Phường ", "Đặc khu ", "Thị trấn ")


def _short(name: str) -> str:
    for t in _TYPE_WORDS:
        if name.startswith(t):
            return name[len(t):]
    return name


@lru_cache(maxsize=64)
def ward_short_names(province_code: int) -> tuple[str, ...]:
    """The names of a province's wards without their type word ("Ea Tul"), for restoring diacritics."""
    return tuple(sorted({_short(n) for (code, _k), names in _ward_index().items() if code == province_code
                         for n in names}))


@lru_cache(maxsize=64)
def _ward_choices(province_code: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    pairs = sorted((key, n) for (code, key), names in _ward_index().items() if code == province_code for n in names)
    return tuple(k for k, _ in pairs), tuple(n for _, n in pairs)


def suggest_ward(text: str, province: ProvinceInfo) -> str | None:
    """The closest official ward/commune of ``province`` to a name that matched none ("ea tuu" → "Xã Ea Tul")."""
    from rapidfuzz import fuzz, process

    key = _ward_key(text)
    keys, names = _ward_choices(province.code)
    if not key or not keys:
        return None
    hit = process.extractOne(key, keys, scorer=fuzz.ratio, score_cutoff=75)
    return names[hit[2]] if hit else None


__all__ = ["WARDS", "ProvinceInfo", "WardInfo", "find_province", "find_ward", "find_ward_anywhere",
           "province_names_folded", "provinces", "suggest_ward", "ward_short_names", "wards"]
