"""Assisted mode through the real app (SQLite and PostgreSQL): an officer starts a conversation for a walk-in
citizen, walks a procedure to its draft with plain form POSTs, and the citizen claims the draft on REST with the
code + the phone number given at the desk."""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from bot.storage.assist_models import assisted_citizens, draft_claims
from bot.storage.handoff_models import audit
from bot.storage.repo import drafts
from tests.conftest import console_login, new_sender
from tests.fakes.driver import walk_to_review
from tests.fakes.http import rest_text as rest

PASSWORD = "mat-khau-an-toan-1"
PHONE = "0912345678"


async def login(client: Any, services: Any, username: str, team: str, role: str = "agent") -> str:
    await services.handoff.add_agent(username, PASSWORD, team, role, display_name=f"Cán bộ {username}")
    client.session.cookie_jar.clear()
    r = await console_login(client, username, PASSWORD)
    assert r.status == 302, await r.text()
    page = await (await client.get("/console/assist")).text()
    assert "Hỗ trợ công dân tại quầy" in page
    m = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert m
    return m.group(1)


async def start(client: Any, csrf: str, name: str = "Nguyễn Thị Hoa", phone: str = "0912 345 678") -> int:
    r = await client.post("/console/assist", data={"csrf": csrf, "name": name, "phone": phone},
                          allow_redirects=False)
    assert r.status == 303, await r.text()
    return int(r.headers["Location"].rsplit("/", 1)[1])


def mid_of(page: str) -> str:
    m = re.search(r'name="mid" value="([A-Za-z0-9_-]+)"', page)
    assert m
    return m.group(1)


class Desk:
    """The officer's side, as a browser without JavaScript would do it."""

    def __init__(self, client: Any, services: Any, csrf: str, cid: int):
        self.client, self.services, self.csrf, self.cid = client, services, csrf, cid

    async def page(self) -> str:
        r = await self.client.get(f"/console/assist/{self.cid}")
        assert r.status == 200
        return await r.text()

    async def post(self, **data: str) -> None:
        mid = mid_of(await self.page())
        r = await self.client.post(f"/console/assist/{self.cid}", data={"csrf": self.csrf, "mid": mid, **data},
                                   allow_redirects=False)
        assert r.status == 303, await r.text()

    async def state(self) -> dict[str, Any]:
        return (await self.services.repo.load_by_id(self.cid)).state

    async def tap(self, payload: str) -> None:
        await self.post(payload=payload)

    async def say(self, text: str) -> None:
        await self.post(text=text)


async def test_start_validates_name_and_phone(client: Any, services: Any) -> None:
    csrf = await login(client, services, "hoa", "xa-a")
    r = await client.post("/console/assist", data={"csrf": csrf, "name": "Hoa", "phone": "12345"})
    assert r.status == 422
    page = await r.text()
    assert 'id="phone-error"' in page and "Số điện thoại chưa đúng" in page
    r = await client.post("/console/assist", data={"csrf": csrf, "name": "", "phone": PHONE})
    assert r.status == 422 and 'id="name-error"' in await r.text()
    r = await client.post("/console/assist", data={"name": "Nguyễn Văn A", "phone": PHONE}, allow_redirects=False)
    assert r.status == 403   # no CSRF token
    client.session.cookie_jar.clear()
    r = await client.get("/console/assist", allow_redirects=False)
    assert r.status == 302 and r.headers["Location"] == "/console/login?next=/console/assist"


async def test_assisted_conversation_team_isolation_and_idempotent_posts(client: Any, services: Any) -> None:
    csrf = await login(client, services, "lan", "xa-a")
    cid = await start(client, csrf)
    row = await services.repo.load_by_id(cid)
    assert row.channel == "assist" and row.team == "xa-a"
    async with services.repo.engine.connect() as conn:
        who = (await conn.execute(select(assisted_citizens).where(assisted_citizens.c.conversation_id == cid))).one()
    assert who.phone == PHONE and who.officer == "lan" and who.citizen_name == "Nguyễn Thị Hoa"
    page = await (await client.get(f"/console/assist/{cid}")).text()
    assert "Nguyễn Thị Hoa" in page and "0912 *** 678" in page and PHONE not in page
    assert "Trợ lý Một cửa" in page   # the welcome, as on any channel

    mid = mid_of(page)
    for _ in range(2):   # the same POST twice (a double tap, a re-sent request): one turn
        r = await client.post(f"/console/assist/{cid}", data={"csrf": csrf, "mid": mid,
                                                              "text": "làm giấy khai sinh cho con"},
                              allow_redirects=False)
        assert r.status == 303
    said = [t for t in await services.repo.transcript(cid) if t.direction == "in"]
    assert [t.text for t in said].count("làm giấy khai sinh cho con") == 1
    # With fetch: JSON with the new entries only.
    r = await client.post(f"/console/assist/{cid}", data={"csrf": csrf, "mid": "abc123", "text": "có",
                                                          "after": "999999"},
                          headers={"X-Requested-With": "fetch"})
    assert r.status == 200
    data = await r.json()
    assert data["entries"] == [] and data["mid"] and "buttons" in data

    csrf_b = await login(client, services, "binh", "xa-b")
    for method, url, kw in (("get", f"/console/assist/{cid}", {}),
                            ("post", f"/console/assist/{cid}", {"data": {"csrf": csrf_b, "mid": "x1", "text": "có"}}),
                            ("get", f"/console/assist/{cid}/moi?after=0", {})):
        r = await getattr(client, method)(url, allow_redirects=False, **kw)
        assert r.status == 403, (method, url)
        assert "thuộc tổ khác" in await r.text()
    recent = await (await client.get("/console/assist")).text()
    assert "Nguyễn Thị Hoa" not in recent
    await login(client, services, "quantri", "xa-c", role="admin")
    assert (await client.get(f"/console/assist/{cid}")).status == 200
    # A conversation of another channel is not an assisted one.
    sender = new_sender()
    await rest(client, sender, "xin chào")
    other = (await services.repo.load("rest", sender)).id
    assert (await client.get(f"/console/assist/{other}")).status == 404


