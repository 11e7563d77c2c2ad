"""One deployment for a province (issue 21) through the real app, on SQLite and PostgreSQL: a commune's own team
receives its citizens' handoffs (and another commune's agent does not see them), off-hours falls back to the
province team and answers with the commune's hours, drafts are addressed to the citizen's commune, and
`motcua commune list | set` manage it."""
from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from bot.handoff.communes import find_commune, infer_commune, province_communes
from tests.conftest import new_sender
from tests.e2e.test_all_procedures import CONTENT
from tests.fakes.http import HttpCitizen
from tests.fakes.walker import VALUES
from tests.integration.handoff.test_console_flow import conv_id, login, rest, texts

PROVINCE = "Đắk Lắk"
EA_TUL = "thôn 3, xã Ea Tul, tỉnh Đắk Lắk"
EA_KAR = "thôn 5, xã Ea Kar, tỉnh Đắk Lắk"
PID = "ho-tich.trich-luc"   # asks the citizen's residence early, and its form is addressed to the commune
TUESDAY_8PM = dt.datetime(2026, 11, 24, 13, 0, tzinfo=dt.UTC)


@pytest.fixture
def province(services: Any) -> Any:
    services.settings.content.province = PROVINCE
    services.handoff.communes.province = PROVINCE
    return services.handoff.communes


async def walk(client: Any, services: Any, address: str, *, until_address: bool, sender: str | None = None) -> str:
    """A citizen asks for the extract procedure and answers every question (``address`` for address fields),
    stopping after the first address (``until_address``) or confirming at the review (a draft is made)."""
    citizen = HttpCitizen(client, services, sender or new_sender())
    await citizen.walk(CONTENT.procedures[PID], CONTENT.flows[PID], values=dict(VALUES, address=address),
                       until=(lambda w: address in w.sent) if until_address else None)
    return citizen.sender


def test_the_province_communes_come_from_the_2025_units() -> None:
    listed = province_communes(PROVINCE)
    assert len(listed) > 50 and all(c.name.startswith(("Xã ", "Phường ", "Đặc khu ")) for c in listed)
    ea_tul = find_commune("xa ea tul", PROVINCE)
    assert ea_tul is not None and ea_tul.addressee == "xã Ea Tul"
    assert find_commune(ea_tul.code, PROVINCE) == ea_tul
    assert find_commune("phường Hoàn Kiếm", PROVINCE) is None     # Hà Nội's, not this province's
    assert infer_commune({"requester_name": "Nguyễn Văn An", "residence": EA_TUL}, PROVINCE) == ea_tul


async def test_a_commune_team_receives_its_citizens_handoff_alone(client: Any, services: Any, province: Any,
                                                                  clock: Any) -> None:
    await province.set("xã Ea Tul", clock(), team="xa-ea-tul", working_hours="Mon-Sun 00:00-24:00")
    await province.set("xã Ea Kar", clock(), team="xa-ea-kar", working_hours="Mon-Sun 00:00-24:00")
    tul = await walk(client, services, EA_TUL, until_address=True)
    assert "Bạn ở xã Ea Tul, đúng không?" in texts(await rest(client, tul, "/canbo"))   # read from the address
    await rest(client, tul, "/xa_dung")
    plain = new_sender()   # gave no address and skipped the commune question: the province's default team
    assert "xã/phường nào" in texts(await rest(client, plain, "/canbo"))
    await rest(client, plain, "/canbo")   # the "Bỏ qua" button
    tul_id, plain_id = await conv_id(services, tul), await conv_id(services, plain)
    assert (await services.repo.load_by_id(tul_id)).team == "xa-ea-tul"
    assert (await services.repo.load_by_id(plain_id)).team == "mac-dinh"

    await login(client, services, "tul", "xa-ea-tul")
    queue = [q["conversation_id"] for q in (await (await client.get("/console/api/queue")).json())["queue"]]
    assert tul_id in queue and plain_id not in queue
    await login(client, services, "kar", "xa-ea-kar")
    queue = [q["conversation_id"] for q in (await (await client.get("/console/api/queue")).json())["queue"]]
    assert tul_id not in queue
    assert (await client.get(f"/console/c/{tul_id}")).status == 403


async def test_off_hours_fall_back_to_the_province_team_and_answer_with_the_commune_hours(
        client: Any, services: Any, province: Any, clock: Any) -> None:
    await province.set("xã Ea Kar", clock(), team="xa-ea-kar", working_hours="Mon-Fri 07:00-11:00")
    clock.now = TUESDAY_8PM   # everyone is off duty; the commune opens at 7:00, the default team at 7:30
    kar = await walk(client, services, EA_KAR, until_address=True)
    assert "Bạn ở xã Ea Kar, đúng không?" in texts(await rest(client, kar, "/canbo"))
    answer = texts(await rest(client, kar, "dung roi"))
    assert "7 giờ sáng thứ Tư, 25/11" in answer, answer
    assert (await services.repo.load("rest", kar)).team == "mac-dinh"
    other = new_sender()   # no commune known (the question skipped): the default hours
    await rest(client, other, "/canbo")
    assert "7 giờ 30 sáng thứ Tư, 25/11" in texts(await rest(client, other, "/canbo"))
    named = new_sender()   # names the commune when asked: its hours in the same answer
    await rest(client, named, "/canbo")
    answer = texts(await rest(client, named, "ea kar"))
    assert "xã Ea Kar" in answer and "7 giờ sáng thứ Tư, 25/11" in answer, answer


