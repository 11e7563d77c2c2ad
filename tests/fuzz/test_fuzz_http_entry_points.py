"""Hostile input on every HTTP entry point the REST fuzz test does not cover: the web chat API, the Telegram and
Zalo webhooks (forged, missing and correct secrets), console login and the admin/console routes anonymously.

Whatever arrives — huge, binary, malformed JSON or forms, junk headers — the answer is a clear 4xx (or a 200 for
a well-formed message), never a 500, and nothing a forged webhook sends is stored.
"""
from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from tests.conftest import _free_port, http, make_settings
from tests.fuzz.test_fuzz_rest_and_content import json_values

TG_TOKEN = "123456:fuzz-token"
TG_SECRET = "fuzz-telegram-secret"
ZB_TOKEN = "zb-fuzz-token"
ZB_SECRET = "fuzz-zalo-bot-secret"
OA_KEY = "fuzz-oa-secret-key"


class Harness:
    """The full app with Telegram, Zalo Bot and Zalo OA enabled, plus a fake Telegram API, on one loop/thread."""

    def __init__(self, db_url: str, parser: Any, content: Any):
        self.db_url, self.parser, self.content = db_url, parser, content
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.loop: Any = None
        self.services: Any = None

    def _run(self) -> None:
        try:
            self._serve()
        except BaseException as exc:  # noqa: BLE001 — reported by start()
            self._error = exc
            self._ready.set()

    def _serve(self) -> None:
        from aiohttp import web

        from bot.app import build_app
        from bot.runtime.content import ContentStore
        from bot.services import build_services
        from bot.settings import TelegramSettings, ZaloBotSettings, ZaloOASettings
        from tests.fakes.telegram_api import FakeTelegram

        loop = asyncio.new_event_loop()
        self.loop = loop
        asyncio.set_event_loop(loop)
        fake_port = _free_port()
        fake = web.AppRunner(FakeTelegram(TG_TOKEN).app())
        loop.run_until_complete(fake.setup())
        loop.run_until_complete(web.TCPSite(fake, "127.0.0.1", fake_port).start())
        base = f"http://127.0.0.1:{fake_port}"
        s = make_settings(
            self.db_url,
            channels__telegram=TelegramSettings(enabled=True, api_base_url=f"{base}/bot", file_base_url=f"{base}/file/bot"),
            channels__zalo_bot=ZaloBotSettings(enabled=True, api_base_url=base),
            channels__zalo_oa=ZaloOASettings(enabled=True, api_base_url=base, oauth_base_url=base, app_id="1"),
            secrets__telegram_token=SecretStr(TG_TOKEN), secrets__telegram_webhook_secret=SecretStr(TG_SECRET),
            secrets__zalo_bot_token=SecretStr(ZB_TOKEN), secrets__zalo_bot_webhook_secret=SecretStr(ZB_SECRET),
            secrets__zalo_oa_secret_key=SecretStr(OA_KEY), secrets__zalo_oa_app_secret=SecretStr("app-secret"),
            secrets__zalo_oa_access_token=SecretStr("at-0"), secrets__zalo_oa_refresh_token=SecretStr("rt-0"))
        self.settings = s
        self.services = build_services(s, content=ContentStore(self.content))
        self.services.nlu.use(self.parser)
        runner = web.AppRunner(build_app(s, self.services))
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
        self._ready.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.run_until_complete(fake.cleanup())
        loop.close()

    def start(self) -> Harness:
        self._thread.start()
        self._ready.wait(60)
        if self._error is not None:
            raise self._error
        return self

    def call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(30)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(15)


@pytest.fixture
def harness(sqlite_url: str, trained_parser: Any, content: Any) -> Iterator[Harness]:
    h = Harness(sqlite_url, trained_parser, content).start()
    yield h
    h.stop()


