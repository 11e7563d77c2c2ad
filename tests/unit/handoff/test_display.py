"""The console's reading of a transcript: what the citizen saw, not the engine's payloads (issue 19, item 4)."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from bot.handoff.display import CONSOLE_ACTIONS, console_actions, shown_transcript


def _row(direction: str, sender: str, text: str, body: Any = None) -> Any:
    return SimpleNamespace(direction=direction, sender=sender, text=text, body=body, created_at=None)


def test_payloads_show_as_the_titles_the_citizen_tapped(content: Any) -> None:
    flow = content.flow("ho-tich.khai-sinh")
    q = next(s for s in flow.steps if s.kind == "question")
    opt = q.options[-1]
    rows = [
        _row("in", "citizen", "/start"),
        _row("out", "bot", "Chọn:", {"kind": "text", "text": "Chọn:",
                                     "buttons": [{"title": "Xem hướng dẫn", "payload": "/thamkhao"}]}),
        _row("in", "citizen", "/thamkhao"),
        _row("in", "citizen", f"/tl {q.id} {opt.value}"),          # an older row: derived from the flow
        _row("in", "citizen", "/danhgia 5"),
        _row("in", "citizen", "/canbo", {"title": "Gặp cán bộ ngay"}),   # a row that kept its title
        _row("in", "citizen", "/lenh-la"),                           # unknown: shown as typed
    ]
    shown = [m["text"] for m in shown_transcript(rows, content, "ho-tich.khai-sinh")]
    assert shown[0] == "Bắt đầu"
    assert shown[2:] == ["Xem hướng dẫn", opt.label, "Đánh giá 5/5", "Gặp cán bộ ngay", "/lenh-la"]


def test_actions_follow_the_ticket_state() -> None:
    assert console_actions(None, "lan", "agent") == CONSOLE_ACTIONS["none"]
    assert "return" not in console_actions({"status": "queued"}, "lan", "agent")
    mine = console_actions({"status": "claimed", "claimed_by": "lan"}, "lan", "agent")
    assert "claim" not in mine and {"return", "field", "transfer", "close"} <= set(mine)
    assert console_actions({"status": "claimed", "claimed_by": "minh"}, "lan", "agent") == ("note",)
    assert "return" in console_actions({"status": "claimed", "claimed_by": "minh"}, "root", "admin")
