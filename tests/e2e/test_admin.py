"""Admin editor in headless Chromium: broken edit flagged at its line, preview, publish live, rollback, roles, XLSX.

Admins and agents log in through the console's own login page (argon2 accounts, signed session cookie).
"""
from __future__ import annotations

import io
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import create_async_engine

from bot.storage.models import Conversation, EventRow
from tests.fakes.http import talk_until

pytestmark = pytest.mark.browser

PID = "ho-tich.khai-sinh"
ASK = "Bạn đã có Giấy chứng sinh của bệnh viện hoặc trạm y tế chưa?"
NEW_ASK = "Bạn đã có Giấy chứng sinh (bản chính) do bệnh viện cấp chưa?"
PASSWORD = "mat-khau-du-dai-1"
ROLES = {"admin": ("admin", "xa-a"), "agent": ("agent", "xa-a")}
SUFFIX = web.AppKey("e2e_suffix", str)


@pytest.fixture
async def live(services: Any, db_url: str) -> AsyncIterator[TestClient]:
    from bot.admin.models import ContentVersion, TrainingExampleRow
    from bot.app import build_app

    eng = create_async_engine(db_url)
    async with eng.begin() as conn:
        await conn.execute(delete(ContentVersion))
        await conn.execute(delete(TrainingExampleRow))
    await eng.dispose()
    app = build_app(services.settings, services)
    suffix = uuid.uuid4().hex[:6]
    for kind, (role, team) in ROLES.items():
        await services.handoff.add_agent(f"{kind}-{suffix}", PASSWORD, team, role=role)
    app[SUFFIX] = suffix
    async with TestClient(TestServer(app)) as c:
        yield c


async def as_user(browser: Any, live: TestClient, who: str) -> Any:
    """A browser that signed in on the console login page."""
    base = str(live.server.make_url("/")).rstrip("/")
    ctx = await browser.new_context(viewport={"width": 1400, "height": 900}, locale="vi-VN")
    page = await ctx.new_page()
    await page.goto(base + "/console/admin/content")          # not signed in: sent to the login page
    await page.wait_for_selector("#username")
    await page.fill("#username", f"{who}-{live.app[SUFFIX]}")
    await page.fill("#password", PASSWORD)
    await page.press("#password", "Enter")
    await page.wait_for_url("**/console")
    return ctx, page


async def citizen_sees(client: TestClient, marker: str, tries: int = 6) -> bool:
    return any(marker in s for s in await talk_until(client, marker, tries))


async def test_admin_edits_previews_publishes_and_rolls_back(live: TestClient, browser: Any) -> None:
    base = str(live.server.make_url("/")).rstrip("/")
    assert await citizen_sees(live, ASK)
    ctx, page = await as_user(browser, live, "admin")
    await page.goto(base + "/console/admin/content?q=khai sinh")
    await page.click(f"a[href='/console/admin/content/{PID}']")
    await page.wait_for_selector("#flow")
    original = await page.input_value("#flow")
    assert ASK in original

    # A broken edit: the error names the file and line, live while typing.
    await page.fill("#flow", original.replace("steps:", "buoc:", 1))
    await page.wait_for_selector(".problem >> text=flows/ho-tich.khai-sinh.yml, dòng")
    # The real edit, through the structured field of that question: only its YAML line changes.
    await page.fill("#flow", original)
    field = page.locator(".line-field[data-target='flow']").filter(has=page.locator(f"xpath=self::*[@value='{ASK}']"))
    await field.fill(NEW_ASK)
    await page.wait_for_selector("#valid:not([hidden])")
    assert await page.input_value("#flow") == original.replace(ASK, NEW_ASK)
    assert await page.locator(".problem").count() == 0

    # Preview in the embedded simulator shows the draft text.
    await page.fill("#sim-text", "tôi muốn đăng ký khai sinh cho con")
    await page.click("#sim-send")
    await page.locator(".sim-log .bot", has_text="Đúng cả").last.wait_for()
    await page.fill("#sim-text", "Có điều khác")   # not the usual case: the edited question is asked alone
    await page.click("#sim-send")
    for _ in range(8):
        if await page.locator(".sim-log .bot", has_text=NEW_ASK).count():
            break
        # the last question with buttons (a reply may end with a text after it), then its answer before looking again
        asked = page.locator(".sim-log .msg.bot:has(.btn)").last
        await asked.wait_for()
        said = await page.locator(".sim-log .msg.bot").count()
        await asked.locator(".btn").first.click()
        await page.wait_for_function("n => document.querySelectorAll('.sim-log .msg.bot').length > n", arg=said)
        await page.wait_for_timeout(200)
    await page.wait_for_selector(f".sim-log .bot >> text={NEW_ASK}")
    assert await citizen_sees(live, ASK), "preview does not touch the live bot"

    await page.fill("#message", "Nêu rõ giấy chứng sinh bản chính")
    t0 = time.perf_counter()
    await page.click("#publish")
    await page.wait_for_selector("#published-note")
    assert await citizen_sees(live, NEW_ASK), "the next conversation over REST shows the change, no restart"
    publish_to_live = time.perf_counter() - t0
    print(f"\npublish → live over REST: {publish_to_live:.3f} s")
    assert publish_to_live < 5
    assert await page.locator(".diff .add", has_text="bản chính").count() >= 1

    # Rollback: open the original version and restore it in one click.
    await page.goto(base + "/console/admin/versions")
    await page.locator("tr", has_text="Nội dung gốc").locator("a").click()
    await page.click("#rollback")
    await page.wait_for_selector("#published-note")
    assert await citizen_sees(live, ASK)
    await ctx.close()


