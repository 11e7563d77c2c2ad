"""An agent's reply reaches the citizen's web chat within a second (issue 19, console item 7): the page is told by
a server-sent event instead of finding it at the next 4-second poll. Measured in the browser, console → chat."""
from __future__ import annotations

import statistics
import time
from typing import Any

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "mat-khau-an-toan-1"


async def test_agent_reply_appears_in_web_chat_within_a_second(client: Any, services: Any, browser: Any) -> None:
    base = str(client.server.make_url("/")).rstrip("/")
    h = services.handoff
    await h.add_agent("lanpush", PASSWORD, services.settings.handoff.default_team, display_name="Lan")
    cctx = await browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    actx = await browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    citizen, agent = await cctx.new_page(), await actx.new_page()
    try:
        await citizen.goto(base + "/")
        await citizen.wait_for_selector(".msg.bot >> text=trợ lý Một cửa")
        await citizen.click("#human")
        await citizen.wait_for_selector(".msg.bot >> text=Cán bộ sẽ trả lời", timeout=10000)
        sender = await citizen.evaluate("localStorage.getItem('motcua.sender')")
        cid = (await services.repo.load("web", sender)).id

        await agent.goto(base + "/console/login")
        await agent.fill("#username", "lanpush")
        await agent.fill("#password", PASSWORD)
        await agent.click("#login")
        await agent.wait_for_selector("h1 >> text=Hàng chờ")
        await agent.goto(f"{base}/console/c/{cid}")
        await agent.click("#claim")
        await agent.wait_for_selector("#ticket-status >> text=Đang xử lý")
        await citizen.wait_for_selector(".msg.bot >> text=đã tham gia", timeout=10000)
        await citizen.wait_for_timeout(1000)

        latencies = []
        for i, pause in enumerate((300, 1700, 2900, 900)):   # replies at different points of any poll cycle
            await agent.wait_for_timeout(pause)
            text = f"Trả lời số {i + 1} của cán bộ Lan"
            await agent.fill("#reply", text)
            t0 = time.perf_counter()
            await agent.click("#send")
            await citizen.locator(".msg.agent", has_text=text).wait_for(timeout=10000)
            latencies.append((time.perf_counter() - t0) * 1000)
        print(f"\nagent reply → web chat: {', '.join(f'{x:.0f}' for x in latencies)} ms "
              f"(median {statistics.median(latencies):.0f}, max {max(latencies):.0f})")
        await citizen.screenshot(path="/tmp/webchat-agent-reply.png")
        assert max(latencies) < 1000, latencies
        # Each reply is shown once (the event and the poll never both deliver it).
        assert await citizen.locator(".msg.agent", has_text="Trả lời số 1 ").count() == 1
    finally:
        await cctx.close()
        await actx.close()


async def test_without_event_source_the_chat_still_gets_the_reply_by_polling(client: Any, services: Any,
                                                                              browser: Any) -> None:
    base = str(client.server.make_url("/")).rstrip("/")
    h = services.handoff
    await h.add_agent("lanpoll", PASSWORD, services.settings.handoff.default_team, display_name="Lan")
    ctx = await browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    await ctx.add_init_script("delete window.EventSource;")   # an old browser, or a proxy that breaks streams
    citizen = await ctx.new_page()
    try:
        await citizen.goto(base + "/")
        await citizen.wait_for_selector(".msg.bot >> text=trợ lý Một cửa")
        await citizen.click("#human")
        await citizen.wait_for_selector(".msg.bot >> text=Cán bộ sẽ trả lời", timeout=10000)
        sender = await citizen.evaluate("localStorage.getItem('motcua.sender')")
        cid = (await services.repo.load("web", sender)).id
        await h.say(await h.get_agent("lanpoll"), cid, "Mình là Lan, mình nghe đây.")
        await citizen.locator(".msg.agent", has_text="Mình là Lan, mình nghe đây.").wait_for(timeout=9000)
    finally:
        await ctx.close()
