"""A citizen who floods the REST channel is held back with a polite Vietnamese answer; others are served."""
from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.conftest import REDIS_URL, make_settings, new_sender, require_service

POLITE = "Bạn gửi tin hơi nhanh, vui lòng chờ vài giây rồi gửi tiếp nhé."


@pytest.fixture(params=["memory", "redis"])
async def limited_client(request: pytest.FixtureRequest, sqlite_url: str, trained_parser: Any,
                         content: Any) -> AsyncIterator[TestClient]:
    from bot.app import build_app
    from bot.runtime.content import ContentStore
    from bot.services import build_services

    extra: dict[str, Any] = {"server__sender_rate": 1.0, "server__sender_burst": 3}
    if request.param == "redis":
        require_service("Redis", "127.0.0.1", 6379)
        extra["redis__url"] = REDIS_URL
    svc = build_services(make_settings(sqlite_url, **extra), content=ContentStore(content))
    svc.nlu.use(trained_parser, content.version)
    try:
        async with TestClient(TestServer(build_app(svc.settings, svc))) as client:
            yield client
    finally:
        await svc.close()


async def _say(client: TestClient, sender: str, text: str) -> tuple[int, list[dict[str, Any]]]:
    resp = await client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
    return resp.status, await resp.json()


async def test_a_flooding_citizen_gets_a_polite_answer_and_others_are_served(limited_client: TestClient) -> None:
    flood, calm = new_sender(), new_sender()
    answers = [await _say(limited_client, flood, "xin chào") for _ in range(5)]
    assert [status for status, _ in answers] == [200, 200, 200, 429, 429]
    assert answers[3][1] == [{"recipient_id": flood, "text": POLITE}]
    status, replies = await _say(limited_client, calm, "xin chào")
    assert status == 200 and replies and POLITE not in [r.get("text") for r in replies]
