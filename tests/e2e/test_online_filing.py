"""Issue 22 over REST: after the review a khai sinh citizen files on the national portal with the bot beside them —
one step at a time, each form value in its own message to copy — sends the portal's dossier code, which is stored
with the draft, and "hồ sơ của tôi đến đâu" then says where to look it up. Also: stuck at a step hands off with the
step reached; a procedure that cannot be filed online is not offered the walk."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.storage.desk_models import draft_history
from bot.storage.handoff_models import handoffs
from bot.storage.repo import drafts
from tests.conftest import new_sender
from tests.fakes.http import post
from tests.integration.dossier.test_desk import NAME, texts, walk_to_draft

PASSWORD = "mat-khau-an-toan-1"
PORTAL_CODE = "000.00.31.H12-261206-0042"


async def pending(services: Any, sender: str) -> dict[str, Any]:
    return (await services.repo.load("rest", sender)).state.get("pending") or {}


async def draft_row(services: Any, code: str) -> Any:
    async with services.repo.engine.connect() as conn:
        return (await conn.execute(select(drafts).where(drafts.c.code == code))).one()


async def test_khai_sinh_walked_to_submitted_online_over_rest(client: Any, services: Any) -> None:
    s, code, _ = await walk_to_draft(client, services)
    offer = await pending(services, s)
    assert offer["kind"] == "online_choice" and offer["ref"] == code
    assert [b["title"] for b in offer["buttons"]] == ["Tự nộp trực tuyến", "Nhờ tổ công nghệ số nộp giúp",
                                                      "Mang đến bộ phận một cửa"]
    outs = [e.text for e in await services.repo.transcript((await services.repo.load("rest", s)).id)
            if e.direction == "out"]
    assert "nộp trực tuyến được" in outs[-1] and "Xem lại hồ sơ" in outs[-2]   # the question comes after the link
    r = await post(client, s, "Tự nộp trực tuyến")          # the typed title works like the button
    assert "Bước 1/7 — Đăng nhập" in texts(r) and "VNeID mức 2" in texts(r)
    assert [b["title"] for b in r[-1]["buttons"]] == ["Xong", "Mình bị kẹt"]
    r = await post(client, s, "/xong")
    assert "Bước 2/7" in texts(r) and "1.001193" in texts(r)   # the procedure's national code to search
    r = await post(client, s, "xong")
    copies = [m["custom"]["copy"] for m in r if "copy" in m.get("custom", {})]
    assert NAME in copies                                     # one value per message, to copy
    assert all(m["text"].endswith(m["custom"]["copy"]) for m in r if "copy" in m.get("custom", {}))
    assert len(copies) >= 15
    r = await post(client, s, "/xong")
    assert "Bước 4/7 — Đính kèm giấy tờ" in texts(r) and "Giấy chứng sinh" in texts(r)
    for _ in range(3):
        r = await post(client, s, "/xong")
    assert "Bước 7/7" in texts(r) and "Dịch vụ công của tôi" in texts(r)
    r = await post(client, s, "/xong")
    assert (await pending(services, s))["kind"] == "online_code"
    r = await post(client, s, "chưa có mã")
    assert "chưa thấy mã hồ sơ" in texts(r)
    r = await post(client, s, code)
    assert "mã bản nháp của mình" in texts(r)
    r = await post(client, s, f"mã hồ sơ là {PORTAL_CODE}")
    assert PORTAL_CODE in texts(r) and code in texts(r)
    row = await draft_row(services, code)
    assert row.status == "submitted_online" and row.official_number == PORTAL_CODE
    async with services.repo.engine.connect() as conn:
        hist = (await conn.execute(select(draft_history).where(draft_history.c.draft_id == row.id))).all()
    assert [h.action for h in hist] == ["online_citizen"]
    r = await post(client, s, "hồ sơ của tôi đến đâu rồi")
    said = texts(r)
    assert "đã nộp trực tuyến" in said and PORTAL_CODE in said and "dichvucong.gov.vn" in said


async def test_stuck_at_a_step_hands_off_with_the_step_reached(client: Any, services: Any) -> None:
    s, _, _ = await walk_to_draft(client, services)
    await post(client, s, "/tunop")
    await post(client, s, "/xong")
    r = await post(client, s, "Mình bị kẹt")
    assert "Tổ công nghệ số" in texts(r)
    row = await services.repo.load("rest", s)
    assert row.mode == "waiting_human"
    async with services.repo.engine.connect() as conn:
        mine = (await conn.execute(select(handoffs).where(handoffs.c.conversation_id == row.id))).all()
    assert [(t.reason, t.step_id) for t in mine] == [("online_stuck", "online:tim-thu-tuc")]
    # The agent helps, then gives the conversation back "at the current step": after the rating the walk goes on
    # from the step reached (never the review again, which would make a second draft).
    await services.handoff.add_agent("lan22", PASSWORD, services.settings.handoff.default_team)
    lan = await services.handoff.get_agent("lan22")
    # The console's "Bước đang đến" is the walk's step, not the review the flow stopped at.
    assert (await services.handoff.conversation(lan, row.id))["step_text"] == "Tự nộp trực tuyến — bước 2/7: Tìm thủ tục"
    await services.handoff.claim(lan, row.id)
    await services.handoff.return_to_bot(lan, row.id, None)
    r = await post(client, s, "5")
    assert "Bước 2/7 — Tìm thủ tục" in texts(r)
    r = await post(client, s, "/xong")
    assert "Bước 3/7" in texts(r)


async def test_the_desk_choice_ends_the_offer_and_a_photo_of_the_receipt_asks_for_the_code(
        client: Any, services: Any) -> None:
    s, code, _ = await walk_to_draft(client, services)
    r = await post(client, s, "3")                           # the number of "Mang đến bộ phận một cửa"
    assert code in texts(r) and "bộ phận một cửa" in texts(r)
    assert await pending(services, s) == {}
    assert (await draft_row(services, code)).status == "draft"


@pytest.mark.browser
async def test_khai_sinh_walked_to_submitted_online_in_the_web_chat(client: Any, services: Any, browser: Any) -> None:
    """In headless Chromium at 390x844: the citizen taps the walk's buttons, copies a value with its button, types
    the portal code, and the draft is filed online."""
    from tests.e2e.test_webchat_journey import SHOTS, walk_web_to_draft

    sender = new_sender()
    await walk_web_to_draft(client, services, sender)
    code = (await services.repo.load("web", sender)).state["last_draft"]
    ctx = await browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    page = await ctx.new_page()
    await page.add_init_script(f"localStorage.setItem('motcua.sender', {sender!r})")
    await page.goto(str(client.server.make_url("/")))
    offer = page.locator(".chip", has_text="Tự nộp trực tuyến")
    await offer.wait_for()
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / "webchat-online-offer-390x844.png"))
    await offer.click()
    await page.wait_for_selector(".msg.bot >> text=Bước 1/7")
    for n in (2, 3):
        await page.locator(".chip", has_text="Xong").click()
        await page.wait_for_selector(f".msg.bot >> text=Bước {n}/7")
    copy = page.locator(".msg.bot", has_text="Họ, chữ đệm, tên người được khai sinh").locator("button.copy")
    await copy.wait_for()
    await page.locator(".msg.bot:has(button.copy)").nth(5).scroll_into_view_if_needed()
    await page.screenshot(path=str(SHOTS / "webchat-online-values-390x844.png"))
    await copy.click()
    await page.wait_for_selector("button.copy >> text=Đã chép ✓")
    for n in (4, 5, 6, 7):
        await page.locator(".chip", has_text="Xong").click()
        await page.wait_for_selector(f".msg.bot >> text=Bước {n}/7")
    await page.locator(".chip", has_text="Xong").click()
    await page.wait_for_selector(".msg.bot >> text=Bạn gõ mã hồ sơ")
    await page.fill("#text", PORTAL_CODE)
    await page.press("#text", "Enter")
    await page.wait_for_selector(f".msg.bot >> text=Mình đã lưu mã hồ sơ {PORTAL_CODE}")
    await page.screenshot(path=str(SHOTS / "webchat-online-filed-390x844.png"))
    row = await draft_row(services, code)
    assert row.status == "submitted_online" and row.official_number == PORTAL_CODE
    await ctx.close()


@pytest.mark.browser
async def test_an_agent_files_a_khai_sinh_for_the_citizen_in_the_console(
        client: Any, services: Any, browser: Any) -> None:
    """"Nhờ tổ công nghệ số nộp giúp": a handoff of its own kind; the console (1366x768) shows every value with a
    copy button, the documents, the steps; the agent records the portal code and the citizen is told with it."""
    from tests.e2e.test_online_receipt import console_login
    from tests.e2e.test_webchat_journey import SHOTS

    s, code, _ = await walk_to_draft(client, services)
    r = await post(client, s, "/nhonop")
    assert "Tổ công nghệ số" in texts(r)
    cid = (await services.repo.load("rest", s)).id
    await services.handoff.add_agent("hoa22", PASSWORD, services.settings.handoff.default_team,
                                     display_name="Trần Thị Hoa")
    base = str(client.server.make_url("/")).rstrip("/")
    ctx = await browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    agent = await ctx.new_page()
    await console_login(agent, base, "hoa22")
    row = agent.locator(f'tr.ticket[data-id="{cid}"]')
    assert await row.locator("td", has_text="nộp trực tuyến giúp").count() == 1
    await row.locator("a").click()
    await agent.click("#claim")
    await agent.wait_for_selector("#ticket-status >> text=Đang xử lý")
    await agent.wait_for_selector(f"#online h3 >> text={code}")
    values = await agent.locator("#online-values tr").all_inner_texts()
    assert any(NAME in v for v in values) and len(values) >= 15
    assert await agent.locator("#online-values button.copy").count() == len(values)
    assert "Giấy chứng sinh" in await agent.inner_text("#online-docs")
    assert await agent.locator("#online-steps li").count() == 7
    await agent.locator("#online-values button.copy").first.click()
    await agent.wait_for_selector("#online-values button.copy >> text=Đã chép")
    await agent.locator("#online").scroll_into_view_if_needed()
    SHOTS.mkdir(parents=True, exist_ok=True)
    await agent.screenshot(path=str(SHOTS / "console-file-for-citizen-1366x768.png"))
    await agent.fill("#portal-code", "sai mã")
    await agent.click("#portal-save")
    await agent.wait_for_selector("#alert >> text=chỉ gồm chữ, số")
    await agent.fill("#portal-code", "000.00.31.H12-261206-0777")
    await agent.click("#portal-save")
    await agent.wait_for_selector("#portal-done >> text=000.00.31.H12-261206-0777")
    await agent.screenshot(path=str(SHOTS / "console-filed-1366x768.png"))
    # The desk sees it on the draft (read-only for a digital-team account).
    await agent.goto(f"{base}/dossiers/{code}")
    await agent.wait_for_selector("#official-number >> text=000.00.31.H12-261206-0777")
    assert "Cổng Dịch vụ công" in await agent.inner_text("#status")
    assert "tổ công nghệ số nộp giúp" in await agent.inner_text("#history")
    await agent.screenshot(path=str(SHOTS / "desk-filed-online-1366x768.png"))
    # The team's report counts it among the drafts filed by the digital team.
    await agent.goto(f"{base}/console/admin/reports?period=day")
    row_team = agent.locator("#t-cach_nop tr", has_text="Tổ công nghệ số nộp trực tuyến giúp")
    assert int((await row_team.locator("td").nth(1).inner_text()).strip()) >= 1
    await agent.locator("#t-cach_nop").scroll_into_view_if_needed()
    await agent.screenshot(path=str(SHOTS / "report-outcomes-1366x768.png"))
    await ctx.close()
    row = await draft_row(services, code)
    assert row.status == "submitted_online" and row.official_number == "000.00.31.H12-261206-0777"
    async with services.repo.engine.connect() as conn:
        hist = (await conn.execute(select(draft_history).where(draft_history.c.draft_id == row.id))).all()
    assert [(h.action, h.actor) for h in hist] == [("online_team", "hoa22")]
    told = await post(client, s, "hồ sơ của tôi đến đâu rồi")
    outs = [e.text for e in await services.repo.transcript(cid) if e.direction == "out"]
    assert any("000.00.31.H12-261206-0777" in t and "Tổ công nghệ số đã nộp" in t for t in outs)
    assert "000.00.31.H12-261206-0777" in texts(told)


async def test_reports_count_drafts_by_how_they_were_filed(client: Any, services: Any) -> None:
    """Filed online by the citizen, by the digital team, at the desk, abandoned (30 days untouched), still open —
    on the report's own table (and its CSV), for drafts made in the period."""
    import datetime as dt

    from sqlalchemy import insert

    from bot.admin.reports import Period, build_report
    from bot.dossier.codes import new_code

    now = services.clock()
    start = now - dt.timedelta(days=59)
    kinds = {"online_citizen": 45, "online_team": 40, "status": 35, None: 50}
    kinds_open = 3   # days old: not abandoned yet
    before = await build_report(services.repo.engine, Period(start, now + dt.timedelta(days=1), "60 ngày"))
    async with services.repo.engine.begin() as conn:
        for action, age in [*kinds.items(), (None, kinds_open)]:
            at = now - dt.timedelta(days=age)
            res = await conn.execute(insert(drafts).values(
                code=new_code("ho-tich.khai-sinh"), token_hash="x", procedure_id="ho-tich.khai-sinh", data={}, status="draft",
                complete_documents=True, created_at=at, updated_at=at))
            if action:
                await conn.execute(insert(draft_history).values(draft_id=res.inserted_primary_key[0], at=at,
                                                                actor="t", action=action, to_status="received"))
    after = await build_report(services.repo.engine, Period(start, now + dt.timedelta(days=1), "60 ngày"))
    diff = [r2[1] - r1[1] for r1, r2 in zip(before.tables["cach_nop"].rows, after.tables["cach_nop"].rows)]
    assert diff == [1, 1, 1, 1, 1]   # citizen online, digital team, desk, abandoned, still open
    assert after.tables["cach_nop"].rows[0][0].startswith("Người dân tự nộp trực tuyến")


