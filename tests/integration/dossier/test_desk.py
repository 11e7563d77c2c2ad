"""The desk's side of a draft through the real app, on SQLite and PostgreSQL: the citizen's secret link,
officers opening a draft by code or QR photo, status changes that reach the citizen's REST conversation,
ask_status answering from the desk's record, and the counts for the reports."""
from __future__ import annotations

import datetime as dt
import io
import json
import random
import re
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from bot.dossier.codes import new_code
from tests.conftest import IN_CI, console_login, new_sender
from tests.e2e.test_all_procedures import CONTENT
from tests.fakes.http import HttpCitizen, post, texts
from tests.fakes.walker import VALUES
from tests.integration.dossier.test_rest_to_pdf import flat, pdf_text

PASSWORD = "mat-khau-an-toan-1"
NAME = "Hoàng Thị Thu Hường"
PID = "ho-tich.khai-sinh"
ASK = "hồ sơ của tôi tới đâu rồi"


async def walk_to_draft(client: Any, services: Any, pid: str = PID, sender: str | None = None
                        ) -> tuple[str, str, str]:
    """A REST citizen from a free-text request to a confirmed draft → (sender, code, secret view link path)."""
    citizen = HttpCitizen(client, services, sender or new_sender())
    w = await citizen.walk(CONTENT.procedures[pid], CONTENT.flows[pid], values=dict(VALUES, person_name=NAME))
    m = re.search(r"http://testserver(/d/([A-Z]{2,3}-[0-9A-Z]{6})\?t=[\w-]+)", texts(w.replies))
    assert m, texts(w.replies)
    return citizen.sender, m.group(2), m.group(1)


async def login(client: Any, services: Any, username: str, team: str, role: str = "officer") -> str:
    await services.handoff.add_agent(username, PASSWORD, team, role, display_name=f"Cán bộ {username}")
    client.session.cookie_jar.clear()
    r = await console_login(client, username, PASSWORD)
    assert r.status == 302
    assert "Path=/;" in r.headers["Set-Cookie"] or r.headers["Set-Cookie"].rstrip().endswith("Path=/")
    page = await (await client.get("/dossiers")).text()
    m = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert m, page[:500]
    return m.group(1)


def team() -> str:
    return "mac-dinh"


async def test_citizen_link_needs_its_token_and_shows_nothing_otherwise(client: Any, services: Any,
                                                                         tmp_path: Path) -> None:
    _, code, link = await walk_to_draft(client, services)
    r = await client.get(link)
    assert r.status == 200
    html = await r.text()
    assert NAME in html and code in html
    assert r.headers["Cache-Control"] == "no-store" and "noindex" in r.headers["X-Robots-Tag"]
    assert "script-src" not in r.headers["Content-Security-Policy"]  # the printable form runs no script
    assert "file://" not in html   # the font comes from us, not from the server's disk

    r = await client.get(link.replace("?t=", ".pdf?t="))
    assert r.status == 200 and r.content_type == "application/pdf"
    assert code in r.headers["Content-Disposition"] and r.headers["Cache-Control"] == "no-store"
    if shutil.which("pdftotext") or IN_CI:   # CI has poppler: there a missing pdftotext fails
        assert NAME in flat(pdf_text(await r.read(), tmp_path))

    token = link.split("?t=", 1)[1]
    other = new_code(PID, random.Random(99))
    bodies = set()
    for url in (f"/d/{code}", f"/d/{code}?t=", f"/d/{code}?t={token[:-2]}xx", f"/d/{code}.pdf?t=nope",
                f"/d/{code}.pdf", f"/d/{other}?t={token}", f"/d/{code.lower()}?t={token}"):
        r = await client.get(url)
        assert r.status == 404, url
        body = await r.text()
        assert NAME not in body and code not in body and r.headers["Cache-Control"] == "no-store"
        bodies.add(body)
    assert len(bodies) == 1   # unknown code and wrong token look the same


