"""A content file saved in another encoding is reported as `file:line` in Vietnamese, never a traceback."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.content.loader import read_folder_texts
from bot.content.yamlsrc import ContentErrors

ROOT = Path(__file__).resolve().parents[3]


def test_a_latin1_flow_is_a_content_error_at_its_first_foreign_line(tmp_path: Path) -> None:
    (tmp_path / "procedures_catalog").mkdir()
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "thu-tuc.yml").write_bytes("procedure: thu-tuc\nsay: Café\n".encode("latin-1"))
    with pytest.raises(ContentErrors) as caught:
        read_folder_texts(tmp_path)
    assert [str(e) for e in caught.value.errors] == [
        "flows/thu-tuc.yml:2: (file): tệp không phải UTF-8: hãy lưu lại tệp với bảng mã UTF-8"]


def test_validate_names_the_file_instead_of_crashing(tmp_path: Path) -> None:
    for folder in ("procedures_catalog", "flows"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    flow = tmp_path / "flows" / "ho-tich.khai-sinh.yml"
    flow.write_bytes(flow.read_text(encoding="utf-8").encode("cp1258", errors="replace"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    res = subprocess.run([sys.executable, "-m", "bot", "validate", "--root", str(tmp_path)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    assert res.stdout.startswith("flows/ho-tich.khai-sinh.yml, dòng "), res.stdout + res.stderr[-2000:]
    assert "tệp không phải UTF-8" in res.stdout
