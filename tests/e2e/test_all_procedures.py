"""Every procedure with a flow can be walked over REST from a free-text request to the review step."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from bot.content.loader import load_content
from tests.conftest import ROOT, new_sender
from tests.fakes.http import HttpCitizen

CONTENT = load_content(Path(os.environ.get("MOTCUA_TEST_CONTENT_ROOT", ROOT)), require_all=False)
FULL = sorted(pid for pid, p in CONTENT.procedures.items() if p.level == "full" and pid in CONTENT.flows)


@pytest.mark.parametrize("pid", FULL)
async def test_walk_to_review(client: Any, services: Any, pid: str) -> None:
    citizen = HttpCitizen(client, services, new_sender())
    w = await citizen.walk(CONTENT.procedures[pid], CONTENT.flows[pid], confirm=False, limit=120)
    assert w.kind == "review"
    texts = "\n".join(x.get("text", "") for x in w.replies)
    assert "Thông tin bạn đã cung cấp" in texts or "Giấy tờ cần có" in texts
    assert any(b["payload"] == "/xacnhan" for x in w.replies for b in x.get("buttons", []))
