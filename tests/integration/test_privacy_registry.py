"""Every place a citizen's data lives (bot/privacy/registry.py) is filled by a real conversation, then checked
after "/xoadulieu" and after the retention job, on SQLite and PostgreSQL; reports add up before and after."""
from __future__ import annotations

import datetime as dt
import json
import random
import re
import secrets
from typing import Any

import pytest
from sqlalchemy import JSON, String, Text, select, update

from bot.engine import InboundMessage
from bot.privacy.registry import (
    ANONYMOUS_EVENT_KEYS,
    ANONYMOUS_EVENT_TYPES,
    ERASED_PREFIX,
    NOT_PERSONAL,
    PERSONAL,
    PERSONAL_EVENT_TYPES,
)
from bot.privacy.retention import purge
from tests.conftest import console_login, new_sender
from tests.e2e.test_all_procedures import CONTENT
from tests.fakes.http import HttpCitizen, post
from tests.fakes.walker import VALUES

PID = "ho-tich.khai-sinh"
# Only a conversation an officer opens for a walk-in citizen fills these (test_assisted_citizen_...).
ASSISTED_ONLY = {("assisted_citizens", "citizen_name"), ("assisted_citizens", "phone"),
                 ("conversations", "display_name")}
PASSWORD = "mat-khau-an-toan-1"
SATURDAY = dt.datetime(2026, 11, 28, 3, 0, tzinfo=dt.UTC)   # 10:00 in Hà Nội: nobody on duty, call-back asked


def metadata() -> Any:
    """Every table the application defines (importing the app registers all models)."""
    import bot.admin.models
    import bot.app
    import bot.storage.assist_models
    import bot.storage.desk_models
    import bot.storage.handoff_models  # noqa: F401
    from bot.storage.models import Base

    return Base.metadata


def text_columns() -> set[tuple[str, str]]:
    return {(t.name, c.name) for t in metadata().tables.values() for c in t.columns
            if isinstance(c.type, (String, Text, JSON))}


def test_every_text_and_json_column_is_classified_personal_or_not() -> None:
    cols = text_columns()
    unclassified = cols - set(PERSONAL) - set(NOT_PERSONAL)
    assert not unclassified, f"classify these columns in bot/privacy/registry.py: {sorted(unclassified)}"
    assert not (set(PERSONAL) | set(NOT_PERSONAL)) - cols, "the registry names columns no model has"
    assert not set(PERSONAL) & set(NOT_PERSONAL)
    from bot.engine import events as ev

    types = {t.value for t in ev.EventType}
    assert types == PERSONAL_EVENT_TYPES | ANONYMOUS_EVENT_TYPES and not PERSONAL_EVENT_TYPES & ANONYMOUS_EVENT_TYPES


class Citizen:
    """Unique values a scenario plants, so a scan of the whole (shared) database finds only this citizen's."""

    def __init__(self) -> None:
        rng = random.Random(secrets.randbits(64))
        self.sender = new_sender()
        given = rng.choice(["Khải", "Quyên", "Thạch", "Diệp", "Huỳnh", "Triều", "Khuê", "Lãm"])
        self.name = f"{rng.choice(['Tôn', 'Quách', 'Lạc', 'Ông'])} Thị {given} {rng.choice(['Oanh', 'Nguyệt', 'Thoa'])}"
        self.id_number = "0792" + "0" + str(rng.randint(0, 9)) + "".join(rng.choices("0123456789", k=6))
        self.phone = "09" + "".join(rng.choices("0123456789", k=8))
        self.callback = "03" + "".join(rng.choices("0123456789", k=8))
        self.address = f"thôn {rng.randint(100, 999)} Buôn {given}, xã Ea Kar, tỉnh Đắk Lắk"
        self.miss = f"zorbly {secrets.token_hex(3)} quixnot"
        self.note = f"Bà {self.name} CCCD {self.id_number} ở {self.address}, gọi {self.phone}"
        self.desk_note = f"Thiếu giấy chứng sinh của {self.name}"
        self.error = f"platform refused chat {self.sender}"

    def canaries(self) -> list[str]:
        return [self.sender, self.name, self.id_number, self.phone, self.callback, self.address, self.miss,
                self.note, self.desk_note, self.error]

    def found_in(self, text: str) -> list[str]:
        digits = re.sub(r"\D", "", text)
        return [c for c in self.canaries() if c in text or (c.isdigit() and c in digits)]