async def test_draft_made_at_the_desk_is_claimed_on_rest(client: Any, services: Any) -> None:
    csrf = await login(client, services, "lan", "xa-a")
    cid = await start(client, csrf)
    desk = Desk(client, services, csrf, cid)
    await walk_to_review(services.content.current, desk.state, desk.tap, desk.say)
    await desk.tap("/xacnhan")
    page = await desk.page()
    async with services.repo.engine.connect() as conn:
        draft = (await conn.execute(select(drafts).where(drafts.c.conversation_id == cid))).one()
    code = draft.code
    assert draft.team == "xa-a"
    assert f"/nhan {code}" in page and "/dossiers/" + code in page and ".pdf" in page
    assert "0912 *** 678" in page

    citizen = new_sender()
    got = await rest(client, citizen, f"/nhan {code}")
    assert "số điện thoại" in got
    got = await rest(client, citizen, "0987654321")
    assert "không khớp" in got and "2 lần" in got
    got = await rest(client, citizen, f"nhận hồ sơ {code.lower()}")
    got = await rest(client, citizen, "0987 654 322")
    assert "1 lần" in got
    got = await rest(client, citizen, f"/nhan {code}")
    got = await rest(client, citizen, PHONE)
    assert f"Đã nhận hồ sơ {code}" in got and "Đăng ký khai sinh" in got
    conv = (await services.repo.load("rest", citizen)).id
    async with services.repo.engine.connect() as conn:
        assert (await conn.execute(select(drafts.c.conversation_id).where(drafts.c.code == code))).scalar() == conv
        outcomes = [r.outcome for r in (await conn.execute(select(draft_claims).where(draft_claims.c.code == code)
                                                           .order_by(draft_claims.c.id))).all()]
        actions = {r.action for r in (await conn.execute(select(audit).where(audit.c.conversation_id == cid))).all()}
    assert outcomes == ["wrong_phone", "wrong_phone", "claimed"]
    assert {"assist_start", "assist_message"} <= actions
    got = await rest(client, citizen, "hồ sơ của tôi tới đâu rồi")
    assert code in got
    again = await rest(client, citizen, f"/nhan {code}")
    again = await rest(client, citizen, PHONE)
    assert "đã gắn với cuộc trò chuyện này" in again
    # The officer's page says where the draft went.
    page = await desk.page()
    assert "đã nhận hồ sơ" in page and "REST" in page and code in page


async def test_wrong_phone_three_times_blocks_the_day(client: Any, services: Any) -> None:
    csrf = await login(client, services, "lan", "xa-a")
    cid = await start(client, csrf)
    desk = Desk(client, services, csrf, cid)
    await walk_to_review(services.content.current, desk.state, desk.tap, desk.say)
    await desk.tap("/xacnhan")
    async with services.repo.engine.connect() as conn:
        code = (await conn.execute(select(drafts.c.code).where(drafts.c.conversation_id == cid))).scalar()
    thief = new_sender()
    for wrong in ("0911111111", "0922222222", "0933333333"):
        await rest(client, thief, f"/nhan {code}")
        got = await rest(client, thief, wrong)
    assert "tạm khóa" in got
    await rest(client, thief, f"/nhan {code}")
    got = await rest(client, thief, PHONE)   # even the right number, today
    assert "tạm khóa" in got
    async with services.repo.engine.connect() as conn:
        assert (await conn.execute(select(drafts.c.conversation_id).where(drafts.c.code == code))).scalar() == cid
    services.clock.advance(days=1)
    await rest(client, thief, f"/nhan {code}")
    got = await rest(client, thief, PHONE)
    assert f"Đã nhận hồ sơ {code}" in got
    # An unknown (well-formed) code reads like a wrong number.
    from bot.dossier.codes import new_code

    other = new_code("ho-tich.khai-sinh")
    await rest(client, thief, f"/nhan {other}")
    assert "không khớp" in await rest(client, thief, PHONE)