async def test_agent_cannot_open_the_editor_but_exports_team_report(live: TestClient, browser: Any,
                                                                     services: Any) -> None:
    base = str(live.server.make_url("/")).rstrip("/")
    ctx, page = await as_user(browser, live, "agent")
    resp = await page.goto(base + f"/console/admin/content/{PID}")
    assert resp.status == 403
    assert await page.locator("#flow").count() == 0
    await page.goto(base + "/console/admin/reports?period=day")
    assert "Tổ xa-a" in await page.inner_text("h1")
    async with page.expect_download() as dl:
        await page.click("#xlsx")
    path = await (await dl.value).path()
    wb = load_workbook(io.BytesIO(Path(path).read_bytes()))
    ws = wb["Tổng hợp"]
    xl = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(4, ws.max_row + 1)}
    today = services.clock().date()
    import datetime as dt

    start = dt.datetime.combine(today, dt.time(), dt.UTC)
    async with services.repo.engine.connect() as conn:
        convs = (await conn.execute(select(func.count()).select_from(Conversation).where(
            Conversation.team == "xa-a", Conversation.created_at >= start,
            Conversation.created_at < start + dt.timedelta(days=1)))).scalar_one()
        ident = (await conn.execute(select(func.count()).select_from(EventRow).where(
            EventRow.team == "xa-a", EventRow.type == "procedure_identified", EventRow.created_at >= start,
            EventRow.created_at < start + dt.timedelta(days=1)))).scalar_one()
    assert xl["Cuộc trò chuyện mới"] == convs
    assert xl["Lượt xác định thủ tục"] == ident
    await ctx.close()


SHOTS = Path(tempfile.gettempdir()) / "motcua-screenshots"   # staff pages at 1366x768, to look at


async def test_admin_audit_page_marks_a_fact_verified(live: TestClient, browser: Any) -> None:
    base = str(live.server.make_url("/")).rstrip("/")
    ctx, page = await as_user(browser, live, "admin")
    await page.set_viewport_size({"width": 1366, "height": 768})
    await page.goto(base + "/console/admin/content")
    await page.click("nav.top >> text=Kiểm tra nội dung")
    await page.wait_for_url("**/console/admin/audit")
    figures = page.locator("#figures")
    assert "chưa xác minh" in await figures.inner_text()
    before = int(await figures.locator(".warn b").first.inner_text())
    SHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SHOTS / "admin-audit-1366.png"))
    section = page.locator("details#can-cuoc\\.cap-doi-lai")
    if await section.get_attribute("open") is None:
        await section.locator("summary").click()
    row = section.locator("tbody tr", has=page.locator("button", has_text="Đã xác minh")).first
    path = await row.locator("input[name=path]").get_attribute("value")
    await row.locator("input[name=url]").fill("https://thuvienphapluat.vn/van-ban/Nghi-dinh-70-2024-ND-CP-615257.aspx")
    await row.locator("input[name=title]").fill("Nghị định 70/2024/NĐ-CP")
    await row.locator("button", has_text="Đã xác minh").click()
    await page.wait_for_selector("p.ok[role=status]")
    assert int(await page.locator("#figures .warn b").first.inner_text()) == before - 1
    assert await page.locator(f"details#can-cuoc\\.cap-doi-lai input[name=path][value='{path}']").count() == 0
    await page.screenshot(path=str(SHOTS / "admin-audit-verified-1366.png"))
    await page.goto(base + "/console/admin/versions")
    first = page.locator("table.list tbody tr").first
    text = await first.inner_text()
    assert f"admin-{live.app[SUFFIX]}" in text and f"Xác minh {path}" in text and "Đang dùng" in text
    await ctx.close()


