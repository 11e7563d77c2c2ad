"""Zalo OA end to end: signed webhooks in, OA Open API v3 + OAuth served by a local fake through base URLs."""
from __future__ import annotations

import itertools
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.engine.inputs import AgentSaid
from bot.engine.messages import Attachment
from bot.runtime.content import ContentStore
from bot.settings import MediaSettings, ZaloOASettings
from tests.conftest import make_settings
from tests.fakes.driver import walk_to_review
from tests.fakes.zalo_oa_api import FakeZaloOA, sign

APP_ID = "2553928453557884079"
OA_KEY = "oa-secret-key-abc"
HOOK = "/webhooks/zalo-oa"
_ids = itertools.count(1)


class Oa:
    def __init__(self, client: TestClient, services: Any, fake: FakeZaloOA, clock: Any):
        self.client, self.services, self.fake, self.clock = client, services, fake, clock
        self.user = f"6142{next(_ids):012d}"

    def event(self, text: str | None = "", *, name: str = "user_send_text", ts_shift_ms: int = 0,
              **message: Any) -> dict[str, Any]:
        ts = int(self.clock().timestamp() * 1000) + ts_shift_ms
        msg: dict[str, Any] = {"msg_id": f"cb31{next(_ids):08x}", **message}
        if text is not None:
            msg["text"] = text
        return {"app_id": APP_ID, "user_id_by_app": "9791", "event_name": name, "sender": {"id": self.user},
                "recipient": {"id": "oa1"}, "message": msg, "timestamp": str(ts)}

    async def post(self, body: dict[str, Any], *, key: str = OA_KEY, signature: str | None = None,
                   raw: bytes | None = None, settle: bool = True) -> int:
        data, mac = sign(body, key)
        headers = {"X-ZEvent-Signature": signature if signature is not None else mac,
                   "Content-Type": "application/json"}
        status = (await self.client.post(HOOK, data=raw if raw is not None else data, headers=headers)).status
        if settle:
            await self.services.push.idle()   # replies still being sent after the webhook was answered
        return status

    async def say(self, text: str) -> None:
        assert await self.post(self.event(text)) == 200

    def buttons(self) -> list[str]:
        for m in reversed(self.fake.to(self.user)):
            btns = ((m.get("attachment") or {}).get("payload") or {}).get("buttons")
            if btns:
                return [b["payload"] for b in btns]
        return []

    async def tap(self, prefix: str) -> None:
        """A quick-reply button: its payload comes back as the user's text (U in the spec; our assumption)."""
        data = next((p for p in self.buttons() if p == prefix or p.startswith(prefix + " ")), None)
        if data is None:   # more options than OA buttons: the numbered text menu is the way
            row = await self.services.repo.load("zalo_oa", self.user)
            tr = await self.services.repo.transcript(row.id)
            menu = next(t.body["buttons"] for t in reversed(tr) if t.direction == "out" and (t.body or {}).get("buttons"))
            i = next(i for i, b in enumerate(menu, 1) if b["payload"] == prefix or b["payload"].startswith(prefix + " "))
            await self.say(str(i))
            return
        await self.say(data)

    async def state(self) -> dict[str, Any]:
        row = await self.services.repo.load("zalo_oa", self.user)
        return row.state if row else {}


@pytest.fixture
async def oa(db_url: str, trained_parser: Any, content: Any, clock: Any) -> AsyncIterator[Oa]:
    from bot.app import build_app
    from bot.services import build_services

    fake = FakeZaloOA(APP_ID, "app-secret", access_token="at-0", refresh_token="rt-0")
    server = TestServer(fake.app())
    await server.start_server()
    base = str(server.make_url("")).rstrip("/")
    fake.base = base  # type: ignore[attr-defined]
    settings = make_settings(db_url, channels__zalo_oa=ZaloOASettings(enabled=True, api_base_url=base,
                                                                      oauth_base_url=base, app_id=APP_ID),
                             channels__media=MediaSettings(allowed_hosts=["127.0.0.1"], allow_private_addresses=True),
                             secrets__zalo_oa_secret_key=SecretStr(OA_KEY),
                             secrets__zalo_oa_app_secret=SecretStr("app-secret"),
                             secrets__zalo_oa_access_token=SecretStr("at-0"),
                             secrets__zalo_oa_refresh_token=SecretStr("rt-0"))
    svc = build_services(settings, clock=clock, content=ContentStore(content))
    svc.nlu.use(trained_parser, content.version)
    async with TestClient(TestServer(build_app(settings, svc))) as client:
        yield Oa(client, svc, fake, clock)
    await server.close()


async def test_full_khai_sinh_with_quick_replies_and_the_pdf_uploaded(oa: Oa, content: Any) -> None:
    pdf = b"%PDF-1.4 oa draft"

    async def resolve(ref: str) -> bytes | None:
        return pdf if ref.startswith("draft:") else None

    oa.services.channels["zalo_oa"].documents = resolve
    taps = await walk_to_review(content, oa.state, oa.tap, oa.say)
    assert taps >= 3
    assert "Đăng ký khai sinh" in oa.fake.texts(oa.user)
    assert oa.buttons(), "quick-reply buttons were offered"
    await oa.tap("/xacnhan")
    assert oa.fake.uploads and oa.fake.uploads[0][1] == pdf and oa.fake.uploads[0][0].endswith(".pdf")
    files = [m for m in oa.fake.to(oa.user) if (m.get("attachment") or {}).get("type") == "file"]
    assert files and files[0]["attachment"]["payload"]["token"] == "ft1"


