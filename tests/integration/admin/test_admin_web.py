"""Admin pages over HTTP: editor validation, publish live without restart, rollback, roles, CSRF, reports."""
from __future__ import annotations

import datetime as dt
import io
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from bot.storage.handoff_models import audit
from bot.storage.models import EventRow
from bot.web.admin.auth import ADMIN_AUTH, Principal
from bot.web.admin.routes import VERSIONS
from tests.conftest import new_sender
from tests.fakes.http import talk_until as _talk_until

PID = "ho-tich.khai-sinh"
FLOW = f"flows/{PID}.yml"
ASK = "Bạn đã có Giấy chứng sinh của bệnh viện hoặc trạm y tế chưa?"
USERS = {"admin-key": Principal("an.admin", "admin", None, csrf="csrf-of-session-1"),
         "agent-key": Principal("binh.canbo", "agent", "xa-a", csrf="csrf-of-session-2")}


async def header_auth(request: Any) -> Principal | None:
    """Stand-in for the console session: the test picks the user with a header."""
    return USERS.get(request.headers.get("X-Test-User", ""))


@pytest.fixture
async def admin_client(services: Any, db_url: str) -> AsyncIterator[TestClient]:
    from sqlalchemy import delete

    from bot.admin.models import ContentVersion, TrainingExampleRow
    from bot.app import build_app

    eng = create_async_engine(db_url)
    async with eng.begin() as conn:
        await conn.execute(delete(ContentVersion))
        await conn.execute(delete(TrainingExampleRow))
    await eng.dispose()
    app = build_app(services.settings, services)
    app[ADMIN_AUTH] = header_auth
    async with TestClient(TestServer(app)) as c:
        yield c


def _csrf(html: str) -> str:
    return html.split('name="csrf-token" content="')[1].split('"')[0]


async def test_admin_edits_previews_publishes_and_rolls_back(admin_client: TestClient, services: Any) -> None:
    c = admin_client
    H = {"X-Test-User": "admin-key"}
    page = await c.get(f"/console/admin/content/{PID}", headers=H)
    assert page.status == 200
    html = await page.text()
    token = _csrf(html)
    flow_text = (await c.app[VERSIONS].current_files())[FLOW]
    assert ASK in flow_text
    assert any(ASK in s for s in await _talk_until(c, ASK)), "the citizen sees the old question first"

    # A broken edit is reported at its line, live.
    broken = flow_text.replace("steps:", "step:", 1)
    r = await c.post("/console/admin/content/validate", json={"files": {FLOW: broken}}, headers={**H, "X-CSRF-Token": token})
    problems = (await r.json())["problems"]
    assert problems and problems[0]["file"] == FLOW and problems[0]["line"] >= 1
    # Without the token nothing is accepted.
    r = await c.post("/console/admin/content/validate", json={"files": {FLOW: broken}}, headers=H)
    assert r.status == 403

    new_ask = "Bạn đã có Giấy chứng sinh (bản chính) do bệnh viện cấp chưa?"
    edited = flow_text.replace(ASK, new_ask)
    r = await c.post("/console/admin/content/validate", json={"files": {FLOW: edited}}, headers={**H, "X-CSRF-Token": token})
    assert (await r.json())["problems"] == []

    # Preview shows the draft; the live bot still says the old text.
    state: Any = None
    seen: list[str] = []
    for text in ["tôi muốn đăng ký khai sinh cho con", "Có điều khác"] + ["1"] * 6:
        r = await c.post("/console/admin/preview/turn", json={"files": {FLOW: edited}, "state": state, "text": text},
                         headers={**H, "X-CSRF-Token": token})
        data = await r.json()
        state = data["state"]
        seen += [m.get("text", "") for m in data["replies"]]
        if any(new_ask in s for s in seen):
            break
    assert any(new_ask in s for s in seen)
    assert not any(new_ask in s for s in await _talk_until(c, ASK))

    cat_text = (await c.app[VERSIONS].current_files())[f"procedures_catalog/{PID}.yml"]
    t0 = time.perf_counter()
    r = await c.post("/console/admin/content/publish", data={"csrf": token, "pid": PID, "catalog": cat_text, "flow": edited,
                                                     "message": "Nêu rõ bản chính"}, headers=H, allow_redirects=False)
    assert r.status == 303, await r.text()
    after = await _talk_until(c, new_ask)
    live_seconds = time.perf_counter() - t0
    assert any(new_ask in s for s in after), after
    assert live_seconds < 5
    vid = int(r.headers["Location"].split("/")[-1].split("?")[0])

    diff_page = await (await c.get(f"/console/admin/versions/{vid}", headers=H)).text()
    assert "bản chính" in diff_page and 'class="add"' in diff_page

    # Rollback to the files' text = publish the version before; here: publish the original, then roll back to it.
    r = await c.post("/console/admin/content/publish", data={"csrf": token, "pid": PID, "catalog": cat_text, "flow": flow_text,
                                                     "message": "Trả lại"}, headers=H, allow_redirects=False)
    original = int(r.headers["Location"].split("/")[-1].split("?")[0])
    r = await c.post(f"/console/admin/versions/{vid}/rollback", data={"csrf": token}, headers=H, allow_redirects=False)
    assert r.status == 303
    assert any(new_ask in s for s in await _talk_until(c, new_ask))
    r = await c.post(f"/console/admin/versions/{original}/rollback", data={"csrf": token}, headers=H, allow_redirects=False)
    assert any(ASK in s for s in await _talk_until(c, ASK))

    async with services.repo.engine.connect() as conn:
        actions = [r.action for r in (await conn.execute(
            select(audit.c.action).where(audit.c.actor == "an.admin").order_by(audit.c.id))).all()]
    assert actions[-4:] == ["content_published", "content_published", "content_rolled_back", "content_rolled_back"]


