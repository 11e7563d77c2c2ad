"""Content audit: what an admin must check, per procedure, and marking a fact verified with its source."""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.admin.audit import AuditError, audit, mark_verified
from bot.admin.versions import folder_files
from bot.content.loader import load_texts
from bot.content.yamlsrc import load_yaml

ROOT = Path(__file__).resolve().parents[3]
TODAY = dt.date(2026, 12, 6)
CC = "procedures_catalog/can-cuoc.cap-doi-lai.yml"


@pytest.fixture
def content_root(tmp_path: Path) -> Path:
    for folder in ("procedures_catalog", "flows"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def _run(root: Path, *extra: str, today: str = "2026-12-06") -> str:
    env = {**os.environ, "MOTCUA_TODAY": today}
    out = subprocess.run([sys.executable, "-m", "bot", "content", "audit", "--root", str(root), *extra], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_cli_lists_per_procedure_and_prints_the_figures(content_root: Path) -> None:
    files = folder_files(content_root)
    report = audit(files, TODAY)
    facts = report.facts
    unverified = sum(not f.verified for f in facts)
    unsourced = sum(not f.sources for f in facts)
    out = _run(content_root)
    pct = f"{100 * unverified / len(facts):.1f}".replace(".", ",")
    assert f"Tổng: {len(facts)} thông tin; {unverified} chưa xác minh ({pct} %); {unsourced} không có nguồn; " \
           "0 dẫn nguồn không tồn tại; 1 quy định sắp hết hạn." in out
    # an unsourced fact is listed under its procedure, with file:line (whichever one the content has now)
    fact = next(f for o in report.owners for f in o.unsourced)
    owner = next(o for o in report.owners if fact in o.unsourced)
    section = out.split(f"== {owner.owner} ")[1].split("\n== ")[0]
    assert "  Không có nguồn" in section and f"{fact.file}:{fact.line} {fact.path} — " in section
    cc = out.split("== can-cuoc.cap-doi-lai")[1].split("\n== ")[0]
    assert "Quy định sắp hết hạn: can-cuoc-giam-50-le-phi — hết hiệu lực 31/12/2026 (còn 25 ngày); chưa xác minh" \
        in cc
    # a procedure with nothing to check is left out unless --all
    assert "== ho-tich.ket-hon" not in out or "chưa xác minh" in out.split("== ho-tich.ket-hon")[1].split("\n")[0]
    assert len(re.findall(r"^== ", _run(content_root, "--all"), re.MULTILINE)) == len(report.owners)


def test_cli_reports_a_cited_source_that_does_not_exist(content_root: Path) -> None:
    path = content_root / CC
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("time_limit:\n  text: 07 ngày làm việc kể từ ngày nhận đủ hồ sơ.\n  sources: [S25]",
                                 "time_limit:\n  text: 07 ngày làm việc kể từ ngày nhận đủ hồ sơ.\n  sources: [S99]"),
                    encoding="utf-8")
    out = _run(content_root)
    assert "Dẫn nguồn không tồn tại (1):" in out and "time_limit — 07 ngày làm việc" in out and "[thiếu: S99]" in out
    assert "; 1 dẫn nguồn không tồn tại;" in out


def test_the_online_filing_steps_are_audited_like_the_catalog(content_root: Path) -> None:
    """Issue 22: the guided filing's steps are facts citizens act on; an unverified or unsourced one is listed
    under "_online" with file:line, and counted in the figures."""
    path = content_root / "flows" / "_online.yml"
    text = path.read_text(encoding="utf-8")
    assert "  - id: nop-ho-so\n" in text
    path.write_text(text.replace("  - id: nop-ho-so\n", "  - id: nop-ho-so\n    verified: false\n", 1), encoding="utf-8")
    out = _run(content_root)
    section = out.split("== _online — Hướng dẫn tự nộp trực tuyến (flows/_online.yml)")[1].split("\n== ")[0]
    step = next(f for f in audit(folder_files(content_root), TODAY).facts
                if f.owner == "_online" and f.text.startswith("Đọc lại tờ khai"))
    assert not step.verified and f"flows/_online.yml:{step.line} {step.path} — Đọc lại tờ khai" in section
    assert "Hướng dẫn tự nộp trực tuyến (flows/_online.yml):" in out


def test_no_rule_expiring_soon_is_reported_far_from_its_end(content_root: Path) -> None:
    out = _run(content_root, today="2026-10-01")
    assert "Quy định sắp hết hạn" not in out and "; 0 quy định sắp hết hạn." in out


def test_mark_verified_adds_the_source_and_keeps_the_file_valid() -> None:
    files = folder_files(ROOT)
    before = audit(files, TODAY)
    url = "https://thuvienphapluat.vn/van-ban/Quyen-dan-su/Nghi-dinh-70-2024-ND-CP-huong-dan-Luat-Can-cuoc-615257.aspx"
    fact = next(f for f in before.facts if f.file == CC and not f.verified)
    new, sid = mark_verified(files[CC], fact.path, url, "Nghị định 70/2024/NĐ-CP")
    data, old = load_yaml(new, CC).data, load_yaml(files[CC], CC).data
    for part in fact.path.split("."):
        data, old = (data[int(part)], old[int(part)]) if part.isdigit() else (data[part], old[part])
    assert data["verified"] is True and data["sources"] == [*old.get("sources", []), sid]
    assert {k: v for k, v in data.items() if k not in ("verified", "sources")} == \
        {k: v for k, v in old.items() if k not in ("verified", "sources")}
    assert {"id": sid, "title": "Nghị định 70/2024/NĐ-CP", "url": url} in load_yaml(new, CC).data["sources"]
    after = audit({**files, CC: new}, TODAY)
    assert sum(not f.verified for f in after.facts) == sum(not f.verified for f in before.facts) - 1
    # only the fact and the source list changed; comments are kept
    changed = [ln for ln in new.splitlines() if ln not in files[CC].splitlines()]
    assert 1 <= len(changed) <= 4 and new.startswith(files[CC].splitlines()[0])
    cat = {k: v for k, v in files.items() if k.startswith("procedures_catalog/")}
    flo = {k: v for k, v in files.items() if k.startswith("flows/") and not k.endswith("_phrases.yml")}
    load_texts({**cat, CC: new}, flo, files["flows/_phrases.yml"], (), require_all=False)
    again, sid2 = mark_verified(new, "documents.0", url)            # the same link is cited, not added twice
    assert sid2 == sid and again.count(url) == 1


@pytest.mark.parametrize("path,url,problem", [
    ("legal_basis.1", "thuvienphapluat.vn/x", "http"),
    ("legal_basis.99", "https://a.vn/x", "không tìm thấy"),
    ("name", "https://a.vn/x", "không phải một thông tin"),
])
def test_mark_verified_refuses_bad_requests(path: str, url: str, problem: str) -> None:
    with pytest.raises(AuditError, match=problem):
        mark_verified(folder_files(ROOT)[CC], path, url)


def test_audit_on_a_machine_whose_database_is_not_migrated_reads_the_installed_files(tmp_path: Path) -> None:
    """A fresh install (no `db upgrade` yet): the audit still answers, from the files, and says why; the
    commands that need the database say what to run instead of printing a traceback."""
    env = {**os.environ, "MOTCUA_TODAY": "2026-12-06",
           "MOTCUA_DATABASE__URL": f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}"}
    run = [sys.executable, "-m", "bot", "content"]
    out = subprocess.run([*run, "audit"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    assert "cơ sở dữ liệu chưa sẵn sàng" in out.stdout and "Tổng:" in out.stdout
    assert "Traceback" not in out.stderr
    hist = subprocess.run([*run, "history"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert hist.returncode == 2 and "motcua db upgrade" in hist.stderr and "Traceback" not in hist.stderr
