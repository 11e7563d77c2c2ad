"""`motcua catalog import`: a province's list becomes entries the bot can find by name and walk."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.content.importer import entries_from_rows, import_file
from bot.content.knowledge import knowledge_items, labels
from bot.content.loader import load_content
from nlu.api import Candidate, Understanding
from tests.conftest import ROOT
from tests.unit.engine.helpers import Chat

SAMPLE = ROOT / "procedures_catalog" / "samples" / "danh-muc-tthc-mau.csv"
TODAY = dt.date(2026, 11, 24)


def test_sample_list_imports_with_errors_reported_per_row(tree: Path) -> None:
    report = import_file(SAMPLE, tree, TODAY, existing_codes=["1.001193"])
    assert len(report.imported) == 10
    assert any("dòng 13" in e and "thiếu mã" in e for e in report.errors)
    assert any("dòng 14" in e and "thiếu tên" in e for e in report.errors)
    assert any("bị lặp" in e for e in report.errors)
    assert any("1.001193" in s for s in report.skipped)
    snap = load_content(tree, require_all=False)
    entry = snap.procedures["tthc.1-000593"]
    assert entry.imported and entry.name == "Đăng ký kết hôn lưu động" and not entry.verified
    assert entry.national_code.sources == ("nhap-dong-4",) and "dòng 4" in entry.sources[0].title


def test_xlsx_lists_import_too(tree: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["DANH MỤC THỦ TỤC HÀNH CHÍNH CẤP XÃ"])  # a title row above the header, as provinces do
    ws.append(["STT", "Mã TTHC", "Tên thủ tục hành chính", "Lĩnh vực", "Cơ quan thực hiện"])
    ws.append([1, "1.004746", "Đăng ký lại kết hôn", "Hộ tịch", "UBND cấp xã"])
    ws.append([2, None, None, None, None])
    path = tree / "list.xlsx"
    wb.save(path)
    report = import_file(path, tree, TODAY)
    assert report.imported == ["tthc.1-004746"] and not report.errors


def test_garbage_files_are_reported_not_crashing(tree: Path) -> None:
    bad = tree / "bad.csv"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    assert import_file(bad, tree, TODAY).errors
    _, report = entries_from_rows([["a", "b"], ["1", "2"]], "x", TODAY)
    assert "tiêu đề" in report.errors[0]


def test_imported_procedure_is_found_by_name_and_walked_not_handed_off(tree: Path) -> None:
    from nlu.builtin import BuiltinParser
    from nlu.training import default_training_set

    import_file(SAMPLE, tree, TODAY)
    snap = load_content(tree, require_all=False)
    parser = BuiltinParser.train(default_training_set(knowledge_items(snap), labels(snap)))
    u = parser.parse("cho hỏi thủ tục đăng ký kết hôn lưu động", None)
    assert "tthc.1-000593" in [c.label for c in u.ranking[:3]]
    chat = Chat(snap)
    chat.say("/start")


    chat.say("đăng ký kết hôn lưu động", Understanding("", (Candidate("tthc.1-000593", 0.9),)))
    assert "handoff_requested" not in chat.events
    assert "danh mục thủ tục hành chính" in chat.text and "UBND cấp xã" in chat.text
    assert chat.state.phase == "flow"
