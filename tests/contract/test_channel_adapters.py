"""Pure adapter contracts: platform payload → InboundMessage, outbox body → platform calls within its limits."""
from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels import telegram, zalo_bot, zalo_oa
from bot.channels.base import Rejected
from bot.channels.limits import TELEGRAM, ZALO_BOT, split_text

BUTTONS = [{"title": "Có", "payload": "/giayto co to-khai"}, {"title": "Chưa có", "payload": "/giayto chua to-khai"},
           {"title": "Giấy này là gì?", "payload": "/giayto hoi to-khai"}]


# --- Telegram --------------------------------------------------------------------------------------------------
def test_telegram_callback_query_becomes_payload_keyed_by_update_id() -> None:
    msg = telegram.parse({"update_id": 9, "callback_query": {
        "id": "cq1", "from": {"id": 5}, "data": "/giayto co to-khai", "chat_instance": "x",
        "message": {"message_id": 3, "date": 1, "chat": {"id": 5, "type": "private"}}}})
    assert msg is not None
    assert (msg.sender_id, msg.payload, msg.channel_message_id) == ("5", "/giayto co to-khai", "u9")
    assert msg.meta["callback_query_id"] == "cq1"


def test_telegram_commands_with_bot_mention_and_largest_photo() -> None:
    m = telegram.parse({"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": 7, "type": "private"},
                                                    "text": "/help@motcua_bot"}})
    assert m is not None and m.text == "/help" and m.payload == "/help"
    p = telegram.parse({"update_id": 2, "message": {"message_id": 2, "date": 1, "chat": {"id": 7, "type": "private"},
                                                    "caption": "căn cước",
                                                    "photo": [{"file_id": "s"}, {"file_id": "L"}]}})
    assert p is not None and p.attachment is not None
    assert (p.attachment.kind, p.attachment.ref, p.text) == ("image", "L", "căn cước")
    d = telegram.parse({"update_id": 3, "message": {"message_id": 3, "date": 1, "chat": {"id": 7, "type": "private"},
                                                    "document": {"file_id": "D", "mime_type": "application/pdf",
                                                                 "file_name": "scan.pdf"}}})
    assert d is not None and d.attachment is not None and d.attachment.kind == "document"


def test_telegram_ignores_groups_and_edits_and_rejects_garbage() -> None:
    assert telegram.parse({"update_id": 1, "message": {"message_id": 1, "date": 1,
                                                       "chat": {"id": -100, "type": "group"}, "text": "hi"}}) is None
    assert telegram.parse({"update_id": 1, "edited_message": {}}) is None
    for bad in ([], {"message": {}}, {"update_id": "1"}):
        with pytest.raises(Rejected):
            telegram.parse(bad)


def test_telegram_buttons_become_an_inline_keyboard_and_long_text_is_split() -> None:
    calls = telegram.render({"kind": "text", "text": "Bạn đã có tờ khai chưa?", "buttons": BUTTONS})
    assert len(calls) == 1
    kb = calls[0][1]["reply_markup"]["inline_keyboard"]
    assert [b["callback_data"] for row in kb for b in row] == [b["payload"] for b in BUTTONS]
    long = telegram.render({"kind": "text", "text": ("Câu dài. " * 1000), "buttons": BUTTONS})
    assert len(long) > 1 and all(len(c[1]["text"]) <= TELEGRAM.max_text for c in long)
    assert "reply_markup" in long[-1][1] and all("reply_markup" not in c[1] for c in long[:-1])


def test_telegram_payload_over_64_bytes_falls_back_to_a_numbered_menu() -> None:
    big = [{"title": "Đồng ý", "payload": "/tl " + "đ" * 40}, {"title": "Không", "payload": "/tl khong"}]
    (_method, p), = telegram.render({"kind": "text", "text": "Chọn:", "buttons": big})
    assert "reply_markup" not in p and "1. Đồng ý" in p["text"] and "2. Không" in p["text"]


def test_telegram_agent_text_is_marked_and_sent_as_plain_text() -> None:
    (_method, p), = telegram.render({"kind": "text", "text": "<b>chào</b> *anh*", "sender": "agent"})
    assert p["text"] == "Cán bộ một cửa: <b>chào</b> *anh*" and "parse_mode" not in p


