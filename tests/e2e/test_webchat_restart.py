"""The web chat's "Làm lại" header button, in headless Chromium on a small phone (issue 16 item 8): with answers
given it asks before erasing, a second tap asks again, "Tiếp tục" keeps the place and "quay lại" still undoes."""
from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

ERASE_QUESTION = "Xóa các câu bạn đã trả lời và làm lại từ đầu?"


async def _last_bot(page: Any) -> str:
    return (await page.locator(".msg.bot").last.inner_text()).strip()


async def test_the_restart_button_asks_before_erasing_and_back_still_works(client: Any, page: Any) -> None:
    await page.goto(str(client.server.make_url("/")))
    await page.wait_for_selector(".msg.bot >> text=trợ lý Một cửa")
    await page.fill("#text", "tôi muốn làm giấy khai sinh cho con")
    await page.click("#send")
    await page.wait_for_selector(".msg.bot >> text=Đăng ký khai sinh")
    await page.wait_for_selector(".chips .chip")
    first_question = await _last_bot(page)
    await page.locator(".chips .chip").first.click()          # one answer given
    await page.wait_for_function("(q) => { const m = [...document.querySelectorAll('.msg.bot')];"
                                 " return m.length && m[m.length - 1].innerText.trim() !== q; }", arg=first_question)
    second_question = await _last_bot(page)

    await page.click("#restart")
    await page.wait_for_selector(f".msg.bot >> text={ERASE_QUESTION}")
    assert await page.locator(".chips .chip").all_inner_texts() == ["Bắt đầu lại", "Tiếp tục"]
    assert await page.locator(".msg.bot >> text=Đã hủy").count() == 0     # nothing erased by the tap
    await page.click("#restart")                                          # tapped again: asked again, not erased
    await page.wait_for_function("(q) => [...document.querySelectorAll('.msg.bot')]"
                                 ".filter(m => m.innerText.includes(q)).length === 2", arg=ERASE_QUESTION)
    assert await page.locator(".msg.bot >> text=Đã hủy").count() == 0

    await page.locator(".chips .chip", has_text="Tiếp tục").click()
    await page.wait_for_selector(".msg.bot >> text=Mình tiếp tục nhé.")
    await page.fill("#text", "quay lại")
    await page.click("#send")
    await page.wait_for_selector(".msg.bot >> text=Quay lại câu trước.")
    await page.wait_for_function("(q) => { const m = [...document.querySelectorAll('.msg.bot')];"
                                 " return m[m.length - 1].innerText.trim() === q; }", arg=first_question)
    assert second_question != first_question

    await page.click("#restart")
    await page.wait_for_selector(".chips .chip >> text=Bắt đầu lại")
    await page.locator(".chips .chip", has_text="Bắt đầu lại").click()
    await page.wait_for_selector(".msg.bot >> text=Đã hủy")
    await page.screenshot(path="/tmp/r16-restart.png")
    # The transcript shows what the citizen tapped, never a payload.
    mine = await page.locator(".msg.me").all_inner_texts()
    assert not any(t.strip().startswith("/") for t in mine), mine
