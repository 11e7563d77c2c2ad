"""Commune-level units before the 1 July 2025 reform and the 2025 commune(s) each went into, so a citizen who
still writes an old name ("xã Gia Cát, huyện Cao Lộc cũ", "phường 5 quận 3 cũ") can be told where they belong now.

The table is ``data/old_wards_2025.csv``, extracted from the National Statistics Office's conversion table
(``scripts/build_old_wards_2025.py`` at the repository root says how and from which release). Read once per
province, on first use.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlu.geo import find_province
from nlu.placekeys import district_key, ward_key

DATA = Path(__file__).parent / "data" / "old_wards_2025.csv"


@dataclass(frozen=True, slots=True)
class OldUnit:
    """One old commune, ward or township, and the 2025 commune(s) of the province it went into (several: split)."""

    ward: str            # "Xã Gia Cát"
    district: str        # "Huyện Cao Lộc"
    old_province: str    # "Tỉnh Lạng Sơn"
    into: tuple[str, ...]   # official 2025 names: ("Phường Kỳ Lừa",)


@lru_cache(maxsize=8)
def old_units(province: str) -> tuple[OldUnit, ...]:
    """Every old unit that went (wholly or partly) into ``province`` (a 2025 province, any spelling)."""
    found = find_province(province)
    if found is None:
        return ()
    code = found[0].code
    with DATA.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.reader(f) if r and not r[0].startswith("#")][1:]
    out = []
    for new_province, old_province, district, ward, into, _split in rows:
        hit = find_province(new_province)
        if hit is not None and hit[0].code == code:
            out.append(OldUnit(ward, district, old_province, tuple(into.split("|"))))
    return tuple(out)


__all__ = ["DATA", "OldUnit", "district_key", "old_units", "ward_key"]
