"""`motcua telegram|zalo set-webhook URL` against the fake platform servers (tokens from the environment)."""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web

from bot.cli import main
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_bot_api import FakeZaloBot


def _serve(app: web.Application) -> Iterator[str]:
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    t = threading.Thread(target=loop.run_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{port}"
    loop.call_soon_threadsafe(loop.stop)
    t.join(5)
    loop.run_until_complete(runner.cleanup())
    loop.close()


@pytest.fixture
def fake_tg() -> Iterator[tuple[FakeTelegram, str]]:
    f = FakeTelegram("42:TOKEN")
    for base in _serve(f.app()):
        yield f, base


@pytest.fixture
def fake_zb() -> Iterator[tuple[FakeZaloBot, str]]:
    f = FakeZaloBot("9:zalo")
    for base in _serve(f.app()):
        yield f, base


def test_telegram_set_webhook(fake_tg: tuple[FakeTelegram, str], monkeypatch: Any, capsys: Any) -> None:
    fake, base = fake_tg
    monkeypatch.setenv("MOTCUA_SECRETS__TELEGRAM_TOKEN", "42:TOKEN")
    monkeypatch.setenv("MOTCUA_SECRETS__TELEGRAM_WEBHOOK_SECRET", "abc_DEF-123")
    monkeypatch.setenv("MOTCUA_CHANNELS__TELEGRAM__API_BASE_URL", f"{base}/bot")
    monkeypatch.setenv("MOTCUA_CHANNELS__TELEGRAM__FILE_BASE_URL", f"{base}/file/bot")
    assert main(["telegram", "set-webhook", "https://motcua.example.vn/webhooks/telegram"]) == 0
    call = next(c for c in fake.calls if c.method == "setWebhook")
    assert call.params["url"] == "https://motcua.example.vn/webhooks/telegram"
    assert call.params["secret_token"] == "abc_DEF-123"
    assert set(call.params["allowed_updates"]) == {"message", "callback_query"}
    cmds = next(c for c in fake.calls if c.method == "setMyCommands").params["commands"]
    assert {c["command"] for c in cmds} >= {"start", "help", "huy", "canbo", "hoso", "xoadulieu"}
    assert "Đã đặt webhook" in capsys.readouterr().out


def test_telegram_set_webhook_refuses_plain_http_and_missing_secret(fake_tg: tuple[FakeTelegram, str],
                                                                    monkeypatch: Any) -> None:
    fake, base = fake_tg
    monkeypatch.setenv("MOTCUA_SECRETS__TELEGRAM_TOKEN", "42:TOKEN")
    monkeypatch.delenv("MOTCUA_SECRETS__TELEGRAM_WEBHOOK_SECRET", raising=False)
    monkeypatch.setenv("MOTCUA_CHANNELS__TELEGRAM__API_BASE_URL", f"{base}/bot")
    assert main(["telegram", "set-webhook", "https://motcua.example.vn/webhooks/telegram"]) == 2
    monkeypatch.setenv("MOTCUA_SECRETS__TELEGRAM_WEBHOOK_SECRET", "abc")
    assert main(["telegram", "set-webhook", "http://insecure.example/webhooks/telegram"]) == 2
    assert not [c for c in fake.calls if c.method == "setWebhook"]


def test_zalo_set_webhook(fake_zb: tuple[FakeZaloBot, str], monkeypatch: Any) -> None:
    fake, base = fake_zb
    monkeypatch.setenv("MOTCUA_SECRETS__ZALO_BOT_TOKEN", "9:zalo")
    monkeypatch.setenv("MOTCUA_SECRETS__ZALO_BOT_WEBHOOK_SECRET", "zalo-secret-123")
    monkeypatch.setenv("MOTCUA_CHANNELS__ZALO_BOT__API_BASE_URL", base)
    assert main(["zalo", "set-webhook", "https://motcua.example.vn/webhooks/zalo-bot"]) == 0
    call = next(c for c in fake.calls if c.method == "setWebhook")
    assert call.params == {"url": "https://motcua.example.vn/webhooks/zalo-bot", "secret_token": "zalo-secret-123"}


def test_missing_token_is_explained(monkeypatch: Any, capsys: Any) -> None:
    monkeypatch.delenv("MOTCUA_SECRETS__ZALO_BOT_TOKEN", raising=False)
    assert main(["zalo", "me"]) == 2
    assert "MOTCUA_SECRETS__ZALO_BOT_TOKEN" in capsys.readouterr().err


def test_run_refuses_telegram_polling_with_several_workers(monkeypatch: Any, capsys: Any) -> None:
    monkeypatch.setenv("MOTCUA_CHANNELS__TELEGRAM__ENABLED", "true")
    monkeypatch.setenv("MOTCUA_CHANNELS__TELEGRAM__MODE", "polling")
    assert main(["run", "--workers", "2", "--no-migrate"]) == 2
    assert "--workers 1" in capsys.readouterr().err