def _count_conversations(h: Harness) -> int:
    from sqlalchemy import func, select

    from bot.storage.repo import conversations

    async def go() -> int:
        async with h.services.repo.engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(conversations).where(
                conversations.c.channel.in_(["telegram", "zalo_bot", "zalo_oa", "zalo-bot", "zalo-oa"])))).scalar_one())

    return h.call(go())


telegram_like = st.fixed_dictionaries(
    {"update_id": st.one_of(st.integers(), st.text(max_size=5), st.none())},
    optional={"message": st.one_of(json_values, st.fixed_dictionaries(
        {"message_id": st.integers(), "chat": st.one_of(json_values, st.fixed_dictionaries(
            {"id": st.one_of(st.integers(), st.text(max_size=12)), "type": st.sampled_from(["private", "group", "x"])})),
         "text": st.one_of(st.text(max_size=200), st.integers(), st.none())},
        optional={"from": json_values, "photo": json_values, "document": json_values})),
        "callback_query": json_values, "edited_message": json_values})
zalo_like = st.fixed_dictionaries(
    {"event_name": st.one_of(st.sampled_from(["message.text.received", "user_send_text", "user_send_image",
                                              "follow", "x"]), st.text(max_size=20))},
    optional={"message": json_values, "result": json_values, "sender": json_values, "timestamp": json_values,
              "app_id": json_values, "ok": json_values})
bodies = st.one_of(
    st.binary(max_size=400),
    json_values.map(lambda v: json.dumps(v).encode()),
    telegram_like.map(lambda v: json.dumps(v).encode()),
    zalo_like.map(lambda v: json.dumps(v).encode()),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
)
content_types = st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded",
                                 "multipart/form-data; boundary=x", "application/octet-stream", ""])
# (method, path, headers that may carry a secret) — the secret slot gets forged, missing or real values.
ENTRY_POINTS = [
    ("POST", "/webchat/api/send", None),
    ("GET", "/webchat/api/poll?sender={q}", None),
    ("GET", "/webchat/api/history?sender={q}", None),
    ("POST", "/webhooks/telegram", "X-Telegram-Bot-Api-Secret-Token"),
    ("POST", "/webhooks/zalo-bot", "X-Bot-Api-Secret-Token"),
    ("POST", "/webhooks/zalo-oa", "X-ZEvent-Signature"),
    ("POST", "/console/login", None),
    ("POST", "/console/logout", None),
    ("GET", "/console/api/queue", None),
    ("GET", "/console/api/c/1", None),
    ("POST", "/console/c/1/{q}", None),
    ("POST", "/console/admin/content/validate", None),
    ("POST", "/console/admin/content/publish", None),
    ("POST", "/console/admin/preview/turn", None),
    ("POST", "/console/admin/misses/assign", None),
    ("POST", "/console/admin/versions/1/rollback", None),
    ("GET", "/console/admin/content/{q}", None),
    ("GET", "/console/admin/reports/{q}.csv", None),
]
REAL_SECRET = {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET, "X-Bot-Api-Secret-Token": ZB_SECRET}


def test_every_entry_point_answers_hostile_input_without_500(harness: Harness) -> None:
    from urllib.parse import quote

    before = _count_conversations(harness)
    seen: dict[str, int] = {}

    @settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
    @given(entry=st.sampled_from(ENTRY_POINTS), body=bodies, ctype=content_types,
           secret=st.one_of(st.none(), st.text(max_size=40).filter(lambda t: t.isascii() and t.isprintable()),
                            st.just("real")),
           q=st.text(max_size=30))
    def one(entry: tuple[str, str, str | None], body: bytes, ctype: str, secret: str | None, q: str) -> None:
        method, path, header = entry
        seen[path] = seen.get(path, 0) + 1
        url = harness.url + path.format(q=quote(q, safe=""))
        headers = {"Content-Type": ctype} if ctype else {}
        forged = False
        if header is not None and secret is not None:
            if secret == "real" and header in REAL_SECRET:
                headers[header] = REAL_SECRET[header]
            else:
                headers[header] = secret
                forged = True
        elif header is not None:
            forged = True
        code, data = http(method, url, body if method == "POST" else None, headers)
        assert code < 500, (method, path, body[:80], code, data[:200])
        if forged or header == "X-ZEvent-Signature":
            # No secret, a wrong one, or an unsigned Zalo OA event: refused outright, nothing processed.
            assert code in (400, 401, 403, 413), (path, headers, code)

    one()
    # Forged webhooks stored nothing; correctly authenticated junk may at most start a conversation politely.
    after = _count_conversations(harness)
    print(f"\nfuzz cases tried on {len(seen)} entry points: {sum(seen.values())}")
    assert after >= before
    assert sum(seen.values()) >= 300


