"""An admin labels a miss group with a conversational intent ("cảm ơn"), not a procedure: it is offered in the
page, accepted, and becomes training data (it answered 503 before: ``intent_ids`` is a property)."""
from __future__ import annotations

import uuid
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.storage.models import EventRow
from tests.conftest import new_sender
from tests.integration.admin.test_admin_web import _csrf, admin_client  # noqa: F401  admin_client: fixture


async def test_a_miss_group_can_be_labelled_with_an_intent(admin_client: TestClient, services: Any) -> None:  # noqa: F811
    c, H = admin_client, {"X-Test-User": "admin-key"}
    tag = "zq" + uuid.uuid4().hex[:6]
    odd = f"{tag} grazzie mille blorf"
    sender = new_sender()
    await c.post("/webhooks/rest/webhook", json={"sender": sender, "message": odd})
    async with services.repo.engine.connect() as conn:
        rows = (await conn.execute(select(EventRow.id, EventRow.data).where(EventRow.type == "unrecognized"))).all()
    ids = [r.id for r in rows if tag in str((r.data or {}).get("text", ""))]
    assert ids, "nonsense is a miss"
    html = await (await c.get("/console/admin/misses", headers=H)).text()
    assert '<option value="thanks"' in html and "Câu giao tiếp" in html   # the admin can pick the intent
    r = await c.post("/console/admin/misses/assign", headers=H, allow_redirects=False,
                     data={"csrf": _csrf(html), "ids": ",".join(map(str, ids)), "label": "thanks"})
    assert r.status == 303 and r.headers["Location"].endswith(f"assigned={len(ids)}")
    assert [e.label for e in services.nlu.extra_examples if tag in e.text] == ["thanks"]
    bad = await c.post("/console/admin/misses/assign", headers=H, allow_redirects=False,
                       data={"csrf": _csrf(html), "ids": ",".join(map(str, ids)), "label": "no-such-label"})
    assert bad.status == 400 and "Nhãn không hợp lệ" in await bad.text()
    if services.nlu._training is not None:
        await services.nlu._training
