"""A new request is noticed when the queue is not on screen (issue 19, console item 5): the tab title counts the
waiting requests, a sound plays only once the agent turned it on, a browser notification shows when allowed."""
from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from tests.fakes.http import post

pytestmark = pytest.mark.browser

PASSWORD = "mat-khau-an-toan-1"
# Record what the page asks of the browser (sounds started, notifications shown) without changing the page's code.
RECORDER = """
window.__beeps = 0; window.__notes = [];
const start = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...a) { window.__beeps += 1; return start.apply(this, a); };
class FakeNotification { constructor(title, o) { window.__notes.push(title + " | " + (o && o.body)); }
  static requestPermission() { return Promise.resolve("granted"); } }
FakeNotification.permission = "granted";
window.Notification = FakeNotification;
"""


def _count(title: str) -> int:
    m = re.match(r"\((\d+)\) ", title)
    return int(m.group(1)) if m else 0


async def _new_request(client: Any) -> None:
    sender = "w-" + uuid.uuid4().hex
    for text in ("tôi muốn làm giấy khai sinh cho con", "/canbo"):
        await post(client, sender, text, "web", message_id=uuid.uuid4().hex)


async def test_new_request_shows_in_title_sound_when_on_and_notification(client: Any, services: Any,
                                                                          browser: Any) -> None:
    base = str(client.server.make_url("/")).rstrip("/")
    await services.handoff.add_agent("lannoti", PASSWORD, services.settings.handoff.default_team)
    await _new_request(client)   # an older request, so the agent is on a conversation page, not the queue
    ctx = await browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    await ctx.add_init_script(RECORDER)
    page = await ctx.new_page()
    try:
        await page.goto(base + "/console/login")
        await page.fill("#username", "lannoti")
        await page.fill("#password", PASSWORD)
        await page.click("#login")
        await page.wait_for_selector("h1 >> text=Hàng chờ")
        await page.wait_for_function("() => /^\\(\\d+\\) /.test(document.title)")
        await page.screenshot(path="/tmp/console-queue.png")
        await page.locator("tr.ticket a").first.click()
        await page.wait_for_selector("#transcript")
        await page.wait_for_function("() => /^\\(\\d+\\) /.test(document.title)")
        before = _count(await page.title())
        assert before >= 1
        assert not await page.is_checked("#sound-toggle-box")   # off by default

        await _new_request(client)
        await page.wait_for_function("b => !document.title.startsWith('(' + b + ') ')", arg=before, timeout=10000)
        assert _count(await page.title()) == before + 1
        assert await page.evaluate("window.__beeps") == 0      # no sound unless asked for
        notes = await page.evaluate("window.__notes")
        assert len(notes) == 1 and notes[0].startswith("Yêu cầu mới #") and "Đăng ký khai sinh" in notes[0]

        await page.check("#sound-toggle-box")
        beeps = await page.evaluate("window.__beeps")           # the toggle plays a sample
        await _new_request(client)
        await page.wait_for_function("n => document.title.startsWith('(' + n + ') ')", arg=before + 2,
                                     timeout=10000)
        assert await page.evaluate("window.__beeps") == beeps + 1
        # The choice is remembered on the next page.
        await page.goto(base + "/console")
        assert await page.is_checked("#sound-toggle-box")
    finally:
        await ctx.close()