async def test_broken_publish_is_refused_with_the_line(admin_client: TestClient, services: Any) -> None:
    c, H = admin_client, {"X-Test-User": "admin-key"}
    token = _csrf(await (await c.get(f"/console/admin/content/{PID}", headers=H)).text())
    before = services.content.current.version
    r = await c.post("/console/admin/content/publish", data={"csrf": token, "pid": PID, "catalog": "id: [",
                                                     "message": "hỏng"}, headers=H, allow_redirects=False)
    assert r.status == 422 and "procedures_catalog/ho-tich.khai-sinh.yml, dòng 1" in await r.text()
    assert services.content.current.version == before


async def test_agents_cannot_edit_but_read_their_team_reports(admin_client: TestClient) -> None:
    c, A = admin_client, {"X-Test-User": "agent-key"}
    for path in ["/console/admin/content", f"/console/admin/content/{PID}", "/console/admin/versions", "/console/admin/misses"]:
        assert (await c.get(path, headers=A)).status == 403, path
    r = await c.get("/console/admin/content", allow_redirects=False)
    assert r.status == 302 and r.headers["Location"] == "/console/login"
    assert (await c.post("/console/admin/content/validate", json={})).status == 401
    r = await c.get("/console/admin/reports?team=someone-else", headers=A)
    assert r.status == 200 and "Tổ xa-a" in await r.text()
    r = await c.get("/console/admin/reports.xlsx?period=day", headers=A)
    assert r.status == 200
    wb = load_workbook(io.BytesIO(await r.read()))
    assert "Tổ xa-a" in wb["Tổng hợp"]["A1"].value
    r = await c.get("/console/admin/reports/tong_hop.csv", headers=A)
    assert (await r.read()).startswith(b"\xef\xbb\xbf")


