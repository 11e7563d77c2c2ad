"""Zalo Bot Platform end to end: our adapter's client pointed at a local fake API through its base URL."""
from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.engine.inputs import AgentSaid
from bot.engine.messages import Attachment
from bot.runtime.content import ContentStore
from bot.settings import MediaSettings, ZaloBotSettings
from tests.conftest import make_settings
from tests.fakes.driver import walk_to_review
from tests.fakes.zalo_bot_api import FakeZaloBot

TOKEN = "12345689:abc-xyz"
SECRET = "zalo-bot-secret-123"
HOOK = "/webhooks/zalo-bot"
_ids = itertools.count(1)


class Zb:
    def __init__(self, client: TestClient, services: Any, fake: FakeZaloBot):
        self.client, self.services, self.fake = client, services, fake
        self.chat = f"e4ea{next(_ids):08x}"

    def update(self, text: str | None = None, *, event: str = "message.text.received", **extra: Any) -> dict[str, Any]:
        m: dict[str, Any] = {"message_id": f"msg{next(_ids)}", "date": 1_766_619_597_466,
                             "chat": {"id": self.chat, "chat_type": "PRIVATE"},
                             "from": {"id": self.chat, "display_name": "Nguyen Van A", "is_bot": False},
                             "message_type": "CHAT_MESSAGE", **extra}
        if text is not None:
            m["text"] = text
        return {"event_name": event, "message": m}

    async def post(self, body: dict[str, Any], secret: str | None = SECRET) -> int:
        headers = {"X-Bot-Api-Secret-Token": secret} if secret is not None else {}
        status = (await self.client.post(HOOK, json=body, headers=headers)).status
        await self.services.push.idle()   # replies still being sent after the webhook was answered
        return status

    async def say(self, text: str) -> None:
        assert await self.post(self.update(text)) == 200

    def last_text(self) -> str:
        sent = self.fake.sent(self.chat)
        return sent[-1].params["text"] if sent else ""

    async def tap(self, prefix: str) -> None:
        """No buttons on Zalo Bot: read the numbered menu and type the number, as a citizen would."""
        row = await self.services.repo.load("zalo_bot", self.chat)
        tr = await self.services.repo.transcript(row.id)
        menu = next(t.body["buttons"] for t in reversed(tr) if t.direction == "out" and (t.body or {}).get("buttons"))
        i = next(i for i, b in enumerate(menu, 1) if b["payload"] == prefix or b["payload"].startswith(prefix + " "))
        assert re.search(rf"^{i}\. {re.escape(menu[i - 1]['title'])}$", self.texts(), re.MULTILINE)
        await self.say(str(i))

    async def state(self) -> dict[str, Any]:
        row = await self.services.repo.load("zalo_bot", self.chat)
        return row.state if row else {}

    def texts(self) -> str:
        return "\n".join(c.params["text"] for c in self.fake.sent(self.chat))


@pytest.fixture
async def zb(db_url: str, trained_parser: Any, content: Any, clock: Any) -> AsyncIterator[Zb]:
    from bot.app import build_app
    from bot.services import build_services

    fake = FakeZaloBot(TOKEN)
    server = TestServer(fake.app())
    await server.start_server()
    base = str(server.make_url("")).rstrip("/")
    fake.base = base  # type: ignore[attr-defined]
    settings = make_settings(db_url, channels__zalo_bot=ZaloBotSettings(enabled=True, api_base_url=base),
                             channels__media=MediaSettings(allowed_hosts=["127.0.0.1"], allow_private_addresses=True),
                             secrets__zalo_bot_token=SecretStr(TOKEN),
                             secrets__zalo_bot_webhook_secret=SecretStr(SECRET))
    svc = build_services(settings, clock=clock, content=ContentStore(content))
    svc.nlu.use(trained_parser, content.version)
    async with TestClient(TestServer(build_app(settings, svc))) as client:
        yield Zb(client, svc, fake)
    await server.close()


