"""The console in headless Chromium: a web-chat citizen asks for a person, an agent sees it appear live,
claims it, replies, and returns the conversation to the bot at a chosen step."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "mat-khau-an-toan-1"


async def test_citizen_to_agent_and_back_to_bot(client: Any, services: Any, browser: Any) -> None:
    base = str(client.server.make_url("/")).rstrip("/")
    await services.handoff.add_agent("lan", PASSWORD, services.settings.handoff.default_team,
                                               display_name="Nguyễn Thị Lan")
    citizen_ctx = await browser.new_context(viewport={"width": 390, "height": 780}, locale="vi-VN")
    agent_ctx = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    citizen, agent = await citizen_ctx.new_page(), await agent_ctx.new_page()
    try:
        # The agent is logged in and watching the queue before the request exists.
        await agent.goto(base + "/console/login")
        await agent.fill("#username", "lan")
        await agent.fill("#password", PASSWORD)
        await agent.click("#login")
        await agent.wait_for_selector("h1 >> text=Hàng chờ")
        await agent.wait_for_timeout(300)  # the event stream is open
        # Other tests of this session may have left requests in the shared queue: this one is the new row.
        old = set(await agent.locator("tr.ticket").evaluate_all("rs => rs.map(r => r.dataset.id)"))

        await citizen.goto(base + "/")
        await citizen.wait_for_selector(".msg.bot >> text=trợ lý Một cửa")
        await citizen.fill("#text", "tôi muốn làm giấy khai sinh cho con")
        await citizen.click("#send")
        await citizen.wait_for_selector(".msg.bot >> text=Đăng ký khai sinh")
        await citizen.fill("#text", "<b>cho tôi gặp cán bộ</b>")
        t0 = time.perf_counter()
        await citizen.click("#send")

        # Appears without reloading the console.
        await agent.wait_for_function("n => document.querySelectorAll('tr.ticket').length > n", arg=len(old),
                                      timeout=10000)
        shown_ms = (time.perf_counter() - t0) * 1000
        print(f"\nrequest → console display: {shown_ms:.0f} ms")
        ids = await agent.locator("tr.ticket").evaluate_all("rs => rs.map(r => r.dataset.id)")
        cid = next(i for i in ids if i not in old)
        row = agent.locator(f'tr.ticket[data-id="{cid}"]')
        assert await row.locator("td", has_text="Đăng ký khai sinh").count() == 1
        await row.locator("a").click()

        await agent.click("#claim")
        await agent.wait_for_selector("#ticket-status >> text=Đang xử lý")
        # The transcript so far, escaped: the citizen's markup is text.
        await agent.wait_for_selector("#transcript .msg.citizen >> text=<b>cho tôi gặp cán bộ</b>")
        assert await agent.locator("#transcript b").count() == 0
        assert await agent.text_content("#procedure") == "Đăng ký khai sinh"
        # A value the bot would refuse is refused with the reason, in place, and nothing is stored.
        await agent.select_option("select[name=field]", value="child_birth_date")
        await agent.fill("input[name=value]", "31/02/2020")
        await agent.click("form[action$='/field'] button")
        await agent.wait_for_selector("text=Chưa sửa được")
        shots = Path(tempfile.gettempdir()) / "motcua-screenshots"
        shots.mkdir(exist_ok=True)
        await agent.set_viewport_size({"width": 1366, "height": 768})
        await agent.screenshot(path=str(shots / "console-field-refused-1366.png"))
        await agent.set_viewport_size({"width": 1280, "height": 900})
        assert await agent.locator("#fields", has_text="2020").count() == 0
        # The agent corrects a field; the fields table shows it.
        await agent.select_option("select[name=field]", index=0)
        await agent.fill("input[name=value]", "Trần Văn Bình")
        await agent.click("form[action$='/field'] button")
        await agent.wait_for_selector("#fields >> text=Trần Văn Bình")

        await agent.fill("#reply", "Chào bạn, mình là cán bộ Lan. Bạn cần hỗ trợ gì?")
        await agent.click("#send")
        await citizen.wait_for_selector(".msg.agent >> text=mình là cán bộ Lan", timeout=10000)

        # The citizen answers; it shows live on the agent's page.
        await citizen.fill("#text", "bé sinh ở bệnh viện huyện ạ")
        await citizen.click("#send")
        await agent.wait_for_selector("#transcript >> text=bé sinh ở bệnh viện huyện ạ", timeout=10000)

        option = agent.locator("#return-step option").nth(2)   # a later step than the one reached
        step = await option.get_attribute("value")
        question = (await option.inner_text()).split(": ", 1)[1][:40]
        assert step and question
        await agent.select_option("#return-step", step)
        await agent.click("#return")
        await agent.wait_for_selector("h1 >> text=Hàng chờ")
        await citizen.wait_for_selector(".msg.bot >> text=chuyển bạn lại cho trợ lý", timeout=10000)
        # The bot asks for a 1–5 rating, then resumes at the chosen step.
        await citizen.wait_for_selector(".msg.bot >> text=Bạn đánh giá sự hỗ trợ vừa rồi thế nào", timeout=10000)
        await citizen.locator(".chips .chip", has_text="5").last.click()
        await citizen.wait_for_selector(".msg.bot >> text=Cảm ơn bạn đã đánh giá")
        await citizen.locator(".msg.bot", has_text=question).last.wait_for(timeout=10000)
        agent_view = await services.handoff.conversation(await services.handoff.get_agent("lan"),
                                                                   int(cid))
        assert agent_view["step_id"] == step
        audit = [(a.actor, a.action) for a in await services.handoff.audit_log()]
        assert ("lan", "claim") in audit and ("lan", "message") in audit and ("lan", "return") in audit
        assert ("lan", "field_edit") in audit
        assert shown_ms < 5000
    finally:
        await citizen_ctx.close()
        await agent_ctx.close()
