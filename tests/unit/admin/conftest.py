"""A small, always-valid content set (the reference khai sinh entry) for admin tests."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PID = "ho-tich.khai-sinh"


def small_files() -> dict[str, str]:
    from bot.admin.versions import PHRASES_PATH

    out = {PHRASES_PATH: (ROOT / "flows" / "_phrases.yml").read_text(encoding="utf-8"),
           "procedures_catalog/_rules.yml": (ROOT / "procedures_catalog" / "_rules.yml").read_text(encoding="utf-8")}
    for pid in (PID, "ho-tich.lien-thong-khai-sinh"):  # the khai sinh flow can switch to lien thong
        for folder in ("procedures_catalog", "flows"):
            out[f"{folder}/{pid}.yml"] = (ROOT / folder / f"{pid}.yml").read_text(encoding="utf-8")
    return out


@pytest.fixture
def files() -> dict[str, str]:
    return small_files()


@pytest.fixture(scope="session")
def spec():  # type: ignore[no-untyped-def]
    from bot.content.loader import SPEC_FILE, load_spec

    return load_spec(ROOT / "procedures_catalog" / SPEC_FILE)
