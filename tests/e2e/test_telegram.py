"""Telegram end to end: python-telegram-bot pointed at a local fake Bot API, our aiohttp app taking webhooks."""
from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.engine.inputs import AgentSaid
from bot.runtime.content import ContentStore
from bot.settings import TelegramSettings
from tests.conftest import make_settings
from tests.fakes.driver import walk_to_review
from tests.fakes.telegram_api import FakeTelegram, serving

TOKEN = "123456:TEST-token"
SECRET = "s3cret-Webhook_token"
HOOK = "/webhooks/telegram"
_ids = itertools.count(1)
_chats = itertools.count(5_000_001)


class Tg:
    """A citizen in a private chat with the bot, plus handles on the app and the fake server."""

    def __init__(self, client: TestClient, services: Any, fake: FakeTelegram):
        self.client, self.services, self.fake = client, services, fake
        self.chat = next(_chats)

    def update(self, **kind: Any) -> dict[str, Any]:
        return {"update_id": next(_ids), **kind}

    def message(self, text: str | None = None, **extra: Any) -> dict[str, Any]:
        m: dict[str, Any] = {"message_id": next(_ids), "date": 1_764_000_000,
                             "chat": {"id": self.chat, "type": "private"},
                             "from": {"id": self.chat, "is_bot": False, "first_name": "An"}, **extra}
        if text is not None:
            m["text"] = text
        return self.update(message=m)

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> int:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        resp = await self.client.post(HOOK, json=update, headers=headers)
        await self.services.push.idle()   # replies still being sent after the webhook was answered
        return resp.status

    async def say(self, text: str) -> None:
        assert await self.post(self.message(text)) == 200

    def keyboard(self) -> list[str]:
        """callback_data of the last inline keyboard the bot sent to this chat."""
        for c in reversed(self.fake.sent(self.chat, "sendMessage")):
            if c.params.get("reply_markup"):
                return [b["callback_data"] for row in c.params["reply_markup"]["inline_keyboard"] for b in row]
        return []

    async def tap(self, prefix: str) -> None:
        data = next((d for d in self.keyboard() if d == prefix or d.startswith(prefix + " ")), None)
        assert data is not None, f"no button {prefix!r} in {self.keyboard()}"
        cq = {"id": f"cq{next(_ids)}", "from": {"id": self.chat, "is_bot": False, "first_name": "An"},
              "chat_instance": "1", "data": data,
              "message": {"message_id": 1, "date": 1_764_000_000, "chat": {"id": self.chat, "type": "private"}}}
        assert await self.post(self.update(callback_query=cq)) == 200

    async def state(self) -> dict[str, Any]:
        row = await self.services.repo.load("telegram", str(self.chat))
        return row.state if row else {}

    def texts(self) -> str:
        return "\n".join(c.params.get("text", "") for c in self.fake.sent(self.chat, "sendMessage"))


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with serving(TOKEN) as f:
        yield f


@pytest.fixture
async def tg(db_url: str, trained_parser: Any, content: Any, clock: Any, fake: FakeTelegram) -> AsyncIterator[Tg]:
    from bot.app import build_app
    from bot.services import build_services

    base = fake.base  # type: ignore[attr-defined]
    settings = make_settings(db_url, channels__telegram=TelegramSettings(
        enabled=True, api_base_url=f"{base}/bot", file_base_url=f"{base}/file/bot"),
        secrets__telegram_token=SecretStr(TOKEN), secrets__telegram_webhook_secret=SecretStr(SECRET))
    svc = build_services(settings, clock=clock, content=ContentStore(content))
    svc.nlu.use(trained_parser, content.version)
    async with TestClient(TestServer(build_app(settings, svc))) as client:
        yield Tg(client, svc, fake)


async def test_full_khai_sinh_with_buttons_and_the_pdf_as_a_document(tg: Tg, content: Any) -> None:
    pdf = b"%PDF-1.4 test draft"
    asked: list[str] = []

    async def resolve(ref: str) -> bytes | None:
        asked.append(ref)
        return pdf

    tg.services.channels["telegram"].documents = resolve
    taps = await walk_to_review(content, tg.state, tg.tap, tg.say)
    assert taps >= 3
    assert "Đăng ký khai sinh" in tg.texts()
    # every button click was answered so the spinner stops
    answered = [c for c in tg.fake.calls if c.method == "answerCallbackQuery"]
    assert len(answered) == taps
    await tg.tap("/xacnhan")
    docs = tg.fake.sent(tg.chat, "sendDocument")
    assert len(docs) == 1
    name, data = docs[0].files["document"]
    assert data == pdf and name.endswith(".pdf")
    assert asked and asked[0].startswith("draft:")
    assert "Xem lại hồ sơ" in tg.texts()
    # replies came in the order the engine wrote them, each exactly once
    rows = await tg.services.repo.pending_push(["telegram"], tg.services.clock())
    assert rows == []