async def test_an_officer_sent_to_login_lands_back_on_the_draft(client: Any, services: Any) -> None:
    _, code, _ = await walk_to_draft(client, services)
    await services.handoff.add_agent("lan", PASSWORD, team(), "agent", display_name="Cán bộ Lan")
    client.session.cookie_jar.clear()
    r = await client.get(f"/dossiers/{code}", allow_redirects=False)
    page = await (await client.get(r.headers["Location"])).text()
    assert f'name="next" value="/dossiers/{code}"' in page
    r = await console_login(client, "lan", PASSWORD, f"/dossiers/{code}")
    assert r.status == 302 and r.headers["Location"] == f"/dossiers/{code}"
    assert code in await (await client.get(r.headers["Location"])).text()
    # another site, a scheme-relative URL or a header split never becomes the landing page
    for evil in ("https://evil.example/", "//evil.example/x", "/dossiers/\\evil", "/console\r\nSet-Cookie: x=1"):
        client.session.cookie_jar.clear()
        r = await console_login(client, "lan", PASSWORD, evil)
        assert r.status == 302 and r.headers["Location"] == "/console", evil


async def test_desk_needs_login_and_the_right_team(client: Any, services: Any) -> None:
    _, code, _ = await walk_to_draft(client, services)
    client.session.cookie_jar.clear()
    for url in ("/dossiers", f"/dossiers/{code}", f"/dossiers/{code}.json", f"/dossiers/{code}.pdf"):
        r = await client.get(url, allow_redirects=False)
        assert r.status == 302 and r.headers["Location"] == "/console/login?next=" + url, url
    r = await client.post(f"/dossiers/{code}/status", data={"status": "received"}, allow_redirects=False)
    assert r.status in (302, 403)

    await login(client, services, "binh", "xa-ben-canh")
    for url in (f"/dossiers/{code}", f"/dossiers/{code}.json", f"/dossiers/{code}.pdf", f"/dossiers/{code}/print"):
        r = await client.get(url)
        assert r.status == 403, url
        body = await r.text()
        assert NAME not in body
    assert "thuộc tổ khác" in await (await client.get(f"/dossiers/{code}")).text()
    # Opening by code does not reveal it either.
    r = await client.get("/dossiers", params={"code": code}, allow_redirects=False)
    assert r.status == 303
    assert (await client.get(r.headers["Location"])).status == 403

    await login(client, services, "admin1", "tinh", role="admin")
    r = await client.get(f"/dossiers/{code}")
    assert r.status == 200 and NAME in await r.text()


async def test_open_by_typed_code_forgives_case_and_lookalikes_not_typos(client: Any, services: Any) -> None:
    _, code, _ = await walk_to_draft(client, services)
    await login(client, services, "lan", team())
    r = await client.get("/dossiers", params={"code": f"  {code.lower().replace('-', ' ')} "}, allow_redirects=False)
    assert r.status == 303 and r.headers["Location"] == f"/dossiers/{code}"

    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
    r = await client.get("/dossiers", params={"code": wrong.lower()})
    assert r.status == 422
    page = await r.text()
    assert f"Mã «{wrong.lower()}» không đúng" in page and "ký tự kiểm tra" in page and NAME not in page

    # A code that would be valid but belongs to no draft.
    r = await client.get("/dossiers", params={"code": new_code(PID, random.Random(5))})
    assert r.status == 404 and "Không có hồ sơ nào mang mã" in await r.text()

    # A draft whose code has D and J: typed with 0 and 1 (look-alikes a code never contains).
    rng = random.Random(3)
    twin = next(c for c in iter(lambda: new_code(PID, rng), None) if "D" in c[3:] and "J" in c[3:])
    await clone_draft(services, code, twin)
    typed = twin.replace("D", "0", 1).replace("J", "1", 1).lower()
    r = await client.get("/dossiers", params={"code": typed}, allow_redirects=False)
    assert r.status == 303 and r.headers["Location"] == f"/dossiers/{twin}"
    # The URL itself is forgiving too, and lands on the canonical address.
    r = await client.get(f"/dossiers/{twin.lower()}", allow_redirects=False)
    assert r.status == 303 and r.headers["Location"] == f"/dossiers/{twin}"


async def clone_draft(services: Any, code: str, new: str, conversation_id: Any = "same") -> None:
    from bot.storage.repo import drafts

    async with services.repo.engine.begin() as conn:
        row = (await conn.execute(select(drafts).where(drafts.c.code == code))).first()
        values = {k: getattr(row, k) for k in row._fields if k != "id"}
        values.update(code=new)
        if conversation_id != "same":
            values["conversation_id"] = conversation_id
        await conn.execute(insert(drafts).values(**values))


