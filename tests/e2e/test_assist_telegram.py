"""A draft made at the desk, claimed on Telegram: the claim's answer and the desk's later status notice are pushed
to the citizen's Telegram chat (python-telegram-bot against the local fake Bot API)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.handoff.service import AgentInfo
from bot.storage.repo import drafts
from tests.e2e.test_telegram import Tg, fake, tg  # noqa: F401  (fixtures)
from tests.fakes.driver import walk_to_review

PHONE = "0912345678"


async def test_desk_draft_claimed_on_telegram_gets_status_notices(tg: Tg, content: Any) -> None:  # noqa: F811
    svc = tg.services
    tg.services.channels["telegram"].documents = None
    assist = svc.assist
    officer = AgentInfo("lan", "Nguyễn Thị Lan", "officer", svc.settings.handoff.default_team)
    cid = await assist.start(officer, "Nguyễn Thị Hoa", "0912 345 678")
    n = iter(range(10_000))

    async def state() -> dict[str, Any]:
        return (await svc.repo.load_by_id(cid)).state

    async def tap(payload: str) -> None:
        await assist.say(officer, cid, "", payload, f"m{next(n)}")

    async def say(text: str) -> None:
        await assist.say(officer, cid, text, None, f"m{next(n)}")

    await walk_to_review(content, state, tap, say)
    await tap("/xacnhan")
    async with svc.repo.engine.connect() as conn:
        code = (await conn.execute(select(drafts.c.code).where(drafts.c.conversation_id == cid))).scalar()
    assert code

    await tg.say(f"/nhan {code}")
    assert "số điện thoại" in tg.texts()
    await tg.say("0912 345 679")
    assert "không khớp" in tg.texts()
    await tg.say(f"/nhan {code}")
    await tg.say(PHONE)
    assert f"Đã nhận hồ sơ {code}" in tg.texts()
    conv = (await svc.repo.load("telegram", str(tg.chat))).id
    async with svc.repo.engine.connect() as conn:
        assert (await conn.execute(select(drafts.c.conversation_id).where(drafts.c.code == code))).scalar() == conv

    await svc.desk.set_status(officer, code, "received")
    await svc.push.flush()   # as the other Telegram tests do for messages written outside a turn
    assert f"{code}" in tg.texts().rsplit("Đã nhận hồ sơ", 1)[1]
    assert "tiếp nhận" in tg.texts().rsplit("Đã nhận hồ sơ", 1)[1]
    # The officer's transcript says where the draft went.
    assert any("Telegram" in (t.text or "") for t in await svc.repo.transcript(cid))
