"""Personal data: retention purge, deletion on request, masked logs."""
from __future__ import annotations

import logging
from typing import Any

from bot.engine import InboundMessage
from bot.logs import MaskingFilter, mask
from bot.privacy.retention import purge
from tests.conftest import new_sender


def msg(sender: str, text: str) -> InboundMessage:
    return InboundMessage(channel="rest", sender_id=sender, text=text, payload=text if text.startswith("/") else None)


async def test_retention_deletes_old_transcripts_and_keeps_recent_ones(services: Any, clock: Any) -> None:
    old, new = new_sender(), new_sender()
    old_id = (await services.runner.handle(msg(old, "làm khai sinh cho con"))).conversation_id
    clock.advance(days=181)
    await services.runner.handle(msg(new, "làm khai sinh cho con"))
    counts = await purge(services.repo, clock(), days=180)
    assert counts["transcript"] >= 1
    old_row, new_row = await services.repo.load_by_id(old_id), await services.repo.load("rest", new)
    assert await services.repo.transcript(old_row.id) == []
    assert len(await services.repo.transcript(new_row.id)) >= 2
    # The idle conversation's collected state and the platform user id are forgotten; the recent one keeps its place.
    assert counts["conversations"] >= 1
    assert old_row.state == {} and new_row.state.get("procedure_id") == "ho-tich.khai-sinh"
    assert old_row.external_id != old and await services.repo.load("rest", old) is None


async def test_after_the_purge_the_worker_does_not_resume_from_what_it_remembered(services: Any, clock: Any) -> None:
    """The worker keeps the last state it saved (to skip re-parsing it); a purge must still win over that copy."""
    s = new_sender()
    await services.runner.handle(msg(s, "làm khai sinh cho con"))
    await services.runner.handle(msg(s, "Có"))
    assert (await services.repo.load("rest", s)).state.get("answers")
    clock.advance(days=181)
    await purge(services.repo, clock(), days=180)
    out = await services.runner.handle(msg(s, "Có"))
    row = await services.repo.load("rest", s)
    assert row.state.get("procedure_id") is None and not row.state.get("answers")
    assert not any("người nước ngoài" in r.get("text", "") for r in out.replies)


async def test_deletion_request_removes_transcript_and_says_what_was_deleted(services: Any) -> None:
    s = new_sender()
    cid = (await services.runner.handle(msg(s, "làm khai sinh cho con"))).conversation_id
    out = await services.runner.handle(msg(s, "/xoadulieu"))
    assert any("xóa" in r.get("text", "").lower() for r in out.replies)
    out = await services.runner.handle(msg(s, "/xoadulieu_xacnhan"))
    assert any("Đã xóa dữ liệu của bạn" in r.get("text", "") for r in out.replies)
    row = await services.repo.load_by_id(cid)
    entries = await services.repo.transcript(row.id)
    assert all("khai sinh" not in (e.text or "") for e in entries)
    assert row.state.get("procedure_id") is None


def test_logs_mask_id_numbers_phones_and_addresses(caplog: Any) -> None:
    assert "079203012345" not in mask("CCCD 079203012345")
    assert "0912345678" not in mask("sdt 0912345678") and "0912 345 678" not in mask("sdt 0912 345 678")
    assert "12 Lê Lợi" not in mask("địa chỉ: số 12 Lê Lợi, phường 1")
    logger = logging.getLogger("motcua.test.mask")
    handler = logging.Handler()
    records: list[logging.LogRecord] = []
    handler.emit = records.append  # type: ignore[method-assign]
    handler.addFilter(MaskingFilter())
    logger.addHandler(handler)
    try:
        logger.warning("citizen %s phone %s", "079203012345", "+84 912 345 678")
    finally:
        logger.removeHandler(handler)
    text = records[0].getMessage()
    assert "079203012345" not in text and "912 345 678" not in text


async def test_metrics_count_turns_by_channel(client: Any) -> None:
    await client.post("/webhooks/rest/webhook", json={"sender": new_sender(), "message": "xin chào"})
    body = await (await client.get("/metrics")).text()
    assert 'motcua_turn_seconds_count{channel="rest"} 1.0' in body
    assert "motcua_messages_total" in body