# --- Zalo Bot --------------------------------------------------------------------------------------------------
def test_zalo_bot_menus_are_numbered_text_and_documents_links() -> None:
    calls = zalo_bot.render({"kind": "text", "text": "Bạn đã có tờ khai chưa?", "buttons": BUTTONS})
    text = calls[0][1]["text"]
    assert "1. Có\n2. Chưa có\n3. Giấy này là gì?" in text
    (m, p), = zalo_bot.render({"kind": "document", "url": "https://x/d/KS-1.pdf?t=abc", "filename": "KS-1.pdf",
                               "caption": "Hồ sơ KS-1", "ref": "draft:KS-1"})
    assert m == "sendMessage" and "https://x/d/KS-1.pdf?t=abc" in p["text"]


@given(st.text(min_size=1, max_size=9000))
def test_split_text_never_exceeds_the_limit_and_keeps_the_words(text: str) -> None:
    parts = split_text(text, ZALO_BOT.max_text)
    assert all(1 <= len(p) <= ZALO_BOT.max_text for p in parts)
    assert "".join(text.split()) == "".join("".join(parts).split()) or not text.strip()


def test_zalo_bot_parse_accepts_wrapped_and_legacy_photo() -> None:
    upd = {"event_name": "message.image.received", "message": {
        "message_id": "m1", "date": 1, "chat": {"id": "u1", "chat_type": "PRIVATE"}, "photo": "https://cdn/x.jpg"}}
    for body in (upd, {"ok": True, "result": upd}):
        m = zalo_bot.parse(body)
        assert m is not None and m.attachment is not None and m.attachment.ref == "https://cdn/x.jpg"
        assert m.channel_message_id == "message.image.received:m1"


# --- Zalo OA ---------------------------------------------------------------------------------------------------
def test_zalo_oa_signature_rule() -> None:
    body = {"app_id": "1", "event_name": "user_send_text", "timestamp": "1700000000000",
            "sender": {"id": "u"}, "message": {"msg_id": "m", "text": "Chào"}}
    raw = json.dumps(body, ensure_ascii=False).encode()
    mac = hashlib.sha256(b"1" + raw + b"1700000000000" + b"key").hexdigest()
    assert zalo_oa.signature_ok(raw, f"mac={mac}", "key")
    assert not zalo_oa.signature_ok(raw, mac, "key")                   # the mac= prefix is part of the header
    assert not zalo_oa.signature_ok(raw, f"mac={mac}", "other")
    assert not zalo_oa.signature_ok(raw + b" ", f"mac={mac}", "key")   # raw bytes, not re-serialised JSON
    assert not zalo_oa.signature_ok(b"not json", f"mac={mac}", "key")


def test_zalo_oa_buttons_as_numbered_text_plus_quick_replies() -> None:
    out = zalo_oa.render({"kind": "text", "text": "Bạn đã có tờ khai chưa?", "buttons": BUTTONS})
    assert "1. Có" in out[0]["text"]
    btns = out[-1]["attachment"]["payload"]["buttons"]
    assert [b["payload"] for b in btns] == [b["payload"] for b in BUTTONS] and btns[0]["type"] == "oa.query.hide"
    many = zalo_oa.render({"kind": "text", "text": "Chọn", "buttons": BUTTONS * 3})
    assert all("attachment" not in m for m in many)   # over the button limit: numbered text only


def test_body_depth_limit_counts_real_nesting_not_brackets_inside_text() -> None:
    """A citizen may type brackets, quotes and backslashes; only real nesting past MAX_DEPTH is refused."""
    import json

    import pytest

    from bot.channels.base import MAX_DEPTH, Rejected, decode_json

    typed = 'tôi gõ "[[[[" \\ và \\" {{{{' + "[" * 100
    body = {"sender": "a\\", "message": typed, "metadata": {"x": [[[{"y": "]]]]"}]]]}}
    assert decode_json(json.dumps(body, ensure_ascii=False).encode())["message"] == typed
    assert decode_json(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)
    for raw in (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1),
                b'{"a": "\\\\", "b": ' + b"[" * MAX_DEPTH + b"]" * MAX_DEPTH + b"}",
                b'{"a": "\\"[", "b": ' + b"[" * MAX_DEPTH + b"]" * MAX_DEPTH + b"}"):
        with pytest.raises(Rejected) as err:
            decode_json(raw)
        assert err.value.status == 400