async def test_admin_assigns_a_miss_group_in_one_click_and_nlu_learns(admin_client: TestClient, services: Any) -> None:
    c, H = admin_client, {"X-Test-User": "admin-key"}
    sender = new_sender()
    tag = "zq" + __import__("uuid").uuid4().hex[:6]
    odd = [f"{tag} blorf wint quaxx", f"{tag} blorff wint quax"]
    for text in odd:
        await c.post("/webhooks/rest/webhook", json={"sender": sender, "message": "/huy"})
        await c.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
    async with services.repo.engine.connect() as conn:
        rows = (await conn.execute(select(EventRow.id, EventRow.data).where(EventRow.type == "unrecognized"))).all()
    ids = sorted(r.id for r in rows if tag in str((r.data or {}).get("text", "")))
    assert len(ids) == 2, "nonsense is a miss"
    html = await (await c.get("/console/admin/misses", headers=H)).text()
    assert tag in html
    token = _csrf(html)
    group_ids = html.split(tag)[0].rsplit('name="ids" value="', 1)[1].split('"')[0]
    assert sorted(int(x) for x in group_ids.split(",")) == ids
    r = await c.post("/console/admin/misses/assign", data={"csrf": token, "ids": group_ids, "label": PID},
                     headers=H, allow_redirects=False)
    assert r.status == 303 and r.headers["Location"].endswith("assigned=2")
    assert sorted(e.text for e in services.nlu.extra_examples if tag in e.text) == sorted(odd)
    assert tag not in await (await c.get("/console/admin/misses", headers=H)).text()
    if services.nlu._training is not None:
        await services.nlu._training


async def test_admin_audit_lists_facts_and_marks_one_verified_in_the_history(admin_client: TestClient,
                                                                             services: Any, clock: Any) -> None:
    clock.now = dt.datetime(2026, 12, 6, 3, 0, tzinfo=dt.UTC)   # 25 days before the fee reduction ends
    c, H = admin_client, {"X-Test-User": "admin-key"}
    page = await c.get("/console/admin/audit", headers=H)
    assert page.status == 200
    html = await page.text()
    token = _csrf(html)
    unverified = int(html.split('<div class="warn"><b>')[1].split("<")[0])
    proc = services.content.current.procedure("can-cuoc.cap-doi-lai")
    i = next(i for i, f in enumerate(proc.legal_basis) if not f.verified)   # whichever is still unverified
    path = f"legal_basis.{i}"
    assert "Cấp, đổi, cấp lại thẻ căn cước" in html and f'name="path" value="{path}"' in html
    assert "can-cuoc-giam-50-le-phi" in html           # the contested fee reduction ends within 30 days
    cc = "procedures_catalog/can-cuoc.cap-doi-lai.yml"
    url = "https://thuvienphapluat.vn/van-ban/Nghi-dinh-70-2024-ND-CP-huong-dan-Luat-Can-cuoc-615257.aspx"
    bad = await c.post("/console/admin/audit/verify", headers=H, data={
        "csrf": token, "file": cc, "path": path, "url": "không phải đường dẫn", "owner": "can-cuoc.cap-doi-lai"})
    assert bad.status == 422 and "nguồn phải là một đường dẫn http" in await bad.text()
    assert (await c.app[VERSIONS].history()) == []                  # nothing published by a refused request
    r = await c.post("/console/admin/audit/verify", headers=H, allow_redirects=False, data={
        "csrf": token, "file": cc, "path": path, "url": url, "title": "Nghị định 70/2024/NĐ-CP",
        "owner": "can-cuoc.cap-doi-lai"})
    assert r.status == 303 and r.headers["Location"].startswith("/console/admin/audit?verified=")
    latest = (await c.app[VERSIONS].history())[0]
    assert latest.published and latest.author == "an.admin" and path in latest.message and url in latest.message
    fact = services.content.current.procedure("can-cuoc.cap-doi-lai").legal_basis[i]
    assert fact.verified and fact.sources
    after = await (await c.get(r.headers["Location"], headers=H)).text()
    assert int(after.split('<div class="warn"><b>')[1].split("<")[0]) == unverified - 1
    assert "Đã ghi nhận xác minh" in after
    versions_page = await (await c.get("/console/admin/versions", headers=H)).text()
    assert "an.admin" in versions_page and f"Xác minh {path}" in versions_page
    assert (await c.get("/console/admin/audit", headers={"X-Test-User": "agent-key"})).status == 403
    forged = await c.post("/console/admin/audit/verify", headers=H, data={"csrf": "x", "file": cc,
                                                                            "path": "legal_basis.2", "url": url})
    assert forged.status == 403


