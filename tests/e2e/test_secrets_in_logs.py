"""No secret reaches a log line: the Telegram flow (start-up, webhook turns, a photo download, polling, set-up
calls, a failed call's traceback) run under the app's own logging set-up, and the captured log grepped for the
bot token. The HTTP client (httpx under python-telegram-bot) logs every Bot API URL, and the URL holds
``bot<token>``."""
from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.logs import mask, setup_logging
from bot.runtime.content import ContentStore
from bot.settings import TelegramSettings
from tests.conftest import make_settings
from tests.e2e.test_telegram import SECRET, TOKEN, Tg, fake  # noqa: F401  fake: the fake Bot API fixture
from tests.fakes.driver import walk_to_review
from tests.fakes.telegram_api import FakeTelegram

TOKEN_SECRET_PART = TOKEN.split(":", 1)[1]


@pytest.fixture(params=["text", "json"])
def log_format(request: Any) -> str:
    return str(request.param)


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    quiet = {n: logging.getLogger(n).level for n in ("httpx", "httpcore", "hpack")}
    yield
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    for n, level in quiet.items():
        logging.getLogger(n).setLevel(level)


@pytest.fixture
async def logged_tg(db_url: str, trained_parser: Any, content: Any, clock: Any, fake: FakeTelegram,  # noqa: F811
                    log_format: str, restore_logging: None) -> AsyncIterator[tuple[Tg, io.StringIO]]:
    """The Telegram app as `motcua run` sets it up: real logging installed before start-up (getMe at start)."""
    from bot.app import build_app
    from bot.services import build_services

    base = fake.base  # type: ignore[attr-defined]
    settings = make_settings(db_url, channels__telegram=TelegramSettings(
        enabled=True, api_base_url=f"{base}/bot", file_base_url=f"{base}/file/bot"),
        secrets__telegram_token=SecretStr(TOKEN), secrets__telegram_webhook_secret=SecretStr(SECRET))
    settings.logging.json_format = log_format == "json"   # default level: INFO, as in production
    setup_logging(settings)
    buf = io.StringIO()
    logging.getLogger().handlers[0].setStream(buf)   # the real handler, its filter and formatter
    svc = build_services(settings, clock=clock, content=ContentStore(content))
    svc.nlu.use(trained_parser, content.version)
    async with TestClient(TestServer(build_app(settings, svc))) as client:
        yield Tg(client, svc, fake), buf


async def test_the_telegram_flow_never_logs_the_bot_token(logged_tg: tuple[Tg, io.StringIO], content: Any) -> None:
    tg, buf = logged_tg
    ch = tg.services.channels["telegram"]
    await walk_to_review(content, tg.state, tg.tap, tg.say)
    await tg.tap("/xacnhan")
    tg.fake.files["p1"] = b"\xff\xd8 photo"
    from bot.engine.messages import Attachment

    assert await tg.services.push.fetch(Attachment(kind="image", ref="p1"), "telegram") == b"\xff\xd8 photo"
    assert await ch.set_webhook("https://motcua.example.vn/webhooks/telegram")
    tg.fake.updates = [tg.message("xin chào")]
    task = asyncio.create_task(ch.poll(timeout=0))
    for _ in range(100):
        if any(c.method == "getUpdates" for c in tg.fake.calls):
            break
        await asyncio.sleep(0.05)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    # A library that puts the request URL in an error (and its traceback): the filter's second line of defence.
    url = f"{tg.fake.base}/bot{TOKEN}/sendMessage"  # type: ignore[attr-defined]
    try:
        raise RuntimeError(f"Server error '502 Bad Gateway' for url '{url}'")
    except RuntimeError:
        logging.getLogger("telegram.ext.ExtBot").exception("request to %s failed", url)
    logging.getLogger("bot.test").info("flow done")
    log = buf.getvalue()
    assert "flow done" in log and "request to" in log and "Traceback" in log
    assert any(c.method == "getMe" for c in tg.fake.calls) and tg.fake.sent(tg.chat, "sendDocument")
    assert TOKEN not in log and TOKEN_SECRET_PART not in log, [ln for ln in log.splitlines() if "TEST-" in ln][:3]
    if '"message"' in log:
        assert all(json.loads(line) for line in log.splitlines())   # JSON lines stay valid after masking


def test_an_unconfigured_bot_token_in_a_url_is_masked_too() -> None:
    real_looking = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ"
    for text in (f"POST https://api.telegram.org/bot{real_looking}/getMe",
                 f"https://bot-api.zaloplatforms.com/bot{real_looking}/sendMessage", f"token={real_looking}",
                 "GET http://127.0.0.1:8081/file/bot123456:TEST-token/photos/a.jpg"):
        out = mask(text)
        assert real_looking.split(":")[1] not in out and "TEST-token" not in out, out
    # ordinary lines keep their times, ports and ids
    assert mask("at 12:30:45 on 127.0.0.1:8080, event 1234:abcdef") == "at 12:30:45 on 127.0.0.1:8080, event 1234:abcdef"
    assert mask("oa token is s3cr3t-value-1", ["s3cr3t-value-1"]) == "oa token is ***"


def test_every_configured_secret_is_masked_by_the_installed_handler(restore_logging: None) -> None:
    settings = make_settings("postgresql+asyncpg://motcua:Db-pass-w0rd@127.0.0.1/test",
                             secrets__zalo_oa_app_secret=SecretStr("oa-app-secret-xyz"),
                             secrets__session_key=SecretStr("session key with spaces"))
    settings.redis.url = "redis://:r3dis-pass@127.0.0.1:6379/0"
    setup_logging(settings)
    buf = io.StringIO()
    logging.getLogger().handlers[0].setStream(buf)
    log = logging.getLogger("bot.test")
    log.warning("refresh refused for %s / %s", "oa-app-secret-xyz", "session%20key%20with%20spaces")
    try:
        raise ConnectionError("could not connect to postgresql://motcua:Db-pass-w0rd@db/test or r3dis-pass")
    except ConnectionError:
        log.exception("database down")
    out = buf.getvalue()
    assert "refresh refused" in out and "database down" in out
    for secret in ("oa-app-secret-xyz", "session%20key%20with%20spaces", "Db-pass-w0rd", "r3dis-pass"):
        assert secret not in out, secret
