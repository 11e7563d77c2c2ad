"""Issue 22, item 2: at the end of the online walk the citizen sends a photo of the portal's receipt instead of
typing the code. Over Telegram (the fake Bot API serves the photo's bytes): the photo is kept with the draft, the
citizen is told a person will read the code, and it becomes a task of the digital team; bad input (not an image,
too big, unfetchable) gets a clear answer and keeps the question. In the console (headless Chromium, 1366x768) the
agent sees the photo on the draft's panel, types the code, and the citizen is told with it on Telegram."""
from __future__ import annotations

import io
from typing import Any

import pytest
from sqlalchemy import select

from bot.dossier.receipt import MAX_BYTES
from bot.storage.desk_models import draft_history, draft_receipts
from bot.storage.handoff_models import handoffs
from bot.storage.repo import drafts
from tests.e2e.test_telegram import Tg, fake, tg  # noqa: F401 - the Telegram fixtures
from tests.fakes.driver import walk_to_review

PASSWORD = "mat-khau-an-toan-1"
PORTAL_CODE = "000.00.31.H12-261206-0099"


def receipt_png() -> bytes:
    """A screenshot-like receipt: white, the portal's success line and the code in black."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (360, 200), "white")
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, 359, 36), fill=(26, 95, 180))
    d.text((12, 12), "Cong Dich vu cong quoc gia", fill="white")
    d.text((12, 70), "Nop ho so thanh cong", fill=(27, 110, 42))
    d.text((12, 110), f"Ma ho so: {PORTAL_CODE}", fill="black")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


async def console_login(page: Any, base: str, username: str) -> None:
    """Sign in to the console and wait for the queue."""
    await page.goto(base + "/console/login")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("#login")
    await page.wait_for_selector("h1 >> text=Hàng chờ")


async def to_code_question(t: Tg, content: Any) -> str:
    """Walk khai sinh to its draft on Telegram, choose "Tự nộp trực tuyến" and tap "Xong" to the code question."""
    await walk_to_review(content, t.state, t.tap, t.say)
    await t.tap("/xacnhan")
    await t.tap("/tunop")
    while (await t.state())["pending"]["kind"] == "online_step":
        await t.tap("/xong")
    pending = (await t.state())["pending"]
    assert pending["kind"] == "online_code"
    return str(pending["ref"])


async def send_photo(t: Tg, file_id: str, data: bytes) -> None:
    t.fake.files[file_id] = data
    assert await t.post(t.message(None, photo=[{"file_id": file_id, "file_unique_id": file_id, "width": 360,
                                                "height": 200}])) == 200


def last_text(t: Tg, n: int = 3) -> str:
    """The bot's last ``n`` messages (an answer, the question again, the buttons' own line)."""
    return "\n".join(c.params.get("text", "") for c in t.fake.sent(t.chat, "sendMessage")[-n:])


async def tickets(t: Tg) -> list[Any]:
    row = await t.services.repo.load("telegram", str(t.chat))
    async with t.services.repo.engine.connect() as conn:
        return list((await conn.execute(select(handoffs).where(handoffs.c.conversation_id == row.id))).all())


async def stored(t: Tg, code: str) -> Any:
    async with t.services.repo.engine.connect() as conn:
        return (await conn.execute(select(draft_receipts).join(drafts, drafts.c.id == draft_receipts.c.draft_id)
                                   .where(drafts.c.code == code))).first()


async def test_bad_receipt_photos_get_a_clear_answer_and_the_question_stays(tg: Tg, content: Any) -> None:  # noqa: F811
    code = await to_code_question(tg, content)
    await send_photo(tg, "junk1", b"\x00\x01 this is not an image at all " * 20)
    assert "chỉ nhận ảnh chụp biên nhận" in last_text(tg) and "Bạn gõ mã hồ sơ" in last_text(tg)   # asked again
    await send_photo(tg, "huge1", b"\xff\xd8\xff\xe0" + b"\x00" * (MAX_BYTES + 10))
    assert "lớn quá (tối đa 8 MB)" in last_text(tg)
    assert await tg.post(tg.message(None, photo=[{"file_id": "gone1", "file_unique_id": "g", "width": 9,
                                                  "height": 9}])) == 200
    assert "chưa tải được ảnh" in last_text(tg)
    doc = {"file_id": "pdf1", "file_unique_id": "p", "file_name": "bien-nhan.pdf", "mime_type": "application/pdf"}
    tg.fake.files["pdf1"] = b"%PDF-1.4 receipt"
    assert await tg.post(tg.message(None, document=doc)) == 200
    assert "chỉ nhận ảnh chụp biên nhận" in last_text(tg)
    st = await tg.state()
    assert st["pending"]["kind"] == "online_code" and st["mode"] == "bot"   # still asked, nobody bothered
    assert await tickets(tg) == [] and await stored(tg, code) is None
    await tg.say(PORTAL_CODE)                                                # typing the code still works
    assert PORTAL_CODE in last_text(tg)


@pytest.mark.browser
async def test_receipt_photo_is_read_by_the_digital_team_in_the_console(
        tg: Tg, content: Any, browser: Any) -> None:  # noqa: F811
    from tests.e2e.test_webchat_journey import SHOTS

    code = await to_code_question(tg, content)
    png = receipt_png()
    await send_photo(tg, "rcpt1", png)
    said = last_text(tg)
    assert "Mình đã nhận ảnh biên nhận của hồ sơ" in said and code in said and "đọc mã hồ sơ" in said
    kept = await stored(tg, code)
    assert kept is not None and kept.content == png and kept.mime_type == "image/png"
    assert [(t.reason, t.step_id, t.status) for t in await tickets(tg)] == [("online_receipt", code, "queued")]
    st = await tg.state()
    assert st["mode"] == "waiting_human" and st["pending"]["kind"] == "online_code"

    svc = tg.services
    await svc.handoff.add_agent("mai22", PASSWORD, svc.settings.handoff.default_team, display_name="Lê Thị Mai")
    await svc.handoff.add_agent("khac22", PASSWORD, "to-khac", display_name="Người tổ khác")
    cid = (await svc.repo.load("telegram", str(tg.chat))).id
    base = str(tg.client.server.make_url("/")).rstrip("/")
    ctx = await browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    agent = await ctx.new_page()
    try:
        anon = await agent.request.get(f"{base}/console/c/{cid}/bien-nhan", max_redirects=0)
        assert anon.status in (302, 303, 401)                                 # not without signing in
        await console_login(agent, base, "mai22")
        row = agent.locator(f'tr.ticket[data-id="{cid}"]')
        assert await row.locator("td", has_text="Đọc mã hồ sơ trên ảnh biên nhận").count() == 1
        await row.locator("a").click()
        await agent.wait_for_selector(f"#online h3 >> text=Đọc mã hồ sơ trên ảnh biên nhận — hồ sơ {code}")
        shown = await agent.locator("#receipt img").evaluate("i => i.complete && i.naturalWidth")
        assert shown == 360                                                   # the photo itself, loaded
        assert "Tự nộp trực tuyến — đã làm xong 7 bước" in await agent.inner_text("#step")
        said_last = await agent.locator("#transcript .msg.citizen .text").all_inner_texts()
        assert said_last[-1] == "[Ảnh người dân gửi]"                        # the photo, not an empty line
        photo = await agent.request.get(f"{base}/console/c/{cid}/bien-nhan")
        assert photo.status == 200 and photo.headers["content-type"] == "image/png" and await photo.body() == png
        assert photo.headers["x-content-type-options"] == "nosniff"
        SHOTS.mkdir(parents=True, exist_ok=True)
        await agent.screenshot(path=str(SHOTS / "console-receipt-photo-1366x768.png"))
        await agent.locator("#portal-form").scroll_into_view_if_needed()
        await agent.screenshot(path=str(SHOTS / "console-receipt-form-1366x768.png"))
        await agent.fill("#portal-code", PORTAL_CODE)
        await agent.click("#portal-save")
        await agent.wait_for_selector(f"#portal-done >> text={PORTAL_CODE}")
        assert "Đã đóng" in await agent.inner_text("#ticket-status")           # reading the code was the task
        assert await agent.locator("#receipt img").evaluate("i => i.decode().then(() => i.naturalWidth)") == 360
        await agent.screenshot(path=str(SHOTS / "console-receipt-read-1366x768.png"))
        other = await browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
        page = await other.new_page()
        await console_login(page, base, "khac22")
        assert (await page.request.get(f"{base}/console/c/{cid}/bien-nhan")).status == 403   # another team's
        await other.close()
    finally:
        await ctx.close()
    await svc.push.idle()
    told = tg.texts()
    assert "đã đọc ảnh biên nhận bạn gửi" in told and PORTAL_CODE in told
    async with svc.repo.engine.connect() as conn:
        d = (await conn.execute(select(drafts).where(drafts.c.code == code))).one()
        hist = (await conn.execute(select(draft_history).where(draft_history.c.draft_id == d.id))).all()
    assert d.status == "submitted_online" and d.official_number == PORTAL_CODE
    assert [(h.action, h.actor) for h in hist] == [("online_citizen", "mai22")]   # the citizen filed; Mai read it
    st = await tg.state()
    assert st["pending"]["kind"] == "rating" and st["mode"] == "bot"   # the code question is over; the task closed
    assert "đánh giá" in last_text(tg)
    assert [t.status for t in await tickets(tg)] == ["closed"]
    await tg.say("hồ sơ của tôi đến đâu rồi")
    assert PORTAL_CODE in last_text(tg) and "đã nộp trực tuyến" in last_text(tg)


async def test_the_receipt_photo_goes_with_the_citizens_data(tg: Tg, content: Any) -> None:  # noqa: F811
    """Deletion on request forgets the draft, and its receipt photo with it (the bytes are personal data)."""
    code = await to_code_question(tg, content)
    await send_photo(tg, "rcpt2", receipt_png())
    assert await stored(tg, code) is not None
    await tg.say("xoá dữ liệu của tôi")
    await tg.tap("/xoadulieu_xacnhan")
    assert await stored(tg, code) is None