@pytest.mark.parametrize("method,path", [
    ("POST", "/webhooks/rest/webhook"), ("POST", "/webchat/api/send"), ("POST", "/webhooks/telegram"),
    ("POST", "/webhooks/zalo-bot"), ("POST", "/webhooks/zalo-oa"), ("POST", "/console/login"),
    ("POST", "/console/admin/preview/turn"), ("POST", "/console/admin/content/publish"),
])
def test_huge_and_binary_bodies_get_a_clear_answer(harness: Harness, method: str, path: str) -> None:
    huge = b"{\"sender\": \"x\", \"message\": \"" + b"a" * (harness.settings.server.max_body_bytes + 10) + b"\"}"
    for body, ctype in ((huge, "application/json"), (b"\x00\xff\xfe" * 5000, "application/json"),
                        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, "application/octet-stream"),
                        (b"{" * 10000, "application/json"), (b"a=" + b"%" * 5000, "application/x-www-form-urlencoded")):
        headers = {"Content-Type": ctype, **REAL_SECRET}
        code, data = http(method, harness.url + path, body, headers)
        assert 400 <= code < 500 or code == 200, (path, body[:20], code, data[:200])
        if body is huge and code != 200:
            assert code in (400, 401, 403, 413), (path, code)


# Any JSON where an object is expected: lists, numbers, nulls and objects nested anywhere in an update.
hostile_update = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["update_id", "message", "callback_query", "chat", "from", "id", "type", "chat_type", "text",
                         "caption", "data", "photo", "photo_url", "document", "mime_type", "file_id", "file_name",
                         "message_id", "event_name", "ok", "result", "sender", "msg_id", "attachments", "payload",
                         "url", "name"]), children, max_size=6),
    max_leaves=30)


@settings(max_examples=500, deadline=None)
@given(update=hostile_update)
def test_channel_parsers_accept_or_reject_never_crash(update: Any) -> None:
    """The pure Telegram, Zalo Bot and Zalo OA parsers answer an InboundMessage, None, or `Rejected` — nothing else."""
    from bot.channels import telegram, zalo_bot, zalo_oa
    from bot.channels.base import Rejected
    from bot.engine import InboundMessage

    for parse in (telegram.parse, zalo_bot.parse, zalo_oa.parse):
        for body in (update, {"update_id": 1, "message": update}, {"update_id": 2, "callback_query": update},
                     {"event_name": "message.text.received", "message": update},
                     {"event_name": "user_send_text", "sender": update, "message": update},
                     {"event_name": "user_send_image", "sender": {"id": "1"}, "message": update}):
            try:
                out = parse(body)
            except Rejected:
                continue
            assert out is None or isinstance(out, InboundMessage)
            if out is not None:
                assert isinstance(out.sender_id, str) and isinstance(out.text, str)


