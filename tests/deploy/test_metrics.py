"""What the README tells operators to alert on is exported: the handoff queue and its oldest wait, the push
outbox backlog (and what it gave up on), and responses by status class (the 5xx rate)."""
from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.web.metrics import Metrics, refresh
from tests.conftest import FixedClock, make_settings


def _value(text: str, name: str) -> float:
    m = re.search(rf"^{re.escape(name)} ([0-9.e+-]+)$", text, re.MULTILINE)
    assert m, f"{name} not exported"
    return float(m.group(1))


@pytest.fixture
async def app_client(tmp_path: Path, clock: FixedClock) -> AsyncIterator[tuple[TestClient, Any]]:
    from bot.app import build_app
    from bot.services import build_services
    from bot.storage.migrate import upgrade

    url = f"sqlite+aiosqlite:///{tmp_path / 'm.sqlite3'}"
    await asyncio.to_thread(upgrade, url)
    settings = make_settings(url, nlu__backend="placeholder")
    services = build_services(settings, clock=clock)
    async with TestClient(TestServer(build_app(settings, services))) as c:
        yield c, services


async def _seed(services: Any, now: dt.datetime) -> None:
    """One conversation with a handoff waiting 10 minutes, one claimed; push messages sent, pending, given up."""
    from sqlalchemy import insert

    from bot.storage.handoff_models import Handoff
    from bot.storage.models import Conversation, OutboxMessage

    async with services.repo.engine.begin() as conn:
        cid = (await conn.execute(insert(Conversation).values(channel="telegram", external_id="42", state={},
                                                              version=0, mode="bot", created_at=now,
                                                              updated_at=now))).inserted_primary_key[0]
        for status, age in (("queued", 600), ("queued", 60), ("claimed", 3600)):
            await conn.execute(insert(Handoff).values(conversation_id=cid, team="mac-dinh", reason="asked",
                                                      status=status, requested_at=now - dt.timedelta(seconds=age)))
        rows = [(None, None, 300), (None, None, 30), (now, None, 900), (None, "gave up: 403 Forbidden", 7200)]
        for sent, error, age in rows:
            await conn.execute(insert(OutboxMessage).values(
                conversation_id=cid, channel="telegram", recipient="42", body={"kind": "text", "text": "x"},
                created_at=now - dt.timedelta(seconds=age), sent_at=sent, attempts=0, last_error=error))
        await conn.execute(insert(OutboxMessage).values(   # a web chat reply waits for the citizen's poll: no backlog
            conversation_id=cid, channel="webchat", recipient="42", body={}, created_at=now - dt.timedelta(hours=5)))


async def test_metrics_page_reports_the_oldest_waiting_handoff(app_client: Any, clock: FixedClock) -> None:
    client, services = app_client
    await _seed(services, clock())
    text = await (await client.get("/metrics")).text()
    assert _value(text, "motcua_handoff_queue_length") == 2
    assert _value(text, "motcua_handoff_oldest_wait_seconds") == 600
    clock.advance(minutes=5)
    text = await (await client.get("/metrics")).text()
    assert _value(text, "motcua_handoff_oldest_wait_seconds") == 900


async def test_outbox_backlog_counts_undelivered_push_messages_only(app_client: Any, clock: FixedClock) -> None:
    _client, services = app_client
    await _seed(services, clock())
    m = Metrics()
    await refresh(m, services.repo, clock, ["telegram", "zalo_bot"])
    assert m.outbox_pending._value.get() == 2           # the two unsent Telegram rows; not the web chat's
    assert m.outbox_oldest._value.get() == 300
    assert m.outbox_parked._value.get() == 1


async def test_responses_are_counted_by_status_class_including_crashes() -> None:
    from bot.app import security_headers

    m = Metrics()

    async def boom(_request: web.Request) -> web.Response:
        raise RuntimeError("bug")

    async def ok(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application(middlewares=[m.count_responses, security_headers])
    app.add_routes([web.get("/boom", boom), web.get("/ok", ok)])
    async with TestClient(TestServer(app)) as c:
        assert (await c.get("/boom")).status == 503   # turned into a polite 503 by the app…
        assert (await c.get("/ok")).status == 200
        assert (await c.get("/missing")).status == 404
    text = generate(m)
    assert 'motcua_http_responses_total{status_class="5xx"} 1.0' in text   # …and counted as a 5xx
    assert 'motcua_http_responses_total{status_class="2xx"} 1.0' in text
    assert 'motcua_http_responses_total{status_class="4xx"} 1.0' in text


def generate(m: Metrics) -> str:
    from prometheus_client import generate_latest

    return generate_latest(m.registry).decode()


def test_turn_and_response_counters_show_a_label_once_counted_and_count_every_time() -> None:
    """on_turn and count_status keep the labelled children they update (no ``labels()`` per turn): a label still
    appears only once something was counted under it, and every update counts."""
    from bot.engine import ConversationState
    from bot.engine.events import HandoffRequested
    from bot.engine.turn import Turn

    m = Metrics()
    assert "motcua_messages_total{" not in generate(m) and "motcua_http_responses_total{" not in generate(m)
    turn = Turn(ConversationState(), events=(HandoffRequested(reason="citizen_request", procedure_id=None, step_id=None),))
    for channel in ("rest", "telegram", "rest"):
        m.on_turn(channel, 0.003, turn, 0.9)
    for status in (200, 201, 404, 503, 200):
        m.count_status(status)
    text = generate(m)
    assert 'motcua_messages_total{channel="rest"} 2.0' in text
    assert 'motcua_messages_total{channel="telegram"} 1.0' in text
    assert 'motcua_turn_seconds_bucket{channel="rest",le="0.005"} 2.0' in text
    assert 'motcua_events_total{type="handoff_requested"} 3.0' in text
    assert 'motcua_http_responses_total{status_class="2xx"} 3.0' in text
    assert 'motcua_http_responses_total{status_class="4xx"} 1.0' in text
    assert 'motcua_http_responses_total{status_class="5xx"} 1.0' in text
    assert "motcua_nlu_confidence_count 3.0" in text
