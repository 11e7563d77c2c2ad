"""The Telegram Bot API is down when the server starts: the server starts anyway, says so in the log, and the bot
works as soon as the API is back (webhook replies delivered, polling picks up updates)."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer, unused_port
from pydantic import SecretStr

from bot.runtime.content import ContentStore
from bot.settings import TelegramSettings
from tests.conftest import make_settings
from tests.e2e.test_telegram import SECRET, TOKEN, Tg
from tests.fakes.telegram_api import FakeTelegram

Up = Callable[[], Awaitable[None]]


@pytest.fixture
async def api_down() -> AsyncIterator[tuple[FakeTelegram, str, Up]]:
    """A fake Bot API whose port refuses connections until ``up()`` is called."""
    fake = FakeTelegram(TOKEN)
    port = unused_port()
    base = f"http://127.0.0.1:{port}"
    fake.base = base  # type: ignore[attr-defined]
    servers: list[TestServer] = []

    async def up() -> None:
        server = TestServer(fake.app(), host="127.0.0.1", port=port)
        await server.start_server()
        servers.append(server)

    yield fake, base, up
    for s in servers:
        await s.close()


async def _until(check: Callable[[], bool], seconds: float = 10.0) -> bool:
    for _ in range(int(seconds / 0.05)):
        if check():
            return True
        await asyncio.sleep(0.05)
    return check()


def _app(db_url: str, trained_parser: Any, content: Any, clock: Any, base: str, mode: str) -> tuple[Any, Any]:
    from bot.app import build_app
    from bot.services import build_services

    settings = make_settings(db_url, channels__telegram=TelegramSettings(
        enabled=True, mode=mode, api_base_url=f"{base}/bot", file_base_url=f"{base}/file/bot"),  # type: ignore[arg-type]
        secrets__telegram_token=SecretStr(TOKEN), secrets__telegram_webhook_secret=SecretStr(SECRET))
    svc = build_services(settings, clock=clock, content=ContentStore(content))
    svc.nlu.use(trained_parser, content.version)
    svc.channels["telegram"].retry_delays = (0.1,)   # production: 1 s … 60 s
    return build_app(settings, svc), svc


async def test_server_starts_without_the_api_and_delivers_once_it_is_back(
        db_url: str, trained_parser: Any, content: Any, clock: Any, api_down: tuple[FakeTelegram, str, Up],
        caplog: pytest.LogCaptureFixture) -> None:
    fake, base, up = api_down
    app, svc = _app(db_url, trained_parser, content, clock, base, "webhook")
    caplog.set_level(logging.INFO, logger="bot.channels.telegram")
    async with TestClient(TestServer(app)) as client:   # raised NetworkError before: the server never started
        assert "unreachable at start-up" in caplog.text
        tg = Tg(client, svc, fake)
        health = await client.get("/healthz")
        assert health.status < 500
        assert await tg.post(tg.message("làm khai sinh cho bé")) == 200   # intake works with the API down
        assert fake.calls == []
        await up()
        assert await _until(lambda: any(c.method == "getMe" for c in fake.calls)), "start-up retried in background"
        clock.advance(minutes=5)
        await svc.push.flush()
        assert "Đăng ký khai sinh" in tg.texts()   # the reply waited in the outbox, then arrived
        assert "reachable after" in caplog.text


async def test_polling_starts_once_the_api_is_back(
        db_url: str, trained_parser: Any, content: Any, clock: Any, api_down: tuple[FakeTelegram, str, Up]) -> None:
    fake, base, up = api_down
    app, svc = _app(db_url, trained_parser, content, clock, base, "polling")
    async with TestClient(TestServer(app)) as client:
        tg = Tg(client, svc, fake)
        await asyncio.sleep(0.3)   # a few failed attempts
        fake.updates = [tg.message("làm khai sinh cho bé")]
        await up()
        assert await _until(lambda: "Đăng ký khai sinh" in tg.texts()), [c.method for c in fake.calls]
        assert [c.method for c in fake.calls][:2] == ["getMe", "deleteWebhook"]


async def test_a_refused_token_does_not_stop_the_server_nor_reach_the_log(
        db_url: str, trained_parser: Any, content: Any, clock: Any, api_down: tuple[FakeTelegram, str, Up],
        caplog: pytest.LogCaptureFixture) -> None:
    fake, base, up = api_down
    fake.token = "999:another-bot"   # the API answers 401 to our token
    await up()
    app, _svc = _app(db_url, trained_parser, content, clock, base, "webhook")
    caplog.set_level(logging.INFO, logger="bot.channels.telegram")
    async with TestClient(TestServer(app)) as client:
        assert (await client.get("/healthz")).status == 200
        assert "refused the bot token" in caplog.text
        assert TOKEN not in caplog.text
