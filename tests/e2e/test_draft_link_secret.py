"""The draft link's token reaches the citizen but is never kept: after a draft is made, no row of any table holds
it (only its hash, in drafts.token_hash), on a pull channel (REST) and a push channel (Zalo Bot, via the outbox
worker), and the link the citizen received opens the draft."""
from __future__ import annotations

import re
from typing import Any

from bot.dossier.service import TOKEN_MASK, hash_token
from tests.e2e.test_zalo_bot import Zb, zb  # noqa: F401  (the Zalo Bot fixture, with its fake API)
from tests.fakes.driver import walk_to_review
from tests.integration.dossier.test_desk import NAME, walk_to_draft


async def tables_holding(engine: Any, secret: str) -> list[str]:
    """Every table.column whose stored value contains ``secret`` (all tables of the schema, every row)."""
    from sqlalchemy import select

    import bot.admin.models  # every model module, so the metadata lists every table
    import bot.storage.assist_models
    import bot.storage.desk_models
    import bot.storage.handoff_models  # noqa: F401
    from bot.storage.models import TABLES

    found = []
    async with engine.connect() as conn:
        for table in TABLES.sorted_tables:
            for row in await conn.execute(select(table)):
                found += [f"{table.name}.{k}" for k, v in row._mapping.items() if secret in repr(v)]
    return found


async def test_rest_draft_link_token_is_delivered_but_stored_nowhere(client: Any, services: Any) -> None:
    sender, code, link = await walk_to_draft(client, services)
    token = link.split("?t=", 1)[1]
    page = await client.get(link)
    assert page.status == 200 and NAME in await page.text()
    pdf = await client.get(link.replace("?t=", ".pdf?t="))
    assert pdf.status == 200 and pdf.content_type == "application/pdf"
    assert await tables_holding(services.repo.engine, token) == []
    assert await tables_holding(services.repo.engine, hash_token(token)) == ["drafts.token_hash"]
    # What the transcript shows (console, the web chat's history) names the draft, with the token masked.
    row = await services.repo.load("rest", sender)
    outs = [e.text for e in await services.repo.transcript(row.id) if e.direction == "out"]
    assert any(code in t and TOKEN_MASK in t for t in outs)


async def test_push_channel_draft_link_token_is_delivered_but_stored_nowhere(zb: Zb, content: Any) -> None:  # noqa: F811
    await walk_to_review(content, zb.state, zb.tap, zb.say)
    await zb.tap("/xacnhan")
    links = re.findall(r"http://testserver(/d/[A-Z0-9-]+(?:\.pdf)?\?t=([\w-]+))", zb.texts())
    assert len(links) == 2, zb.texts()          # the PDF link and the view link, each with the same token
    token = links[0][1]
    for path, _ in links:
        r = await zb.client.get(path)
        assert r.status == 200, path
    assert await zb.services.repo.pending_push(["zalo_bot"], zb.services.clock()) == []
    assert await tables_holding(zb.services.repo.engine, token) == []


async def test_web_chat_history_delivers_a_link_still_pending_with_its_token(client: Any, services: Any) -> None:
    """A draft link not yet taken by a request (a crash in between) still reaches the citizen on reload."""
    from tests.conftest import new_sender

    sender = new_sender()
    r = await client.post("/webchat/api/send", json={"sender": sender, "message": "xin chào"})
    assert r.status == 200
    row = await services.repo.load("web", sender)
    secret = {"kind": "text", "text": "Xem lại hồ sơ KS-1 tại: http://testserver/d/KS-1?t=tok-123"}
    async with services.repo.engine.begin() as conn:
        await services.repo.add_outbox(conn, row.id, "web", sender, [secret], services.clock(),
                                       masked=[{**secret, "text": secret["text"].replace("tok-123", TOKEN_MASK)}])
    entries = (await (await client.get(f"/webchat/api/history?sender={sender}")).json())["entries"]
    said = [e["message"].get("text", "") for e in entries if e["direction"] == "out"]
    assert sum("t=tok-123" in t for t in said) == 1 and sum(TOKEN_MASK in t for t in said) == 1
    assert await tables_holding(services.repo.engine, "tok-123") == []
    again = (await (await client.get(f"/webchat/api/history?sender={sender}")).json())["entries"]
    assert not any("tok-123" in e["message"].get("text", "") for e in again if e["direction"] == "out")