async def test_document_without_renderer_is_sent_as_its_link(tg: Tg, content: Any) -> None:
    tg.services.channels["telegram"].documents = None
    await walk_to_review(content, tg.state, tg.tap, tg.say)
    await tg.tap("/xacnhan")
    assert tg.fake.sent(tg.chat, "sendDocument") == []
    assert "http://testserver/d/" in tg.texts() and ".pdf?t=" in tg.texts()


async def test_first_message_has_consent_notice_with_privacy_link(tg: Tg) -> None:
    await tg.post(tg.message("/start"))
    assert "/privacy" in tg.texts()


async def test_forged_webhooks_are_rejected_and_change_nothing(tg: Tg) -> None:
    for secret in (None, "", "wrong", SECRET + "x"):
        assert await tg.post(tg.message("xin chào"), secret=secret) == 403
    assert await tg.services.repo.load("telegram", str(tg.chat)) is None
    assert tg.fake.sent(tg.chat) == []


async def test_duplicate_update_is_processed_once(tg: Tg) -> None:
    upd = tg.message("làm khai sinh cho bé")
    assert await tg.post(upd) == 200
    n = len(tg.fake.sent(tg.chat, "sendMessage"))
    v = (await tg.services.repo.load("telegram", str(tg.chat))).version
    assert await tg.post(upd) == 200
    assert len(tg.fake.sent(tg.chat, "sendMessage")) == n
    assert (await tg.services.repo.load("telegram", str(tg.chat))).version == v


async def test_429_from_the_api_is_retried_and_the_message_arrives(tg: Tg) -> None:
    tg.fake.rate_limit_once("sendMessage", retry_after=1)
    await tg.say("làm khai sinh cho bé")
    await tg.services.push.idle()
    assert any(c.method == "sendMessage!failed" for c in tg.fake.calls)
    assert "Đăng ký khai sinh" in tg.texts()


async def test_network_failure_is_retried_later_by_the_outbox(tg: Tg, clock: Any) -> None:
    tg.fake.fail_next["sendMessage"] = [(502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})] * 8
    await tg.say("làm khai sinh cho bé")
    assert "Đăng ký khai sinh" not in tg.texts()
    tg.fake.fail_next.clear()
    clock.advance(minutes=5)
    await tg.services.push.flush()
    assert "Đăng ký khai sinh" in tg.texts()


async def test_photo_is_received_and_its_bytes_fetched(tg: Tg) -> None:
    tg.fake.files["big1"] = b"\xff\xd8\xff photo bytes"
    await tg.say("làm khai sinh cho bé")
    photo = [{"file_id": "small1", "file_unique_id": "s", "width": 90, "height": 90},
             {"file_id": "big1", "file_unique_id": "b", "width": 1280, "height": 960}]
    assert await tg.post(tg.message(None, photo=photo, caption="ảnh căn cước")) == 200
    row = await tg.services.repo.load("telegram", str(tg.chat))
    tr = await tg.services.repo.transcript(row.id)
    inbound = [t for t in tr if t.direction == "in" and (t.body or {}).get("attachment")]
    assert inbound and inbound[-1].body["attachment"]["kind"] == "image"
    from bot.engine.messages import Attachment

    got = await tg.services.push.fetch(Attachment(kind="image", ref="big1"), "telegram")
    assert got == tg.fake.files["big1"]


async def test_handoff_relayed_both_ways(tg: Tg) -> None:
    await tg.say("làm khai sinh cho bé")
    await tg.say("/canbo")
    row = await tg.services.repo.load("telegram", str(tg.chat))
    assert row.mode in ("waiting_human", "human")
    await tg.say("Cho tôi hỏi con tôi sinh ở nước ngoài thì sao?")
    async with tg.services.repo.engine.connect() as conn:
        from sqlalchemy import select

        from bot.storage.repo import events
        evs = (await conn.execute(select(events.c.type, events.c.data).where(
            events.c.conversation_id == row.id))).all()
    assert any(e.type == "citizen_message_for_agent" and "nước ngoài" in e.data.get("text", "") for e in evs)
    await tg.services.runner.apply(row.id, AgentSaid("Chị Lan", "Chào anh, em là Lan ở bộ phận một cửa."))
    await tg.services.push.flush()
    last = tg.fake.sent(tg.chat, "sendMessage")[-1].params["text"]
    assert "em là Lan" in last and last.startswith("Cán bộ")


async def test_set_webhook_sends_url_and_secret(tg: Tg) -> None:
    ch = tg.services.channels["telegram"]
    assert await ch.set_webhook("https://motcua.example.vn/webhooks/telegram")
    call = next(c for c in tg.fake.calls if c.method == "setWebhook")
    assert call.params["url"] == "https://motcua.example.vn/webhooks/telegram"
    assert call.params["secret_token"] == SECRET