async def walk_to_draft(client: Any, services: Any, who: Citizen) -> str:
    """A REST citizen from a free-text request to a confirmed draft with the citizen's own values → the code."""
    values = dict(VALUES, person_name=who.name, id_number=who.id_number, phone=who.phone, address=who.address,
                  identity_document=f"Căn cước công dân số {who.id_number} cấp ngày 01/01/2021")
    w = await HttpCitizen(client, services, who.sender).walk(CONTENT.procedures[PID], CONTENT.flows[PID], values=values)
    m = re.search(r"/d/([A-Z]{2,3}-[0-9A-Z]{6})\?t=", " ".join(x.get("text", "") for x in w.replies))
    assert m, w.replies
    return m.group(1)


async def login_admin(client: Any, services: Any) -> str:
    """An admin of the default team (sees every conversation, the desk and the console)."""
    await services.handoff.add_agent("bao", PASSWORD, "mac-dinh", "admin", display_name="Cán bộ Bảo")
    client.session.cookie_jar.clear()
    r = await console_login(client, "bao", PASSWORD)
    assert r.status == 302
    m = re.search(r'name="csrf" value="([0-9a-f]+)"', await (await client.get("/dossiers")).text())
    assert m
    return m.group(1)


async def fill_everything(client: Any, services: Any, who: Citizen) -> tuple[int, str]:
    """A miss an admin labels, a draft the desk annotates, an off-hours handoff with a call-back phone and an
    agent's note → (conversation id, draft code)."""
    from bot.admin.misses import Misses

    services.clock.now = SATURDAY
    await post(client, who.sender, who.miss)
    code = await walk_to_draft(client, services, who)
    await post(client, who.sender, "/canbo")
    await post(client, who.sender, who.callback)
    cid = (await services.repo.load("rest", who.sender)).id
    csrf = await login_admin(client, services)
    for path, data in (("status", {"status": "received"}), ("number", {"official_number": "000.00.11.H12-1"}),
                       ("status", {"status": "needs_documents", "note": who.desk_note})):
        assert (await client.post(f"/dossiers/{code}/{path}", data={"csrf": csrf, **data},
                                  allow_redirects=False)).status == 303
    assert (await client.post(f"/console/c/{cid}/note", data={"csrf": csrf, "text": who.note},
                              allow_redirects=False)).status in (302, 303)
    misses = Misses(services.repo.engine)
    mine = [m.event_id for m in await misses.recent() if m.text == who.miss]
    assert mine and await misses.assign(mine, PID, "bao") == 1
    # A push platform's error text can quote the chat: it stays with the message it is about.
    from bot.storage.repo import outbox

    async with services.repo.engine.begin() as conn:
        await conn.execute(update(outbox).where(outbox.c.id == select(outbox.c.id).where(
            outbox.c.conversation_id == cid).limit(1).scalar_subquery()).values(last_error=who.error))
    return cid, code


