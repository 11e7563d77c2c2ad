"""Issue 16 item 12 in headless Chromium at 390x844: after a reload the citizen's taps read as the buttons they
saw, links in the chat are real links (only http(s) and the site's own pages), and the secret draft page fits a
phone and offers "Tải PDF"."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import new_sender
from tests.e2e.test_all_procedures import CONTENT
from tests.fakes.http import HttpCitizen

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PID = "ho-tich.khai-sinh"


async def walk_web_to_draft(client: Any, services: Any, sender: str) -> str:
    """The web chat's API from a request to a confirmed draft, tapping button payloads; returns the chat text."""
    citizen = HttpCitizen(client, services, sender, channel="web")
    await citizen.say("/start")
    w = await citizen.walk(CONTENT.procedures[PID], CONTENT.flows[PID], start="tôi muốn làm giấy khai sinh cho con",
                           limit=120)
    return "\n".join(m.get("text", "") for m in w.replies)


async def test_reload_shows_button_titles_and_links_are_safe_links(client: Any, services: Any, browser: Any) -> None:
    sender = new_sender()
    said = await walk_web_to_draft(client, services, sender)
    m = re.search(r"http://testserver(/d/([A-Z]{2,3}-[0-9A-Z]{6})\?t=([\w-]+))", said)
    assert m, said
    ctx = await browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    page = await ctx.new_page()
    await page.add_init_script(f"localStorage.setItem('motcua.sender', {sender!r})")
    await page.goto(str(client.server.make_url("/")))
    await page.wait_for_selector(".msg.bot >> text=Xem lại hồ sơ")
    mine = await page.locator(".msg.me").all_inner_texts()
    assert not [t for t in mine if t.startswith("/")], mine          # was "/tl born_in_vn yes", "/giayto co"…
    assert "Đúng cả" in mine and "Chỉ làm khai sinh" in mine and mine[-1].startswith("Xác nhận"), mine
    for button in ("#human", "#restart"):   # the header buttons keep one line each on this phone
        box = await page.locator(button).bounding_box()
        assert box is not None and box["height"] <= 50, (button, box)
    # The privacy page and the draft link are links; a command such as /xoadulieu stays text.
    privacy = page.locator(".msg.bot a", has_text="/privacy").first
    assert await privacy.get_attribute("href") == str(client.server.make_url("/privacy"))
    assert await page.locator(".msg.bot a", has_text="/xoadulieu").count() == 0
    # The draft link's secret is never kept (only its hash): after a reload the history shows it masked, and the
    # page holds no trace of the token; the citizen has the link from the message they received.
    assert await page.locator(".msg.bot", has_text="(đã ẩn)").count() >= 1
    assert m.group(3) not in await page.content()
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / "webchat-after-reload-390x844.png"))

    # The secret draft page on the same phone.
    await page.goto(str(client.server.make_url(m.group(1))))
    assert await page.locator('meta[name="viewport"]').count() == 1
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    qr = await page.locator(".codebox").bounding_box()
    title = await page.locator("section.form h1").bounding_box()
    assert qr["y"] + qr["height"] <= title["y"], (qr, title)            # the QR sits above the title, not over it
    pdf = page.locator("a", has_text="Tải PDF")
    assert await pdf.get_attribute("href") == f"/d/{m.group(2)}.pdf?t={m.group(3)}"
    resp = await page.request.get(str(client.server.make_url(f"/d/{m.group(2)}.pdf?t={m.group(3)}")))
    assert resp.status == 200 and (await resp.body())[:4] == b"%PDF"
    await page.screenshot(path=str(SHOTS / "draft-page-390x844.png"))
    await page.screenshot(path=str(SHOTS / "draft-page-390x844-full.png"), full_page=True)
    await ctx.close()


async def test_only_http_and_same_site_links_are_made(client: Any, page: Any) -> None:
    """Text from an officer can carry anything; only http(s) and the site's own pages become links."""
    # Feed a crafted agent message through the page's own renderer (the poll path). The route is in place before
    # the page loads: with the live stream open the page polls once when it opens, then only every 20 s.
    await page.route("**/webchat/api/poll*", lambda route: route.fulfill(json=[{
        "recipient_id": "x", "custom": {"sender": "agent"},
        "text": "Xem javascript:alert(1) và <img src=x onerror=window.__xss=1> tại https://dichvucong.gov.vn/p, "
                "data:text/html,hi hoặc //evil.example/x hoặc /d/KS-1?t=a\"onmouseover=alert(1)."}]))
    await page.goto(str(client.server.make_url("/")))
    await page.wait_for_selector(".msg.bot")
    await page.wait_for_selector(".msg.agent", timeout=10000)
    links = await page.locator(".msg.agent a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert links[0] == "https://dichvucong.gov.vn/p"
    assert all(h.startswith(("https://dichvucong.gov.vn", str(page.url).rstrip("/"))) for h in links), links
    assert not any("javascript" in h or "evil" in h or h.startswith("data:") for h in links), links
    assert await page.locator(".msg.agent img").count() == 0
    assert await page.evaluate("window.__xss === undefined")
