"""The one-stop desk in headless Chromium: an officer signs in, opens a citizen's draft by a mistyped then a
lower-case code (as a USB scanner would type it, with Enter), copies a value with one click, marks the draft
received, records the official number and sets "result ready"; the citizen's REST conversation is told."""
from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.http import post
from tests.integration.dossier.test_desk import ASK, NAME, PASSWORD, texts, walk_to_draft

pytestmark = pytest.mark.browser
SHOTS = Path(tempfile.gettempdir()) / "motcua-screenshots"


async def test_officer_opens_copies_receives_and_records(client: Any, services: Any, browser: Any) -> None:
    base = str(client.server.make_url("/")).rstrip("/")
    sender, code, _ = await walk_to_draft(client, services)
    await services.handoff.add_agent("thu", PASSWORD, services.settings.handoff.default_team,
                                               role="officer", display_name="Lê Thị Thu")
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN",
                                    permissions=["clipboard-read", "clipboard-write"])
    page = await ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # (the console also logs the 422 of the mistyped code and the browser's /favicon.ico 404: expected)
    try:
        await page.goto(base + "/dossiers")
        # Sent to the login page, and back to the desk once signed in.
        assert page.url.endswith("/console/login?next=/dossiers")
        await page.fill("#username", "thu")
        await page.fill("#password", PASSWORD)
        await page.click("#login")
        await page.wait_for_url("**/dossiers", wait_until="load")
        # The code box has the focus: a USB scanner types the code and Enter.
        await page.wait_for_function("document.activeElement && document.activeElement.id === 'code'",
                                     timeout=5000)

        wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
        await page.keyboard.type(wrong)
        await page.keyboard.press("Enter")
        err = page.locator("#error")
        await err.wait_for()
        assert f"«{wrong}»" in await err.inner_text()

        t0 = time.perf_counter()
        await page.fill("#code", code.lower().replace("-", " "))
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"**/dossiers/{code}")
        print(f"\nopen by code: {(time.perf_counter() - t0) * 1000:.0f} ms")
        assert await page.text_content("#procedure") == "Đăng ký khai sinh"
        assert NAME in await page.inner_text("#fields")

        # One click copies the value as written on the form.
        row = page.locator("tr.field", has=page.locator("button.copy")).first
        value = await row.locator("button.copy").first.get_attribute("data-value")
        await row.locator("button.copy").first.click()
        await row.locator("button.copy.done", has_text="Đã chép").wait_for()
        assert await page.evaluate("navigator.clipboard.readText()") == value

        await page.get_by_role("button", name="Đã tiếp nhận tại bộ phận một cửa").click()
        await page.wait_for_selector("#status[data-status=received]")
        assert "nhắn tin báo" in await page.inner_text("#notice")

        await page.fill("input[name=official_number]", "000.00.11.H12-261205-0042")
        await page.get_by_role("button", name="Lưu số hồ sơ").click()
        await page.wait_for_selector("#official-number >> text=000.00.11.H12-261205-0042")

        await page.fill("#form-result_ready input[name=note]", "Quầy số 2, Trung tâm phục vụ hành chính công xã")
        await page.get_by_role("button", name="Đã có kết quả").click()
        await page.wait_for_selector("#status[data-status=result_ready]")
        assert await page.locator("#history li").count() == 4
        assert not errors, errors
    finally:
        await ctx.close()

    got = texts(await post(client, sender, ASK))
    assert f"Hồ sơ {code} (Đăng ký khai sinh) đã được tiếp nhận tại bộ phận một cửa" in got
    assert "000.00.11.H12-261205-0042" in got
    assert "đã có kết quả, mời bạn đến nhận tại Quầy số 2, Trung tâm phục vụ hành chính công xã" in got
    assert f"Hồ sơ {code} (Đăng ký khai sinh): đã có kết quả." in got


