"""Fewer turns through the real REST channel (issue 16): the usual case in one tap, the requester's details with her
name, the configured assistant name in the welcome, a tapped "2 bản" read back as tapped."""
from __future__ import annotations

from typing import Any

from tests.conftest import new_sender
from tests.fakes.http import post


def _texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def _buttons(replies: list[dict[str, Any]]) -> list[str]:
    return [b["title"] for r in replies for b in r.get("buttons") or ()]


async def _pending(services: Any, sender: str) -> dict[str, Any]:
    return (await services.repo.load("rest", sender)).state.get("pending") or {}


async def test_the_usual_case_in_one_tap_and_the_requester_once(client: Any, services: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(services.settings.content, "assistant_name", "Trợ lý Xã Ea Kar")
    s = new_sender()
    r = await post(client, s, "cho tôi xin giấy xác nhận tình trạng hôn nhân để vay vốn ngân hàng")
    assert "Mình là Trợ lý Xã Ea Kar" in _texts(r) and "Một cửa" not in _texts(r)
    assert (await _pending(services, s)).get("ref") == "purpose"
    r = await post(client, s, "Mua bán, thế chấp nhà đất, vay vốn")
    assert (await _pending(services, s)).get("ref") == "usual_case"
    assert _buttons(r) == ["Đúng cả", "Có điều khác"]
    r = await post(client, s, "dung ca")      # typed, without diacritics
    assert (await _pending(services, s)).get("ref") == "marital_status_now"
    for answer in ("Chưa kết hôn lần nào", "Không / chưa rõ"):
        r = await post(client, s, answer)
    while (await _pending(services, s)).get("kind") == "document":
        r = await post(client, s, "có")
    assert "số căn cước" in _texts(r)
    r = await post(client, s, "Nguyễn Thị Hoa, sinh 15/3/1990, nữ, 079190012345")
    state = (await services.repo.load("rest", s)).state
    fields = dict(state["fields"]) if isinstance(state["fields"], list) else state["fields"]
    assert fields["person_birth_date"] == "1990-03-15" and fields["person_gender"] == "Nữ"
    assert state["pending"]["ref"] == "person_ethnicity"   # no residence (ID given), no birth date asked again
    for answer in ("Kinh, quốc tịch Việt Nam", "thôn 3, xã Ea Kar, tỉnh Đắk Lắk", "để vay vốn ngân hàng", "2 bản",
                   "0912345678"):
        r = await post(client, s, answer)
    assert "Tình trạng hôn nhân: Chưa đăng ký kết hôn với ai" in _texts(r)   # from the question, never asked again
    assert "(số lượng): 2 bản" in _texts(r)
