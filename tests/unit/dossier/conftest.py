"""Shared fixtures: the reference khai-sinh entry and a citizen's answers."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from bot.content.catalog import Procedure

ROOT = Path(__file__).resolve().parents[3]


def load_procedure(pid: str) -> Procedure:
    return Procedure.model_validate(yaml.safe_load((ROOT / "procedures_catalog" / f"{pid}.yml").read_text("utf-8")))


KHAI_SINH_FIELDS = {
    "requester_name": "Nguyễn Thị Hương", "requester_id": "001190012345", "requester_relation": "Mẹ",
    "child_name": "Trần Minh Khôi", "child_birth_date": "2026-03-15", "child_gender": "Nam",
    "child_ethnicity": "Kinh", "child_nationality": "Việt Nam",
    "child_birth_place": "Bệnh viện Phụ sản Hà Nội, phường Láng, thành phố Hà Nội",
    "child_hometown": "xã Ứng Hòa, thành phố Hà Nội", "mother_name": "Nguyễn Thị Hương",
    "mother_birth_date": "1990-05-21", "mother_ethnicity": "Kinh", "mother_nationality": "Việt Nam",
    "mother_residence": "Số 12 ngõ 34 phố Huế, phường Hai Bà Trưng, thành phố Hà Nội",
    "father_name": "Trần Đức Thắng", "father_birth_date": "1988-11-04", "father_ethnicity": "Kinh",
    "father_nationality": "Việt Nam", "father_residence": "Thôn Đông, xã Ứng Hòa, thành phố Hà Nội",
}
TODAY = dt.date(2026, 3, 20)


@pytest.fixture(scope="session")
def khai_sinh() -> Procedure:
    return load_procedure("ho-tich.khai-sinh")