async def test_the_commune_is_asked_once_and_remembered(client: Any, services: Any, province: Any,
                                                        clock: Any) -> None:
    await province.set("xã Ea Tul", clock(), team="xa-ea-tul", working_hours="Mon-Sun 00:00-24:00")
    s = new_sender()
    assert "xã/phường nào của Đắk Lắk" in texts(await rest(client, s, "/canbo"))
    assert "chưa tìm thấy xã/phường «xã Không Có»" in texts(await rest(client, s, "xã Không Có"))
    assert (await services.repo.load("rest", s)).state["mode"] == "bot"     # nothing queued on a wrong name
    assert "đã ghi nhận bạn ở xã Ea Tul" in texts(await rest(client, s, "Xã Ea Tul"))
    row = await services.repo.load("rest", s)
    assert row.team == "xa-ea-tul" and row.state["mode"] == "waiting_human"
    assert row.state["commune"] == find_commune("Ea Tul", PROVINCE).code
    await rest(client, s, "/huy")   # start over: the commune stays
    again = texts(await rest(client, s, "/canbo"))
    assert "xã/phường nào" not in again
    assert (await services.repo.load("rest", s)).state["mode"] == "waiting_human"


async def test_a_change_applies_at_once_on_another_worker(services: Any, province: Any, clock: Any) -> None:
    from bot.handoff.communes import CommuneStore

    other = CommuneStore(services.repo.engine, services.pubsub, PROVINCE)
    await other.reload()
    listening = asyncio.create_task(other.listen())
    await asyncio.sleep(0.05)
    try:
        await province.set("xã Ea Tul", clock(), phone="0262 3123 456", address="Thôn 1, xã Ea Tul")
        for _ in range(50):
            if (c := other.get(find_commune("Ea Tul", PROVINCE).code)) and c.phone == "0262 3123 456":
                break
            await asyncio.sleep(0.02)
        assert c is not None and c.address == "Thôn 1, xã Ea Tul"
    finally:
        listening.cancel()


async def test_the_draft_is_addressed_to_the_citizens_commune(client: Any, services: Any, province: Any) -> None:
    from bot.dossier.draft import build_stored_draft
    from bot.storage.repo import drafts

    services.settings.content.commune = "xã Ea Tu"   # the configured commune: used only when the citizen's is unknown
    s = await walk(client, services, EA_TUL, until_address=False)
    cid = await conv_id(services, s)
    async with services.repo.engine.connect() as conn:
        data = (await conn.execute(select(drafts.c.data).where(drafts.c.conversation_id == cid))).scalar_one()
    assert data["commune"] == "xã Ea Tul"
    assert data["commune_code"] == find_commune("Ea Tul", PROVINCE).code
    shown = build_stored_draft(CONTENT.procedures[PID], data, PROVINCE, dt.datetime.now(dt.UTC))   # view and PDF
    assert shown.addressee == "Ủy ban nhân dân xã Ea Tul"