async def _problems(page: Any) -> list[str]:
    return [t.strip() for t in await page.locator("#problems .problem").all_inner_texts()]


async def test_editor_explains_errors_in_vietnamese_at_their_line(live: TestClient, browser: Any) -> None:
    """Issue 19 item 10: syntax errors in Vietnamese with a hint and the line, no follow-on errors,
    places named as in the form, line numbers, a banner after a refused publish, untouched files unchanged."""
    base = str(live.server.make_url("/")).rstrip("/")
    ctx, page = await as_user(browser, live, "admin")
    await page.set_viewport_size({"width": 1366, "height": 768})
    await page.goto(base + f"/console/admin/content/{PID}")
    await page.wait_for_selector("#flow")
    original = await page.input_value("#flow")
    flow_lines = original.splitlines()
    assert await page.locator(".code .gutter").first.inner_text() != ""     # line numbers beside the text
    ask_line = next(i for i, line in enumerate(flow_lines, 1) if "ask: Bé được sinh ra" in line)

    # A colon inside a question: one problem, in Vietnamese, at its line, with the hint.
    await page.fill("#flow", original.replace("ask: Bé được sinh ra", "ask: Lưu ý: bé được sinh ra", 1))
    await page.wait_for_selector("#problems .problem")
    shown = await _problems(page)
    assert len(shown) == 1, shown                     # no "cần luồng flows/…" follow-on error
    assert f"dòng {ask_line}" in shown[0]
    assert "có dấu ':' trong câu — đặt câu trong ngoặc kép" in shown[0]
    assert "mapping values" not in shown[0]
    await page.locator("#problems .goto").first.click()        # jumps to the line in the text
    await page.locator("#problems").scroll_into_view_if_needed()
    await page.screenshot(path=str(SHOTS / "admin-edit-syntax-1366.png"))

    # A bad option: the place in words, at the option's own line (not line 2 of the file).
    broken = original.replace('value: "no"\n        handoff: true', 'value: "no"\n        goto: khong-co\n        handoff: true', 1)
    goto_line = next(i for i, line in enumerate(broken.splitlines(), 1) if "goto: khong-co" in line)
    await page.fill("#flow", broken)
    await page.wait_for_selector(f"#problems .problem >> text=dòng {goto_line}")
    shown = await _problems(page)
    assert any("Bước 2, lựa chọn 2" in s for s in shown), shown   # step 1 is the usual case
    assert not any("steps.0" in s for s in shown)

    # Publishing it is refused: a banner with the count, the text and the form-style panel stay.
    await page.fill("#message", "thử lựa chọn sai")
    await page.click("#publish")
    await page.wait_for_selector("#refused")
    banner = await page.inner_text("#refused")
    assert "Chưa xuất bản: 1 lỗi" in banner
    assert await page.locator(".line-field").count() > 0
    assert "goto: khong-co" in await page.input_value("#flow")
    await page.screenshot(path=str(SHOTS / "admin-edit-refused-1366.png"))

    # Fix it and publish: only the flow is listed as changed, the untouched catalog is not "(đã sửa)".
    await page.fill("#flow", original.replace(ASK, NEW_ASK))
    await page.wait_for_selector("#valid:not([hidden])")
    await page.click("#publish")
    await page.wait_for_selector("#published-note")
    headings = await page.locator("h2").all_inner_texts()
    assert any(f"flows/{PID}.yml" in h for h in headings), headings
    assert not any(f"procedures_catalog/{PID}.yml" in h for h in headings), headings
    await ctx.close()


