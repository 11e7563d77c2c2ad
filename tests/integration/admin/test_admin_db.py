"""Publish/rollback, misses → training examples and report figures against a seeded DB (SQLite and PostgreSQL)."""
from __future__ import annotations

import asyncio
import datetime as dt
import io
import uuid
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, select

from bot.admin.export import report_xlsx
from bot.admin.misses import Misses
from bot.admin.reports import Period, build_report
from bot.admin.versions import ContentVersions
from bot.content.yamlsrc import ContentErrors
from bot.runtime.content import ContentStore
from bot.runtime.pubsub import MemoryPubSub
from bot.storage.models import Conversation, Draft, EventRow
from tests.unit.admin.conftest import PID, ROOT, small_files

UTC = dt.UTC


def _store(spec: Any) -> ContentStore:
    from bot.admin.versions import build_snapshot

    return ContentStore(build_snapshot(small_files(), spec, require_all=False))


@pytest.fixture(scope="module")
def spec() -> Any:
    from bot.content.loader import SPEC_FILE, load_spec

    return load_spec(ROOT / "procedures_catalog" / SPEC_FILE)


def _doc_name(store: ContentStore) -> list[str]:
    return [d.name for d in store.current.procedure(PID).documents]


async def test_publish_swaps_live_content_and_other_workers_follow(engine: Any, spec: Any) -> None:
    bus = MemoryPubSub()
    a, b = _store(spec), _store(spec)
    seen: list[str] = []
    a.subscribe(lambda snap: seen.append(snap.version))
    va = ContentVersions(engine, a, bus, ROOT, require_all=False)
    vb = ContentVersions(engine, b, bus, ROOT, require_all=False)
    follower = asyncio.create_task(vb.follow())
    await asyncio.sleep(0.05)
    files = small_files()
    path = f"procedures_catalog/{PID}.yml"
    files[path] = files[path].replace("name: Giấy chứng sinh", "name: Giấy chứng sinh (bản chính)", 1)
    v1 = await va.publish(files, "admin1", "Sửa tên giấy chứng sinh")
    assert "Giấy chứng sinh (bản chính)" in _doc_name(a) and seen, "listeners (NLU retrain) are notified"
    for _ in range(100):
        if "Giấy chứng sinh (bản chính)" in _doc_name(b):
            break
        await asyncio.sleep(0.02)
    assert "Giấy chứng sinh (bản chính)" in _doc_name(b), "the other worker loads the version from the DB"
    follower.cancel()

    hist = await va.history()
    assert next((h.id, h.author, h.message, h.published) for h in hist) == (v1, "admin1", "Sửa tên giấy chứng sinh", True)
    assert len(hist) == 2 and hist[1].author == "hệ thống", "the shipped files are kept as the first version"
    assert (await va.current_files())[path] == files[path]

    # Rollback to the shipped files = publish a copy of version 0? The first publish of the original set:
    v2 = await va.publish(small_files(), "admin1", "Bản gốc")
    assert "Giấy chứng sinh" in _doc_name(a) and "Giấy chứng sinh (bản chính)" not in _doc_name(a)
    v3 = await va.rollback(v1, "admin2")
    assert "Giấy chứng sinh (bản chính)" in _doc_name(a)
    hist = await va.history()
    assert [h.id for h in hist][:3] == [v3, v2, v1]
    assert hist[0].rollback_of == v1 and [h.published for h in hist] == [True, False, False, False]

    # A fresh worker starting up serves the published version, not the files.
    c = _store(spec)
    assert await ContentVersions(engine, c, bus, ROOT, require_all=False).load_published() == v3
    assert "Giấy chứng sinh (bản chính)" in _doc_name(c)


async def test_invalid_set_is_never_published(engine: Any, spec: Any) -> None:
    store = _store(spec)
    versions = ContentVersions(engine, store, MemoryPubSub(), ROOT, require_all=False)
    before = store.current.version
    files = small_files()
    files[f"flows/{PID}.yml"] = files[f"flows/{PID}.yml"].replace("steps:", "buoc:", 1)
    with pytest.raises(ContentErrors):
        await versions.publish(files, "admin1", "hỏng")
    assert store.current.version == before and await versions.history() == []


async def _conv(conn: Any, team: str, at: dt.datetime) -> int:
    res = await conn.execute(insert(Conversation).values(channel="rest", external_id=uuid.uuid4().hex, state={},
                                                         team=team, created_at=at, updated_at=at))
    return int(res.inserted_primary_key[0])


async def _ev(conn: Any, cid: int | None, team: str, type_: str, at: dt.datetime, **data: Any) -> int:
    res = await conn.execute(insert(EventRow).values(conversation_id=cid, type=type_, data=data, team=team,
                                                     created_at=at, handled_at=at))
    return int(res.inserted_primary_key[0])