async def test_cli_commune_set_and_list(services: Any, province: Any, monkeypatch: pytest.MonkeyPatch,
                                        capsys: Any) -> None:
    from bot.cli import main

    monkeypatch.setenv("MOTCUA_DATABASE__URL", services.settings.database.url)
    monkeypatch.setenv("MOTCUA_CONTENT__PROVINCE", PROVINCE)
    code = await asyncio.to_thread(main, ["commune", "set", "xã Ea Ô", "--team", "xa-ea-o", "--hours",
                                          "Mon-Fri 07:30-11:30", "--phone", "0262 3999 111"])
    assert code == 0, capsys.readouterr().err
    assert "đã lưu Xã Ea Ô" in capsys.readouterr().out
    await province.reload()
    ea_o = find_commune("Ea Ô", PROVINCE)
    assert province.get(ea_o.code).team == "xa-ea-o"

    assert await asyncio.to_thread(main, ["commune", "list", "--configured"]) == 0
    listed = capsys.readouterr().out
    assert f"{ea_o.code}\tXã Ea Ô\txa-ea-o\tMon-Fri 07:30-11:30\t-\t0262 3999 111" in listed.splitlines()
    assert await asyncio.to_thread(main, ["commune", "list"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == len(province_communes(PROVINCE))

    assert await asyncio.to_thread(main, ["commune", "set", "xã Không Có", "--team", "x"]) == 2
    assert "không có xã/phường «xã Không Có»" in capsys.readouterr().err
    assert await asyncio.to_thread(main, ["commune", "set", "Ea Ô", "--hours", "thứ hai cả ngày"]) == 2
    assert "không hiểu khung giờ" in capsys.readouterr().err
    await province.reload()
    assert province.get(ea_o.code).hours == "Mon-Fri 07:30-11:30"   # a refused change loses nothing


async def test_a_citizen_who_moved_reaches_the_new_communes_team(client: Any, services: Any, province: Any,
                                                                  clock: Any) -> None:
    await province.set("xã Ea Tul", clock(), team="xa-ea-tul", working_hours="Mon-Sun 00:00-24:00")
    await province.set("xã Ea Kar", clock(), team="xa-ea-kar", working_hours="Mon-Sun 00:00-24:00")
    s = new_sender()
    await rest(client, s, "/canbo")
    await rest(client, s, "xã Ea Tul")
    assert (await services.repo.load("rest", s)).team == "xa-ea-tul"
    await rest(client, s, "/huy")
    assert "chuyển sang xã/phường nào" in texts(await rest(client, s, "tôi chuyển sang xã khác"))
    await rest(client, s, "Ea Kar")
    await rest(client, s, "/canbo")
    assert (await services.repo.load("rest", s)).team == "xa-ea-kar"
    await login(client, services, "tul2", "xa-ea-tul")
    queue = [q["conversation_id"] for q in (await (await client.get("/console/api/queue")).json())["queue"]]
    assert await conv_id(services, s) not in queue


async def test_a_named_commune_addresses_the_draft_when_the_address_names_none(client: Any, services: Any,
                                                                                province: Any) -> None:
    from bot.dossier.draft import build_stored_draft
    from bot.storage.repo import drafts

    s = new_sender()
    await rest(client, s, "tôi chuyển sang xã khác")
    await rest(client, s, "xã Ea Kar")
    await walk(client, services, "Số 7 ngõ Hòe Nhai, phường Ba Đình, thành phố Hà Nội", until_address=False, sender=s)
    cid = await conv_id(services, s)
    async with services.repo.engine.connect() as conn:
        data = (await conn.execute(select(drafts.c.data).where(drafts.c.conversation_id == cid))).scalar_one()
    shown = build_stored_draft(CONTENT.procedures[PID], data, PROVINCE, dt.datetime.now(dt.UTC))
    assert shown.addressee == "Ủy ban nhân dân xã Ea Kar"


async def test_the_admin_page_sets_a_commune_and_refuses_bad_hours(client: Any, services: Any, province: Any) -> None:
    await login(client, services, "quantri", "mac-dinh", role="admin")
    page = await client.get("/console/admin/communes?q=ea%20h")
    html = await page.text()
    assert page.status == 200 and "Xã Ea H" in html and "Phường Buôn Ma Thuột" not in html
    ea_kly = find_commune("xã Ea Kly", PROVINCE)
    html = await (await client.get(f"/console/admin/communes?edit={ea_kly.code}")).text()
    csrf = html.split('name="csrf" value="')[1].split('"')[0]
    form = {"csrf": csrf, "code": ea_kly.code, "team": "xa-ea-kly", "working_hours": "Mon-Fri 07:00-11:00",
            "address": "Thôn 2, xã Ea Kly", "phone": "0262 3555 777", "notes": ""}
    r = await client.post("/console/admin/communes", data=form, allow_redirects=False)
    assert r.status == 303
    assert province.get(ea_kly.code).team == "xa-ea-kly"
    bad = await client.post("/console/admin/communes", data=dict(form, working_hours="sáng thứ hai", team="khac"))
    assert bad.status == 400 and "không hiểu khung giờ" in await bad.text()
    assert province.get(ea_kly.code).team == "xa-ea-kly"     # nothing changed
    forged = await client.post("/console/admin/communes", data=dict(form, csrf="sai", team="khac"))
    assert forged.status == 403 and province.get(ea_kly.code).team == "xa-ea-kly"
    await login(client, services, "canbo", "mac-dinh")
    assert (await client.get("/console/admin/communes")).status == 403


async def test_report_figures_stay_with_the_commune_of_the_time_after_a_move_and_erasure(
        client: Any, services: Any, province: Any, clock: Any) -> None:
    """Events and drafts record the citizen's commune when written (migration 0009_h21commune): a later move to
    another commune or the citizen's erasure leaves last figures where they were."""
    from bot.admin.reports import Period, build_report

    clock.now = dt.datetime(2031, 5, 13, 3, 0, tzinfo=dt.UTC)   # a day of its own in the shared database
    tul = find_commune("xã Ea Tul", PROVINCE)
    assert tul is not None

    async def tul_row() -> list[Any]:
        rep = await build_report(services.repo.engine, Period.of("day", clock.now.date()))
        return next(r for r in rep.tables["theo_xa"].rows if r[0] == tul.code)

    s = new_sender()
    await rest(client, s, "/canbo")
    await rest(client, s, "xã Ea Tul")   # handed off as a citizen of Ea Tul
    before = await tul_row()
    assert before[5] >= 1   # "Lượt chuyển cán bộ"
    await rest(client, s, "/huy")
    await rest(client, s, "đổi xã")
    await rest(client, s, "xã Ea Kar")
    assert (await services.repo.load("rest", s)).state["commune"] != tul.code
    assert await tul_row() == before
    await rest(client, s, "/xoadulieu")
    await rest(client, s, "/xoadulieu_xacnhan")
    assert await tul_row() == before