def _window(now: Any, inside: bool) -> str:
    """Working hours that hold ``now`` (Vietnam time), or that are on another weekday only."""
    from zoneinfo import ZoneInfo

    from bot.handoff.routing import DAYS

    local = now.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    day = DAYS[local.weekday() if inside else (local.weekday() + 3) % 7]
    return f"{day} {local.hour:02d}:00-{local.hour + 1:02d}:00"


async def test_admin_sets_team_hours_that_apply_at_once_in_every_worker(live: TestClient, browser: Any,
                                                                           services: Any) -> None:
    """Issue 19 item 11: /console/admin leads to the admin home; admin → Tổ shows members and call-backs and
    changes a team's hours, which a second worker applies without a restart."""
    import asyncio

    from bot.handoff.service import HandoffService

    base = str(live.server.make_url("/")).rstrip("/")
    live_handoff = services.handoff
    other = HandoffService(services.settings, services.repo, services.content, services.pubsub, services.clock,
                           live_handoff._apply)                      # another worker of the same deployment
    follower = asyncio.create_task(other.follow_teams())
    await asyncio.sleep(0.05)
    now = services.clock()
    try:
        ctx, page = await as_user(browser, live, "admin")
        await page.set_viewport_size({"width": 1366, "height": 768})
        resp = await page.goto(base + "/console/admin")
        assert resp.status == 200 and page.url.endswith("/console/admin/content")
        await page.click("nav.top >> text=Tổ")
        team = page.locator("#team-xa-a")
        members = await team.locator("table.members").inner_text()
        assert f"admin-{live.app[SUFFIX]}" in members and "quản trị viên" in members
        assert f"agent-{live.app[SUFFIX]}" in members

        for inside, words in ((False, "Ngoài giờ làm việc"), (True, "Đang trong giờ làm việc")):
            await team.locator("input[name=hours]").fill(_window(now, inside))
            await team.locator("button", has_text="Lưu").click()
            await page.wait_for_selector("#saved")
            team = page.locator("#team-xa-a")
            assert words in await team.locator(".duty").inner_text()
            assert live_handoff.duty(now, "xa-a")[0] is inside
            for _ in range(50):                                     # the other worker, without a restart
                if other.duty(now, "xa-a")[0] is inside:
                    break
                await asyncio.sleep(0.02)
            assert other.duty(now, "xa-a")[0] is inside
        await page.screenshot(path=str(SHOTS / "admin-teams-1366.png"), full_page=False)

        # Hours it cannot read are refused with the reason; nothing is changed.
        await team.locator("input[name=hours]").fill("thứ hai 8h-17h")
        await team.locator("button", has_text="Lưu").click()
        await page.wait_for_selector("#error")
        assert "Chưa lưu tổ xa-a" in await page.inner_text("#error")
        assert live_handoff.duty(now, "xa-a")[0] is True
        await ctx.close()
    finally:
        follower.cancel()
        await asyncio.gather(follower, return_exceptions=True)


async def test_team_hours_from_the_cli_reach_running_workers(services: Any) -> None:
    """`motcua agent team --hours` runs in its own process: its change is announced, not left for a restart."""
    import asyncio

    from bot.handoff.service import HandoffService

    live_handoff = services.handoff
    follower = asyncio.create_task(live_handoff.follow_teams())
    await asyncio.sleep(0.05)
    now = services.clock()
    cli = HandoffService(services.settings, services.repo, services.content, services.pubsub, services.clock,
                         live_handoff._apply)
    try:
        for inside in (False, True, False):
            await cli.upsert_team("xa-cli", "Tổ thử", _window(now, inside))
            for _ in range(50):
                if live_handoff.duty(now, "xa-cli")[0] is inside:
                    break
                await asyncio.sleep(0.02)
            assert live_handoff.duty(now, "xa-cli")[0] is inside
    finally:
        follower.cancel()
        await asyncio.gather(follower, return_exceptions=True)
