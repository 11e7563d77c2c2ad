"""The Rasa-compatible REST channel end to end: a real aiohttp app, real storage, the trained NLU."""
from __future__ import annotations

import io
import json
from typing import Any

from tests.conftest import new_sender
from tests.fakes.http import post, texts

URL = "/webhooks/rest/webhook"


def buttons(replies: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [b for r in replies for b in r.get("buttons", [])]


async def test_khai_sinh_request_reaches_checklist_and_field_collection(client: Any) -> None:
    s = new_sender()
    r = await post(client, s, "tôi muốn làm giấy khai sinh cho con")
    assert all(x["recipient_id"] == s for x in r)
    assert "Đăng ký khai sinh" in texts(r)
    # Answer every eligibility question with its first button, as a citizen tapping would.
    for _ in range(10):
        if "Bước 1/" in texts(r):
            break
        r = await post(client, s, buttons(r)[0]["payload"])
    assert "Bước 1/" in texts(r) and "Tờ khai đăng ký khai sinh" in texts(r)
    assert [b["title"] for b in buttons(r)] == ["Có", "Chưa có", "Giấy này là gì?", "Có đủ cả 2 giấy"]
    for _ in range(10):
        if "Bước" not in texts(r):
            break
        r = await post(client, s, "/giayto co")
    assert "Họ và tên đầy đủ của bạn" in texts(r)
    r = await post(client, s, "Nguyễn Văn An")
    assert "Số căn cước" in texts(r)


async def test_typed_button_title_works_like_its_payload(client: Any) -> None:
    s = new_sender()
    await post(client, s, "làm khai sinh cho bé")
    r = await post(client, s, "có điều khác")
    assert "sinh ra ở Việt Nam" in texts(r)
    r = await post(client, s, "có")
    assert "người nước ngoài" in texts(r)


async def test_status_endpoint(client: Any) -> None:
    resp = await client.get("/webhooks/rest/")
    assert (await resp.json()) == {"status": "ok"}


async def test_bad_input_gets_4xx_never_500_and_loses_nothing(client: Any, services: Any) -> None:
    s = new_sender()
    await post(client, s, "làm khai sinh cho bé")
    before = await services.repo.load("rest", s)
    cases = [
        (b'{"message": "hi"}', 400),                      # missing sender
        (b'{"sender": 5, "message": "hi"}', 400),         # wrong type
        (b'{"sender": "x", "message": ["a"]}', 400),      # wrong type
        (b'[1, 2]', 400),                                 # not an object
        (b'{"sender": "x", "message": "\xff\xfe"}', 400),  # invalid UTF-8
        (b'{"sender": ', 400),                            # truncated JSON
        (b'', 400),
    ]
    for body, status in cases:
        resp = await client.post(URL, data=body, headers={"Content-Type": "application/json"})
        assert resp.status == status, body
    # A stream, not raw bytes: aiohttp's client warns that a large bytes body blocks its event loop.
    big_body = io.BytesIO(json.dumps({"sender": s, "message": "a" * (1024 * 1024)}).encode())
    big = await client.post(URL, data=big_body, headers={"Content-Type": "application/json"})
    assert 400 <= big.status < 500
    medium = await client.post(URL, json={"sender": s, "message": "á" * 5000})
    assert medium.status == 413
    assert "quá dài" in texts(await medium.json())
    after = await services.repo.load("rest", s)
    assert after.version == before.version and after.state == before.state


async def test_script_tags_stay_text(client: Any, services: Any) -> None:
    s = new_sender()
    r = await post(client, s, "<script>alert(1)</script>")
    assert isinstance(r, list) and r
    row = await services.repo.load("rest", s)
    entries = await services.repo.transcript(row.id)
    assert entries[0].text == "<script>alert(1)</script>"


async def test_duplicate_message_id_returns_the_same_replies(client: Any) -> None:
    s = new_sender()
    a = await post(client, s, "làm khai sinh cho bé", message_id="abc-1")
    b = await post(client, s, "làm khai sinh cho bé", message_id="abc-1")
    assert a == b


async def test_divorce_is_pointed_to_the_court_by_the_trained_nlu(client: Any) -> None:
    """No commune procedure fits: the citizen is told who handles it, not sent for a marital-status paper."""
    s = new_sender()
    r = await post(client, s, "tui mun ly hon thi lam sao a")
    assert "Tòa án" in texts(r)
    assert "Xác nhận tình trạng hôn nhân" not in texts(r)
    assert {"title": "Gặp cán bộ", "payload": "/canbo"} in buttons(r)
    r = await post(client, s, "làm hộ chiếu cho con ở đâu")
    assert "xuất nhập cảnh" in texts(r)


async def test_office_hours_come_from_the_communes_configuration(client: Any, services: Any) -> None:
    s = new_sender()
    r = await post(client, s, "xa lam viec may gio vay ad")
    assert "chưa có lịch làm việc" in texts(r)
    services.settings.content.office_hours = "Thứ Hai đến thứ Sáu: sáng 7 giờ 30 – 11 giờ 30"
    r = await post(client, s, "mấy giờ xã mở cửa vậy")
    assert "Thứ Hai đến thứ Sáu: sáng 7 giờ 30 – 11 giờ 30" in texts(r)
    assert (await services.repo.load("rest", s)).state.get("procedure_id") is None


async def test_a_thumbs_up_answers_a_yes_no_question(client: Any) -> None:
    s = new_sender()
    r = await post(client, s, "làm khai sinh cho bé")
    assert "Bé sinh ở Việt Nam" in texts(r)     # the usual case, one yes/no question
    r = await post(client, s, "👍")
    assert "liên thông" in texts(r)


async def _reused_id_gets_no_other_senders_replies(client: Any, services: Any, url: str, channel: str) -> None:
    """A message id is remembered per conversation: another sender reusing it is a new message, not a replay."""
    victim, harvester = new_sender(), new_sender()

    async def send(sender: str, message: str, mid: str) -> list[dict[str, Any]]:
        resp = await client.post(url, json={"sender": sender, "message": message, "message_id": mid})
        assert resp.status == 200, await resp.text()
        return await resp.json()

    mine = await send(victim, "tôi muốn làm giấy khai sinh cho con", "vq-21")
    assert "Đăng ký khai sinh" in texts(mine)
    theirs = await send(harvester, "x", "vq-21")
    assert theirs and all(r["recipient_id"] == harvester for r in theirs)
    assert "Đăng ký khai sinh" not in texts(theirs)        # none of the victim's replies
    victim_row, harvester_row = await services.repo.load(channel, victim), await services.repo.load(channel, harvester)
    assert harvester_row is not None and harvester_row.version == 1   # processed as the harvester's own turn
    assert victim_row.version == 1
    # A same-sender retry is still answered exactly once, with the stored replies.
    assert await send(harvester, "x", "vq-21") == theirs
    assert await send(victim, "tôi muốn làm giấy khai sinh cho con", "vq-21") == mine
    assert (await services.repo.load(channel, harvester)).version == 1
    assert (await services.repo.load(channel, victim)).version == 1
    entries = await services.repo.transcript(harvester_row.id)
    assert [e.text for e in entries if e.direction == "in"] == ["x"]


async def test_a_reused_message_id_never_returns_another_senders_replies(client: Any, services: Any) -> None:
    await _reused_id_gets_no_other_senders_replies(client, services, URL, "rest")


async def test_web_chat_reused_message_id_never_returns_another_senders_replies(client: Any, services: Any) -> None:
    await _reused_id_gets_no_other_senders_replies(client, services, "/webchat/api/send", "web")
