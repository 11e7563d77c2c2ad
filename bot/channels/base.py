"""What every adapter shares: the push adapter contract, safe JSON reading, rejections, the Rasa response shape.

A push adapter (Telegram, Zalo Bot, Zalo OA) is a module with two pure functions and a channel object:
``parse(update) -> InboundMessage | None`` (``Rejected`` when malformed), ``render(body) -> platform calls`` within
its `Limits` (``bot/channels/limits.py``), and a `PushChannel` whose ``deliver`` sends one outbox body (raising
`SendError`) and whose ``fetch`` downloads a citizen's file. Intake goes through ``bot.runtime.push.PushIntake``,
delivery through ``bot.runtime.outbox.OutboxWorker``.
"""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import orjson
from aiohttp import web

from bot.engine.messages import Attachment


@dataclass(frozen=True, slots=True)
class Rejected(Exception):
    """A request the adapter refuses, with the HTTP status and a short reason."""

    status: int
    reason: str


class SendError(Exception):
    """A failed send. ``transient`` errors (network, 5xx, 429 after retries) are retried with backoff."""

    def __init__(self, message: str, *, transient: bool = True):
        super().__init__(message)
        self.transient = transient


class PushChannel(Protocol):
    """What the push worker and the intake need from an adapter."""

    name: str

    async def deliver(self, recipient: str, body: dict[str, Any]) -> None: ...

    async def fetch(self, attachment: Attachment) -> bytes | None: ...


class SharedStore(Protocol):
    """Small JSON values every worker shares (``bot.storage.kv.SharedValues``), handed in so adapters stay out of SQL."""

    async def get(self, key: str) -> dict[str, Any] | None: ...

    async def put(self, key: str, value: dict[str, Any]) -> None: ...


DocumentResolver = Callable[[str], Awaitable[bytes | None]]   # ``draft:<code>`` → the PDF, None → send the link


MAX_DEPTH = 32      # no platform's update nests deeper than ~6 levels; deeper is hostile
MAX_ID = 128        # sender / chat / message ids: the inbox and conversation columns hold 128 characters
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


async def read_body(request: web.Request, max_bytes: int) -> bytes:
    """The whole body, however it is chunked or slowly it arrives; over ``max_bytes`` → 413, a broken read → 400.

    One ``content.read(n)`` returns only what has arrived so far, so a valid body sent in pieces used to be
    judged on its first piece (invalid JSON, or a long message refused as 400 instead of 413).
    """
    if request.content_length is not None and request.content_length > max_bytes:
        raise Rejected(413, "payload too large")
    chunks: list[bytes] = []
    size = 0
    try:
        while True:
            chunk = await request.content.readany()
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise Rejected(413, "payload too large")
            chunks.append(chunk)
    except Rejected:
        raise
    except Exception:  # noqa: BLE001 - a dropped or malformed upload is the client's problem: 400, not 500
        raise Rejected(400, "could not read body") from None
    return b"".join(chunks)


def decode_json(raw: bytes) -> Any:
    """Strict JSON: invalid UTF-8, lone surrogates ("\\ud800") and nesting deeper than MAX_DEPTH → 400.

    orjson refuses surrogates and invalid UTF-8 itself, so nothing that cannot be stored or logged gets in.
    """
    try:
        value = orjson.loads(raw)
    except (orjson.JSONDecodeError, RecursionError):
        raise Rejected(400, "body is not valid JSON (UTF-8, no lone surrogates)") from None
    if _too_deep(raw):
        raise Rejected(400, "body is nested too deeply")
    return value


_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def _too_deep(raw: bytes) -> bool:
    """Whether a VALID JSON text nests arrays/objects deeper than MAX_DEPTH, without walking the parsed value.

    Counting brackets outside strings in C and numpy keeps a hostile 2 MB body of tiny arrays to milliseconds
    (a Python walk of the parsed value took ~0.5 s of the event loop).
    """
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:
        return False
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    codes = np.frombuffer(brackets, dtype=np.uint8)
    steps = np.where((codes == ord("[")) | (codes == ord("{")), 1, -1)
    return bool(steps.size) and int(np.cumsum(steps).max()) > MAX_DEPTH


async def read_json(request: web.Request, max_bytes: int) -> Any:
    """Read and decode a JSON body; malformed, oversized or non-UTF-8 bodies become `Rejected` (4xx), never a 5xx."""
    return decode_json(await read_body(request, max_bytes))


def clean_id(value: Any, what: str, max_len: int = MAX_ID) -> str:
    """A platform id (sender, chat, message) as a string; NUL and control characters are refused, not stripped.

    Stripping would let ``"victim\\x00"`` become ``"victim"`` (someone else's conversation), and PostgreSQL
    refuses NUL in text outright (a 5xx before).
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise Rejected(400, f"'{what}' must be a string or a number")
    text = str(value).strip()
    if not text or len(text) > max_len or _CONTROL.search(text):
        raise Rejected(400, f"'{what}' must be 1-{max_len} printable characters")
    return text


def reject_response(exc: Rejected) -> web.Response:
    return web.json_response({"error": exc.reason}, status=exc.status)


def to_rasa(bodies: list[dict[str, Any]], recipient: str) -> list[dict[str, Any]]:
    """Outbox bodies → Rasa REST channel elements (text+buttons in one; a file as text link + attachment)."""
    out: list[dict[str, Any]] = []
    for b in bodies:
        kind = b.get("kind", "text")
        if kind == "text":
            el: dict[str, Any] = {"recipient_id": recipient, "text": b.get("text", "")}
            if b.get("buttons"):
                el["buttons"] = [{"title": x["title"], "payload": x["payload"]} for x in b["buttons"]]
            custom: dict[str, str] = {"sender": "agent"} if b.get("sender") == "agent" else {}
            if b.get("copy"):   # one value to copy while filing online (the web chat adds a copy button)
                custom["copy"] = str(b["copy"])
            if custom:
                el["custom"] = custom
            out.append(el)
        elif kind == "document":
            out.append({"recipient_id": recipient, "text": f"{b.get('caption', '')}: {b['url']}".strip(": ")})
            out.append({"recipient_id": recipient, "attachment": {
                "type": "file", "url": b["url"], "filename": b.get("filename"), "mime_type": b.get("mime_type")}})
        elif kind == "image":
            out.append({"recipient_id": recipient, "image": b["url"]})
    return out
