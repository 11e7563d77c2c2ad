"""The console without JavaScript (plain form posts) keeps the same promises as with it (issue 19, item 1):
a reply to an unclaimed conversation claims it and is delivered; a refused reply comes back in the reply box."""
from __future__ import annotations

import html
from typing import Any

from tests.conftest import new_sender
from tests.integration.handoff.test_console_flow import conv_id, login, rest


async def test_form_reply_claims_and_a_refused_one_is_kept(client: Any, services: Any) -> None:
    sender = new_sender()
    await rest(client, sender, "tôi muốn làm giấy khai sinh cho con")
    await rest(client, sender, "/canbo")
    cid = await conv_id(services, sender)
    h = services.handoff
    await login(client, services, "minhnojs", "mac-dinh")
    csrf = await login(client, services, "lannojs", "mac-dinh")
    r = await client.post(f"/console/c/{cid}/say", data={"csrf": csrf, "text": "Chào bạn, mình là Lan."},
                          allow_redirects=False)
    assert r.status == 302
    view = await h.conversation(await h.get_agent("lannojs"), cid)
    assert view["ticket"]["status"] == "claimed" and view["ticket"]["claimed_by"] == "lannojs"
    assert "Chào bạn, mình là Lan." in [t.text for t in await services.repo.transcript(cid)]

    # Another conversation, taken by Minh: Lan's reply is refused, explained, and her text is in the box again.
    sender2 = new_sender()
    await rest(client, sender2, "/canbo")
    cid2 = await conv_id(services, sender2)
    await h.claim(await h.get_agent("minhnojs"), cid2)
    typed = "Mình kiểm tra giấy chứng sinh <ngay> nhé"
    r = await client.post(f"/console/c/{cid2}/say", data={"csrf": csrf, "text": typed}, allow_redirects=False)
    page = await r.text()
    assert r.status == 403
    assert "Cán bộ khác đang xử lý" in page
    box = page.split('id="reply"', 1)[1].split("</textarea>", 1)[0]
    assert html.unescape(box.split(">", 1)[1]) == typed
    assert typed not in [t.text for t in await services.repo.transcript(cid2)]