# --- issue 14 (6): bad input that used to reach storage or the decoder and answer 503 ----------------------------
def _signed_oa(event: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """A correctly signed Zalo OA event; json.dumps keeps escapes such as \\ud800 as they are on the wire."""
    import hashlib
    import time

    event = {"app_id": "1", "timestamp": str(int(time.time() * 1000)), **event}
    raw = json.dumps(event).encode()
    mac = hashlib.sha256(b"1" + raw + event["timestamp"].encode() + OA_KEY.encode()).hexdigest()
    return raw, {"Content-Type": "application/json", "X-ZEvent-Signature": f"mac={mac}"}


def _one_message_per_channel(text: str, sender: str, mid: str) -> list[tuple[str, str, bytes, dict[str, str]]]:
    """(channel, path, raw body, headers) of one citizen message on each of the five channels."""
    ctype = {"Content-Type": "application/json"}
    rest = json.dumps({"sender": sender, "message": text, "message_id": mid}).encode()
    tg = {"update_id": abs(hash(mid)) % 10**9, "message": {"message_id": 1, "text": text,
                                                        "chat": {"id": sender, "type": "private"}}}
    zb = {"event_name": "message.text.received", "message": {"message_id": mid, "text": text, "chat": {"id": sender}}}
    oa_raw, oa_headers = _signed_oa({"event_name": "user_send_text", "sender": {"id": sender},
                                     "message": {"msg_id": mid, "text": text}})
    return [("rest", "/webhooks/rest/webhook", rest, ctype), ("web", "/webchat/api/send", rest, ctype),
            ("telegram", "/webhooks/telegram", json.dumps(tg).encode(),
             {**ctype, "X-Telegram-Bot-Api-Secret-Token": TG_SECRET}),
            ("zalo_bot", "/webhooks/zalo-bot", json.dumps(zb).encode(), {**ctype, "X-Bot-Api-Secret-Token": ZB_SECRET}),
            ("zalo_oa", "/webhooks/zalo-oa", oa_raw, oa_headers)]


def _load(h: Harness, channel: str, sender: str) -> Any:
    return h.call(h.services.repo.load(channel, sender))


def _stored_rows(h: Harness) -> tuple[int, int, int]:
    """(conversations, transcript rows, inbox rows) of every channel: a refused request adds none."""
    from sqlalchemy import func, select

    from bot.storage.repo import conversations, inbox, transcript

    async def go() -> tuple[int, int, int]:
        async with h.services.repo.engine.connect() as conn:
            return tuple([int((await conn.execute(select(func.count()).select_from(t))).scalar_one())
                          for t in (conversations, transcript, inbox)])  # type: ignore[return-value]

    return h.call(go())


def test_a_lone_surrogate_gets_400_on_every_channel_and_stores_nothing(harness: Harness) -> None:
    before = _stored_rows(harness)
    for text, sender in (("xin chào \ud800", "sur-1"), ("làm khai sinh", "sur-\udfff")):
        for channel, path, raw, headers in _one_message_per_channel(text, sender, f"m-{sender}"):
            assert b"\\ud" in raw   # the escape as a client sends it, not UTF-8
            code, data = http("POST", harness.url + path, raw, headers)
            assert code == 400, (channel, sender, code, data[:200])
            assert _stored_rows(harness) == before
    # Raw UTF-8 of a surrogate (ED A0 80) is invalid UTF-8: the same clear 400.
    code, _ = http("POST", harness.url + "/webhooks/rest/webhook",
                   b'{"sender": "sur-2", "message": "\xed\xa0\x80"}', {"Content-Type": "application/json"})
    assert code == 400


def test_nul_in_a_sender_or_message_id_gets_400_and_stores_nothing(harness: Harness) -> None:
    before = _stored_rows(harness)
    for sender, mid in (("nul-1\x00", "m-nul-1"), ("nul-2", "m-\x00nul-2"), ("\x00", "m-nul-3")):
        for channel, path, raw, headers in _one_message_per_channel("xin chào", sender, mid):
            if channel == "telegram" and "\x00" not in sender:
                continue   # Telegram's message id is its update_id, a number
            code, data = http("POST", harness.url + path, raw, headers)
            assert code == 400, (channel, sender, mid, code, data[:200])
            assert _stored_rows(harness) == before
    for q in ("nul-1%00", "%00", "a%01b"):
        for api in ("poll", "history"):
            code, _ = http("GET", f"{harness.url}/webchat/api/{api}?sender={q}")
            assert code == 400, (api, q, code)
    assert _stored_rows(harness) == before


@pytest.mark.parametrize("path,headers", [
    ("/webhooks/zalo-oa", {"X-ZEvent-Signature": "mac=00"}), ("/webhooks/zalo-oa", {}),
    ("/webhooks/rest/webhook", {}), ("/webchat/api/send", {}),
    ("/webhooks/telegram", {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}),
    ("/webhooks/zalo-bot", {"X-Bot-Api-Secret-Token": ZB_SECRET}),
])
def test_deeply_nested_json_gets_400_before_any_other_check(harness: Harness, path: str, headers: dict[str, str]) -> None:
    for depth in (100, 5_000, 200_000):
        raw = b'{"app_id": "1", "timestamp": "1", "sender": "deep", "message": ' + b"[" * depth + b"]" * depth + b"}"
        code, data = http("POST", harness.url + path, raw, {"Content-Type": "application/json", **headers})
        assert code == 400, (path, depth, code, data[:200])


def _slow_post(h: Harness, path: str, raw: bytes, headers: dict[str, str], *, pieces: int = 4,
               pause: float = 0.2, chunked: bool = False) -> tuple[int, bytes]:
    """POST a body in pieces with pauses (a slow phone network), with Content-Length or chunked encoding."""
    import socket
    import time

    head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{h.port}", "Connection: close",
            *(f"{k}: {v}" for k, v in headers.items()),
            "Transfer-Encoding: chunked" if chunked else f"Content-Length: {len(raw)}"]
    size = -(-len(raw) // pieces)
    with socket.create_connection(("127.0.0.1", h.port), timeout=30) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        for i in range(0, len(raw), size):
            part = raw[i:i + size]
            sock.sendall(b"%x\r\n%s\r\n" % (len(part), part) if chunked else part)
            time.sleep(pause)
        if chunked:
            sock.sendall(b"0\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    return status, answer.split(b"\r\n\r\n", 1)[1]


def test_a_slow_or_chunked_valid_body_is_read_whole(harness: Harness) -> None:
    ctype = {"Content-Type": "application/json"}
    for i, chunked in enumerate((False, True)):
        sender = f"slow-{i}"
        raw = json.dumps({"sender": sender, "message": "tôi muốn làm giấy khai sinh cho con"},
                         ensure_ascii=False).encode()
        code, data = _slow_post(harness, "/webhooks/rest/webhook", raw, ctype, chunked=chunked)
        assert code == 200, (chunked, data[:300])
        assert "Đăng ký khai sinh" in " ".join(r.get("text", "") for r in json.loads(data))
        assert _load(harness, "rest", sender).version == 1
    update = {"update_id": 424242, "message": {"message_id": 1, "text": "xin chào", "chat": {"id": 5151, "type": "private"}}}
    code, _ = _slow_post(harness, "/webhooks/telegram", json.dumps(update).encode(),
                         {**ctype, "X-Telegram-Bot-Api-Secret-Token": TG_SECRET})
    assert code == 200 and _load(harness, "telegram", "5151") is not None


def test_a_1_mb_rest_message_gets_413_with_a_readable_answer(harness: Harness) -> None:
    sender = "big-1"
    raw = json.dumps({"sender": sender, "message": "a" * (1024 * 1024)}).encode()
    for status, data in (http("POST", harness.url + "/webhooks/rest/webhook", raw, {"Content-Type": "application/json"}),
                         _slow_post(harness, "/webhooks/rest/webhook", raw, {"Content-Type": "application/json"},
                                    pieces=3, pause=0.1)):
        assert status == 413, (status, data[:200])
        assert "quá dài" in " ".join(r.get("text", "") for r in json.loads(data))
    assert _load(harness, "rest", sender) is None
    code, _ = http("POST", harness.url + "/webhooks/rest/webhook",
                   b'{"sender": "big-2", "message": "' + b"a" * (harness.settings.server.max_body_bytes + 1) + b'"}',
                   {"Content-Type": "application/json"})
    assert code == 413