def qr_photo(text: str, *, noisy: bool = True) -> bytes:
    """The printout's QR as a phone might photograph it: small in the frame, tilted, blurred, noisy, JPEG."""
    import segno
    from PIL import Image, ImageFilter

    buf = io.BytesIO()
    segno.make(text, error="m").save(buf, kind="png", scale=6, border=4)
    qr = Image.open(io.BytesIO(buf.getvalue())).convert("L")
    page = Image.new("L", (1100, 800), 235)
    page.paste(qr, (620, 120))
    if noisy:
        page = page.rotate(7, expand=True, fillcolor=200).filter(ImageFilter.GaussianBlur(1.2))
        rng = random.Random(4)
        px = page.load()
        for _ in range(20000):
            x, y = rng.randrange(page.width), rng.randrange(page.height)
            px[x, y] = max(0, min(255, px[x, y] + rng.randint(-60, 60)))
    out = io.BytesIO()
    page.convert("RGB").save(out, "JPEG", quality=70)
    return out.getvalue()


async def test_qr_photo_opens_the_draft_and_garbage_gets_a_clear_error(client: Any, services: Any) -> None:
    from aiohttp import FormData

    _, code, _ = await walk_to_draft(client, services)
    csrf = await login(client, services, "lan", team())

    def form(image: bytes, name: str = "qr.jpg") -> FormData:
        f = FormData()
        f.add_field("csrf", csrf)
        f.add_field("image", image, filename=name, content_type="image/jpeg")
        return f

    r = await client.post("/dossiers/scan", data=form(qr_photo(f"http://testserver/dossiers/{code}")),
                          allow_redirects=False)
    assert r.status == 303 and r.headers["Location"] == f"/dossiers/{code}"
    r = await client.post("/dossiers/scan", data=form(qr_photo(f"https://khac.example/dossiers/{code}")),
                          headers={"X-Requested-With": "fetch"})
    assert r.status == 200 and (await r.json())["url"] == f"/dossiers/{code}"

    r = await client.post("/dossiers/scan", data=form(random.Random(1).randbytes(5000), "x.bin"))
    assert r.status == 422 and "không phải ảnh" in await r.text()
    blank = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (640, 480), (120, 130, 140)).save(blank, "JPEG")
    r = await client.post("/dossiers/scan", data=form(blank.getvalue()), headers={"X-Requested-With": "fetch"})
    assert r.status == 422 and "Không đọc được mã QR" in (await r.json())["error"]
    r = await client.post("/dossiers/scan", data=form(qr_photo("079203012345||Nguyễn Văn An|01011990|Nam|Hà Nội|01012021")))
    assert r.status == 422 and "không phải mã hồ sơ" in await r.text()
    # Without the CSRF token nothing is decoded.
    f = FormData()
    f.add_field("image", qr_photo(code), filename="q.jpg", content_type="image/jpeg")
    assert (await client.post("/dossiers/scan", data=f)).status == 403


