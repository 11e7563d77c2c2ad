"""Every way a citizen reaches a person creates exactly one ticket, with the reason the console shows;
the Telegram group hears about it; the bot keeps answering while waiting but not after a claim."""
from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest
from aiohttp import web
from pydantic import SecretStr
from sqlalchemy import select

from bot.storage.handoff_models import handoffs
from nlu.api import Candidate, Understanding
from tests.conftest import new_sender
from tests.integration.handoff.test_console_flow import PASSWORD, conv_id, rest, texts


async def tickets(services: Any, cid: int) -> list[Any]:
    async with services.repo.engine.connect() as conn:
        return list((await conn.execute(select(handoffs).where(handoffs.c.conversation_id == cid)
                                        .order_by(handoffs.c.id))).all())


async def admin(services: Any) -> Any:
    h = services.handoff
    await h.add_agent("root", PASSWORD, "mac-dinh", "admin", "Quản trị")
    return await h.get_agent("root")


@pytest.mark.parametrize("how", ["cho tôi gặp cán bộ", "/canbo", "gặp người thật"])
async def test_citizen_request_in_words_command_or_button(client: Any, services: Any, how: str) -> None:
    sender = new_sender()
    await rest(client, sender, "tôi muốn làm giấy khai sinh cho con")
    got = await rest(client, sender, how)
    assert "cán bộ" in texts(got).lower()
    cid = await conv_id(services, sender)
    ts = await tickets(services, cid)
    assert [(t.status, t.reason, t.procedure_id) for t in ts] == [("queued", "citizen_request", "ho-tich.khai-sinh")]
    # Asking again while waiting does not queue twice.
    await rest(client, sender, "/canbo")
    assert len(await tickets(services, cid)) == 1


async def test_flow_option_marked_handoff(client: Any, services: Any) -> None:
    sender = new_sender()
    got = await rest(client, sender, "tôi muốn làm giấy khai sinh cho con")
    got = await rest(client, sender, "Có điều khác")   # not the usual case: each condition is asked
    for _ in range(4):
        if any(b.get("title") == "Không, sinh ở nước ngoài" for r in got for b in r.get("buttons", [])):
            break
        got = await rest(client, sender, "1")
    got = await rest(client, sender, "Không, sinh ở nước ngoài")
    assert "chuyển bạn tới cán bộ" in texts(got)
    ts = await tickets(services, await conv_id(services, sender))
    assert len(ts) == 1 and ts[0].reason in {"flow_option", "flow_step"} and ts[0].step_id == "born_in_vn"


class Vague:
    """An NLU that is never sure, so the bot clarifies and then gives up honestly."""

    def parse(self, text: str, context: Any = None) -> Understanding:
        return Understanding(text=text, ranking=(Candidate("ho-tich.khai-sinh", 0.31),
                                                 Candidate("ho-tich.khai-tu", 0.30)))


async def test_two_failed_clarifications(client: Any, services: Any) -> None:
    services.nlu.use(Vague(), "vague")
    sender = new_sender()
    await rest(client, sender, "giấy tờ cho con")
    reasons: list[str] = []
    for _ in range(4):
        got = await rest(client, sender, "/khongphai")
        ts = await tickets(services, await conv_id(services, sender))
        if ts:
            reasons = [t.reason for t in ts]
            break
        if any(b.get("payload") == "/canbo" for r in got for b in r.get("buttons", [])):
            await rest(client, sender, "/canbo")
    assert reasons and reasons[0] in {"clarification_failed", "citizen_request"}


@pytest.mark.parametrize("reason", ["flow_step", "info_level", "status_uncertain"])
async def test_every_reason_becomes_a_ticket_with_its_label(services: Any, reason: str) -> None:
    """The engine's other triggers arrive as the same event; the room keeps the reason and shows it in Vietnamese."""
    from bot.storage.repo import ConversationRow

    sender = new_sender()
    await services.runner.handle(__import__("bot.engine.messages", fromlist=["InboundMessage"]).InboundMessage(
        channel="rest", sender_id=sender, text="xin chào"))
    row = await services.repo.load("rest", sender)
    conv = ConversationRow(row.id, row.channel, row.external_id, row.state, row.version, row.mode, row.team)
    h = services.handoff
    ev = SimpleNamespace(id=10_000 + row.id, type="handoff_requested", created_at=services.clock(),
                         data={"reason": reason, "procedure_id": "ho-tich.khai-sinh", "step_id": "documents"})
    for _ in range(2):  # a replayed event is ignored
        async with services.repo.engine.begin() as conn:
            await h._on_requested(None, conn, ev, conv)
    ts = await tickets(services, row.id)
    assert [(t.reason, t.step_id) for t in ts] == [(reason, "documents")]
    q = [x for x in await h.queue(await admin(services)) if x["conversation_id"] == row.id]
    from bot.handoff.service import REASON_VI

    assert q[0]["reason"] == REASON_VI[reason]


async def test_waiting_citizen_still_gets_answers_but_not_after_claim(client: Any, services: Any) -> None:
    sender = new_sender()
    await rest(client, sender, "tôi muốn làm giấy khai sinh cho con")
    await rest(client, sender, "/canbo")
    got = texts(await rest(client, sender, "lệ phí đăng ký khai sinh là bao nhiêu"))
    assert got.strip(), "the bot answers simple questions while the citizen waits"
    cid = await conv_id(services, sender)
    h = services.handoff
    await h.add_agent("lan", PASSWORD, "mac-dinh", display_name="Nguyễn Thị Lan")
    lan = await h.get_agent("lan")
    await h.claim(lan, cid)
    got = await rest(client, sender, "lệ phí đăng ký khai sinh là bao nhiêu")
    bot_texts = [r.get("text", "") for r in got if "Nguyễn Thị Lan" not in r.get("text", "")]
    assert not any("lệ phí" in t.lower() for t in bot_texts), bot_texts
    # A second agent cannot claim the same conversation.
    await h.add_agent("minh", PASSWORD, "mac-dinh")
    from bot.handoff.ticket import TransitionError

    with pytest.raises(TransitionError):
        await h.claim(await h.get_agent("minh"), cid)


