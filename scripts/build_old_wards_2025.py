"""Rebuild ``nlu/data/old_wards_2025.csv``: every commune-level unit before 1 July 2025 and the 2025 unit(s) it
went into, from the official conversion table of the National Statistics Office (danhmuchanhchinh.nso.gov.vn,
file BangChuyendoiĐVHCmoi_cu_khong_merge.csv) as packaged by ``vietnam-provinces`` >= 2026.2 (its ``legacy``
module and ``_ward_conversion_2025``). That version needs Python 3.12, the project runs 3.11, so the table is
extracted once into a data file instead of importing it at run time:

    pip download vietnam-provinces==2026.9.0 --no-deps --python-version 3.12 --only-binary=:all: -d /tmp/vp
    cd /tmp/vp && unzip -q vietnam_provinces-*.whl
    PYTHONPATH=/tmp/vp python scripts/build_old_wards_2025.py > nlu/data/old_wards_2025.csv

The 2025 units are written by name (the codes of the ``vietnam-provinces`` release the project installs differ
from the NSO codes for a few dozen units; names do not), the new province by name too.
"""
from __future__ import annotations

import csv
import sys

import vietnam_provinces
from vietnam_provinces import Province, Ward
from vietnam_provinces._ward_conversion_2025 import OLD_TO_NEW, SOURCE
from vietnam_provinces.legacy import District as OldDistrict
from vietnam_provinces.legacy import Province as OldProvince
from vietnam_provinces.legacy import Ward as OldWard


def _name(raw: str) -> str:
    """As in ``wards_2025.csv``: one space between words, a capital type word (the NSO writes "xã Bắc Sơn" once)."""
    name = " ".join(raw.split())
    return name[:1].upper() + name[1:]


def main() -> None:
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow([f"# source: {SOURCE} (NSO), via vietnam-provinces {vietnam_provinces.__version__}"])
    out.writerow(["province_2025", "old_province", "old_district", "old_ward", "wards_2025", "split"])
    rows = []
    for old in OldWard.iter_all():
        entry = OLD_TO_NEW.get(int(old.code.value))
        if entry is None:
            continue
        district = OldDistrict.from_code(old.district_code)
        province = OldProvince.from_code(district.province_code)
        new = [Ward.from_code(n.code) for n in entry.new_wards]
        new_province = Province.from_code(new[0].province_code).name
        rows.append([new_province, province.name, district.name, " ".join(old.name.split()),
                     "|".join(_name(w.name) for w in new), "1" if entry.old_ward.is_partly_merged else "0"])
    out.writerows(sorted(rows))


if __name__ == "__main__":
    main()
