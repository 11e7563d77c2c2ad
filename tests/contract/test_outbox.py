"""The push outbox worker on real storage (SQLite and PostgreSQL): order, no double send, retry, give up."""
from __future__ import annotations

import asyncio
from typing import Any

from bot.channels.base import SendError
from bot.engine.messages import Attachment, InboundMessage
from bot.runtime.outbox import MAX_ATTEMPTS
from tests.conftest import new_sender


class Recorder:
    """A push channel that records what it was asked to send and can be told to fail."""

    name = "fakepush"

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.fail: list[SendError] = []
        self.delay = 0.0
        self.broken: str | None = None   # a body text this channel always fails to send
        self.tries = 0

    async def deliver(self, recipient: str, body: dict[str, Any]) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.broken is not None and body.get("text") == self.broken:
            self.tries += 1
            raise SendError("timeout")
        if self.fail:
            raise self.fail.pop(0)
        self.sent.append((recipient, body))

    async def fetch(self, attachment: Attachment) -> bytes | None:
        return b"x"


async def _turn(services: Any, sender: str, text: str) -> int:
    out = await services.runner.handle(InboundMessage(channel="fakepush", sender_id=sender, text=text))
    return out.conversation_id


async def test_rows_go_out_once_in_order_even_with_concurrent_flushes(services: Any) -> None:
    rec = Recorder()
    rec.delay = 0.01
    services.push.register(rec)
    s = new_sender()
    await _turn(services, s, "làm khai sinh cho bé")
    await _turn(services, s, "có")
    pending = await services.repo.pending_push(["fakepush"], services.clock())
    assert len(pending) >= 2
    await asyncio.gather(services.push.flush(), services.push.flush(), services.push.flush())
    assert [b for _r, b in rec.sent] == [r.body for r in pending]
    assert await services.repo.pending_push(["fakepush"], services.clock()) == []


async def test_a_failed_row_holds_back_later_rows_until_its_retry(services: Any, clock: Any) -> None:
    rec = Recorder()
    services.push.register(rec)
    s = new_sender()
    await _turn(services, s, "làm khai sinh cho bé")
    n = len(await services.repo.pending_push(["fakepush"], clock()))
    rec.fail.append(SendError("network down"))
    assert await services.push.flush() == 0
    await _turn(services, s, "có")
    assert await services.push.flush() == 0 and rec.sent == []   # still waiting for the first row's retry time
    clock.advance(seconds=6)
    sent = await services.push.flush()
    assert sent > n and rec.sent[0][1]["text"]


async def test_permanent_failure_is_parked_with_its_error(services: Any, clock: Any) -> None:
    rec = Recorder()
    services.push.register(rec)
    s = new_sender()
    cid = await _turn(services, s, "xin chào")
    rec.fail.append(SendError("forbidden: bot was blocked by the user", transient=False))
    await services.push.flush()
    clock.advance(days=1)
    await services.push.flush()
    from sqlalchemy import select

    from bot.storage.repo import outbox
    async with services.repo.engine.connect() as conn:
        rows = (await conn.execute(select(outbox).where(outbox.c.conversation_id == cid).order_by(outbox.c.id))).all()
    assert rows[0].sent_at is None and rows[0].last_error.startswith("gave up: forbidden")
    # a parked row does not block the conversation for ever: the next messages are still tried
    assert [b for _r, b in rec.sent] == [r.body for r in rows[1:]]


async def test_transient_failures_stop_after_max_attempts(services: Any, clock: Any) -> None:
    rec = Recorder()
    services.push.register(rec)
    s = new_sender()
    await _turn(services, s, "xin chào")
    first, *rest = await services.repo.pending_push(["fakepush"], clock())
    rec.broken = first.body["text"]
    for _ in range(MAX_ATTEMPTS + 3):
        await services.push.flush()
        clock.advance(minutes=11)
    assert rec.tries == MAX_ATTEMPTS   # then parked, not retried for ever
    assert [b for _r, b in rec.sent] == [r.body for r in rest]


async def test_a_secret_is_sent_through_retries_then_forgotten_and_forgotten_when_given_up(services: Any,
                                                                                          clock: Any) -> None:
    """A message carrying a secret (the draft link) keeps it only while it still has to be sent."""
    from sqlalchemy import select

    from bot.storage.repo import outbox, transcript

    rec = Recorder()
    services.push.register(rec)
    secret_body, masked = {"kind": "text", "text": "link ?t=SECRET-1"}, {"kind": "text", "text": "link ?t=(ẩn)"}
    gone_body, gone_masked = {"kind": "text", "text": "link ?t=SECRET-2"}, {"kind": "text", "text": "link ?t=(ẩn 2)"}
    ids = []
    for s in (new_sender(), new_sender()):
        ids.append(await _turn(services, s, "xin chào"))
    await services.push.flush()
    rec.sent.clear()

    async def add(cid: int, body: dict[str, Any], kept: dict[str, Any]) -> None:
        async with services.repo.engine.begin() as conn:
            await services.repo.add_outbox(conn, cid, "fakepush", "r", [body], clock(), masked=[kept])

    async def stored(cid: int) -> tuple[str, str]:
        """(outbox rows, transcript rows) of the conversation as text."""
        async with services.repo.engine.connect() as conn:
            rows = (await conn.execute(select(outbox.c.body).where(outbox.c.conversation_id == cid))).all()
            said = (await conn.execute(select(transcript.c.text, transcript.c.body).where(
                transcript.c.conversation_id == cid))).all()
        return repr([r.body for r in rows]), repr([tuple(r) for r in said])

    await add(ids[0], secret_body, masked)
    rec.fail.append(SendError("network down"))
    await services.push.flush()
    rows, said = await stored(ids[0])
    assert "SECRET-1" in rows and "SECRET-1" not in said and "(ẩn)" in said   # pending: the retry needs it
    clock.advance(seconds=6)
    await services.push.flush()
    assert rec.sent == [("r", secret_body)]             # the citizen got it, exactly as written
    rows, said = await stored(ids[0])
    assert "SECRET-1" not in rows + said and "(ẩn)" in rows

    await add(ids[1], gone_body, gone_masked)
    rec.fail.append(SendError("forbidden: bot was blocked by the user", transient=False))
    await services.push.flush()
    assert "SECRET-2" not in "".join(await stored(ids[1]))   # given up: nobody will send it, nothing keeps it
