"""The simulator shows the DRAFT text, not the live one, and keeps its state client-side."""
from __future__ import annotations

import datetime as dt
from typing import Any

from bot.admin.preview import preview_turn
from bot.admin.versions import build_snapshot
from tests.unit.admin.conftest import PID


class LiveNlu:
    def __init__(self, parser: Any):
        self.parser = parser

    async def aparse(self, text: str, context: Any) -> Any:
        return self.parser.parse(text, context)


async def test_preview_uses_the_draft_wording(files, spec, trained_parser) -> None:
    path = f"flows/{PID}.yml"
    marker = "Bạn đã có Giấy chứng sinh của bệnh viện hoặc trạm y tế chưa?"
    assert marker in files[path]
    draft_files = dict(files, **{path: files[path].replace(marker, "XEM THỬ - đã có giấy chứng sinh chưa?")})
    draft = build_snapshot(draft_files, spec, require_all=False)
    nlu = LiveNlu(trained_parser)
    state: dict[str, Any] | None = None
    seen: list[str] = []
    for text in ["tôi muốn đăng ký khai sinh cho con", "Có điều khác", "1", "1", "1", "1"]:
        state, replies, _events = await preview_turn(draft, state, text, nlu=nlu, today=dt.date(2026, 5, 1))
        seen += [r.get("text", "") for r in replies]
        if any("XEM THỬ" in s for s in seen):
            break
    assert any("XEM THỬ" in s for s in seen), seen
    assert not any(marker in s for s in seen)
