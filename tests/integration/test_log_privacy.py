"""A whole conversation that gives a CCCD number, a phone and an address, logged at DEBUG through the app's own
logging set-up (SQL echo included): no full ID number or phone appears anywhere in the log, tracebacks included."""
from __future__ import annotations

import io
import logging
import sys
from typing import Any

from bot.logs import setup_logging
from tests.conftest import ROOT, make_settings, new_sender
from tests.fakes.http import post

sys.path.insert(0, str(ROOT / "bench"))
from load import answer_for

CCCD, PHONE = "079203012345", "0912345678"


async def test_a_conversation_with_cccd_and_phone_leaves_neither_in_debug_logs(client: Any, services: Any) -> None:
    settings = make_settings(services.settings.database.url)
    settings.logging.level = "DEBUG"
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    setup_logging(settings)
    buf = io.StringIO()
    root.handlers[0].setStream(buf)  # the real handler with its masking filter and formatter
    sent: list[str] = []
    asked: list[tuple[str, str]] = []
    try:
        sender = new_sender()
        message = "tôi muốn làm giấy khai sinh cho con"
        for _ in range(80):
            replies = await post(client, sender, message)
            if any("mã hồ sơ" in x.get("text", "") for x in replies):
                break
            last = replies[-1].get("text", "").lower() if replies else ""
            message = PHONE if "điện thoại" in last else answer_for(replies)  # not "skip": give the phone
            sent.append(message)
            asked.append((replies[-1].get("text", "")[:80] if replies else "", message))
        # An exception whose message quotes a citizen's input is masked in the traceback as well.
        try:
            raise ValueError(f"cannot parse {CCCD} / {PHONE}")
        except ValueError:
            logging.getLogger("bot.test").exception("turn failed for %s", PHONE)
        logging.getLogger("bot.test").debug("citizen wrote %s", {"cccd": CCCD, "sdt": "0912 345 678"})
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    assert CCCD in sent and PHONE in sent, asked[-14:]   # the conversation really gave both
    log = buf.getvalue()
    assert "turn failed" in log and "Traceback" in log and "citizen wrote" in log
    for secret in (CCCD, PHONE, "0912 345 678", CCCD[3:], PHONE[1:]):
        assert secret not in log, f"{secret} leaked into the log"