async def test_abandoned_is_measured_by_the_service_clock(services: Any) -> None:
    """A draft 20 days old is still open today; seen from 15 days later (the service clock, not the machine's),
    the same period's report counts it abandoned."""
    import datetime as dt

    from sqlalchemy import insert

    from bot.admin.reports import Period, build_report
    from bot.dossier.codes import new_code

    now = services.clock()
    period = Period(now - dt.timedelta(days=25), now + dt.timedelta(days=30), "55 ngày")

    async def abandoned_open(at: dt.datetime) -> tuple[int, int]:
        rows = (await build_report(services.repo.engine, period, now=at)).tables["cach_nop"].rows
        return rows[3][1], rows[4][1]

    before_today, before_later = await abandoned_open(now), await abandoned_open(now + dt.timedelta(days=15))
    made = now - dt.timedelta(days=20)
    async with services.repo.engine.begin() as conn:
        await conn.execute(insert(drafts).values(
            code=new_code("ho-tich.khai-sinh"), token_hash="x", procedure_id="ho-tich.khai-sinh", data={},
            status="draft", complete_documents=True, created_at=made, updated_at=made))
    today, later = await abandoned_open(now), await abandoned_open(now + dt.timedelta(days=15))
    assert (today[0] - before_today[0], today[1] - before_today[1]) == (0, 1)      # still open today
    assert (later[0] - before_later[0], later[1] - before_later[1]) == (1, 0)      # abandoned 15 days later
