"""The `_elsewhere.yml` list is admin-edited data: a broken edit names its file, line and field."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.loader import load_spec, load_texts, read_folder_texts
from bot.content.yamlsrc import ContentErrors

ROOT = Path(__file__).resolve().parents[2]
NAME = "procedures_catalog/_elsewhere.yml"


def _load(text: str):
    cat, flo, phrases = read_folder_texts(ROOT)
    cat[NAME] = text
    return load_texts(cat, flo, phrases, load_spec(ROOT / "procedures_catalog" / "_spec.yml"))


def test_the_shipped_list_loads_and_every_fact_is_sourced_or_flagged() -> None:
    snap = _load((ROOT / NAME).read_text(encoding="utf-8"))
    assert {e.id for e in snap.elsewhere} >= {"ly-hon", "ho-chieu", "ly-lich-tu-phap"}
    for e in snap.elsewhere:
        for fact in (e.authority, e.how):
            assert fact is None or fact.sources or not fact.verified


def test_a_verified_fact_without_a_source_is_refused_with_its_line() -> None:
    text = """entries:
  - id: ho-chieu
    name: làm hộ chiếu
    phrases: [hộ chiếu]
    authority:
      text: Công an tỉnh cấp hộ chiếu.
      verified: true
"""
    with pytest.raises(ContentErrors) as exc:
        _load(text)
    err = exc.value.errors[0]
    assert (err.file, err.line, err.field) == (NAME, 5, "entries.0.authority") and "nguồn" in err.problem


def test_a_cited_source_must_exist_and_phrases_cannot_be_empty() -> None:
    text = """entries:
  - id: ho-chieu
    name: làm hộ chiếu
    phrases: []
    authority: {text: Công an tỉnh., sources: [S99]}
"""
    with pytest.raises(ContentErrors) as exc:
        _load(text)
    assert any(e.field.endswith("phrases") and e.line == 4 for e in exc.value.errors)
