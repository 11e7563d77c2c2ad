"""A khai sinh typed entirely without diacritics through the REST app: the tờ khai has the diacritics back and
the desk marks the one value the citizen did not confirm (issue 16, item 1)."""
from __future__ import annotations

import html as htmlmod
import re
import shutil
from pathlib import Path
from typing import Any

from tests.conftest import IN_CI, new_sender
from tests.e2e.test_all_procedures import CONTENT
from tests.fakes.http import HttpCitizen, texts
from tests.fakes.walker import VALUES, Walk
from tests.integration.dossier.test_desk import login, team
from tests.integration.dossier.test_rest_to_pdf import flat, pdf_text

PID = "ho-tich.khai-sinh"
PLAIN = dict(VALUES, person_name="tran thi cuc", address="thon 3, xa ea tuu, dak lak", ethnicity="kinh",
             nationality="viet nam", gender="nu")


async def _walk_plain(client: Any, services: Any) -> tuple[str, str, list[str]]:
    """→ (code, secret link, the check questions the bot asked); taps "Đúng" on every check, then retypes the
    requester's name without diacritics at the review, which is never confirmed."""
    checks: list[str] = []

    def check(w: Walk) -> str:
        checks.append(texts(w.replies))
        return "/dung"

    def edit_once(w: Walk) -> list[str] | None:
        if "/sua requester_name" in w.sent:
            return None                                        # then confirm
        return ["/sua requester_name", "nguyen van binh"]

    citizen = HttpCitizen(client, services, new_sender())
    w = await citizen.walk(CONTENT.procedures[PID], CONTENT.flows[PID], start="cho toi hoi thu tuc dang ky khai sinh",
                           values=PLAIN, answers={"field_check": check, "review": edit_once}, limit=200)
    m = re.search(r"http://testserver(/d/([A-Z]{2,3}-[0-9A-Z]{6})\?t=[\w-]+)", texts(w.replies))
    assert m, texts(w.replies)
    return m.group(2), m.group(1), checks


async def test_a_journey_typed_without_diacritics_reaches_the_desk_with_them(client: Any, services: Any,
                                                                           tmp_path: Path) -> None:
    code, link, checks = await _walk_plain(client, services)
    assert any("Mình chưa tìm thấy xã Ea Tuu ở Đắk Lắk — ý bạn là xã Ea Tul?" in c for c in checks)
    assert any("«Trần Thị Cúc»" in c for c in checks)

    r = await client.get(link.replace("?t=", ".pdf?t="))
    assert r.status == 200
    if shutil.which("pdftotext") or IN_CI:   # CI has poppler: there a missing pdftotext fails
        pdf = flat(pdf_text(await r.read(), tmp_path))
        assert "Trần Thị Cúc" in pdf and "thôn 3, xã Ea Tul, tỉnh Đắk Lắk" in pdf
        assert "tran thi cuc" not in pdf and "ea tuu" not in pdf

    await login(client, services, "lan", team())
    page = htmlmod.unescape(await (await client.get(f"/dossiers/{code}")).text())
    rows = re.findall(r'<tr class="field( is-unsure)?" data-id="([a-z_]+)">', page)
    assert [fid for unsure, fid in rows if unsure] == ["requester_name"]
    assert "Nguyễn Văn Bình" in page and "Gõ không dấu — chưa xác nhận" in page
    assert 'id="unsure-note"' in page
