"""The 34 provinces written out in nlu/geo.py are the installed ``vietnam-provinces`` package's, row for row."""
from __future__ import annotations

from vietnam_provinces import Province

from nlu.geo import ProvinceInfo, provinces


def test_the_written_out_provinces_are_the_packages() -> None:
    package = {p.codename: ProvinceInfo(int(p.code.value), p.name, p.codename) for p in Province.iter_all()}
    assert provinces() == package
    assert list(provinces()) == list(package)   # the same order too (the province index is built in it)
