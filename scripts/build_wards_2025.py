"""Rebuild ``nlu/data/wards_2025.csv``: the 3,321 communes, wards and special zones of the 34 provinces after
1 July 2025 with their official codes, from the National Statistics Office's list (danhmuchanhchinh.nso.gov.vn)
as packaged by ``vietnam-provinces`` 2026.9.0 (its ``WARD_MAPPING``, the one its NSO conversion table refers to).

The release the project installs (2025.10.1, the last for Python 3.11) gives about 120 units a code that is not
theirs (some swapped: its 1561 is "Xã Hạ Lang", the NSO's is "Xã Vinh Quý"); codes are stored (communes, events,
drafts, conversations), so they must be the official ones. That release needs Python 3.12; its data is read
without installing it:

    pip download vietnam-provinces==2026.9.0 --no-deps --python-version 3.12 --only-binary=:all: -d /tmp/vp
    cd /tmp/vp && unzip -q vietnam_provinces-*.whl
    PYTHONPATH=/tmp/vp python scripts/build_wards_2025.py > nlu/data/wards_2025.csv

``--remap`` (run WITHOUT that PYTHONPATH, against the installed 2025.10.1) prints the installed codes that differ
from the file's, matched by province and name, as the literal of migration ``0010_h21codes``.
"""
from __future__ import annotations

import csv
import sys
import unicodedata
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "nlu" / "data" / "wards_2025.csv"


def _name(raw: str) -> str:
    """One space between words and a capital type word (the NSO list writes "xã Bắc Sơn" once)."""
    name = " ".join(raw.split())
    return name[:1].upper() + name[1:]


def build() -> None:
    import vietnam_provinces
    from vietnam_provinces import Province, Ward

    out = csv.writer(sys.stdout, lineterminator="\n")
    source = "National Statistics Office of Viet Nam (danhmuchanhchinh.nso.gov.vn)"
    out.writerow([f"# source: {source}, via vietnam-provinces {vietnam_provinces.__version__}"])
    out.writerow(["code", "name", "province_code", "province"])
    rows = []
    for w in Ward.iter_all():
        province = Province.from_code(w.province_code)
        rows.append((int(w.code.value), _name(w.name), int(province.code.value), province.name))
    out.writerows(sorted(rows))


def _key(province: int, name: str) -> tuple[int, str]:
    """Province and name with spelling variants folded (Thuỷ/Thủy, ’/', –/-, case)."""
    text = unicodedata.normalize("NFD", name.lower().replace("’", "'").replace("–", "-"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).replace("đ", "d")
    return province, " ".join(text.split())


def remap() -> None:
    from vietnam_provinces import Ward

    with DATA.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.reader(f) if r and not r[0].startswith("#")][1:]
    official = {_key(int(p), n): (int(c), n) for c, n, p, _prov in rows}
    moved, renamed = {}, {}
    for w in Ward.iter_all():
        code, name = int(w.code.value), _name(w.name)
        new_code, new_name = official[_key(int(w.province_code.value), name)]
        if new_code != code:
            moved[code] = (new_code, new_name)
        elif new_name != name:
            renamed[code] = new_name
    print("MOVED = {   # installed 2025.10.1 code → (official code, official name)")
    print("".join(f'    "{old}": ("{new}", "{name}"),\n' for old, (new, name) in sorted(moved.items())), end="")
    print("}\nRENAMED = {   # same code, the official spelling")
    print("".join(f'    "{code}": "{name}",\n' for code, name in sorted(renamed.items())), end="")
    print("}")

if __name__ == "__main__":
    remap() if "--remap" in sys.argv[1:] else build()
