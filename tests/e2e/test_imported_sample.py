"""The shipped sample of commune-level procedure records, imported as a commune would, then every procedure in it
walked over REST from a free-text question to a confirmed draft whose PDF carries the checklist.

The walk answers whatever the bot asks (clarify → pick, document → alternately has / lacks, field → a valid value),
so it knows nothing of the sample's rows: a different list imports and walks the same way."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bot.content.importer import import_file
from bot.content.loader import load_content
from tests.conftest import ROOT, needs_tool, new_sender
from tests.fakes.http import HttpCitizen, post, texts
from tests.fakes.walker import Walk

SAMPLE = ROOT / "procedures_catalog" / "samples" / "thu-tuc-cap-xa-day-du.csv"
VALUES = {"person_name": "Nguyễn Văn An", "id_number": "079203012345", "phone": "0912345678",
          "address": "thôn 3, xã Ea Kar, tỉnh Đắk Lắk", "text": "Đề nghị cán bộ hướng dẫn và giải quyết hồ sơ"}


@pytest.fixture(scope="module")
def imported_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("commune")
    shutil.copytree(ROOT / "procedures_catalog", root / "procedures_catalog", ignore=shutil.ignore_patterns("imported"))
    shutil.copytree(ROOT / "flows", root / "flows")
    report = import_file(SAMPLE, root, dt.date(2026, 11, 24))
    assert not report.errors, report.errors
    return root


@pytest.fixture(scope="module")
def content(imported_root: Path) -> Any:
    return load_content(imported_root, require_all=False)


@pytest.fixture(scope="module")
def trained_parser(content: Any) -> Any:
    from bot.content.knowledge import knowledge_items, labels
    from nlu.builtin import BuiltinParser
    from nlu.training import default_training_set

    return BuiltinParser.train(default_training_set(knowledge_items(content), labels(content)))


async def walk(client: Any, services: Any, proc: Any) -> tuple[str, list[str]]:
    """Free text → draft; returns the draft's PDF path and the names of the documents answered "Chưa có"."""
    lacking: list[str] = []
    answered = 0

    def clarify(w: Walk) -> str:
        assert any(b["payload"] == f"/chon {proc.id}" for x in w.replies for b in x.get("buttons", [])), w.texts()
        return f"/chon {proc.id}"

    def document(w: Walk) -> str:
        nonlocal answered
        assert w.state.get("procedure_id") == proc.id
        assert "Bạn đã có" in w.texts(), w.texts()
        answered += 1
        doc = proc.document(w.pending["ref"])
        if answered % 2 == 0 and not doc.optional:
            lacking.append(doc.name)
        return "/giayto chua" if answered % 2 == 0 else "/giayto co"

    citizen = HttpCitizen(client, services, new_sender())
    w = await citizen.walk(proc, services.content.current.flows[proc.id], values=VALUES, limit=60,
                           answers={"clarify": clarify, "document": document})
    assert answered == len(proc.documents)
    m = re.search(r"http://testserver(/d/[A-Z]{2,3}-[0-9A-Z]{6}\.pdf\?t=[\w-]+)", texts(w.replies))
    assert m, f"{proc.id}: no draft link in {texts(w.replies)}"
    return m.group(1), lacking


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    p = tmp_path / "d.pdf"
    p.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(p), "-"], capture_output=True, check=True, text=True)
    return re.sub(r"\s+", " ", out.stdout)


@needs_tool("pdftotext", "poppler-utils, make system-deps")
async def test_every_sample_procedure_walks_to_a_draft_with_its_checklist(client: Any, services: Any, content: Any,
                                                                          tmp_path: Path) -> None:
    imported = [p for p in content.procedures.values() if p.imported]
    assert len(imported) >= 20
    for proc in imported:
        path, lacking = await walk(client, services, proc)
        resp = await client.get(path)
        assert resp.status == 200, proc.id
        text = pdf_text(await resp.read(), tmp_path)
        assert proc.name.split()[0] in text and "Nguyễn Văn An" in text and "079203012345" in text, proc.id
        assert "Đề nghị cán bộ hướng dẫn" in text, proc.id
        for name in lacking:
            assert " ".join(name.split()[:4]) in text, (proc.id, name)
        if lacking:
            assert "Chưa có" in text, proc.id


async def test_fee_and_time_questions_use_the_imported_record(client: Any, services: Any, content: Any) -> None:
    proc = next(p for p in content.procedures.values() if p.imported and p.fee and p.time_limit and p.documents)
    s = new_sender()
    r = await post(client, s, f"cho tôi hỏi thủ tục {proc.name.lower()}")
    if (await services.repo.load("rest", s)).state.get("phase") == "clarify":
        r = await post(client, s, f"/chon {proc.id}")
    assert "danh mục thủ tục hành chính" in texts(r) and proc.time_limit.text[:10] in texts(r)
    r = await post(client, s, "lệ phí bao nhiêu")
    assert proc.fee.text[:8] in texts(r), texts(r)


async def test_the_desk_opens_an_imported_procedures_draft_like_any_other(client: Any, services: Any,
                                                                           content: Any) -> None:
    from tests.integration.dossier.test_desk import login

    proc = next(p for p in content.procedures.values() if p.imported and len(p.documents) >= 2)
    path, lacking = await walk(client, services, proc)
    code = re.search(r"/d/([A-Z]{2,3}-[0-9A-Z]{6})", path).group(1)
    await login(client, services, "lan", "mac-dinh")
    page = await (await client.get(f"/dossiers/{code}")).text()
    assert proc.name in page and "Nguyễn Văn An" in page and "Đề nghị cán bộ hướng dẫn" in page
    assert lacking and lacking[0][:30] in page
