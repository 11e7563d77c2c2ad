"""What every adapter shares: safe JSON reading, rejections, and the Rasa response shape."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web


@dataclass(frozen=True, slots=True)
class Rejected(Exception):
    """A request the adapter refuses, with the HTTP status and a short reason."""

    status: int
    reason: str


async def read_json(request: web.Request, max_bytes: int) -> Any:
    """Read a JSON body; malformed, oversized or non-UTF-8 bodies become `Rejected` (4xx), never a 500."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise Rejected(413, "payload too large")
    try:
        raw = await request.content.read(max_bytes + 1)
    except Exception:
        raise Rejected(400, "could not read body") from None
    if len(raw) > max_bytes:
        raise Rejected(413, "payload too large")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Rejected(400, "body is not valid UTF-8") from None
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise Rejected(400, "body is not valid JSON") from None


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
            if b.get("sender") == "agent":
                el["custom"] = {"sender": "agent"}
            out.append(el)
        elif kind == "document":
            out.append({"recipient_id": recipient, "text": f"{b.get('caption', '')}: {b['url']}".strip(": ")})
            out.append({"recipient_id": recipient, "attachment": {
                "type": "file", "url": b["url"], "filename": b.get("filename"), "mime_type": b.get("mime_type")}})
        elif kind == "image":
            out.append({"recipient_id": recipient, "image": b["url"]})
    return out