async def test_status_changes_reach_the_citizen_and_ask_status_answers(client: Any, services: Any) -> None:
    import jsonschema

    sender, code, _ = await walk_to_draft(client, services)
    csrf = await login(client, services, "lan", team())

    page = await (await client.get(f"/dossiers/{code}")).text()
    assert NAME in page and "Sao chép" in page and 'data-status="draft"' in page
    # Fields in the official form's order.
    form = CONTENT.procedures[PID].form
    shown = re.findall(r'<tr class="field" data-id="([\w-]+)"', page)
    assert shown == [f.id for f in form.fields]
    export = await (await client.get(f"/dossiers/{code}.json")).json()
    schema = json.loads((Path(__file__).resolve().parents[3] / "bot/dossier/schema.json").read_text())
    jsonschema.validate(export, schema)
    assert export["code"] == code and [f["id"] for f in export["form"]["fields"]] == [f.id for f in form.fields]

    # CSRF is required.
    r = await client.post(f"/dossiers/{code}/status", data={"status": "received"}, allow_redirects=False)
    assert r.status == 403

    async def act(path: str, **data: str) -> Any:
        return await client.post(f"/dossiers/{code}/{path}", data={"csrf": csrf, **data}, allow_redirects=False)

    r = await act("status", status="received")
    assert r.status == 303 and r.headers["Location"] == f"/dossiers/{code}?ok=status"
    got = texts(await post(client, sender, ASK))
    assert f"Hồ sơ {code} (Đăng ký khai sinh) đã được tiếp nhận tại bộ phận một cửa" in got   # the notice
    assert f"Hồ sơ {code} (Đăng ký khai sinh): đã tiếp nhận tại bộ phận một cửa." in got        # the answer

    for bad in ("", " \t", "x" * 65, "12\x00"):
        r = await act("number", official_number=bad)
        assert r.status == 422, repr(bad)
    number = "000.00.11.H12-261125-0001"
    assert (await act("number", official_number=f" {number} ")).status == 303

    r = await act("status", status="received")
    assert r.status == 409 and "đã ở trạng thái" in await r.text()
    r = await act("status", status="needs_documents", note="")
    assert r.status == 422 and "Bạn ghi rõ giấy tờ" in await r.text()
    assert (await act("status", status="result_ready", note="Quầy số 2, UBND xã Ea Kar")).status == 303
    r = await act("status", status="received")
    assert r.status == 409 and "Không thể chuyển hồ sơ" in await r.text()

    got = texts(await post(client, sender, ASK))
    assert f"Hồ sơ {code} (Đăng ký khai sinh) đã có số hồ sơ trên hệ thống của tỉnh: {number}" in got
    assert f"Hồ sơ {code} (Đăng ký khai sinh) đã có kết quả, mời bạn đến nhận tại Quầy số 2, UBND xã Ea Kar" in got
    assert f"Hồ sơ {code} (Đăng ký khai sinh): đã có kết quả." in got and number in got
    assert got.count("Mời bạn đến nhận kết quả tại Quầy số 2, UBND xã Ea Kar") == 1

    page = await (await client.get(f"/dossiers/{code}")).text()
    assert 'data-status="result_ready"' in page and number in page
    assert page.count('<li><span class="at">') == 4   # created, received, number, result ready

    # The transcript keeps the notices; the citizen's channel was REST, nothing was pushed elsewhere.
    conv = await services.repo.load("rest", sender)
    lines = [t.text for t in await services.repo.transcript(conv.id)]
    assert any("đã có kết quả, mời bạn đến nhận" in t for t in lines)


async def test_several_drafts_ask_for_the_code(client: Any, services: Any) -> None:
    sender, code, _ = await walk_to_draft(client, services)
    conv = await services.repo.load("rest", sender)
    rng = random.Random(11)
    other = next(c for c in iter(lambda: new_code("ho-tich.ket-hon", rng), None) if "Q" in c[3:])
    await clone_draft(services, code, other, conv.id)
    csrf = await login(client, services, "lan", team())
    r = await client.post(f"/dossiers/{other}/status", data={"csrf": csrf, "status": "needs_documents",
                                                              "note": "Bản sao giấy xác nhận tình trạng hôn nhân."},
                          allow_redirects=False)
    assert r.status == 303

    got = texts(await post(client, sender, ASK))
    assert "cần bổ sung giấy tờ: Bản sao giấy xác nhận tình trạng hôn nhân." in got   # the notice
    assert "Bạn có nhiều hồ sơ" in got
    got = texts(await post(client, sender, f"mã {other.lower().replace('q', 'o', 1)}"))
    assert f"Hồ sơ {other}" in got and "Bạn cần bổ sung: Bản sao giấy xác nhận tình trạng hôn nhân." in got
    assert code not in got