async def personal_values(services: Any, cid: int, code: str) -> dict[tuple[str, str], list[Any]]:
    """Each PERSONAL column's values in the rows that belong to this conversation (or its draft)."""
    md = metadata()
    t = md.tables
    ev_ids = select(t["events"].c.id).where(t["events"].c.conversation_id == cid)
    draft_ids = select(t["drafts"].c.id).where(t["drafts"].c.code == code)
    owner = {"conversations": t["conversations"].c.id == cid, "drafts": t["drafts"].c.code == code,
             "draft_history": t["draft_history"].c.draft_id.in_(draft_ids),
             "training_examples": t["training_examples"].c.event_id.in_(ev_ids)}
    out: dict[tuple[str, str], list[Any]] = {}
    async with services.repo.engine.connect() as conn:
        for (table, col) in PERSONAL:
            where = owner.get(table, t[table].c.conversation_id == cid if "conversation_id" in t[table].c else None)
            assert where is not None, f"say how {table} rows belong to a conversation"
            out[(table, col)] = list((await conn.execute(select(t[table].c[col]).where(where))).scalars())
    return out


def empty(v: Any) -> bool:
    return v in (None, "", {}, [])


async def scan(services: Any, who: Citizen) -> list[str]:
    """Every text and JSON value of every table, searched for this citizen's values."""
    hits = []
    async with services.repo.engine.connect() as conn:
        for table in metadata().tables.values():
            cols = [c for c in table.columns if isinstance(c.type, (String, Text, JSON))]
            for row in await conn.execute(select(*cols)):
                for c, v in zip(cols, row):
                    if v is not None and (found := who.found_in(json.dumps(v, ensure_ascii=False))):
                        hits.append(f"{table.name}.{c.name}: {found}")
    return hits


async def report_figures(services: Any) -> dict[str, Any]:
    from bot.admin.reports import Period, build_report

    rep = await build_report(services.repo.engine, Period.of("month", SATURDAY.date()))
    figures = {k: v.rows for k, v in rep.tables.items() if k not in ("khong_hieu", "theo_xa")}
    figures["khong_hieu"] = len(rep.tables["khong_hieu"].rows)   # the texts themselves go, the count stays
    # Events and drafts keep the commune recorded when they were written (migration 0009_h21commune), so the
    # per-commune rows do not move when the conversation is erased.
    figures["theo_xa"] = rep.tables["theo_xa"].rows
    return figures


async def console_shows(client: Any, cid: int, who: Citizen) -> list[str]:
    page = await (await client.get(f"/console/c/{cid}")).text()
    data = await (await client.get(f"/console/api/c/{cid}")).text()
    return who.found_in(page) + who.found_in(json.dumps(json.loads(data), ensure_ascii=False))


async def queued(client: Any) -> set[int]:
    return {q["conversation_id"] for q in (await (await client.get("/console/api/queue")).json())["queue"]}


def check_cleared(values: dict[tuple[str, str], list[Any]], who: Citizen) -> None:
    for (table, col), vals in values.items():
        if (table, col) == ("conversations", "external_id"):
            assert vals and all(v.startswith(ERASED_PREFIX) for v in vals), vals
        elif (table, col) == ("events", "data"):   # what reports count stays, nothing else
            assert all(set(v) <= ANONYMOUS_EVENT_KEYS for v in vals), vals
        elif (table, col) == ("conversations", "state"):
            assert not who.found_in(json.dumps(vals, ensure_ascii=False)) and not vals[0].get("procedure_id")
        else:
            assert all(empty(v) for v in vals), f"{table}.{col} still holds {vals}"


async def test_deletion_and_retention_leave_nothing_personal_and_reports_add_up(client: Any, services: Any) -> None:
    who = Citizen()
    cid, code = await fill_everything(client, services, who)
    before = await personal_values(services, cid, code)
    not_filled = {k for k, v in before.items() if not any(not empty(x) for x in v)} - ASSISTED_ONLY
    assert not not_filled, f"the scenario does not fill {sorted(not_filled)}"
    shown = await console_shows(client, cid, who)
    assert who.note in shown and who.callback in shown
    assert cid in await queued(client)
    figures = await report_figures(services)

    await post(client, who.sender, "/xoadulieu")
    await post(client, who.sender, "/xoadulieu_xacnhan")
    assert cid not in await queued(client)   # nobody is left to call back

    check_cleared(await personal_values(services, cid, code), who)
    assert await scan(services, who) == []
    assert await console_shows(client, cid, who) == []
    assert await report_figures(services) == figures
    assert await services.repo.load("rest", who.sender) is None   # writing again starts afresh

    services.clock.advance(days=services.settings.privacy.retention_days + 1)
    await purge(services.repo, services.clock(), services.settings.privacy.retention_days)
    check_cleared(await personal_values(services, cid, code), who)
    assert await scan(services, who) == []
    assert await console_shows(client, cid, who) == []
    assert await report_figures(services) == figures