async def test_walk_in_citizen_data_is_deleted_on_request_and_by_retention(client: Any, services: Any,
                                                                           caplog: Any) -> None:
    import logging

    from bot.privacy.retention import purge

    caplog.set_level(logging.INFO)   # (library DEBUG logs echo SQL parameters; production logs at INFO, masked)
    csrf = await login(client, services, "lan", "xa-a")
    cid = await start(client, csrf)
    desk = Desk(client, services, csrf, cid)
    await desk.say("/xoadulieu")
    await desk.tap("/xoadulieu_xacnhan")
    async with services.repo.engine.connect() as conn:
        gone = (await conn.execute(select(assisted_citizens).where(assisted_citizens.c.conversation_id == cid))).first()
    assert gone is None
    kept = await start(client, csrf, name="Lê Văn Tám")
    services.clock.advance(days=services.settings.privacy.retention_days + 1)
    counts = await purge(services.repo, services.clock(), services.settings.privacy.retention_days)
    assert counts["assisted_citizens"] >= 1
    async with services.repo.engine.connect() as conn:
        assert (await conn.execute(select(assisted_citizens).where(
            assisted_citizens.c.conversation_id == kept))).first() is None
    # The phone number never reaches the logs in full.
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert PHONE not in logged and "0912 345 678" not in logged


async def test_the_phone_typed_at_the_desk_is_not_asked_again(client: Any, services: Any) -> None:
    """The officer gave the citizen's phone when opening the conversation: the form's phone field is filled from
    it (shown in the review, editable there), not asked a second time."""
    csrf = await login(client, services, "lan", "xa-a")
    cid = await start(client, csrf, phone="0912 345 678")
    desk = Desk(client, services, csrf, cid)
    await walk_to_review(services.content.current, desk.state, desk.tap, desk.say)
    state = await desk.state()
    assert dict(state["fields"]).get("phone") == PHONE
    bot_said = [e.text for e in await services.repo.transcript(cid) if e.direction == "out"]
    assert not any("Số điện thoại để cán bộ liên hệ" in (t or "") for t in bot_said)
    assert "0912345678" in (await desk.page()).replace(" ", "") or "0912 345 678" in await desk.page()
    # Starting again ("làm lại") keeps what the desk knows; deleting the citizen's data forgets it.
    await desk.say("làm lại")                        # answers to lose: asked first (issue 16 item 8)
    await desk.tap("/huy_xacnhan")
    assert (await desk.state())["procedure_id"] is None
    assert (await desk.state())["contact"] == [["phone", PHONE]]
    await desk.say("/xoadulieu")
    await desk.tap("/xoadulieu_xacnhan")
    assert not (await desk.state()).get("contact")


async def test_a_walk_in_citizen_files_at_the_desk_commune_without_being_asked(client: Any, services: Any,
                                                                                clock: Any) -> None:
    """In a province deployment, the officer's team staffs one commune's desk: the citizen in front of them files
    there, so the bot does not ask "Bạn đang ở xã/phường nào?" (it asked before). A team that staffs several
    communes (a province team) cannot say which: then the commune is asked as for anyone."""
    communes = services.handoff.communes
    services.settings.content.province = communes.province = "Đắk Lắk"
    ea_tul = await communes.set("xã Ea Tul", clock(), team="xa-a")
    await communes.set("xã Ea Kar", clock(), team="tinh")
    await communes.set("xã Ea Ô", clock(), team="tinh")
    assert communes.of_team("xa-a") == ea_tul.code and communes.of_team("tinh") is None
    assert communes.of_team("khong-co") is None
    csrf = await login(client, services, "lan", "xa-a")
    cid = await start(client, csrf)
    desk = Desk(client, services, csrf, cid)
    await walk_to_review(services.content.current, desk.state, desk.tap, desk.say)
    assert (await desk.state())["commune"] == ea_tul.code
    await desk.tap("/xacnhan")                       # the draft is made at once, addressed to the desk's commune
    async with services.repo.engine.connect() as conn:
        draft = (await conn.execute(select(drafts).where(drafts.c.conversation_id == cid))).one()
    assert draft.commune == ea_tul.code
    bot_said = " ".join(e.text or "" for e in await services.repo.transcript(cid) if e.direction == "out")
    assert "xã/phường nào" not in bot_said and "xã Ea Tul, đúng không" not in bot_said
