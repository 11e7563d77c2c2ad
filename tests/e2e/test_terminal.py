"""`motcua chat`: the same engine in a terminal; numbered choices stand in for buttons."""
from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT


def test_terminal_chat_reaches_the_checklist(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = dict(os.environ, MOTCUA_DATABASE__URL=f"sqlite+aiosqlite:///{tmp_path / 'chat.sqlite3'}",
               MOTCUA_NLU__MODEL_CACHE_DIR=str(tmp_path / "nlu"))
    lines = ["tôi muốn làm giấy khai sinh cho con"] + ["1"] * 3 + ["3", "/thoat"]   # the usual case, only khai sinh, in 60 days
    res = subprocess.run([sys.executable, "-m", "bot", "chat", "--sender", "ba-con"], cwd=ROOT, env=env,
                         input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=180)
    assert res.returncode == 0, res.stderr[-2000:]
    out = res.stdout
    assert "Bot: Thủ tục: Đăng ký khai sinh" in out
    assert "[1] Đúng cả" in out and "[1] Có" in out
    assert "Bước 1/" in out
    assert "Giấy do bệnh viện" in out  # "3" = Giấy này là gì? (Bước 1 is the giấy chứng sinh: the tờ khai is the draft)
