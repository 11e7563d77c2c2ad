"""The web chat in headless Chromium: a citizen on a small phone reaches the checklist by tapping."""
from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


async def test_citizen_reaches_checklist_and_fields_by_tapping_and_reload_resumes(client: Any, page: Any) -> None:
    base = str(client.server.make_url("/"))
    await page.goto(base)
    await page.wait_for_selector(".msg.bot >> text=trợ lý Một cửa")
    await page.fill("#text", "tôi muốn làm giấy khai sinh cho con")
    await page.click("#send")
    await page.wait_for_selector(".msg.bot >> text=Đăng ký khai sinh")
    for _ in range(10):
        if await page.locator(".msg.bot", has_text="Bước 1/").count():
            break
        await page.locator(".chips .chip").first.click()
        await page.wait_for_timeout(150)
    await page.wait_for_selector(".msg.bot >> text=Bước 1/")
    chips = await page.locator(".chips .chip").all_inner_texts()
    assert chips == ["Có", "Chưa có", "Giấy này là gì?", "Có đủ cả 2 giấy"]
    await page.locator(".chips .chip", has_text="Giấy này là gì?").click()
    await page.wait_for_selector(".msg.bot >> text=Giấy do bệnh viện")   # Bước 1 is the giấy chứng sinh: the tờ khai is the draft
    for _ in range(10):
        if await page.locator(".msg.bot", has_text="Họ và tên đầy đủ của bạn").count():
            break
        await page.locator(".chips .chip", has_text="Có").first.click()
        await page.wait_for_timeout(150)
    await page.wait_for_selector(".msg.bot >> text=Họ và tên đầy đủ của bạn")
    # A script typed by a citizen stays text on the page.
    await page.fill("#text", "<img src=x onerror=window.__xss=1>Nguyễn Văn An")
    await page.click("#send")
    await page.wait_for_selector(".msg.me >> text=Nguyễn Văn An")
    assert await page.evaluate("window.__xss === undefined")
    # Reload: the conversation so far is shown again and continues where it stopped.
    count = await page.locator(".msg").count()
    await page.reload()
    await page.wait_for_selector(".msg.bot >> text=Họ và tên đầy đủ của bạn")
    assert await page.locator(".msg").count() >= count - 1