async def test_delete_my_data_after_confirmation_says_what_was_deleted(tg: Tg, content: Any) -> None:
    await walk_to_review(content, tg.state, tg.tap, tg.say)
    await tg.tap("/xacnhan")
    row = await tg.services.repo.load("telegram", str(tg.chat))
    assert await tg.services.repo.drafts_of(row.id)
    await tg.say("xoá dữ liệu của tôi")          # the request in words
    assert "/xoadulieu_xacnhan" in tg.keyboard()
    before = len(tg.fake.sent(tg.chat, "sendMessage"))
    await tg.tap("/xoadulieu_xacnhan")
    confirmation = [c.params["text"] for c in tg.fake.sent(tg.chat, "sendMessage")[before:]]
    assert confirmation and any("xoá" in t.lower() or "xóa" in t.lower() for t in confirmation)
    assert await tg.services.repo.drafts_of(row.id) == []
    tr = await tg.services.repo.transcript(row.id)
    assert not any("Nguyễn Văn An" in (t.text or "") for t in tr)


async def test_polling_mode_processes_updates_without_a_webhook(tg: Tg) -> None:
    ch = tg.services.channels["telegram"]
    tg.fake.updates = [tg.message("làm khai sinh cho bé")]
    task = asyncio.create_task(ch.poll(timeout=0))
    try:
        for _ in range(200):
            if "Đăng ký khai sinh" in tg.texts():
                break
            await asyncio.sleep(0.05)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert any(c.method == "deleteWebhook" for c in tg.fake.calls)
    assert "Đăng ký khai sinh" in tg.texts()


async def test_real_draft_pdf_is_rendered_and_sent_when_the_renderer_is_installed(tg: Tg, content: Any) -> None:
    import bot.dossier.render  # noqa: F401 — the renderer is a dependency: a broken import fails, not skips
    await walk_to_review(content, tg.state, tg.tap, tg.say)
    await tg.tap("/xacnhan")
    docs = tg.fake.sent(tg.chat, "sendDocument")
    assert len(docs) == 1
    _name, data = docs[0].files["document"]
    assert data.startswith(b"%PDF")


async def test_cccd_photo_is_downloaded_and_its_fields_reach_the_conversation(tg: Tg, content: Any) -> None:
    tg.fake.files["qr1"] = b"\xff\xd8 a CCCD photo"
    seen: list[bytes] = []
    await walk_to_review(content, tg.state, tg.tap, tg.say, until="field")
    field_id = (await tg.state())["pending"]["ref"]

    def decode(data: bytes, proc: Any) -> tuple[dict[str, str], str | None]:
        seen.append(data)
        assert proc is not None and proc.id == "ho-tich.khai-sinh"
        return {field_id: "Nguyễn Văn An"}, None

    tg.services.cccd.decode = decode
    assert await tg.post(tg.message(None, photo=[{"file_id": "qr1", "file_unique_id": "q", "width": 9,
                                                  "height": 9}])) == 200
    assert seen == [b"\xff\xd8 a CCCD photo"]
    assert dict(map(tuple, (await tg.state())["fields"]))[field_id] == "Nguyễn Văn An"
    assert "Nguyễn Văn An" in tg.texts()


async def test_unfetchable_photo_gets_a_hint_not_an_error(tg: Tg, content: Any) -> None:
    from bot.dossier.cccd_intake import FETCH_FAILED

    await walk_to_review(content, tg.state, tg.tap, tg.say, until="field")
    tg.services.cccd.decode = lambda data, proc: ({}, None)
    assert await tg.post(tg.message(None, photo=[{"file_id": "gone", "file_unique_id": "g", "width": 9,
                                                  "height": 9}])) == 200
    assert FETCH_FAILED in tg.texts()


async def test_agent_reply_is_pushed_at_once_by_the_background_loop(tg: Tg) -> None:
    await tg.say("làm khai sinh cho bé")
    await tg.say("/canbo")
    row = await tg.services.repo.load("telegram", str(tg.chat))
    await tg.services.runner.apply(row.id, AgentSaid("Chị Lan", "Em chào anh ạ."))
    for _ in range(40):   # 1 s: well under the loop's 2 s interval, so this is the kick, not the timer
        if "Em chào anh ạ." in tg.texts():
            break
        await asyncio.sleep(0.025)
    assert "Em chào anh ạ." in tg.texts()


async def test_real_cccd_qr_photo_fills_the_holders_fields(tg: Tg, content: Any) -> None:
    import io

    import segno

    buf = io.BytesIO()
    segno.make("079203012345|123456789|Nguyễn Văn An|15031990|Nam|thôn 3, xã Ea Kar, tỉnh Đắk Lắk|01012021",
               error="m").save(buf, kind="png", scale=8, border=4)
    tg.fake.files["cccd1"] = buf.getvalue()
    await walk_to_review(content, tg.state, tg.tap, tg.say, until="field")
    assert await tg.post(tg.message(None, photo=[{"file_id": "cccd1", "file_unique_id": "c", "width": 400,
                                                  "height": 400}])) == 200
    fields = dict(map(tuple, (await tg.state())["fields"]))
    assert "079203012345" in fields.values()
    assert "Nguyễn Văn An" in tg.texts().split("Bước")[-1]