async def test_retention_alone_forgets_the_same_places(client: Any, services: Any) -> None:
    """A citizen who never asks: after the retention period everything personal is gone, the counts stay."""
    who = Citizen()
    cid, code = await fill_everything(client, services, who)
    figures = await report_figures(services)
    services.clock.advance(days=services.settings.privacy.retention_days + 1)
    counts = await purge(services.repo, services.clock(), services.settings.privacy.retention_days)
    assert counts["handoff_notes"] >= 1 and counts["training_examples"] >= 1 and counts["callback_phones"] >= 1
    check_cleared(await personal_values(services, cid, code), who)
    assert await scan(services, who) == []
    assert await console_shows(client, cid, who) == []
    assert await report_figures(services) == figures


async def test_a_push_channel_confirmation_is_delivered_then_forgotten(services: Any) -> None:
    """On Telegram the "deleted" confirmation waits in the outbox with the chat id; once sent, the next retention
    run removes it, whatever its age."""
    from bot.storage.repo import outbox

    chat = str(random.randint(10**9, 10**10))

    def say(text: str) -> InboundMessage:
        return InboundMessage(channel="telegram", sender_id=chat, text=text,
                              payload=text if text.startswith("/") else None)

    cid = (await services.runner.handle(say("làm khai sinh cho con"))).conversation_id
    await services.runner.handle(say("/xoadulieu"))
    await services.runner.handle(say("/xoadulieu_xacnhan"))
    async with services.repo.engine.connect() as conn:
        waiting = (await conn.execute(select(outbox).where(outbox.c.conversation_id == cid))).all()
    assert waiting and all(r.sent_at is None and r.recipient == chat for r in waiting)
    assert any("Đã xóa dữ liệu" in json.dumps(r.body, ensure_ascii=False) for r in waiting)
    for r in waiting:
        await services.repo.mark_sent(r.id, services.clock())
    await purge(services.repo, services.clock(), services.settings.privacy.retention_days)
    async with services.repo.engine.connect() as conn:
        assert (await conn.execute(select(outbox.c.id).where(outbox.c.recipient == chat))).first() is None
        assert (await conn.execute(select(outbox.c.id).where(outbox.c.conversation_id == cid))).first() is None


@pytest.mark.parametrize("how", ["request", "retention"])
async def test_an_assisted_citizen_is_forgotten_on_request_and_by_retention(client: Any, services: Any,
                                                                          how: str) -> None:
    """The walk-in citizen's name and phone the officer typed, and what the conversation collected."""
    from tests.integration.assist.test_assist import Desk, login, start

    who = Citizen()
    csrf = await login(client, services, "tam", "mac-dinh")
    cid = await start(client, csrf, name=who.name, phone=who.phone)
    desk = Desk(client, services, csrf, cid)
    await desk.say("làm khai sinh cho con")
    before = await personal_values(services, cid, "")
    assert all(before[k] and not any(empty(v) for v in before[k]) for k in ASSISTED_ONLY), before
    assert who.name in await desk.page()
    if how == "request":
        await desk.say("/xoadulieu")
        await desk.tap("/xoadulieu_xacnhan")
    else:
        services.clock.advance(days=services.settings.privacy.retention_days + 1)
        await purge(services.repo, services.clock(), services.settings.privacy.retention_days)
    check_cleared(await personal_values(services, cid, ""), who)
    assert await scan(services, who) == []
