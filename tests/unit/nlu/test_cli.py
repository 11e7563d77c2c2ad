"""`motcua nlu predict | eval | train | export-rasa` through nlu.cli.main."""
from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest

from nlu.cli import main


def run(argv: list[str], spec_ts, monkeypatch: pytest.MonkeyPatch, stdin: str = "") -> str:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    assert main(argv, training_set_factory=lambda: spec_ts, out=out) == 0
    return out.getvalue()


def test_predict_reads_and_writes_json_lines(spec_ts, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lines = [json.dumps({"text": "mk mún đk kết hôn"}), json.dumps({"text": "sđt 0912 345 678"}), "không phải json"]
    out = run(["predict", "--cache", str(tmp_path), "--top", "3"], spec_ts, monkeypatch, "\n".join(lines) + "\n")
    rows = [json.loads(l) for l in out.splitlines()]
    assert rows[0]["text"] == "mk mún đk kết hôn"
    assert rows[0]["label"] == "ho-tich.ket-hon"
    assert 0 < rows[0]["confidence"] <= 1
    assert next(r["label"] for r in rows[0]["ranking"]) == "ho-tich.ket-hon" and len(rows[0]["ranking"]) == 3
    assert rows[1]["entities"][0]["type"] == "phone" and rows[1]["entities"][0]["value"] == "0912345678"
    assert "error" in rows[2]


def test_predict_reads_dates_against_the_day_it_is_given(spec_ts, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`motcua nlu predict` passes the current day (the package never reads the clock); --today names another."""
    line = json.dumps({"text": "bé sinh ngày 15/3"}) + "\n"

    def dates(argv: list[str], today: dt.date | None) -> list[str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(line))
        out = io.StringIO()
        assert main(["predict", "--cache", str(tmp_path), *argv], training_set_factory=lambda: spec_ts, out=out,
                     today=today) == 0
        return [e["value"] for e in json.loads(out.getvalue())["entities"] if e["type"] == "date"]

    assert dates([], dt.date(2026, 12, 6)) == ["2026-03-15"]
    assert dates(["--today", "2030-01-01"], dt.date(2026, 12, 6)) == ["2030-03-15"]
    assert dates([], None) == []


def test_eval_prints_accuracy_per_style_and_confusions(spec_ts, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "t.jsonl"
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"text": "làm giấy khai sinh cho con", "label": "ho-tich.khai-sinh", "style": "formal"},
        {"text": "dang ky tam tru", "label": "cu-tru.tam-tru", "style": "nodiacritics"},
        {"text": "xin chào", "label": "ho-tich.khai-tu", "style": "casual"},
    ]), encoding="utf-8")
    out = run(["eval", str(f), "--cache", str(tmp_path)], spec_ts, monkeypatch)
    assert "top-1 0.667" in out and "top-3" in out
    assert "nodiacritics" in out and "per label:" in out
    assert "ho-tich.khai-tu → greet" in out


def test_train_writes_the_cache_and_export_writes_rasa_files(spec_ts, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = run(["train", "--cache", str(tmp_path / "c")], spec_ts, monkeypatch)
    assert list((tmp_path / "c").glob("nlu-*.pkl")) and "đã huấn luyện" in out
    out = run(["export-rasa", str(tmp_path / "r")], spec_ts, monkeypatch)
    assert (tmp_path / "r" / "nlu.yml").exists() and (tmp_path / "r" / "domain.yml").exists()


def test_eval_reports_the_confidently_wrong_rate(spec_ts, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A wrong label the bot would act on without asking is counted and listed, per style too."""
    f = tmp_path / "t.jsonl"
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"text": "xin chào", "label": "ho-tich.khai-tu", "style": "casual"},
        {"text": "dang ky tam tru", "label": "cu-tru.tam-tru", "style": "nodiacritics"},
    ]), encoding="utf-8")
    out = run(["eval", str(f), "--cache", str(tmp_path)], spec_ts, monkeypatch)
    assert "confidently wrong 1 (50.0%" in out
    assert "ho-tich.khai-tu → greet" in out.split("confidently wrong (expected")[1]
    strict = run(["eval", str(f), "--cache", str(tmp_path), "--intent-threshold", "1.01"], spec_ts, monkeypatch)
    assert "confidently wrong 0 (0.0%" in strict
