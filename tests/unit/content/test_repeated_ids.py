"""An id written twice in the catalog is refused with the id named (the bot and the desk refer to things by id)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from bot.content.catalog import Procedure
from bot.content.elsewhere import ElsewhereList
from bot.content.rules import RuleList

CATALOG = Path(__file__).resolve().parents[3] / "procedures_catalog"


def _read(name: str) -> Any:
    return yaml.safe_load((CATALOG / name).read_text(encoding="utf-8"))


def _refused(model: Any, data: Any) -> str:
    with pytest.raises(ValidationError) as exc:
        model.model_validate(data)
    return str(exc.value)


def test_a_document_or_a_form_field_written_twice_is_named() -> None:
    data = _read("ho-tich.khai-sinh.yml")
    Procedure.model_validate(data)
    doc = data["documents"][0]
    assert f"mã giấy tờ bị trùng: {doc['id']}" in _refused(Procedure, {**data, "documents": [*data["documents"], doc]})
    fields = data["form"]["fields"]
    twice = {**data, "form": {**data["form"], "fields": [*fields, fields[1]]}}
    assert f"mã trường bị trùng: {fields[1]['id']}" in _refused(Procedure, twice)


def test_a_rule_or_an_elsewhere_entry_written_twice_is_named() -> None:
    rules = _read("_rules.yml")
    rule = rules["rules"][0]
    assert f"mã quy định bị trùng: {rule['id']}" in _refused(RuleList, {**rules, "rules": [*rules["rules"], rule]})
    elsewhere = _read("_elsewhere.yml")
    entry = elsewhere["entries"][0]
    twice = {**elsewhere, "entries": [*elsewhere["entries"], entry]}
    assert f"mã bị trùng: {entry['id']}" in _refused(ElsewhereList, twice)
