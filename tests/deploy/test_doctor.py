"""`motcua doctor` on a deliberately broken deployment and on a good one (real PostgreSQL/Redis, fake Telegram)."""
from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from bot.doctor import Check, _heads, render, run_checks
from tests.conftest import REDIS_URL, ROOT, make_settings, require_service
from tests.fakes.telegram_api import FakeTelegram

TOKEN = "123456:DOCTOR-token"
BASE = "https://motcua.example.vn"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]   # nothing listens there once the socket is closed


def _by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


def test_broken_deployment_is_reported_with_fixes_and_exit_1(tmp_path: Path) -> None:
    """The operator's view: an unmigrated SQLite file, Redis on a closed port, http://, Telegram without a token."""
    db = tmp_path / "motcua.sqlite3"
    db.write_bytes(b"")   # exists, but `motcua db upgrade` never ran
    env = {**os.environ, "MOTCUA_DATABASE__URL": f"sqlite+aiosqlite:///{db}",
           "MOTCUA_REDIS__URL": f"redis://127.0.0.1:{_closed_port()}/0",
           "MOTCUA_SERVER__BASE_URL": "http://motcua.example.vn",
           "MOTCUA_CHANNELS__TELEGRAM__ENABLED": "true", "MOTCUA_NLU__MODEL_CACHE_DIR": str(tmp_path / "nlu")}
    for k in ("MOTCUA_SECRETS__TELEGRAM_TOKEN", "MOTCUA_SECRETS__TELEGRAM_WEBHOOK_SECRET"):
        env.pop(k, None)
    res = subprocess.run([sys.executable, "-m", "bot", "doctor"], cwd=ROOT, env=env, check=False, capture_output=True, text=True,
                         timeout=120)
    out = res.stdout
    assert res.returncode == 1, out + res.stderr
    assert "[LỖI] Cơ sở dữ liệu: kết nối được nhưng chưa nâng cấp" in out
    assert "Cách sửa: Chạy `motcua db upgrade`" in out
    assert "[LỖI] Redis: không kết nối được redis://127.0.0.1:" in out
    assert "[LỖI] Địa chỉ công khai (server.base_url): http://motcua.example.vn không phải HTTPS" in out
    assert ("[LỖI] Kênh Telegram: đã bật nhưng thiếu MOTCUA_SECRETS__TELEGRAM_TOKEN, "
            "MOTCUA_SECRETS__TELEGRAM_WEBHOOK_SECRET.") in out
    assert "[OK] Phông chữ cho bản PDF" in out
    assert out.strip().splitlines()[-1].endswith("4 lỗi.")


async def test_a_database_behind_the_code_is_an_error(tmp_path: Path) -> None:
    from bot.storage.migrate import upgrade

    url = f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}"
    await asyncio.to_thread(upgrade, url, "0004")
    s = make_settings(url, server__base_url=BASE)
    db = _by_name(await run_checks(s))["Cơ sở dữ liệu"]
    assert db.status == "error" and "đang ở 0004" in db.detail and f"cần {_heads()[0]}" in db.detail


async def test_database_password_is_never_printed() -> None:
    s = make_settings(f"postgresql+asyncpg://motcua:Hidden-Pw@127.0.0.1:{_closed_port()}/motcua")
    report = render(await run_checks(s))
    assert "Hidden-Pw" not in report and "[LỖI] Cơ sở dữ liệu: không kết nối được" in report


@pytest.fixture
async def fake_telegram() -> AsyncIterator[tuple[FakeTelegram, str]]:
    fake = FakeTelegram(TOKEN)
    server = TestServer(fake.app())
    await server.start_server()
    yield fake, f"http://127.0.0.1:{server.port}/bot"
    await server.close()


def _good(pg_url: str, api: str) -> Any:
    require_service("Redis", "127.0.0.1", 6379)
    s = make_settings(pg_url, redis__url=REDIS_URL, server__base_url=BASE)
    s.channels.telegram.enabled = True
    s.channels.telegram.api_base_url = api
    s.secrets.telegram_token = SecretStr(TOKEN)
    s.secrets.telegram_webhook_secret = SecretStr("doctor-secret")
    return s


async def test_good_deployment_passes_online(pg_url: str, fake_telegram: tuple[FakeTelegram, str]) -> None:
    fake, api = fake_telegram
    fake.webhook_url = BASE + "/webhooks/telegram"   # as `motcua telegram set-webhook` left it
    checks = await run_checks(_good(pg_url, api), online=True)
    errors = [c for c in checks if c.status == "error"]
    assert errors == [], render(checks)
    by = _by_name(checks)
    assert f"đã nâng cấp tới {_heads()[0]}" in by["Cơ sở dữ liệu"].detail and "trả lời PING" in by["Redis"].detail
    assert by["Telegram (trực tuyến)"].detail == "token hợp lệ: @motcua_test_bot."
    assert by["Webhook Telegram"].status == "ok"
    assert [c.method for c in fake.calls] == ["getMe", "getWebhookInfo"]


async def test_online_check_finds_a_webhook_pointing_elsewhere_and_a_bad_token(
        pg_url: str, fake_telegram: tuple[FakeTelegram, str]) -> None:
    fake, api = fake_telegram
    fake.webhook_url = "https://old-server.example.vn/webhooks/telegram"
    s = _good(pg_url, api)
    hook = _by_name(await run_checks(s, online=True))["Webhook Telegram"]
    assert hook.status == "error" and "old-server.example.vn" in hook.detail
    assert hook.fix == f"Chạy `motcua telegram set-webhook {BASE}/webhooks/telegram`."
    s.secrets.telegram_token = SecretStr("999:revoked")
    online = _by_name(await run_checks(s, online=True))["Telegram (trực tuyến)"]
    assert online.status == "error" and "từ chối token" in online.detail
    assert "999:revoked" not in render(await run_checks(s, online=True))


def test_secrets_file_readable_by_others_is_an_error(tmp_path: Path) -> None:
    from bot.doctor import check_env_file

    env = tmp_path / "motcua.env"
    env.write_text("MOTCUA_SECRETS__TELEGRAM_TOKEN=1:x\n")
    env.chmod(0o644)
    [bad] = check_env_file(env)
    assert bad.status == "error" and "644" in bad.detail and bad.fix == f"Chạy `chmod 600 {env}` (chủ sở hữu root)."
    env.chmod(0o600)
    assert [c.status for c in check_env_file(env)] == ["ok"]
    assert check_env_file(tmp_path / "absent.env") == []   # not a systemd install: nothing to say
