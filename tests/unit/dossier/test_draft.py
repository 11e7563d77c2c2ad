"""build_draft: form values in form order, dates in words, checklist with what the citizen lacks, JSON export."""
import json
import unicodedata
from pathlib import Path

import jsonschema

from bot.dossier.draft import SCHEMA_VERSION, build_draft

from .conftest import KHAI_SINH_FIELDS, TODAY

SCHEMA = json.loads((Path(__file__).resolve().parents[3] / "bot" / "dossier" / "schema.json").read_text("utf-8"))


def _draft(proc, fields=KHAI_SINH_FIELDS, missing=("giay-chung-sinh",), province=None,
           applicable=("to-khai", "giay-chung-sinh", "giay-to-tuy-than")):
    return build_draft(proc, {"co-giay-chung-sinh": "co"}, dict(fields), list(missing), province, TODAY,
                       applicable_docs=list(applicable))


def test_values_follow_form_order_and_carry_labels(khai_sinh):
    d = _draft(khai_sinh)
    assert [v.id for v in d.values] == [f.id for f in khai_sinh.form.fields]
    assert d.value("child_name").label == "Họ, chữ đệm, tên người được khai sinh"
    assert d.get("child_name") == "Trần Minh Khôi"


def test_birth_date_is_written_in_digits_and_words(khai_sinh):
    v = _draft(khai_sinh).value("child_birth_date")
    assert v.value == "2026-03-15" and v.display == "15/03/2026"
    assert v.in_words == "Ngày mười lăm, tháng ba, năm hai nghìn không trăm hai mươi sáu"
    assert _draft(khai_sinh).value("mother_birth_date").in_words is None  # the form does not ask for it


def test_values_are_nfc_even_when_typed_decomposed(khai_sinh):
    nfd = dict(KHAI_SINH_FIELDS, child_name=unicodedata.normalize("NFD", "Trần Minh Khôi"))
    assert _draft(khai_sinh, nfd).get("child_name") == unicodedata.normalize("NFC", "Trần Minh Khôi")


def test_missing_fields_are_reported_not_invented(khai_sinh):
    fields = {k: v for k, v in KHAI_SINH_FIELDS.items() if k != "father_name"}
    d = _draft(khai_sinh, fields)
    assert d.get("father_name") == "" and [v.id for v in d.missing_required] == ["father_name"]


def test_checklist_has_applicable_documents_and_marks_lacking_ones(khai_sinh):
    d = _draft(khai_sinh)
    assert [c.id for c in d.checklist] == ["to-khai", "giay-chung-sinh", "giay-to-tuy-than"]
    lacking = d.lacking
    assert [c.id for c in lacking] == ["giay-chung-sinh"]
    assert "cơ sở y tế" in lacking[0].how_to_get
    assert d.checklist[2].form_vi.startswith("xuất trình")


def test_a_lacking_document_outside_the_applicable_list_is_still_listed(khai_sinh):
    d = _draft(khai_sinh, missing=("van-ban-uy-quyen",), applicable=("to-khai",))
    assert [c.id for c in d.checklist] == ["to-khai", "van-ban-uy-quyen"]


def test_fee_time_where_come_from_the_entry(khai_sinh):
    d = _draft(khai_sinh)
    assert d.fee == khai_sinh.fee.text and d.fee_province is None
    assert d.time_limit == khai_sinh.time_limit.text
    assert d.where == khai_sinh.submission.where.text
    assert "time_limit" not in d.unverified  # now read in Luật Hộ tịch Đ16 k2 and Đ5 k3 (issue 17)
    unsure = khai_sinh.time_limit.model_copy(update={"verified": False})
    assert "time_limit" in _draft(khai_sinh.model_copy(update={"time_limit": unsure})).unverified


def test_province_fee_override_is_used(khai_sinh):
    from bot.content.catalog import Fee, ProvinceOverride

    proc = khai_sinh.model_copy(update={"province_overrides": {"Hà Nội": ProvinceOverride(
        fee=Fee(text="Quá hạn: 5.000 đồng", sources=("S10",)))}})
    d = _draft(proc, province="Hà Nội")
    assert d.fee == "Quá hạn: 5.000 đồng" and d.fee_province == "Hà Nội"


def test_json_export_matches_schema_and_is_stable(khai_sinh):
    d = _draft(khai_sinh)
    out = d.to_json("KS-7F3K2Q")
    jsonschema.validate(out, SCHEMA)
    assert out["schema_version"] == SCHEMA_VERSION
    assert out["complete_documents"] is False
    assert json.loads(json.dumps(out, ensure_ascii=False)) == out
    f = next(x for x in out["form"]["fields"] if x["id"] == "child_birth_date")
    assert f["value"] == "2026-03-15" and f["display"] == "15/03/2026"
    assert out == _draft(khai_sinh).to_json("KS-7F3K2Q")


def test_procedure_without_form_exports_null_form(khai_sinh):
    proc = khai_sinh.model_copy(update={"form": None})
    out = _draft(proc).to_json(None)
    jsonschema.validate(out, SCHEMA)
    assert out["form"] is None


def test_schema_rejects_a_malformed_code(khai_sinh):
    import pytest

    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(_draft(khai_sinh).to_json("KS-0O1"), SCHEMA)
