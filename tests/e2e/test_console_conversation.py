"""The console's conversation page as a new volunteer uses it (issue 19, console items 1–4 and 6), at 1366×768:
a reply typed before claiming is sent (and claims), a refused action keeps the typed text, nothing reloads the
page, the transcript opens at the newest message, only the actions that fit the ticket show, the transcript reads
like the citizen's screen (button titles, questions) and times are Vietnam time."""
from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.fakes.http import post

pytestmark = pytest.mark.browser

PASSWORD = "mat-khau-an-toan-1"


async def _citizen_asks_for_agent(client: Any, sender: str, chatter: int = 0) -> int:
    """A web-chat citizen picks khai sinh, taps the first answer button, chats a little and asks for a person."""
    async def send(text: str) -> list[dict[str, Any]]:
        return await post(client, sender, text, "web", message_id=uuid.uuid4().hex)

    got = await send("tôi muốn làm giấy khai sinh cho con")
    for _ in range(4):   # tap the first offered button until a question step (/tl …) was answered
        payload = next((b["payload"] for m in got for b in m.get("buttons", ())), None)
        assert payload
        got = await send(payload)
        if payload.startswith("/tl "):
            break
    for i in range(chatter):
        await send(f"câu hỏi thêm số {i + 1} của tôi")
    await send("/canbo")
    row = await _services(client).repo.load("web", sender)
    return int(row.id)


def _services(client: Any) -> Any:
    from bot.app import SERVICES

    return client.server.app[SERVICES]


async def _agent_page(client: Any, browser: Any, username: str) -> tuple[Any, Any]:
    base = str(client.server.make_url("/")).rstrip("/")
    h = _services(client).handoff
    await h.add_agent(username, PASSWORD, _services(client).settings.handoff.default_team,
                      display_name=f"Cán bộ {username}")
    ctx = await browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    page = await ctx.new_page()
    await page.goto(base + "/console/login")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("#login")
    await page.wait_for_selector("h1 >> text=Hàng chờ")
    return ctx, page


async def test_reply_before_claim_claims_and_a_refused_reply_keeps_the_text(client: Any, browser: Any) -> None:
    cid = await _citizen_asks_for_agent(client, "w-" + uuid.uuid4().hex)
    ctx, agent = await _agent_page(client, browser, "lan1")
    try:
        await agent.goto(str(client.server.make_url(f"/console/c/{cid}")))
        await agent.fill("#reply", "Chào bạn, mình là cán bộ Lan.")
        await agent.click("#send")
        # Sent and claimed in one go, no error, and the box is free for the next reply.
        await agent.wait_for_selector("#transcript .msg.agent >> text=mình là cán bộ Lan", timeout=10000)
        await agent.wait_for_selector("#ticket-status >> text=Đang xử lý")
        assert await agent.input_value("#reply") == ""
        assert not await agent.locator("#alert").is_visible()

        # A second conversation is taken by another agent while Lan's page is open: her reply is refused,
        # she is told why, and what she typed is still there.
        cid2 = await _citizen_asks_for_agent(client, "w-" + uuid.uuid4().hex)
        await agent.goto(str(client.server.make_url(f"/console/c/{cid2}")))
        long_text = "Bạn chờ mình kiểm tra lại giấy chứng sinh nhé, mình trả lời ngay."
        await agent.fill("#reply", long_text)
        h = _services(client).handoff
        await h.add_agent("minh1", PASSWORD, _services(client).settings.handoff.default_team)
        await h.claim(await h.get_agent("minh1"), cid2)
        await agent.wait_for_timeout(300)
        await agent.click("#send")
        await agent.wait_for_selector("#alert >> text=Cán bộ khác đang xử lý")
        assert await agent.input_value("#reply") == long_text
        texts = [t.text for t in await _services(client).repo.transcript(cid2)]
        assert long_text not in texts
    finally:
        await ctx.close()