async def test_expired_access_token_is_refreshed_once_and_stored(oa: Oa) -> None:
    oa.fake.access_token = "at-rotated-by-zalo"   # what we hold is now expired
    oa.fake.refresh_token = "rt-0"
    await oa.say("làm khai sinh cho bé")
    assert oa.fake.refreshes == 1
    assert "Đăng ký khai sinh" in oa.fake.texts(oa.user)
    stored = await oa.services.channels["zalo_oa"].shared.get("zalo_oa.tokens")
    assert stored == {"access_token": "at-1", "refresh_token": "rt-1"}


async def test_forged_bad_signature_and_stale_events_are_rejected(oa: Oa) -> None:
    body = oa.event("xin chào")
    assert await oa.post(body, key="wrong-key") == 403
    assert await oa.post(body, signature="") == 403
    raw, mac = sign(body, OA_KEY)
    tampered = raw.replace("xin chào".encode(), "chuyển tiền".encode())
    assert await oa.post(body, signature=mac, raw=tampered) == 403
    assert await oa.post(oa.event("xin chào", ts_shift_ms=-60 * 60 * 1000)) == 403   # correctly signed, 1 h old
    other_app = {**oa.event("xin chào"), "app_id": "999"}
    assert await oa.post(other_app) == 403
    assert await oa.services.repo.load("zalo_oa", oa.user) is None
    assert oa.fake.sent == []


async def test_duplicate_event_is_ignored(oa: Oa) -> None:
    body = oa.event("làm khai sinh cho bé")
    assert await oa.post(body) == 200
    n = len(oa.fake.sent)
    assert await oa.post(body) == 200
    assert len(oa.fake.sent) == n


async def test_429_is_retried(oa: Oa) -> None:
    oa.fake.fail_next.append((429, {"error": -429, "message": "Too many requests"}))
    await oa.say("làm khai sinh cho bé")
    await oa.services.push.idle()
    assert oa.fake.failed == 1
    assert "Đăng ký khai sinh" in oa.fake.texts(oa.user)


async def test_image_is_received_and_fetched(oa: Oa) -> None:
    oa.fake.images["cccd.jpg"] = b"\xff\xd8 oa image"
    url = f"{oa.fake.base}/img/cccd.jpg"  # type: ignore[attr-defined]
    await oa.say("làm khai sinh cho bé")
    ev = oa.event(None, name="user_send_image", attachments=[{"type": "image", "payload": {"url": url}}])
    assert await oa.post(ev) == 200
    row = await oa.services.repo.load("zalo_oa", oa.user)
    tr = await oa.services.repo.transcript(row.id)
    assert any(t.direction == "in" and (t.body or {}).get("attachment", {}).get("kind") == "image" for t in tr)
    assert await oa.services.push.fetch(Attachment(kind="image", ref=url), "zalo_oa") == b"\xff\xd8 oa image"


async def test_follow_and_echo_events_are_acknowledged_without_a_turn(oa: Oa) -> None:
    assert await oa.post({**oa.event(None, name="follow"), "follower": {"id": oa.user}}) == 200
    assert await oa.post(oa.event("echo", name="oa_send_text")) == 200
    assert await oa.services.repo.load("zalo_oa", oa.user) is None


async def test_handoff_relayed_both_ways(oa: Oa) -> None:
    await oa.say("làm khai sinh cho bé")
    await oa.say("/canbo")
    await oa.say("Tôi cần hỏi về giấy chứng sinh bị mất")
    row = await oa.services.repo.load("zalo_oa", oa.user)
    from sqlalchemy import select

    from bot.storage.repo import events
    async with oa.services.repo.engine.connect() as conn:
        evs = (await conn.execute(select(events.c.type, events.c.data).where(
            events.c.conversation_id == row.id))).all()
    assert any(e.type == "citizen_message_for_agent" and "bị mất" in e.data.get("text", "") for e in evs)
    await oa.services.runner.apply(row.id, AgentSaid("Chị Hoa", "Chị gửi anh mẫu đơn cam đoan nhé."))
    await oa.services.push.flush()
    last = [m for m in oa.fake.to(oa.user) if "text" in m][-1]["text"]
    assert last.startswith("Cán bộ") and "cam đoan" in last
    assert re.search(r"Chị Hoa|cam đoan", last)


async def test_webhook_is_answered_fast_even_when_the_api_is_slow(oa: Oa) -> None:
    oa.fake.delay = 1.0   # each send takes a second; the first reply alone has several messages
    t0 = time.perf_counter()
    assert await oa.post(oa.event("làm khai sinh cho bé"), settle=False) == 200
    assert time.perf_counter() - t0 < 2.5   # ACK_WAIT 1.5 s + the turn; the sends alone take several seconds
    await oa.services.push.idle()
    assert "Đăng ký khai sinh" in oa.fake.texts(oa.user)