async def test_full_khai_sinh_with_numbered_menus_and_the_pdf_as_a_link(zb: Zb, content: Any) -> None:
    taps = await walk_to_review(content, zb.state, zb.tap, zb.say)
    assert taps >= 3
    assert "Đăng ký khai sinh" in zb.texts()
    assert all(1 <= len(c.params["text"]) <= 2000 for c in zb.fake.sent(zb.chat))
    await zb.tap("/xacnhan")
    assert re.search(r"http://testserver/d/[A-Z0-9-]+\.pdf\?t=\S+", zb.texts())
    assert not [c for c in zb.fake.calls if c.method not in ("sendMessage",)]


async def test_forged_webhooks_are_rejected(zb: Zb) -> None:
    for secret in (None, "", "nope", SECRET.upper()):
        assert await zb.post(zb.update("xin chào"), secret=secret) == 403
    assert await zb.services.repo.load("zalo_bot", zb.chat) is None
    assert zb.fake.calls == []


async def test_duplicate_update_is_ignored(zb: Zb) -> None:
    body = zb.update("làm khai sinh cho bé")
    assert await zb.post(body) == 200
    n = len(zb.fake.sent(zb.chat))
    assert await zb.post(body) == 200
    assert await zb.post({"ok": True, "result": body}) == 200   # the wrapped form of the same update
    assert len(zb.fake.sent(zb.chat)) == n


async def test_429_is_retried(zb: Zb) -> None:
    zb.fake.rate_limit_once("sendMessage")
    await zb.say("làm khai sinh cho bé")
    await zb.services.push.idle()
    assert any(c.method == "sendMessage!failed" for c in zb.fake.calls)
    assert "Đăng ký khai sinh" in zb.texts()


async def test_photo_is_received_and_fetched_from_its_url(zb: Zb) -> None:
    zb.fake.images["cccd.jpg"] = b"\xff\xd8 zalo photo"
    url = f"{zb.fake.base}/img/cccd.jpg"  # type: ignore[attr-defined]
    await zb.say("làm khai sinh cho bé")
    assert await zb.post(zb.update(None, event="message.image.received", photo_url=url,
                                   message_type="CHAT_PHOTO")) == 200
    row = await zb.services.repo.load("zalo_bot", zb.chat)
    tr = await zb.services.repo.transcript(row.id)
    assert any(t.direction == "in" and (t.body or {}).get("attachment", {}).get("kind") == "image" for t in tr)
    assert await zb.services.push.fetch(Attachment(kind="image", ref=url), "zalo_bot") == b"\xff\xd8 zalo photo"


async def test_handoff_relayed_both_ways(zb: Zb) -> None:
    await zb.say("làm khai sinh cho bé")
    await zb.say("/canbo")
    await zb.say("Con tôi sinh ở nhà, không có giấy chứng sinh")
    row = await zb.services.repo.load("zalo_bot", zb.chat)
    from sqlalchemy import select

    from bot.storage.repo import events
    async with zb.services.repo.engine.connect() as conn:
        evs = (await conn.execute(select(events.c.type, events.c.data).where(
            events.c.conversation_id == row.id))).all()
    assert any(e.type == "citizen_message_for_agent" and "giấy chứng sinh" in e.data.get("text", "") for e in evs)
    await zb.services.runner.apply(row.id, AgentSaid("Anh Minh", "Anh mang người làm chứng đến nhé."))
    await zb.services.push.flush()
    assert zb.last_text().startswith("Cán bộ") and "người làm chứng" in zb.last_text()


async def test_set_webhook(zb: Zb) -> None:
    res = await zb.services.channels["zalo_bot"].set_webhook("https://motcua.example.vn/webhooks/zalo-bot")
    assert res["url"] == "https://motcua.example.vn/webhooks/zalo-bot"
    call = next(c for c in zb.fake.calls if c.method == "setWebhook")
    assert call.params["secret_token"] == SECRET
