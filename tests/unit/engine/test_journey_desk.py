"""Issue 16 items 3 and 4: what the desk receives.

The tờ khai the draft itself fills is never asked and is ticked as supplied; the "Kính gửi" line names the
commune that receives the dossier; khai sinh asks how many bản sao are wanted and the form shows them.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from bot.content.catalog import Procedure
from bot.dossier.draft import build_draft
from bot.dossier.render import render_checklist_text, render_html
from tests.unit.engine.helpers import Chat
from tests.unit.engine.test_flow import fill_fields_until, walk_to_documents

KS = "ho-tich.khai-sinh"


def _to_review(chat: Chat, copies: str = "Không cần") -> list[str]:
    """Walk khai sinh to the review; return the documents the citizen was asked about."""
    chat.say("/start")
    walk_to_documents(chat)
    asked = []
    while chat.state.pending and chat.state.pending.kind == "document":
        asked.append(chat.state.pending.ref)
        chat.say("Chưa có")   # the answer that used to mark the tờ khai missing
    fill_fields_until(chat, "copies")
    assert chat.state.pending.ref == "copies"
    chat.say(copies)
    fill_fields_until(chat, "__review__")
    return asked


def _draft(content: Any, event: dict[str, Any], commune: str | None = None) -> Any:
    return build_draft(content.procedures[event["procedure_id"]], event["answers"], event["fields"],
                       event["docs_missing"], None, dt.date(2026, 11, 24),
                       applicable_docs=event["applicable_docs"], commune=commune)


def test_tokhai_is_never_asked_and_is_ticked_as_supplied_everywhere(content: Any) -> None:
    chat = Chat(content)
    asked = _to_review(chat)
    assert "to-khai" not in asked and asked, asked
    assert chat.state.pending.kind == "review"
    assert "✓ Tờ khai đăng ký khai sinh (trợ lý điền sẵn" in chat.text
    chat.say("/xacnhan")
    event = chat.event("draft_requested")
    assert "to-khai" in event["applicable_docs"] and "to-khai" in event["docs_have"]
    assert "to-khai" not in event["docs_missing"] and "giay-chung-sinh" in event["docs_missing"]
    draft = _draft(content, event)
    item = next(c for c in draft.checklist if c.id == "to-khai")
    assert item.prefilled and not item.lacking
    assert "Tờ khai đăng ký khai sinh" not in [c.name for c in draft.lacking]
    html = render_html(draft, "KS-7F3K2Q", "http://x")
    assert "Điền sẵn trong bản nháp này" in html
    assert "Tờ khai đăng ký khai sinh: 01 bản chính — điền sẵn trong bản nháp" in render_checklist_text(draft)


def test_a_stored_draft_that_marked_the_tokhai_missing_no_longer_shows_it_lacking(content: Any) -> None:
    """Drafts made before the flag said "Chưa có" for the tờ khai; the desk and reports rebuild them."""
    proc = content.procedures[KS]
    draft = build_draft(proc, {}, {}, ["to-khai", "giay-chung-sinh"], None, dt.date(2026, 11, 24),
                        applicable_docs=["to-khai", "giay-chung-sinh"])
    assert [c.id for c in draft.lacking] == ["giay-chung-sinh"]
    assert draft.to_json()["checklist"][0]["lacking"] is False


@pytest.mark.parametrize("pid", ["ho-tich.khai-sinh", "ho-tich.khai-tu", "cu-tru.tam-tru", "kinh-doanh.ho-kinh-doanh",
                                 "dat-dai.cap-gcn-lan-dau", "xa-hoi.mai-tang-phi"])
def test_every_entry_whose_form_the_draft_fills_flags_it(content: Any, pid: str) -> None:
    proc = content.procedures[pid]
    produced = [d.id for d in proc.documents if d.produced_by_draft]
    assert len(produced) == 1, produced


def test_the_flag_is_refused_on_an_entry_without_a_form() -> None:
    data = yaml.safe_load(Path("procedures_catalog/ho-tich.khai-sinh.yml").read_text(encoding="utf-8"))
    data.pop("form")
    with pytest.raises(ValidationError, match="produced_by_draft"):
        Procedure.model_validate(data)


def test_kinh_gui_names_the_receiving_commune_or_leaves_a_line_to_write_on(content: Any) -> None:
    chat = Chat(content)
    _to_review(chat, copies="1 bản")
    chat.say("/xacnhan")
    event = chat.event("draft_requested")
    named = _draft(content, event, commune="Xã Ea Tu")
    assert named.addressee == "Ủy ban nhân dân xã Ea Tu"
    html = render_html(named, "KS-7F3K2Q", "http://x")
    assert 'Kính gửi: <sup>(1)</sup> <span class="fill">Ủy ban nhân dân xã Ea Tu</span>' in html
    blank = render_html(_draft(content, event), "KS-7F3K2Q", "http://x")
    assert 'Kính gửi: <sup>(1)</sup> <span class="empty" style="min-width:90mm"></span>' in blank
    for pid in ("ho-tich.ket-hon", "ho-tich.khai-tu", "ho-tich.trich-luc", "ho-tich.giam-ho"):
        proc = content.procedures[pid]
        d = build_draft(proc, {}, {}, [], None, dt.date(2026, 11, 24), commune="phường Bến Nghé")
        assert d.addressee == "Ủy ban nhân dân phường Bến Nghé", pid


def test_khai_sinh_asks_for_copies_with_buttons_and_the_form_ticks_them(content: Any) -> None:
    chat = Chat(content)
    chat.say("/start")
    walk_to_documents(chat)
    fill_fields_until(chat, "copies")
    assert "bản sao" in chat.text
    assert chat.buttons[:3] == ["Không cần", "1 bản", "2 bản"]
    chat.say("2")   # the button's payload
    assert chat.state.field_map["copies"] == "2"
    fill_fields_until(chat, "__review__")
    chat.say("/xacnhan")
    html = render_html(_draft(content, chat.event("draft_requested")), "KS-7F3K2Q", "http://x")
    assert 'Có <span class="box">X</span>' in html
    assert 'Số lượng: <span class="fill">2</span> bản' in html


def test_typed_quick_answer_title_counts_as_its_value(content: Any) -> None:
    chat = Chat(content)
    chat.say("/start")
    walk_to_documents(chat)
    fill_fields_until(chat, "copies")
    chat.say("không cần")
    assert chat.state.field_map["copies"] == "0" and "field_rejected" not in chat.events


def test_the_draft_stores_the_receiving_commune_and_the_assistant_name(content: Any) -> None:
    from bot.dossier.service import _draft_data

    settings = SimpleNamespace(content=SimpleNamespace(province=None, commune="xã Hòa An", assistant_name="Trợ lý Xã Hòa An"))
    env = SimpleNamespace(settings=settings, content=SimpleNamespace(current=content),
                          clock=lambda: dt.datetime(2026, 11, 24, 3, 0))
    data = _draft_data(env, {"procedure_id": KS, "answers": {}, "fields": {}, "docs_missing": []})
    from bot.dossier.draft import build_stored_draft

    draft = build_stored_draft(content.procedures[KS], data, None, dt.datetime(2026, 11, 24, 3, 0))
    assert draft.addressee == "Ủy ban nhân dân xã Hòa An"
    html = render_html(draft, "KS-7F3K2Q", "http://x")
    assert "Bản nháp do Trợ lý Xã Hòa An lập" in html and "motcua" not in html.split("</style>", 1)[1]
