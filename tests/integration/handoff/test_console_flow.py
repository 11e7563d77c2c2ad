"""The handoff room through the real app (SQLite and PostgreSQL): triggers create tickets, agents take over
through the console with CSRF and team isolation, every action is audited, citizen text stays text."""
from __future__ import annotations

import re
from typing import Any

from tests.conftest import console_login, new_sender
from tests.fakes.http import post as rest
from tests.fakes.http import texts

PASSWORD = "mat-khau-an-toan-1"


async def login(client: Any, services: Any, username: str, team: str, role: str = "agent") -> str:
    h = services.handoff
    await h.add_agent(username, PASSWORD, team, role, display_name=f"Cán bộ {username}")
    client.session.cookie_jar.clear()
    r = await console_login(client, username, PASSWORD)
    assert r.status == 302, await r.text()
    page = await (await client.get("/console")).text()
    m = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert m
    return m.group(1)


async def conv_id(services: Any, sender: str) -> int:
    row = await services.repo.load("rest", sender)
    assert row is not None
    return row.id


async def test_citizen_request_reaches_console_and_agent_takes_over(client: Any, services: Any) -> None:
    sender = new_sender()
    await rest(client, sender, "tôi muốn làm giấy khai sinh cho con")
    await rest(client, sender, "/canbo")
    cid = await conv_id(services, sender)
    csrf = await login(client, services, "lan", "mac-dinh")

    queue = await (await client.get("/console/api/queue")).json()
    mine = [q for q in queue["queue"] if q["conversation_id"] == cid]
    assert mine and mine[0]["status"] == "queued" and mine[0]["procedure"] == "Đăng ký khai sinh"

    # Without the CSRF token nothing happens.
    r = await client.post(f"/console/c/{cid}/claim", data={}, allow_redirects=False)
    assert r.status == 403
    r = await client.post(f"/console/c/{cid}/claim", data={"csrf": csrf}, allow_redirects=False)
    assert r.status == 302
    # The citizen's next message goes to the agent, not the bot.
    got = await rest(client, sender, "cháu sinh ở nước ngoài thì sao ạ")
    page = await (await client.get(f"/console/c/{cid}")).text()
    assert "cháu sinh ở nước ngoài thì sao ạ" in page and "Đăng ký khai sinh" in page
    assert "Đang xử lý" in page
    await client.post(f"/console/c/{cid}/say", data={"csrf": csrf, "text": "Chào bạn, mình là cán bộ Lan."})
    got = await rest(client, sender, "dạ")
    # The officer's words wait in the outbox and reach the citizen with the reply to their next message.
    assert texts(got) == "Chào bạn, mình là cán bộ Lan."
    tr = [t.text for t in await services.repo.transcript(cid)]
    assert "Chào bạn, mình là cán bộ Lan." in tr
    select = page.split('id="return-step"', 1)[1].split("</select>", 1)[0]
    steps = re.findall(r'<option value="([a-z0-9_-]+)">', select)
    assert steps, "the return form lists the flow's steps"
    r = await client.post(f"/console/c/{cid}/return", data={"csrf": csrf, "step_id": steps[0]}, allow_redirects=False)
    assert r.status == 302
    row = await services.repo.load_by_id(cid)
    assert row.mode == "bot" and row.state["step_id"] == steps[0]
    # The bot asks for a rating; the answer is stored on the ticket.
    await rest(client, sender, "5")
    h = services.handoff
    await client.post(f"/console/c/{cid}/note", data={"csrf": csrf, "text": "ghi chú nội bộ"})
    view = await h.conversation(await h.get_agent("lan"), cid)
    assert view["ticket"]["status"] == "returned" and view["ticket"]["rating"] == 5
    actions = [(a.actor, a.action) for a in await h.audit_log(cid)]
    assert ("lan", "claim") in actions and ("lan", "message") in actions and ("lan", "return") in actions
    assert ("lan", "note") in actions
    assert all(a.at is not None for a in await h.audit_log(cid))


async def test_other_team_is_forbidden_admin_sees_all(client: Any, services: Any) -> None:
    sender = new_sender()
    await rest(client, sender, "cho tôi gặp cán bộ")
    cid = await conv_id(services, sender)
    csrf = await login(client, services, "binh", "xa-khac")
    queue = (await (await client.get("/console/api/queue")).json())["queue"]
    assert all(q["team"] == "xa-khac" for q in queue)
    assert (await client.get(f"/console/c/{cid}")).status == 403
    assert (await client.post(f"/console/c/{cid}/claim", data={"csrf": csrf}, allow_redirects=False)).status == 403
    await login(client, services, "admin1", "xa-khac", role="admin")
    queue = (await (await client.get("/console/api/queue")).json())["queue"]
    assert any(q["conversation_id"] == cid for q in queue)
    assert (await client.get(f"/console/c/{cid}")).status == 200


async def test_citizen_script_stays_text_in_console(client: Any, services: Any) -> None:
    sender = new_sender()
    await rest(client, sender, "cho tôi gặp cán bộ")
    await rest(client, sender, "<script>alert(1)</script> giúp tôi")
    cid = await conv_id(services, sender)
    await login(client, services, "chi", "mac-dinh")
    h = services.handoff
    await h.add_canned("Giờ làm việc", "Bộ phận một cửa làm việc từ 7 giờ 30 <b>sáng</b>.", "mac-dinh")
    await h.add_canned("Tổ khác", "Không được thấy", "xa-khac")
    page = await (await client.get(f"/console/c/{cid}")).text()
    assert "Giờ làm việc" in page and "&lt;b&gt;sáng&lt;/b&gt;" in page and "Không được thấy" not in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; giúp tôi" in page