async def test_admin_edits_a_rule_end_date_and_the_bot_follows(admin_client: TestClient, services: Any) -> None:
    c, H = admin_client, {"X-Test-User": "admin-key"}
    page = await c.get("/console/admin/content/_rules", headers=H)
    assert page.status == 200
    html = await page.text()
    rules = (await c.app[VERSIONS].current_files())["procedures_catalog/_rules.yml"]
    assert "nq66-22-thuong-tru" in rules
    ended = rules.replace("valid_to: 2027-02-28", "valid_to: 2026-09-30")
    r = await c.post("/console/admin/content/publish", headers=H, allow_redirects=False, data={
        "csrf": _csrf(html), "pid": "_rules", "catalog": ended, "message": "NQ 66.22 hết hiệu lực sớm"})
    assert r.status == 303
    assert services.content.current.rules["nq66-22-thuong-tru"].valid_to.isoformat() == "2026-09-30"
    dated = rules.replace("procedures: [cu-tru.thuong-tru]", "procedures: [khong-co.thu-tuc]")
    r = await c.post("/console/admin/content/publish", headers=H, data={
        "csrf": _csrf(html), "pid": "_rules", "catalog": dated, "message": "sai"})
    assert r.status == 422 and "procedures_catalog/_rules.yml, dòng" in await r.text()


async def test_admin_filters_the_reports_page_by_commune(admin_client: TestClient, services: Any,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 21 item 4: the reports page offers the province's communes; picking one shows that commune's
    figures only, the XLSX follows the filter, and a commune from elsewhere is refused."""
    import uuid

    from sqlalchemy import insert

    from bot.handoff.communes import find_commune
    from bot.storage.models import Conversation

    monkeypatch.setattr(services.settings.content, "province", "Đắk Lắk")
    monkeypatch.setattr(services.handoff.communes, "province", "Đắk Lắk")
    tul, kar = find_commune("xã Ea Tul", "Đắk Lắk"), find_commune("xã Ea Kar", "Đắk Lắk")
    assert tul is not None and kar is not None
    at = dt.datetime(2033, 1, 5, 3, 0, tzinfo=dt.UTC)
    async with services.repo.engine.begin() as conn:
        for code, n in ((tul.code, 2), (kar.code, 3)):
            for _ in range(n):
                await conn.execute(insert(Conversation).values(channel="rest", external_id=uuid.uuid4().hex,
                                                               state={"commune": code}, created_at=at, updated_at=at))
    c, H = admin_client, {"X-Test-User": "admin-key"}
    q = "period=custom&start=2033-01-05&end=2033-01-05"
    html = await (await c.get(f"/console/admin/reports?{q}", headers=H)).text()
    assert f'<option value="{tul.code}">{tul.name}</option>' in html
    assert f"<td>{tul.name} ({tul.code})</td><td>2</td>" in html and f"<td>{kar.name} ({kar.code})</td><td>3</td>" in html
    assert "<td>Toàn tỉnh</td><td>5</td>" in html
    r = await c.get(f"/console/admin/reports?{q}&commune={tul.code}", headers=H)
    html = await r.text()
    assert r.status == 200 and f'<option value="{tul.code}" selected>' in html
    assert "<td>Cuộc trò chuyện mới</td><td>2</td>" in html and kar.name + " (" not in html
    r = await c.get(f"/console/admin/reports.xlsx?{q}&commune={kar.code}", headers=H)
    ws = load_workbook(io.BytesIO(await r.read()))["Tổng hợp"]
    assert kar.name in ws["A1"].value and ws["B4"].value == 3
    assert (await c.get(f"/console/admin/reports?{q}&commune=00000", headers=H)).status == 400
