"""Migration 0010_h21codes on SQLite and PostgreSQL: a deployment that stored the old package's wrong commune codes
keeps its settings, reports and citizens' communes on the official codes after the upgrade (issue 21), and a
downgrade gives the old codes back."""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import create_async_engine

from bot.admin.models import DailyReportFile
from bot.storage.handoff_models import communes
from bot.storage.migrate import downgrade, upgrade
from bot.storage.models import Conversation, Draft, EventRow
from tests.conftest import _pg_create, _pg_drop, require_service

BEFORE = "0009_h21commune"
NOW = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)
GUESS = "xã Thái Cường, huyện Hạ Lang"


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}"
        return
    require_service("PostgreSQL", "127.0.0.1", 5432)
    name = f"motcua_h21codes_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    _pg_create(name)
    yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    _pg_drop(name)


async def _seed(url: str) -> None:
    """What a deployment wrote with the 2025.10.1 codes: its 1561 was Hạ Lang, 1537 Vinh Quý, 1558 Lý Quốc."""
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(insert(communes), [
            {"code": "1561", "name": "Xã Hạ Lang", "team": "t-halang", "updated_at": NOW},
            {"code": "1558", "name": "Xã Lý Quốc", "team": "t-lyquoc", "updated_at": NOW},
            {"code": "1501", "name": "Xã Đàm Thuỷ", "team": "t-damthuy", "updated_at": NOW},
            {"code": "24277", "name": "Xã Ea Tul", "team": "t-eatul", "updated_at": NOW}])
        states = [{"commune": "1561", "commune_guess": None}, {"commune": None, "commune_guess": f"1537|{GUESS}"},
                  {"commune": "24277", "commune_guess": "1558"}, {"phase": "idle"}]
        conv = Conversation.__table__
        for i, state in enumerate(states):
            await conn.execute(insert(conv).values(id=i + 1, channel="rest", external_id=f"c{i}", state=state))
        await conn.execute(insert(EventRow.__table__), [
            {"conversation_id": 1, "type": "handoff_requested", "data": {}, "commune": c, "created_at": NOW}
            for c in ("1561", "1561", "1537", "24277", None)])
        await conn.execute(insert(Draft.__table__), [
            {"code": f"D{c}", "token_hash": "x", "procedure_id": "p", "data": {}, "commune": c, "created_at": NOW,
             "updated_at": NOW} for c in ("1561", "1558")])
        await conn.execute(insert(DailyReportFile.__table__), [
            {"day": NOW.date(), "scope": s, "title": s, "filename": f"{s}.xlsx", "content": b"x", "created_at": NOW}
            for s in ("1561", "1558", "province")])
    await engine.dispose()


async def _read(url: str) -> dict[str, Any]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        conv, ev, dr, files = (t.__table__ for t in (Conversation, EventRow, Draft, DailyReportFile))
        out = {
            "communes": {(r.code, r.name, r.team) for r in await conn.execute(select(communes))},
            "states": [r.state for r in await conn.execute(select(conv.c.state).order_by(conv.c.id))],
            "events": sorted(str(r.commune) for r in await conn.execute(select(ev.c.commune))),
            "drafts": {r.code: r.commune for r in await conn.execute(select(dr.c.code, dr.c.commune))},
            "files": {r.title: r.scope for r in await conn.execute(select(files.c.title, files.c.scope))},
        }
    await engine.dispose()
    return out


def test_an_upgraded_deployment_keeps_its_communes_on_the_official_codes(fresh_url: str) -> None:
    upgrade(fresh_url, BEFORE)
    asyncio.run(_seed(fresh_url))
    before = asyncio.run(_read(fresh_url))
    upgrade(fresh_url)
    after = asyncio.run(_read(fresh_url))
    assert after["communes"] == {("1558", "Xã Hạ Lang", "t-halang"), ("1537", "Xã Lý Quốc", "t-lyquoc"),
                                 ("1501", "Xã Đàm Thủy", "t-damthuy"), ("24277", "Xã Ea Tul", "t-eatul")}
    assert [s.get("commune") for s in after["states"]] == ["1558", None, "24277", None]
    assert [s.get("commune_guess") for s in after["states"]] == [None, f"1561|{GUESS}", "1537", None]
    assert after["states"][3] == {"phase": "idle"}
    assert after["events"] == ["1558", "1558", "1561", "24277", "None"]
    assert after["drafts"] == {"D1561": "1558", "D1558": "1537"}
    assert after["files"] == {"1561": "1558", "1558": "1537", "province": "province"}

    downgrade(fresh_url, BEFORE)
    back = asyncio.run(_read(fresh_url))
    assert {(c, t) for c, _n, t in back["communes"]} == {(c, t) for c, _n, t in before["communes"]}
    assert back["states"] == before["states"] and back["events"] == before["events"]
    assert back["drafts"] == before["drafts"] and back["files"] == before["files"]
