"""Issue 21 item 5, the small version run by `make test` (the full one is bench/province.py): a province whose
communes each have their own team, many citizens at once on two workers sharing PostgreSQL and Redis. Every
handoff reaches its commune's queue, no agent sees another commune's citizens, the per-commune report adds up to
the province, and no request fails."""
from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.admin.reports import Period, build_report
from bot.handoff.communes import province_communes
from nlu.normalize import fold
from tests.conftest import make_settings, new_sender
from tests.integration.handoff.test_console_flow import login

PROVINCE = "Đắk Lắk"
COMMUNES = 10
PER_COMMUNE = 4
pytestmark = [pytest.mark.redis, pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)]


@pytest.fixture
def redis_url() -> str:
    from tests.conftest import require_service

    require_service("redis", "127.0.0.1", 6379)
    return "redis://127.0.0.1:6379/0"


@pytest.fixture
async def workers(db_url: str, redis_url: str, trained_parser: Any, content: Any,
                  clock: Any) -> AsyncIterator[list[tuple[Any, TestClient]]]:
    """Two workers of one deployment: each its own services and app, one database, one Redis."""
    from bot.app import build_app
    from bot.runtime.content import ContentStore
    from bot.services import build_services

    out = []
    for _ in range(2):
        settings = make_settings(db_url, redis__url=redis_url, content__province=PROVINCE)
        svc = build_services(settings, clock=clock, content=ContentStore(content))
        svc.nlu.use(trained_parser, content.version)
        client = TestClient(TestServer(build_app(settings, svc)))
        await client.start_server()
        out.append((svc, client))
    yield out
    for svc, client in out:
        await client.close()
        await svc.close()


async def test_a_province_of_communes_routes_every_citizen_to_their_own_commune(
        workers: list[tuple[Any, TestClient]], clock: Any) -> None:
    (svc, c1), (_svc2, c2) = workers
    # Communes whose names other tests do not configure; each gets its own team.
    chosen = [c for c in province_communes(PROVINCE) if "Ea T" not in c.name and "Ea Kar" not in c.name][:COMMUNES]
    run = uuid.uuid4().hex[:6]
    team_of = {c.code: f"p{run}-{i}" for i, c in enumerate(chosen)}
    for c in chosen:
        await svc.handoff.communes.set(c.code, clock(), team=team_of[c.code], working_hours="Mon-Sun 00:00-24:00")
    await asyncio.sleep(0.2)   # the announcement reaches the other worker through Redis
    errors: list[str] = []

    async def citizen(n: int, commune: Any) -> tuple[str, str]:
        client = (c1, c2)[n % 2]
        sender = new_sender()
        # Half name their commune without diacritics, the way it is typed on a phone.
        name = commune.name if n % 4 < 2 else fold(commune.name)
        for text in ("cho tôi gặp cán bộ", name):
            r = await client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
            if r.status != 200:
                errors.append(f"{r.status} {await r.text()}")
        return sender, commune.code

    people = await asyncio.gather(*(citizen(n, c) for c in chosen for n in range(PER_COMMUNE)))
    assert errors == []
    ids: dict[str, set[int]] = {c.code: set() for c in chosen}
    for sender, code in people:
        row = await svc.repo.load("rest", sender)
        assert row is not None and row.state["mode"] == "waiting_human", (sender, row and row.state.get("pending"))
        assert row.team == team_of[code] and row.state["commune"] == code
        ids[code].add(row.id)

    every = set().union(*ids.values())
    for i, c in enumerate(chosen):
        client = (c1, c2)[i % 2]   # agents sign in on either worker
        await login(client, svc, f"a{run}{i}", team_of[c.code])
        queue = {q["conversation_id"] for q in (await (await client.get("/console/api/queue")).json())["queue"]}
        assert queue & every == ids[c.code], c.name          # exactly their commune's citizens
        other = next(iter(every - ids[c.code]))
        assert (await client.get(f"/console/c/{other}")).status == 403

    rep = await build_report(svc.repo.engine, Period.of("day", clock().date()))
    rows = rep.tables["theo_xa"].rows
    by_code = {str(r[0]): r for r in rows}
    for c in chosen:
        assert by_code[c.code][5] == PER_COMMUNE, c.name     # "Lượt chuyển cán bộ" of the commune
    province = rows[-1]
    assert province[0] == "Toàn tỉnh"
    for col in (1, 2, 3, 4, 5, 6, 7, 9, 10):   # every count (not the means)
        assert province[col] == sum(r[col] for r in rows[:-1]), rep.tables["theo_xa"].headers[col]