async def test_misses_become_training_examples_once(engine: Any) -> None:
    team = "t" + uuid.uuid4().hex[:8]
    at = dt.datetime.now(UTC)
    async with engine.begin() as conn:
        cid = await _conv(conn, team, at)
        ids = [await _ev(conn, cid, team, "unrecognized", at, text=t, label=None, confidence=0.1)
               for t in ("lam giay khai sinh cho be", "làm giấy khai sinh cho bé", "hôm nay trời mưa")]
    misses = Misses(engine)
    groups = await misses.groups(team=team)
    assert [g.size for g in groups] == [2, 1]
    added = await misses.assign([m.event_id for m in groups[0].items], PID, "admin1")
    assert added == 2
    assert await misses.assign([m.event_id for m in groups[0].items], PID, "admin1") == 0
    left = await misses.recent(team=team)
    assert [m.event_id for m in left] == [ids[2]]
    ex = [e for e in await misses.examples() if e.label == PID]
    assert sorted(e.text for e in ex) == sorted(["lam giay khai sinh cho be", "làm giấy khai sinh cho bé"])


async def test_report_figures_match_seeded_rows_and_xlsx(engine: Any) -> None:
    team, other = "t" + uuid.uuid4().hex[:8], "o" + uuid.uuid4().hex[:8]
    day = dt.datetime(2031, 5, 14, 8, 0, tzinfo=UTC)
    m = dt.timedelta(minutes=1)
    async with engine.begin() as conn:
        c1, c2, c3 = [await _conv(conn, team, day) for _ in range(3)]
        old = await _conv(conn, team, day - dt.timedelta(days=40))
        x = await _conv(conn, other, day)
        for c in (c1, c2, c3):
            await _ev(conn, c, team, "procedure_identified", day, procedure_id=PID, confidence=0.9)
        await _ev(conn, c3, team, "procedure_identified", day, procedure_id="ho-tich.ket-hon", confidence=0.9)
        await _ev(conn, x, other, "procedure_identified", day, procedure_id=PID, confidence=0.9)
        await _ev(conn, old, team, "procedure_identified", day - dt.timedelta(days=40), procedure_id=PID)
        for c in (c1, c2):
            await _ev(conn, c, team, "documents_reached", day + m, procedure_id=PID, count=3)
        await _ev(conn, c1, team, "fields_reached", day + 2 * m, procedure_id=PID, count=5)
        await _ev(conn, c1, team, "draft_requested", day + 3 * m, code="X")
        await conn.execute(insert(Draft).values(code="A" + uuid.uuid4().hex[:8], token_hash="h", conversation_id=c1,
                                                procedure_id=PID, data={}, team=team, complete_documents=False,
                                                created_at=day + 3 * m, updated_at=day))
        await _ev(conn, c2, team, "handoff_requested", day + 4 * m, reason="citizen_request")
        await _ev(conn, c2, team, "agent_claimed", day + 10 * m, agent="lan")
        await _ev(conn, c2, team, "agent_closed", day + 30 * m, agent="lan")
        await _ev(conn, c3, team, "handoff_requested", day + 4 * m, reason="citizen_request")
        await _ev(conn, c3, team, "agent_claimed", day + 8 * m, agent="lan")
        await _ev(conn, c2, team, "rating_given", day + 31 * m, rating=5)
        await _ev(conn, c3, team, "rating_given", day + 31 * m, rating=2)
        await _ev(conn, c3, team, "unrecognized", day + 32 * m, text="số cccd 012345678901", confidence=0.1)
    period = Period.of("month", day.date())
    rep = await build_report(engine, period, team, name_of=lambda pid: {"ho-tich.khai-sinh": "Đăng ký khai sinh"}.get(pid, pid))
    t = rep.tables
    summary = dict(t["tong_hop"].rows)
    assert summary["Cuộc trò chuyện mới"] == 3
    assert summary["Lượt xác định thủ tục"] == 4
    assert summary["Bản nháp hồ sơ"] == 1 and summary["Lượt chuyển cán bộ"] == 2
    assert summary["Điểm hài lòng trung bình (1–5)"] == 3.5
    assert t["thu_tuc"].rows[0] == [1, "Đăng ký khai sinh", PID, 3]
    assert [r[1] for r in t["pheu"].rows] == [3, 2, 1, 1]
    assert t["ho_so"].rows == [["Đăng ký khai sinh", PID, 1, 0, 1]]
    _reason, n, taken, avg_wait, med_wait, avg_handle = t["chuyen_can_bo"].rows[0]
    assert (n, taken, avg_wait, med_wait, avg_handle) == (2, 2, 5.0, 5.0, 20.0)
    assert {r[0]: r[1] for r in t["danh_gia"].rows} == {5: 1, 4: 0, 3: 0, 2: 1, 1: 0}
    assert "012345678901" not in t["khong_hieu"].rows[0][1]

    # Agents of the other team see only their own numbers.
    theirs = await build_report(engine, period, other)
    assert dict(theirs.tables["tong_hop"].rows)["Cuộc trò chuyện mới"] == 1

    # XLSX numbers equal a direct count in the database.
    wb = load_workbook(io.BytesIO(report_xlsx(rep)))
    ws = wb["Tổng hợp"]
    xl = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(4, ws.max_row + 1)}
    async with engine.connect() as conn:
        n_ident = len((await conn.execute(select(EventRow.id).where(
            EventRow.team == team, EventRow.type == "procedure_identified",
            EventRow.created_at >= period.start, EventRow.created_at < period.end))).all())
    assert xl["Lượt xác định thủ tục"] == n_ident == 4
    assert xl["Bản nháp hồ sơ"] == 1


