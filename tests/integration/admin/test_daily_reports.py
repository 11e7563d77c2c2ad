"""Issue 21 item 4: the scheduled daily report of each commune and of the province, made once every morning,
sent to the Telegram groups through the real Bot API protocol (a local fake server), kept for download, and
visible to an agent only for their own communes. SQLite and PostgreSQL."""
from __future__ import annotations

import asyncio
import datetime as dt
import io
import random
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook
from sqlalchemy import insert

from bot.admin.daily import DailyReports, TelegramFiles
from bot.handoff.communes import Commune
from bot.storage.models import Conversation, EventRow
from bot.web.admin.auth import ADMIN_AUTH, Principal
from tests.fakes.telegram_api import FakeTelegram, serving

TOKEN = "123456:daily-report-token"
PID = "ho-tich.khai-sinh"
VN = dt.timezone(dt.timedelta(hours=7))


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with serving(TOKEN) as f:
        yield f


class World:
    """A day of activity no other test uses: commune A (team with a Telegram group) and B (no team)."""

    def __init__(self) -> None:
        self.day = dt.date(2040, 1, 1) + dt.timedelta(days=random.randrange(3000))
        self.a, self.b = "9" + uuid.uuid4().hex[:5], "8" + uuid.uuid4().hex[:5]
        self.team = "t" + uuid.uuid4().hex[:6]
        self.communes = [Commune(self.a, "Xã Thử A", team=self.team), Commune(self.b, "Xã Thử B")]

    def at(self, hour: int, minute: int, days: int = 0) -> dt.datetime:
        local = dt.datetime.combine(self.day + dt.timedelta(days=days), dt.time(hour, minute), VN)
        return local.astimezone(dt.UTC)      # the bot's clock is UTC

    async def seed(self, engine: Any) -> None:
        noon = self.at(12, 0)
        async with engine.begin() as conn:
            for commune, n in ((self.a, 2), (self.b, 1), (None, 1)):
                for _ in range(n):
                    res = await conn.execute(insert(Conversation).values(
                        channel="rest", external_id=uuid.uuid4().hex, state={"commune": commune} if commune else {},
                        team=self.team, created_at=noon, updated_at=noon))
                    cid = res.inserted_primary_key[0]
                    for type_, data in (("procedure_identified", {"procedure_id": PID, "confidence": 0.9}),
                                        ("unrecognized", {"text": "cháu tên Nguyễn Văn An, sđt 0912345678"})):
                        await conn.execute(insert(EventRow).values(conversation_id=cid, type=type_, data=data,
                                                                   team=self.team, created_at=noon, handled_at=noon))


def job(services: Any, w: World, fake: FakeTelegram, clock: Any, group: str | None = "-100777") -> DailyReports:
    s = services.settings.model_copy(deep=True)
    s.reports.province_telegram_chat_id = group
    return DailyReports(services.repo.engine, s, clock, lambda: w.communes,
                        team_chat=lambda team: "-100555" if team == w.team else None, name_of=lambda pid: pid,
                        sender=TelegramFiles(f"{fake.base}/bot", TOKEN))


