"""Team routing through the real app (SQLite and PostgreSQL): `handoff.routes` sends a handoff to the team
for its channel or procedure, that team alone sees it, its working hours answer, and a cross-team
transfer by an admin moves the conversation with the agent."""
from __future__ import annotations

import datetime as dt
from typing import Any

from bot.settings import HandoffRoute
from tests.conftest import new_sender
from tests.integration.handoff.test_console_flow import PASSWORD, conv_id, login, rest, texts

LAND = [HandoffRoute(team="dia-chinh", procedures=["dat-dai.*"])]


async def test_a_land_handoff_reaches_the_land_team_only(client: Any, services: Any) -> None:
    services.settings.handoff.routes = LAND
    land, birth = new_sender(), new_sender()
    await rest(client, land, "tôi muốn làm sổ đỏ lần đầu cho mảnh đất của bố mẹ")
    await rest(client, land, "/canbo")
    await rest(client, birth, "tôi muốn làm giấy khai sinh cho con")
    await rest(client, birth, "/canbo")
    land_id, birth_id = await conv_id(services, land), await conv_id(services, birth)
    assert (await services.repo.load_by_id(land_id)).team == "dia-chinh"
    assert (await services.repo.load_by_id(birth_id)).team == "mac-dinh"

    await login(client, services, "dat", "dia-chinh")
    queue = [q["conversation_id"] for q in (await (await client.get("/console/api/queue")).json())["queue"]]
    assert land_id in queue and birth_id not in queue
    assert (await client.get(f"/console/c/{land_id}")).status == 200

    await login(client, services, "ho-tich", "mac-dinh")
    queue = [q["conversation_id"] for q in (await (await client.get("/console/api/queue")).json())["queue"]]
    assert birth_id in queue and land_id not in queue
    assert (await client.get(f"/console/c/{land_id}")).status == 403


async def test_a_channel_rule_assigns_new_conversations(client: Any, services: Any) -> None:
    services.settings.handoff.routes = [HandoffRoute(team="xa-a", channels=["rest"])]
    sender = new_sender()
    await rest(client, sender, "xin chào")
    assert (await services.repo.load("rest", sender)).team == "xa-a"


async def test_the_routed_teams_hours_answer_the_citizen(client: Any, services: Any, clock: Any) -> None:
    services.settings.handoff.routes = LAND
    await services.handoff.upsert_team("dia-chinh", "Tổ địa chính", "Sat 08:00-09:00")
    clock.now = dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.UTC)  # Tuesday 10:00: the default team is on duty
    land = new_sender()
    await rest(client, land, "tôi muốn làm sổ đỏ lần đầu")
    assert "8 giờ sáng thứ Bảy, 28/11" in texts(await rest(client, land, "/canbo"))
    birth = new_sender()
    await rest(client, birth, "tôi muốn làm giấy khai sinh cho con")
    assert "thứ Bảy" not in texts(await rest(client, birth, "/canbo"))


async def test_an_admin_transfer_across_teams_lets_the_new_agent_open_it(client: Any, services: Any) -> None:
    sender = new_sender()
    await rest(client, sender, "/canbo")
    cid = await conv_id(services, sender)
    h = services.handoff
    await h.add_agent("boss", PASSWORD, "mac-dinh", role="admin", display_name="Trưởng tổ")
    await h.add_agent("xa", PASSWORD, "xa-khac", display_name="Cán bộ xã khác")
    await h.claim(await h.get_agent("boss"), cid)
    await h.transfer(await h.get_agent("boss"), cid, "xa")
    assert (await services.repo.load_by_id(cid)).team == "xa-khac"
    view = await h.conversation(await h.get_agent("xa"), cid)
    assert view["ticket"]["claimed_by"] == "xa"
    await h.say(await h.get_agent("xa"), cid, "Chào bạn, mình tiếp nhận nhé.")
    assert ("boss", "transfer", {"to": "xa", "team": "xa-khac"}) in [
        (a.actor, a.action, a.details) for a in await h.audit_log(cid)]
