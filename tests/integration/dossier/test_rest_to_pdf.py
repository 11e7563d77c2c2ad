"""Done-when of the dossier issue: a scripted REST conversation ends with a PDF whose text shows the citizen's
values with correct diacritics (foundation procedures and every procedure whose form is in the catalog)."""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.dossier.codes import is_valid
from tests.conftest import needs_tool, new_sender
from tests.e2e.test_all_procedures import CONTENT
from tests.fakes.http import HttpCitizen
from tests.fakes.walker import VALUES

pytestmark = needs_tool("pdftotext", "poppler-utils, make system-deps")

FOUNDATION = ["ho-tich.khai-sinh", "ho-tich.ket-hon", "chung-thuc.ban-sao"]
WITH_FORM = sorted(pid for pid, p in CONTENT.procedures.items()
                   if p.form is not None and p.level == "full" and pid in CONTENT.flows)
# Distinct Vietnamese values per type so the PDF check shows they came from this conversation.
OURS = dict(VALUES, person_name="Trần Thị Ngọc Ánh", address="Số 7 ngõ Hòe Nhai, phường Ba Đình, thành phố Hà Nội",
            text="Thửa đất số 12")  # text fields may cap at 20 characters


def flat(s: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s))


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    p = tmp_path / "d.pdf"
    p.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(p), "-"], capture_output=True, text=True,
                          check=True).stdout


async def walk_and_confirm(client: Any, services: Any, pid: str) -> tuple[str, dict[str, str]]:
    citizen = HttpCitizen(client, services, new_sender())
    w = await citizen.walk(CONTENT.procedures[pid], CONTENT.flows[pid], values=OURS)
    return citizen.sender, w.typed


@pytest.mark.parametrize("pid", sorted(set(FOUNDATION) | set(WITH_FORM)))
async def test_rest_conversation_ends_with_a_pdf_of_the_citizen_values(client: Any, services: Any, pid: str,
                                                                        tmp_path: Path) -> None:
    from bot.dossier.documents import DraftDocuments
    from bot.storage.repo import drafts

    assert pid in CONTENT.flows, f"{pid} has a form but no flow: a citizen could never reach its PDF"
    _, typed = await walk_and_confirm(client, services, pid)
    async with services.repo.engine.connect() as conn:
        rows = (await conn.execute(select(drafts.c.code, drafts.c.data).where(drafts.c.procedure_id == pid)
                                       .order_by(drafts.c.id))).all()   # the newest: this walk's (the DB is shared)
    assert rows, f"{pid}: no draft stored after /xacnhan"
    code, data = rows[-1]
    assert is_valid(code), code
    assert data.get("content", {}).get("schema_version") == "1.0"

    pdf = await DraftDocuments(services.repo, services.content, services.settings, services.clock)(f"draft:{code}")
    assert pdf and pdf.startswith(b"%PDF")
    text = flat(pdf_text(pdf, tmp_path))
    assert code in text
    proc = CONTENT.procedures[pid]
    fields = data.get("fields") or {}
    for fid, value in typed.items():
        f = proc.form_field(fid)
        stored = fields.get(fid)
        assert stored, (pid, fid)
        if f.type in ("date", "date_past"):
            shown = dt.date.fromisoformat(stored).strftime("%d/%m/%Y")
            assert shown == value
        else:  # the engine may tidy capitals ("Thành phố"); the citizen's words and diacritics stay, except the
            shown = stored  # field's own label said before a number ("Thửa đất số 12" → 12, printed after the label)
            assert flat(value).casefold() in (flat(shown).casefold(), f"{flat(f.label).casefold()} {flat(shown)}"), \
                (fid, value, stored)
        assert flat(shown) in text, (pid, fid, value, stored)
    if proc.form is None:
        assert "DANH SÁCH GIẤY TỜ CẦN MANG" in text
    else:
        for v in data["content"]["form"]["fields"]:
            if v["in_words"]:
                assert flat(v["in_words"]) in text, (pid, v["id"])
    if pid == "ho-tich.khai-sinh":
        assert "Ngày mười lăm, tháng ba, năm hai nghìn không trăm hai mươi" in text  # 15/03/2020 in words


async def test_an_early_morning_draft_is_dated_the_vietnamese_day_even_when_delivered_later(
        client: Any, services: Any, clock: Any, tmp_path: Path) -> None:
    """06:30 in Hà Nội is 23:30 UTC the day before; a retried delivery two days later keeps the draft's own date."""
    from bot.dossier.documents import DraftDocuments
    from bot.storage.repo import drafts

    clock.now = dt.datetime(2026, 11, 23, 23, 30, tzinfo=dt.UTC)
    await walk_and_confirm(client, services, "chung-thuc.ban-sao")
    async with services.repo.engine.connect() as conn:
        code, data = (await conn.execute(select(drafts.c.code, drafts.c.data)
                                         .where(drafts.c.procedure_id == "chung-thuc.ban-sao")
                                         .order_by(drafts.c.id.desc()))).first()
    assert data["content"]["created_on"] == "2026-11-24"
    clock.now = dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC)
    pdf = await DraftDocuments(services.repo, services.content, services.settings, services.clock)(f"draft:{code}")
    text = flat(pdf_text(pdf, tmp_path))
    assert "lập ngày 24/11/2026" in text and "26/11/2026" not in text