async def _sign_in(browser: Any, base: str, username: str, path: str) -> tuple[Any, Any]:
    ctx = await browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    page = await ctx.new_page()
    await page.goto(base + path)
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("#login")
    await page.wait_for_url("**" + path, wait_until="load")
    return ctx, page


async def test_only_officers_work_the_desk_and_the_last_status_is_confirmed(client: Any, services: Any,
                                                                            browser: Any) -> None:
    """Issue 19 item 8: a digital-team agent sees the draft read-only; an officer records, the result note starts
    empty (the citizen is told the pickup place), and "Đã trả kết quả" asks before it is recorded."""
    from bot.dossier.desk import Forbidden
    from bot.handoff.service import AgentInfo

    base = str(client.server.make_url("/")).rstrip("/")
    _, code, _ = await walk_to_draft(client, services)
    team = services.settings.handoff.default_team
    h = services.handoff
    await h.add_agent("van", PASSWORD, team, display_name="Phạm Văn")                  # digital team (agent)
    await h.add_agent("thu", PASSWORD, team, role="officer", display_name="Lê Thị Thu")
    ctx, page = await _sign_in(browser, base, "van", f"/dossiers/{code}")
    assert NAME in await page.inner_text("#fields")                                   # reads the draft
    assert "chỉ xem" in await page.inner_text("#readonly")
    assert await page.locator(".status-form").count() == 0
    assert await page.locator("#number-form").count() == 0
    await page.screenshot(path=str(SHOTS / "desk-readonly-1366.png"))
    await ctx.close()
    with pytest.raises(Forbidden):                                                    # and the server refuses too
        await services.desk.set_status(AgentInfo("van", "Phạm Văn", "agent", team), code, "received")

    ctx, page = await _sign_in(browser, base, "thu", f"/dossiers/{code}")
    await page.get_by_role("button", name="Đã tiếp nhận tại bộ phận một cửa").click()
    await page.wait_for_selector("#status[data-status=received]")
    note = page.locator("#form-result_ready input[name=note]")
    assert await note.input_value() == ""
    await page.get_by_role("button", name="Đã có kết quả").click()
    await page.wait_for_selector("#status[data-status=result_ready]")
    last = await page.locator("#history li").last.inner_text()
    assert last.rstrip().endswith("Đã có kết quả"), last          # no submission advice recorded as the note
    asked: list[str] = []

    async def answer(dialog: Any, accept: bool) -> None:
        asked.append(dialog.message)
        await (dialog.accept() if accept else dialog.dismiss())

    page.once("dialog", lambda d: asyncio.ensure_future(answer(d, False)))
    await page.get_by_role("button", name="Đã trả kết quả").click()
    await page.wait_for_timeout(300)
    assert asked and "đã trả kết quả" in asked[0] and code in asked[0]
    assert await page.get_attribute("#status", "data-status") == "result_ready"       # dismissed: nothing recorded
    await page.screenshot(path=str(SHOTS / "desk-officer-1366.png"))
    page.once("dialog", lambda d: asyncio.ensure_future(answer(d, True)))
    await page.get_by_role("button", name="Đã trả kết quả").click()
    await page.wait_for_selector("#status[data-status=returned]")
    await ctx.close()


