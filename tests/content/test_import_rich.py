"""Rich import: a province's full procedure records (CSV, XLSX, JSON lines) become walkable procedures.

Every record is written here in the shapes provinces publish (headers in capitals or without diacritics,
extra columns, multi-line cells); nothing in bot/ knows these rows.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import re
import subprocess
from pathlib import Path

import yaml

from bot.content.importer import import_file
from bot.content.loader import load_content
from bot.dossier.draft import build_draft
from bot.dossier.render import render_html, render_pdf
from nlu.api import Candidate, Understanding
from tests.conftest import needs_tool
from tests.unit.engine.helpers import Chat, u

TODAY = dt.date(2026, 12, 6)
HEADER = ["STT", "MÃ THỦ TỤC", "ten thu tuc", "Lĩnh Vực", "Cấp thực hiện", "Cơ quan thực hiện",
          "CACH THUC THUC HIEN", "Thành phần hồ sơ", "Thời hạn giải quyết", "Phí, lệ phí", "Căn cứ pháp lý",
          "Kết quả thực hiện", "Đối tượng thực hiện", "Ghi chú nội bộ"]
DOCS = ("Thành phần hồ sơ gồm:\n- Đơn đề nghị hỗ trợ theo mẫu (01 bản chính)\n"
        "- Giấy xác nhận của trưởng thôn (bản sao)\n+ Giấy tờ chứng minh hoàn cảnh khó khăn (nếu có)\n"
        "Số lượng hồ sơ: 01 bộ")
ROW = ["1", "9.912345", "Hỗ trợ chi phí sửa chữa nhà bị hư hỏng do thiên tai", "Bảo trợ xã hội", "Cấp xã",
       "Ủy ban nhân dân xã", "Nộp trực tiếp tại Trung tâm Phục vụ hành chính công xã\nhoặc nộp trực tuyến",
       DOCS, "05 ngày làm việc", "Không", "Nghị định 20/2021/NĐ-CP\nThông tư 02/2021/TT-BLĐTBXH",
       "Quyết định hỗ trợ", "Hộ gia đình có nhà bị hư hỏng", "ghi chú không dùng"]
PID = "tthc.9-912345"


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_full_record_columns_are_read_with_any_header_spelling_and_multiline_cells(tree: Path) -> None:
    report = import_file(write_csv(tree / "ds.csv", [HEADER, ROW]), tree, TODAY)
    assert report.imported == [PID] and not report.errors
    proc = load_content(tree, require_all=False).procedures[PID]
    assert proc.authority.text == "Ủy ban nhân dân xã" and proc.time_limit.text == "05 ngày làm việc"
    assert proc.fee.text == "Không" and proc.applies_to.text == "Hộ gia đình có nhà bị hư hỏng"
    assert set(proc.submission.channels) == {"in_person", "online"}
    assert [f.text for f in proc.legal_basis] == ["Nghị định 20/2021/NĐ-CP", "Thông tư 02/2021/TT-BLĐTBXH"]
    names = [(d.name, d.form.value, d.optional) for d in proc.documents]
    assert names == [("Đơn đề nghị hỗ trợ theo mẫu", "original", False),
                     ("Giấy xác nhận của trưởng thôn", "copy", False),
                     ("Giấy tờ chứng minh hoàn cảnh khó khăn", "original", True)]
    facts = [proc.national_code, proc.authority, proc.time_limit, proc.result, proc.applies_to,
             proc.submission.where, *proc.legal_basis]
    assert all(f.sources == ("nhap-dong-2",) and not f.verified for f in facts)
    assert all(not d.verified and d.sources == ("nhap-dong-2",) for d in proc.documents)
    assert not proc.fee.verified and not proc.verified
    assert proc.sources[0].title == "ds.csv, dòng 2"


def test_xlsx_with_multiline_cells_imports_the_same_record(tree: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["DANH MỤC THỦ TỤC HÀNH CHÍNH THUỘC THẨM QUYỀN CẤP XÃ"])
    ws.append(HEADER)
    ws.append(ROW)
    wb.save(tree / "ds.xlsx")
    report = import_file(tree / "ds.xlsx", tree, TODAY)
    assert report.imported == [PID] and not report.errors
    proc = load_content(tree, require_all=False).procedures[PID]
    assert len(proc.documents) == 3 and proc.documents[2].optional
    assert proc.sources[0].title == "ds.xlsx, dòng 3"


def test_json_lines_records_and_bad_lines_are_reported_by_line(tree: Path) -> None:
    lines = [
        json.dumps({"code": "9.900001", "name": "Xác nhận hợp đồng tiếp cận nguồn gen", "authority": "UBND xã",
                    "documents": ["Văn bản đề nghị (bản chính)", "Bản sao hợp đồng (nếu có)"], "fee": "Không",
                    "source": "https://dichvucong.gov.vn/ví-dụ"}, ensure_ascii=False),
        "{not json",
        json.dumps({"Mã thủ tục": "9.900002", "Tên thủ tục": "Công nhận tổ hợp tác", "Thời hạn giải quyết": "03 ngày"},
                   ensure_ascii=False),
        json.dumps({"Tên thủ tục": "Thiếu mã"}, ensure_ascii=False),
    ]
    path = tree / "ds.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_file(path, tree, TODAY)
    assert report.imported == ["tthc.9-900001", "tthc.9-900002"]
    assert any(e.startswith("dòng 2:") and "JSON" in e for e in report.errors)
    assert any(e.startswith("dòng 4:") and "thiếu mã" in e for e in report.errors)
    snap = load_content(tree, require_all=False)
    first = snap.procedures["tthc.9-900001"]
    assert [d.optional for d in first.documents] == [False, True]
    assert first.sources[0].url == "https://dichvucong.gov.vn/ví-dụ"
    assert snap.procedures["tthc.9-900002"].time_limit.text == "03 ngày"


def test_reimport_updates_in_place(tree: Path) -> None:
    import_file(write_csv(tree / "ds.csv", [HEADER, ROW]), tree, TODAY)
    changed = list(ROW)
    changed[9] = "Lệ phí 10.000 đồng"
    report = import_file(write_csv(tree / "ds.csv", [HEADER, changed]), tree, TODAY)
    assert report.imported == [PID]
    files = list((tree / "procedures_catalog" / "imported").glob("*.yml"))
    assert [f.name for f in files] == [f"{PID}.yml"]
    assert load_content(tree, require_all=False).procedures[PID].fee.text == "Lệ phí 10.000 đồng"


def test_a_hand_written_flow_wins_and_is_never_overwritten(tree: Path) -> None:
    import_file(write_csv(tree / "ds.csv", [HEADER, ROW]), tree, TODAY)
    entry = tree / "procedures_catalog" / "imported" / f"{PID}.yml"
    hand = {"procedure": PID, "steps": [{"id": "only", "kind": "handoff", "say": "Luồng viết tay của xã."}]}
    (tree / "flows" / f"{PID}.yml").write_text(yaml.safe_dump(hand, allow_unicode=True), encoding="utf-8")
    before = entry.read_text(encoding="utf-8")
    changed = list(ROW)
    changed[9] = "Lệ phí 99.000 đồng"
    report = import_file(write_csv(tree / "ds.csv", [HEADER, changed]), tree, TODAY)
    assert report.imported == [] and any("luồng viết tay" in s for s in report.skipped)
    assert entry.read_text(encoding="utf-8") == before
    snap = load_content(tree, require_all=False)
    assert [s.id for s in snap.flows[PID].steps] == ["only"]


def test_an_imported_record_with_a_deep_procedures_code_leaves_the_deep_flow_in_charge(tree: Path) -> None:
    deep = load_content(tree, require_all=False)
    pid, proc = next((p, x) for p, x in deep.procedures.items() if x.national_code and p in deep.flows)
    row = list(ROW)
    row[1], row[2] = proc.national_code.text, proc.name + " (theo danh mục)"
    import_file(write_csv(tree / "ds.csv", [HEADER, row]), tree, TODAY)
    snap = load_content(tree, require_all=False)
    assert not any(p.imported for p in snap.procedures.values())
    assert snap.flows[pid] == deep.flows[pid]


def walk_to_review(chat: Chat) -> None:
    chat.say("/start")
    chat.say("hỗ trợ sửa nhà do thiên tai", u((PID, 0.93)))
    assert "danh mục thủ tục hành chính" in chat.text and "05 ngày làm việc" in chat.text
    assert "Ủy ban nhân dân xã" in chat.text and "Phí, lệ phí: Không" in chat.text
    assert "Đơn đề nghị hỗ trợ theo mẫu" in chat.texts[-1] and "Bạn đã có chưa?" in chat.texts[-1]
    chat.say("có")
    assert "Giấy xác nhận của trưởng thôn" in chat.text and "Đơn đề nghị" not in chat.text
    chat.say("chưa có")
    assert "Giấy tờ chứng minh hoàn cảnh khó khăn" in chat.text and "chỉ cần nếu bạn có" in chat.text
    chat.say("có")
    for answer in ("Trần Thị Mai", "001190012345", "0912345678", "Thôn Đông, xã Hòa Bình, tỉnh Phú Thọ",
                   "xã Hòa Bình", "Nhà bị tốc mái sau bão số 3, đề nghị hỗ trợ sửa chữa"):
        chat.say(answer)
    assert "Nhà bị tốc mái sau bão số 3" in chat.text and "001190012345" in chat.text


def test_generic_walk_goes_from_summary_through_documents_and_details_to_a_draft(tree: Path) -> None:
    import_file(write_csv(tree / "ds.csv", [HEADER, ROW]), tree, TODAY)
    chat = Chat(load_content(tree, require_all=False), today=TODAY, code="HS-7F3K2Q")
    walk_to_review(chat)
    chat.say("/xacnhan" if "/xacnhan" in str(chat.last.replies) else chat.buttons[0])
    draft = next(e for e in chat.last.events if e.type == "draft_requested")
    assert draft.procedure_id == PID and draft.fields["request_content"].startswith("Nhà bị tốc mái")
    assert draft.docs_missing == ["giay-xac-nhan-cua-truong-thon"]
    assert draft.fields["procedure_name"] == "Hỗ trợ chi phí sửa chữa nhà bị hư hỏng do thiên tai"


def test_fee_and_time_questions_are_answered_from_the_imported_record(tree: Path) -> None:
    import_file(write_csv(tree / "ds.csv", [HEADER, ROW]), tree, TODAY)
    chat = Chat(load_content(tree, require_all=False), today=TODAY)
    chat.say("/start")
    chat.say("hỗ trợ sửa nhà do thiên tai", u((PID, 0.93)))
    chat.say("lệ phí bao nhiêu", Understanding("", (Candidate("ask_fee", 0.9),)))
    assert "Không" in chat.text and "chưa" in chat.text.lower()
    chat.say("bao lâu thì có", Understanding("", (Candidate("ask_duration", 0.9),)))
    assert "05 ngày làm việc" in chat.text


@needs_tool("pdftotext", "poppler-utils, make system-deps")
def test_the_generic_draft_pdf_carries_the_request_and_the_checklist(tree: Path, tmp_path: Path) -> None:
    import_file(write_csv(tree / "ds.csv", [HEADER, ROW]), tree, TODAY)
    proc = load_content(tree, require_all=False).procedures[PID]
    fields = {"requester_name": "Trần Thị Mai", "requester_id": "001190012345", "phone": "0912345678",
              "requester_address": "Thôn Đông, xã Hòa Bình", "commune": "xã Hòa Bình",
              "request_content": "Nhà bị tốc mái sau bão số 3", "procedure_name": proc.name}
    have = [proc.documents[0].id]  # the optional third document: answered "Chưa có"
    draft = build_draft(proc, {}, fields, ["giay-xac-nhan-cua-truong-thon"], None, TODAY, docs_have=have)
    assert "HS-7F3K2Q" in render_html(draft, "HS-7F3K2Q", "https://motcua.example")
    pdf = tmp_path / "d.pdf"
    pdf.write_bytes(render_pdf(draft, "HS-7F3K2Q", "https://motcua.example"))
    text = re.sub(r"\s+", " ", subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                                              check=True, text=True).stdout)
    for expected in ("Hỗ trợ chi phí sửa chữa nhà bị hư hỏng do thiên tai", "Trần Thị Mai", "001190012345",
                     "Nhà bị tốc mái sau bão số 3", "Giấy xác nhận của trưởng thôn", "Chưa có", "Đã có",
                     "Không có (không bắt buộc)", "Thủ tục đề nghị giải quyết"):
        assert expected in text


def test_an_admin_starts_a_deep_flow_from_the_generated_one(tree: Path) -> None:
    from bot.content.generic import generated_flow_yaml

    import_file(write_csv(tree / "ds.csv", [HEADER, ROW]), tree, TODAY)
    generated = generated_flow_yaml(load_content(tree, require_all=False).procedures[PID])
    edited = generated.replace("Mình sẽ đưa bạn xem qua thủ tục", "Xã Hòa Bình hướng dẫn, mình sẽ đưa bạn xem qua thủ tục")
    (tree / "flows" / f"{PID}.yml").write_text(edited, encoding="utf-8")
    snap = load_content(tree, require_all=False)
    assert snap.flows[PID].intro.startswith("Xã Hòa Bình hướng dẫn")
    assert snap.procedures[PID].form_field("request_content") is not None
    report = import_file(write_csv(tree / "ds.csv", [HEADER, ROW]), tree, TODAY)
    assert report.imported == [] and (tree / "flows" / f"{PID}.yml").read_text(encoding="utf-8") == edited