async def test_actions_do_not_reload_and_transcript_opens_at_newest_and_follows(client: Any, browser: Any) -> None:
    sender = "w-" + uuid.uuid4().hex
    cid = await _citizen_asks_for_agent(client, sender, chatter=12)
    ctx, agent = await _agent_page(client, browser, "lan2")
    try:
        await agent.goto(str(client.server.make_url(f"/console/c/{cid}")))
        last = agent.locator("#transcript li").last
        await last.wait_for()
        # The newest message (the request for a person) is on screen without scrolling.
        assert await agent.evaluate(
            "(() => { const l = document.getElementById('transcript');"
            " return l.scrollHeight > l.clientHeight && l.scrollTop + l.clientHeight >= l.scrollHeight - 2; })()")
        await agent.evaluate("window.__same_page = 1")
        await agent.click("#claim")
        await agent.wait_for_selector("#ticket-status >> text=Đang xử lý")
        await agent.fill("form[data-action=note] textarea", "gọi lại sau 15 giờ")
        await agent.click("form[data-action=note] button")
        await agent.wait_for_selector("#notes >> text=gọi lại sau 15 giờ")
        await agent.fill("#reply", "Mình đã nhận yêu cầu của bạn.")
        await agent.click("#send")
        await agent.wait_for_selector("#transcript >> text=Mình đã nhận yêu cầu của bạn.")
        assert await agent.evaluate("window.__same_page") == 1   # no navigation happened
        # A new citizen message appears live and is scrolled into view.
        await client.post("/webchat/api/send", json={"sender": sender, "message": "cảm ơn cán bộ ạ",
                                                     "message_id": uuid.uuid4().hex})
        await agent.wait_for_selector("#transcript >> text=cảm ơn cán bộ ạ", timeout=10000)
        await agent.wait_for_timeout(100)
        assert await agent.locator("#transcript li", has_text="cảm ơn cán bộ ạ").is_visible()
        assert await agent.evaluate(
            "(() => { const l = document.getElementById('transcript');"
            " return l.scrollTop + l.clientHeight >= l.scrollHeight - 2; })()")
        await agent.screenshot(path="/tmp/console-conversation.png")
    finally:
        await ctx.close()


async def test_only_actions_that_fit_the_ticket_state_show(client: Any, browser: Any) -> None:
    cid = await _citizen_asks_for_agent(client, "w-" + uuid.uuid4().hex)
    ctx, agent = await _agent_page(client, browser, "lan3")
    try:
        await agent.goto(str(client.server.make_url(f"/console/c/{cid}")))
        # Waiting: claim, reply, note, close — not return to the bot, transfer or edit a field.
        assert await agent.locator("#claim").is_visible()
        assert await agent.locator("#close").is_visible()
        for gone in ("#return", "#transfer", "form[data-action=field]"):
            assert await agent.locator(gone).count() == 0, gone
        await agent.click("#claim")
        # Claimed by me: no claim any more; return (at a step), set a field, close.
        await agent.wait_for_selector("#return")
        assert await agent.locator("#claim").count() == 0
        assert await agent.locator("form[data-action=field]").is_visible()
        assert await agent.locator("#close").is_visible()
    finally:
        await ctx.close()


async def test_transcript_shows_what_the_citizen_saw_in_vietnam_time(client: Any, browser: Any) -> None:
    cid = await _citizen_asks_for_agent(client, "w-" + uuid.uuid4().hex)
    ctx, agent = await _agent_page(client, browser, "lan4")
    try:
        await agent.goto(str(client.server.make_url(f"/console/c/{cid}")))
        texts = await agent.locator("#transcript .msg.citizen .text").all_inner_texts()
        assert texts and not [t for t in texts if t.startswith("/")], texts
        assert "Gặp cán bộ" in texts
        # The question step the citizen answered is shown by its question, not its id.
        await agent.click("#claim")
        await agent.wait_for_selector("#return-step")
        options = await agent.locator("#return-step option").all_inner_texts()
        row = await _services(client).repo.load_by_id(cid)
        flow = _services(client).content.current.flow(row.state["procedure_id"])
        ids = {s.id for s in flow.steps}
        assert all(not any(o.startswith(i) or f"{i} — " in o for i in ids) for o in options), options
        step = await agent.text_content("#step")
        assert step and step.strip() not in ids
        # 03:00 UTC (the test clock) is 10:00 in Hà Nội.
        times = await agent.locator("#transcript .at").all_inner_texts()
        assert times and all(t == "10:00 24/11" for t in times), times[:3]
        assert "03:00" not in await agent.inner_text("#transcript")
        await agent.screenshot(path="/tmp/console-transcript.png")
    finally:
        await ctx.close()