def _y4m(path: Any, image: Any, frames: int = 30) -> None:
    """A still picture as the Y4M video Chromium plays as a fake camera."""
    img = image.convert("YCbCr")
    w, h = img.size
    y, cb, cr = img.split()
    u, v = cb.resize((w // 2, h // 2)), cr.resize((w // 2, h // 2))
    frame = b"FRAME\n" + y.tobytes() + u.tobytes() + v.tobytes()
    path.write_bytes(f"YUV4MPEG2 W{w} H{h} F30:1 Ip A1:1 C420jpeg\n".encode() + frame * frames)


async def test_scan_with_the_camera_opens_the_draft(client: Any, services: Any, tmp_path: Any) -> None:
    """"Quét mã QR": the page takes a frame from the (fake) camera and the server reads the printout's QR."""
    import io

    import segno
    from PIL import Image

    from tests.conftest import IN_CI
    from tests.e2e.conftest import CHROMIUM_FLAGS, chromium_path

    path = chromium_path()
    if path is None:
        if IN_CI:
            pytest.fail("Debian chromium is not installed (make system-deps installs it)")
        pytest.skip("chromium not installed")
    base = str(client.server.make_url("/")).rstrip("/")
    _, code, _ = await walk_to_draft(client, services)
    await services.handoff.add_agent("thu", PASSWORD, services.settings.handoff.default_team, role="officer")
    buf = io.BytesIO()
    segno.make(f"http://127.0.0.1:8080/dossiers/{code}", error="m").save(buf, kind="png", scale=8, border=4)
    scene = Image.new("RGB", (640, 480), (225, 225, 220))
    qr = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    scene.paste(qr, ((640 - qr.width) // 2, (480 - qr.height) // 2))
    video = tmp_path / "qr.y4m"
    _y4m(video, scene)

    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS + [
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}"])
        try:
            page = await (await b.new_context(permissions=["camera"])).new_page()
            await page.goto(base + "/console/login")
            await page.fill("#username", "thu")
            await page.fill("#password", PASSWORD)
            await page.click("#login")
            await page.wait_for_url("**/console")
            await page.goto(base + "/dossiers")
            await page.get_by_role("button", name="Quét mã QR").click()
            for _ in range(100):   # (wait_for_function evaluates strings, which our CSP forbids)
                if await page.evaluate("document.getElementById('scan-video').videoWidth") > 0:
                    break
                await page.wait_for_timeout(50)
            t0 = time.perf_counter()
            await page.get_by_role("button", name="Chụp", exact=True).click()
            await page.wait_for_url(f"**/dossiers/{code}")
            print(f"\ncamera frame → draft page: {(time.perf_counter() - t0) * 1000:.0f} ms")
            assert NAME in await page.inner_text("#fields")
        finally:
            await b.close()


async def test_draft_page_shows_the_status_history_on_any_device(client: Any, services: Any, browser: Any) -> None:
    """Issue 19 item 9: desk notices reach a web-chat citizen only in the browser holding the chat; the draft's
    secret page carries the status history, and the chat message says so."""
    from bot.handoff.service import AgentInfo

    base = str(client.server.make_url("/")).rstrip("/")
    sender, code, link = await walk_to_draft(client, services)
    team = services.settings.handoff.default_team
    officer = AgentInfo("thu", "Lê Thị Thu", "officer", team)
    desk = services.desk
    await desk.set_status(officer, code, "received")
    await desk.set_number(officer, code, "000.00.11.H12-261205-0042")
    await desk.set_status(officer, code, "needs_documents", "bản sao giấy chứng nhận kết hôn của cha mẹ")

    ctx = await browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")   # another phone
    page = await ctx.new_page()
    await page.goto(base + link)
    status = page.locator("#dossier-status")
    assert "cần bổ sung giấy tờ" in await status.locator("h2").inner_text()
    assert "000.00.11.H12-261205-0042" in await status.inner_text()
    items = await page.locator("#dossier-history li").all_inner_texts()
    assert "Yêu cầu bổ sung giấy tờ: bản sao giấy chứng nhận kết hôn của cha mẹ" in items[0]
    assert any("Đã tiếp nhận tại bộ phận một cửa" in i for i in items)
    assert "thu" not in " ".join(items).split()                      # the officer's account name is not shown
    await page.screenshot(path=str(SHOTS / "draft-status-390.png"))
    wrong = await ctx.new_page()                                     # the secret still guards the page
    await wrong.goto(base + link.split("?")[0] + "?t=sai")
    assert await wrong.locator("#dossier-status").count() == 0
    await ctx.close()

    got = texts(await post(client, sender, ASK))
    assert "Tình trạng hồ sơ cũng luôn được cập nhật trên trang tờ khai của bạn" in got