async def test_login_rejects_bad_password_and_throttles(client: Any, services: Any) -> None:
    await services.handoff.add_agent("dung", PASSWORD, "mac-dinh")
    for _ in range(5):
        r = await console_login(client, "dung", "sai")
        assert r.status == 401
    r = await console_login(client, "dung", PASSWORD)
    assert r.status == 429
    assert (await client.get("/console", allow_redirects=False)).status == 302


async def test_off_hours_citizen_told_when_and_leaves_callback(client: Any, services: Any, clock: Any) -> None:
    import datetime as dt

    clock.now = dt.datetime(2026, 11, 28, 3, 0, tzinfo=dt.UTC)  # Saturday 10:00 in Hà Nội
    sender = new_sender()
    got = texts(await rest(client, sender, "/canbo"))
    assert "7 giờ 30 sáng thứ Hai, 30/11" in got
    await rest(client, sender, "0912345678")
    cid = await conv_id(services, sender)
    h = services.handoff
    view = await h.conversation(await _admin(h), cid)
    assert view["ticket"]["callback_phone"] == "0912345678"
    queue = await h.queue(await _admin(h))
    assert any(q["conversation_id"] == cid and q["callback"] for q in queue)


async def _admin(h: Any) -> Any:
    await h.add_agent("root", PASSWORD, "mac-dinh", "admin")
    return await h.get_agent("root")


async def test_live_events_are_per_team(client: Any, services: Any) -> None:
    import asyncio

    sender = new_sender()
    await rest(client, sender, "xin chào")
    cid = await conv_id(services, sender)
    await login(client, services, "giang", "xa-khac")
    assert (await client.get(f"/console/events?c={cid}")).status == 403
    resp = await client.get("/console/events")
    assert resp.status == 200 and resp.headers["Content-Type"].startswith("text/event-stream")
    assert (await resp.content.readline()).startswith(b": ok")
    await rest(client, sender, "/canbo")  # default team's request: not for this agent's stream
    await services.pubsub.publish("console:xa-khac", {"kind": "handoff", "conversation_id": 0})
    line = await asyncio.wait_for(resp.content.readline(), 5)
    while not line.strip():
        line = await asyncio.wait_for(resp.content.readline(), 5)
    assert b'"conversation_id": 0' in line
    resp.close()


async def claimed_birth_registration(client: Any, services: Any, agent: str) -> tuple[int, str]:
    """A citizen asked for khai sinh then for a person; ``agent`` claimed it. (conversation id, CSRF token)"""
    sender = new_sender()
    await rest(client, sender, "tôi muốn làm giấy khai sinh cho con")
    await rest(client, sender, "/canbo")
    cid = await conv_id(services, sender)
    csrf = await login(client, services, agent, "mac-dinh")
    await client.post(f"/console/c/{cid}/claim", data={"csrf": csrf}, allow_redirects=False)
    return cid, csrf


async def test_collected_fields_read_as_the_citizen_read_them(client: Any, services: Any) -> None:
    """A stored date is 2020-03-15; the volunteer reads 15/03/2020 in "Thông tin đã thu thập", as the citizen did."""
    cid, csrf = await claimed_birth_registration(client, services, "mai")
    r = await client.post(f"/console/c/{cid}/field", data={"csrf": csrf, "field": "child_birth_date",
                                                          "value": "15/3/2020"}, allow_redirects=False)
    assert r.status == 302
    row = await services.repo.load_by_id(cid)
    assert dict(row.state["fields"])["child_birth_date"] == "2020-03-15"
    page = await (await client.get(f"/console/c/{cid}")).text()
    shown = page.split('id="fields"', 1)[1].split("</table>", 1)[0]
    assert "15/03/2020" in shown and "2020-03-15" not in shown


async def test_an_agent_cannot_put_into_the_draft_what_the_bot_would_refuse(client: Any, services: Any) -> None:
    """A mistyped date, an ID number with a digit missing, a field the procedure has not: refused with the reason,
    nothing stored; the page (without JavaScript) says why, the console's fetch gets it as JSON."""
    cid, csrf = await claimed_birth_registration(client, services, "hoa")
    before = (await services.repo.load_by_id(cid)).state
    for field, value in (("child_birth_date", "31/02/2020"), ("child_birth_date", "mai kia"),
                         ("requester_id", "07920301234"), ("khong_co", "x")):
        r = await client.post(f"/console/c/{cid}/field", data={"csrf": csrf, "field": field, "value": value},
                              allow_redirects=False)
        assert r.status == 422, (field, value)
        assert "Chưa sửa được" in await r.text()
    r = await client.post(f"/console/c/{cid}/field", data={"csrf": csrf, "field": "child_birth_date",
                                                          "value": "mai kia"},
                          headers={"X-Requested-With": "fetch"}, allow_redirects=False)
    assert r.status == 422 and "Chưa sửa được" in (await r.json())["error"]
    assert (await services.repo.load_by_id(cid)).state.get("fields") == before.get("fields")
    actions = [a.action for a in await services.handoff.audit_log(cid)]
    assert "field_edit" not in actions