async def test_counts_for_the_reports(client: Any, services: Any) -> None:
    from bot.admin.reports import Period, build_report
    from bot.dossier.desk import desk_counts
    from bot.storage.desk_models import draft_history
    from bot.storage.repo import drafts

    team_id = "bc-" + new_sender()[2:10]
    day = dt.datetime(2032, 3, 10, 3, 0, tzinfo=dt.UTC)
    rng = random.Random(21)

    async with services.repo.engine.begin() as conn:
        async def draft(complete: bool, *steps: str) -> None:
            res = await conn.execute(insert(drafts).values(
                code=new_code(PID, rng), token_hash="h", conversation_id=None, procedure_id=PID, data={},
                status=steps[-1] if steps else "draft", team=team_id, complete_documents=complete,
                created_at=day, updated_at=day).returning(drafts.c.id))
            did = res.scalar_one()
            prev = "draft"
            for i, s in enumerate(steps, 1):
                await conn.execute(insert(draft_history).values(
                    draft_id=did, at=day + dt.timedelta(hours=i), actor="lan", action="status",
                    from_status=prev, to_status=s))
                prev = s

        await draft(True)                                                   # never came
        await draft(True, "received")                                       # first visit, complete
        await draft(True, "received", "result_ready", "returned")           # first visit, processed
        await draft(False, "received", "result_ready")                      # citizen lacked a document
        await draft(True, "needs_documents", "received", "returned")        # second trip
        await draft(True, "received", "needs_documents", "received")        # sent back once

    period = Period.of("month", day.date())
    got = await desk_counts(services.repo.engine, period.start, period.end, team_id)
    assert (got.created, got.received, got.processed, got.first_visit_complete) == (6, 5, 3, 2)
    assert got.first_visit_rate == 40.0
    assert (await desk_counts(services.repo.engine, period.start, period.end, "khong-co")).created == 0

    rep = await build_report(services.repo.engine, period, team_id)
    rows = dict(rep.tables["tiep_nhan"].rows)
    assert rows["Bản nháp hồ sơ được lập"] == 6 and rows["Hồ sơ đã tiếp nhận tại bộ phận một cửa"] == 5
    assert rows["Hồ sơ đã giải quyết (có kết quả hoặc đã trả)"] == 3 and rows["Tiếp nhận đủ giấy tờ ngay lần đầu"] == 2
    assert rows["Tỷ lệ đủ giấy tờ ngay lần đầu (%)"] == 40.0

    from openpyxl import load_workbook

    from bot.admin.export import report_xlsx, table_csv

    ws = load_workbook(io.BytesIO(report_xlsx(rep)))["Tiếp nhận tại bộ phận một cửa"]
    assert {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(4, ws.max_row + 1)}["Tiếp nhận đủ giấy tờ ngay lần đầu"] == 2
    assert "Hồ sơ đã tiếp nhận tại bộ phận một cửa,5" in table_csv(rep, "tiep_nhan").decode("utf-8-sig")


async def test_deleting_the_citizen_data_forgets_the_draft_but_keeps_the_communes_counts(client: Any,
                                                                                        services: Any) -> None:
    """/xoadulieu removes everything personal of a draft (values, secret link, official number, the desk's notes)
    while the anonymous row and its status changes stay, so last month's desk report does not change."""
    from bot.admin.reports import Period
    from bot.dossier.desk import desk_counts
    from bot.storage.desk_models import draft_history
    from bot.storage.repo import drafts

    sender, code, link = await walk_to_draft(client, services)
    csrf = await login(client, services, "lan", team())

    async def act(path: str, **data: str) -> Any:
        return await client.post(f"/dossiers/{code}/{path}", data={"csrf": csrf, **data}, allow_redirects=False)

    assert (await act("status", status="received")).status == 303
    assert (await act("number", official_number="000.00.11.H12-261125-0009")).status == 303
    assert (await act("status", status="needs_documents", note="Thiếu bản sao giấy chứng sinh của Nguyễn Văn An")
            ).status == 303
    period = Period.of("month", services.clock().date())
    before = await desk_counts(services.repo.engine, period.start, period.end, team())
    assert before.created >= 1 and before.received >= 1   # this draft is among them (the database is shared)

    await post(client, sender, "/xoadulieu")
    await post(client, sender, "/xoadulieu_xacnhan")

    async with services.repo.engine.connect() as conn:
        row = (await conn.execute(select(drafts).where(drafts.c.code == code))).one()
        hist = (await conn.execute(select(draft_history).where(draft_history.c.draft_id == row.id))).all()
    assert row.data == {} and not row.token_hash and row.official_number is None and row.conversation_id is None
    assert len(hist) == 3 and all(h.note is None and h.official_number is None for h in hist)
    after = await desk_counts(services.repo.engine, period.start, period.end, team())
    assert after == before
    page = await client.get(f"/dossiers/{code}")
    assert page.status == 404 and "đã được xóa theo yêu cầu của người dân" in await page.text()
    assert "Nguyễn Văn An" not in await page.text()
    assert (await client.get(link)).status == 404