def sheets(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    wb = load_workbook(io.BytesIO(data))
    return {ws.title: [tuple(r) for r in ws.iter_rows(min_row=4, values_only=True)] for ws in wb.worksheets}


async def test_each_morning_every_commune_and_the_province_get_yesterdays_report_once(
        services: Any, fake: FakeTelegram) -> None:
    w = World()
    await w.seed(services.repo.engine)
    now = [w.at(6, 29, days=1)]
    first = job(services, w, fake, lambda: now[0])
    assert first.due_day(now[0]) is None                     # 06:29: not yet
    now[0] = w.at(6, 31, days=1)
    assert first.due_day(now[0]) == w.day
    assert await first.run(w.day) == 3                        # the province, A (has a team) and B (was active)

    docs = [c for c in fake.calls if c.method == "sendDocument"]
    assert sorted(str(c.params["chat_id"]) for c in docs) == ["-100555", "-100777"]   # B has no group: kept only
    by_chat = {str(c.params["chat_id"]): c for c in docs}
    province = sheets(by_chat["-100777"].files["document"][1])
    assert "Tin nhắn bot không hiểu (gần nhất)"[:31] not in province      # citizens' words never go to a group
    rows = {r[0]: r[1:] for r in province["Theo xã, phường"]}
    assert rows[f"Xã Thử A ({w.a})"][0] == 2 and rows[f"Xã Thử B ({w.b})"][0] == 1
    assert rows["Chưa xác định"][0] == 1 and rows["Toàn tỉnh"][0] == 4     # the communes add up to the province
    commune_a = sheets(by_chat["-100555"].files["document"][1])
    assert {r[0]: r[1] for r in commune_a["Tổng hợp"]}["Cuộc trò chuyện mới"] == 2
    assert by_chat["-100555"].params["caption"] == f"Báo cáo ngày {w.day:%d/%m/%Y} — Xã Thử A"
    assert b"0912345678" not in by_chat["-100777"].files["document"][1]

    second_worker = job(services, w, fake, lambda: now[0])
    assert await second_worker.made(w.day)
    assert await second_worker.run(w.day) == 0                # nothing made or sent twice
    assert len([c for c in fake.calls if c.method == "sendDocument"]) == 2


async def test_a_group_that_cannot_be_reached_keeps_the_file_and_says_why(services: Any, fake: FakeTelegram) -> None:
    w = World()
    await w.seed(services.repo.engine)
    fake.fail_next["sendDocument"] = [(403, {"ok": False, "error_code": 403, "description": "Forbidden"})] * 5
    assert await job(services, w, fake, lambda: w.at(7, 0, days=1)).run(w.day) == 3
    from bot.admin.daily import list_files

    mine = [r for r in await list_files(services.repo.engine) if r.day == w.day]
    assert len(mine) == 3
    assert {r.send_error for r in mine if r.sent_to} == {"Telegram trả lời HTTP 403"}
    assert all(r.sent_at is None for r in mine)


async def test_a_running_worker_makes_yesterdays_files_by_itself(db_url: str, trained_parser: Any, content: Any,
                                                                   fake: FakeTelegram) -> None:
    """The schedule runs in the worker's lifetime: no command, no cron."""
    from bot.app import build_app
    from bot.runtime.content import ContentStore
    from bot.services import build_services
    from tests.conftest import FixedClock, make_settings

    w = World()
    clock = FixedClock(w.at(8, 0, days=1).astimezone(dt.UTC))
    settings = make_settings(db_url)
    settings.reports.daily, settings.reports.check_every_s = True, 0.05
    svc = build_services(settings, clock=clock, content=ContentStore(content))
    svc.nlu.use(trained_parser, content.version)
    await w.seed(svc.repo.engine)
    async with TestClient(TestServer(build_app(settings, svc))):
        job_ = job(svc, w, fake, clock)
        for _ in range(200):
            if await job_.made(w.day):
                break
            await asyncio.sleep(0.05)
        assert await job_.made(w.day)
    await svc.close()


USERS = {"admin": Principal("an.admin", "admin", None, csrf="c1"), "agent": None}


@pytest.fixture
async def staff_client(services: Any) -> AsyncIterator[TestClient]:
    from bot.app import build_app

    app = build_app(services.settings, services)

    async def header_auth(request: Any) -> Principal | None:
        return USERS.get(request.headers.get("X-Test-User", ""))

    app[ADMIN_AUTH] = header_auth
    async with TestClient(TestServer(app)) as c:
        yield c


async def test_files_are_listed_and_downloaded_by_whom_they_concern(services: Any, fake: FakeTelegram,
                                                                    staff_client: TestClient,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    w = World()
    await w.seed(services.repo.engine)
    await job(services, w, fake, lambda: w.at(7, 0, days=1)).run(w.day)
    monkeypatch.setattr(services.handoff.communes, "all", lambda: w.communes)
    USERS["agent"] = Principal("binh", "agent", w.team, csrf="c2")

    page = await (await staff_client.get("/console/admin/reports/daily", headers={"X-Test-User": "admin"})).text()
    assert f"Báo cáo ngày {w.day:%d/%m/%Y} — Toàn tỉnh" in page and "Đã gửi nhóm Telegram" in page
    assert f"Báo cáo ngày {w.day:%d/%m/%Y} — Xã Thử B" in page and "Chỉ lưu để tải" in page
    ids = dict(_links(page, w.day))
    assert next(iter(ids)) == "Toàn tỉnh"                      # the province's file heads its day
    r = await staff_client.get(f"/console/admin/reports/daily/{ids['Toàn tỉnh']}.xlsx", headers={"X-Test-User": "admin"})
    assert r.status == 200 and "Theo xã, phường" in sheets(await r.read())

    mine = await (await staff_client.get("/console/admin/reports/daily", headers={"X-Test-User": "agent"})).text()
    assert "Xã Thử A" in mine and "Toàn tỉnh" not in mine and "Xã Thử B" not in mine
    for other, status in (("Toàn tỉnh", 404), ("Xã Thử B", 404), ("Xã Thử A", 200)):
        r = await staff_client.get(f"/console/admin/reports/daily/{ids[other]}.xlsx", headers={"X-Test-User": "agent"})
        assert r.status == status, other
    assert (await staff_client.get("/console/admin/reports/daily/abc.xlsx", headers={"X-Test-User": "admin"})).status == 404


def _links(page: str, day: dt.date) -> list[tuple[str, str]]:
    """(who, file id) of each row of ``day`` on the page."""
    import re

    rows = re.findall(r"<td>Báo cáo ngày " + f"{day:%d/%m/%Y}" + r" — ([^<]+)</td>.*?/daily/(\d+)\.xlsx", page, re.DOTALL)
    return [(who, fid) for who, fid in rows]