async def test_cancel_by_citizen_closes_ticket(client: Any, services: Any) -> None:
    sender = new_sender()
    await rest(client, sender, "/canbo")
    await rest(client, sender, "/huy")
    ts = await tickets(services, await conv_id(services, sender))
    assert [t.status for t in ts] == ["closed"]


async def test_transfer_and_close_are_audited(client: Any, services: Any) -> None:
    sender = new_sender()
    await rest(client, sender, "tôi muốn làm giấy khai sinh cho con")   # a procedure, so its form has fields
    await rest(client, sender, "/canbo")
    cid = await conv_id(services, sender)
    h = services.handoff
    await h.add_agent("lan", PASSWORD, "mac-dinh", display_name="Lan")
    await h.add_agent("minh", PASSWORD, "mac-dinh", display_name="Minh")
    await h.add_agent("xa", PASSWORD, "xa-khac")
    lan, minh = await h.get_agent("lan"), await h.get_agent("minh")
    await h.claim(lan, cid)
    from bot.handoff.service import Forbidden

    with pytest.raises(Forbidden):
        await h.transfer(lan, cid, "xa")  # not across teams for an agent
    await h.transfer(lan, cid, "minh")
    with pytest.raises(Forbidden):
        await h.say(lan, cid, "chào")  # it is Minh's now
    await h.set_field(minh, cid, "requester_name", "Trần Văn Bình")
    await h.close(minh, cid)
    row = await services.repo.load_by_id(cid)
    assert row.mode == "bot"
    log = [(a.actor, a.action, a.details) for a in await h.audit_log(cid)]
    assert log[:4] == [("lan", "claim", {}), ("lan", "transfer", {"to": "minh"}),
                       ("minh", "field_edit", {"field": "requester_name"}), ("minh", "close", {})]
    assert "Trần Văn Bình" not in str(log)  # personal data stays out of the audit details
    assert [t.status for t in await tickets(services, cid)] == ["closed"]


@pytest.fixture
async def fake_telegram() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    got: list[dict[str, Any]] = []

    async def send(request: web.Request) -> web.Response:
        got.append({"path": request.path, **(await request.json())})
        return web.json_response({"ok": True, "result": {}})

    app = web.Application()
    app.router.add_post("/bot{token}/sendMessage", send)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}/bot", got
    await runner.cleanup()


async def test_telegram_group_hears_of_new_requests(client: Any, services: Any, fake_telegram: Any) -> None:
    base, got = fake_telegram
    services.settings.channels.telegram.api_base_url = base
    services.settings.secrets.telegram_token = SecretStr("123:abc")
    services.settings.handoff.telegram_group_chat_id = "-100777"
    sender = new_sender()
    await rest(client, sender, "tôi muốn làm giấy khai sinh cho con")
    await rest(client, sender, "/canbo")
    assert len(got) == 1
    assert got[0]["chat_id"] == "-100777" and got[0]["path"] == "/bot123:abc/sendMessage"
    assert "Đăng ký khai sinh" in got[0]["text"] and "Đang chờ" in got[0]["text"]
    # A team's own group wins over the default; a dead server does not break the citizen's turn.
    h = services.handoff
    await h.upsert_team("mac-dinh", "Tổ mặc định", "Mon-Sun 00:00-24:00", "-100888")
    await rest(client, new_sender(), "/canbo")
    assert got[-1]["chat_id"] == "-100888"
    services.settings.channels.telegram.api_base_url = "http://127.0.0.1:9/bot"
    replies = await rest(client, new_sender(), "/canbo")
    assert "cán bộ" in texts(replies).lower()


async def test_per_team_hours_drive_the_off_hours_answer(client: Any, services: Any, clock: Any) -> None:
    h = services.handoff
    await h.upsert_team("mac-dinh", "Tổ mặc định", "Sat 08:00-09:00")
    clock.now = dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.UTC)  # Tuesday 10:00, normally on duty
    got = texts(await rest(client, new_sender(), "/canbo"))
    assert "8 giờ sáng thứ Bảy, 28/11" in got
    await h.upsert_team("mac-dinh", "Tổ mặc định", None)


async def test_cli_agent_add_and_list(services: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    import io

    from bot.cli import main

    monkeypatch.setenv("MOTCUA_DATABASE__URL", services.settings.database.url)
    monkeypatch.setattr("sys.stdin", io.StringIO("mat-khau-cli-123\n"))
    import asyncio

    code = await asyncio.to_thread(main, ["agent", "add", "hoa", "--team", "xa-a", "--role", "admin",
                                          "--name", "Lê Thị Hoa", "--password-stdin"])
    assert code == 0
    h = services.handoff
    assert (await h.authenticate("hoa", "mat-khau-cli-123")).role == "admin"
    assert await h.authenticate("hoa", "sai-mat-khau") is None
    async with services.repo.engine.connect() as conn:
        from bot.storage.handoff_models import agents

        stored = (await conn.execute(select(agents.c.password_hash).where(agents.c.username == "hoa"))).scalar()
    assert stored.startswith("$argon2") and "mat-khau-cli-123" not in stored
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["agent", "list"]) == 0
    assert "hoa\tadmin\txa-a\tLê Thị Hoa" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("ngan\n"))
    assert await asyncio.to_thread(main, ["agent", "add", "x", "--team", "t", "--password-stdin"]) == 2