async def test_report_per_commune_rows_add_up_to_the_province(engine: Any) -> None:
    """Issue 21 item 4: one row per commune (from the conversation state, else the draft's commune_code), and a
    province row equal to their sum; the commune filter narrows every table; the XLSX carries the table."""
    from bot.storage.desk_models import draft_history

    team, other = "c" + uuid.uuid4().hex[:8], "x" + uuid.uuid4().hex[:8]
    a, b = "9" + uuid.uuid4().hex[:4], "8" + uuid.uuid4().hex[:4]
    day, m = dt.datetime(2032, 3, 10, 8, 0, tzinfo=UTC), dt.timedelta(minutes=1)

    async def conv(conn: Any, state: dict[str, Any], t: str = team) -> int:
        res = await conn.execute(insert(Conversation).values(channel="rest", external_id=uuid.uuid4().hex,
                                                             state=state, team=t, created_at=day, updated_at=day))
        return int(res.inserted_primary_key[0])

    async def draft(conn: Any, cid: int, data: dict[str, Any], received: bool) -> None:
        res = await conn.execute(insert(Draft).values(
            code="C" + uuid.uuid4().hex[:8], token_hash="h", conversation_id=cid, procedure_id=PID, data=data,
            team=team, complete_documents=True, created_at=day + m, updated_at=day + 60 * m,
            status="received" if received else "draft"))
        if received:
            await conn.execute(insert(draft_history).values(draft_id=res.inserted_primary_key[0], at=day + 60 * m,
                                                            actor="desk", action="status", from_status="draft",
                                                            to_status="received"))

    async with engine.begin() as conn:
        a1, a2 = await conv(conn, {"commune": a}), await conv(conn, {"commune": a})
        b1, unknown = await conv(conn, {}), await conv(conn, {})
        elsewhere = await conv(conn, {"commune": a}, other)
        for c in (a1, a2, b1, unknown):
            await _ev(conn, c, team, "procedure_identified", day, procedure_id=PID, confidence=0.9)
        await _ev(conn, elsewhere, other, "procedure_identified", day, procedure_id=PID, confidence=0.9)
        await draft(conn, a1, {"commune_code": a}, received=True)
        await draft(conn, b1, {"commune_code": b}, received=False)
        await draft(conn, b1, {"commune_code": b}, received=False)
        for c, wait, score in ((a1, 6, 4), (b1, 10, 2)):
            await _ev(conn, c, team, "handoff_requested", day + 2 * m, reason="citizen_request")
            await _ev(conn, c, team, "agent_claimed", day + (2 + wait) * m, agent="lan")
            await _ev(conn, c, team, "rating_given", day + 30 * m, rating=score)
    period = Period.of("day", day.date())
    rep = await build_report(engine, period, team)
    rows = {r[0]: r[1:] for r in rep.tables["theo_xa"].rows}
    assert rows[a] == [2, 2, 1, 1, 1, 1, 6.0, 6.0, 1, 4, 4.0]
    assert rows[b] == [1, 1, 2, 0, 1, 1, 10.0, 10.0, 1, 2, 2.0]
    assert rows["Chưa xác định"] == [1, 1, 0, 0, 0, 0, 0.0, None, 0, 0, None]
    province = rows["Toàn tỉnh"]
    assert province == [4, 4, 3, 1, 2, 2, 16.0, 8.0, 2, 6, 3.0]
    communes = [r[1:] for r in rep.tables["theo_xa"].rows[:-1]]
    for col in (0, 1, 2, 3, 4, 5, 6, 8, 9):
        assert province[col] == sum(r[col] for r in communes)
    summary = dict(rep.tables["tong_hop"].rows)
    assert (summary["Cuộc trò chuyện mới"], summary["Bản nháp hồ sơ"], summary["Lượt chuyển cán bộ"]) == (4, 3, 2)

    only_a = await build_report(engine, period, team, commune=a)
    s = dict(only_a.tables["tong_hop"].rows)
    assert (s["Cuộc trò chuyện mới"], s["Lượt xác định thủ tục"], s["Bản nháp hồ sơ"]) == (2, 2, 1)
    assert dict(only_a.tables["tiep_nhan"].rows)["Hồ sơ đã tiếp nhận tại bộ phận một cửa"] == 1
    assert only_a.tables["chuyen_can_bo"].rows[0][1:4] == [1, 1, 6.0]
    assert [r[0] for r in only_a.tables["theo_xa"].rows] == [a]
    assert a in only_a.scope

    ws = load_workbook(io.BytesIO(report_xlsx(rep)))["Theo xã, phường"]
    xl = {ws.cell(r, 1).value: [ws.cell(r, c).value for c in range(2, 13)] for r in range(4, ws.max_row + 1)}
    assert xl["Toàn tỉnh"] == province and xl[a] == rows[a]
