"""flows/_online.yml (issue 22): the shipped guide loads, every step is sourced or flagged, and a broken edit is
refused with the file, line and a Vietnamese reason like every other content file."""
from __future__ import annotations

import pytest

from bot.content.loader import load_texts, read_folder_texts
from bot.content.snapshot import ContentSnapshot
from bot.content.yamlsrc import ContentErrors
from tests.content.flowwalk import ROOT

NAME = "flows/_online.yml"


def _load(online_text: str) -> ContentSnapshot:
    cat, flo, phrases = read_folder_texts(ROOT)
    flo[NAME] = online_text
    return load_texts(cat, flo, phrases, (), require_all=False)


def _errors(online_text: str) -> list[str]:
    with pytest.raises(ContentErrors) as exc:
        _load(online_text)
    return [str(e) for e in exc.value.errors]


SHIPPED = (ROOT / NAME).read_text(encoding="utf-8")


def test_shipped_guide_covers_khai_sinh_and_every_step_is_sourced_or_flagged() -> None:
    snap = _load(SHIPPED)
    guide = snap.online
    assert guide is not None
    steps = guide.steps_for("ho-tich.khai-sinh")
    assert steps[0].id == "dang-nhap" and steps[-1].id == "ma-ho-so"
    assert {s.show for s in steps} >= {"fields", "documents", "fee"}
    known = {s.id for s in guide.sources}
    for s in guide.steps:
        assert s.sources or not s.verified
        assert set(s.sources) <= known
    assert "liên thông" in steps[1].say   # khai sinh's own text for finding the procedure


def test_an_unsourced_verified_step_is_refused_with_its_line() -> None:
    broken = SHIPPED.replace("    sources: [dvc-huong-dan]\n  - id: dien-to-khai", "  - id: dien-to-khai", 1)
    errs = _errors(broken)
    line = broken.splitlines().index("  - id: tim-thu-tuc") + 1
    assert any(e.startswith(f"{NAME}:{line}") and "phải ghi nguồn" in e for e in errs), errs


def test_an_override_of_a_missing_step_or_a_procedure_not_online_is_refused() -> None:
    errs = _errors(SHIPPED + "  xa-hoi.ho-ngheo:\n    skip: [khong-co]\n")
    assert any(NAME in e and "xa-hoi.ho-ngheo" in e for e in errs), errs
    errs = _errors(SHIPPED.replace("      tim-thu-tuc:\n", "      tim-thu-tuc-x:\n"))
    assert any(NAME in e and "tim-thu-tuc-x" in e and "không có trong danh sách bước chung" in e for e in errs), errs
    errs = _errors(SHIPPED.replace("sources: [binhduong-thanh-toan]", "sources: [nguon-la]", 1))
    assert any(NAME in e and "nguon-la" in e for e in errs), errs
