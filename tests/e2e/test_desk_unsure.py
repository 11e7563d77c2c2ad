"""The desk in headless Chromium at 1366x768: a value the citizen typed without diacritics and did not confirm
is visibly marked on its row (issue 16, item 1)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.integration.dossier.test_desk import PASSWORD
from tests.integration.dossier.test_plain_typing import _walk_plain

pytestmark = pytest.mark.browser


async def test_the_desk_marks_the_unconfirmed_value(client: Any, services: Any, browser: Any, tmp_path: Path) -> None:
    base = str(client.server.make_url("/")).rstrip("/")
    code, _, _ = await _walk_plain(client, services)
    await services.handoff.add_agent("thu", PASSWORD, services.settings.handoff.default_team,
                                     role="officer", display_name="Lê Thị Thu")
    ctx = await browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    page = await ctx.new_page()
    try:
        await page.goto(base + f"/dossiers/{code}")
        await page.fill("#username", "thu")
        await page.fill("#password", PASSWORD)
        await page.click("#login")
        await page.wait_for_url(f"**/dossiers/{code}", wait_until="load")
        marked = page.locator("tr.field.is-unsure")
        assert await marked.count() == 1
        assert await marked.get_attribute("data-id") == "requester_name"
        badge = marked.locator(".unsure")
        assert await badge.is_visible() and "chưa xác nhận" in await badge.inner_text()
        assert await page.locator("#unsure-note").is_visible()
        shot = Path(os.environ.get("MOTCUA_SHOT_DIR", str(tmp_path))) / "desk-unsure-1366.png"
        await page.screenshot(path=str(shot))
    finally:
        await ctx.close()
