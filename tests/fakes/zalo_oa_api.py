"""A fake Zalo OA Open API + OAuth server, and a signer for webhook events.

Endpoints as in channel-specs.md §2b: ``POST /v3.0/oa/message/cs`` (header ``access_token``; ``error -216`` when
it is not valid), ``POST /v2.0/oa/upload/file`` (multipart ``file`` → ``data.token``), ``POST /v4/oa/access_token``
(form refresh, header ``secret_key``; the refresh token is single use), and ``/img/<name>`` as the image CDN.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


def sign(body: dict[str, Any], oa_secret_key: str) -> tuple[bytes, str]:
    """(raw body, X-ZEvent-Signature) for an event, by the rule sha256(app_id + body + timestamp + key)."""
    raw = json.dumps(body, ensure_ascii=False).encode()
    mac = hashlib.sha256(str(body["app_id"]).encode() + raw + str(body["timestamp"]).encode()
                         + oa_secret_key.encode()).hexdigest()
    return raw, f"mac={mac}"


@dataclass
class Sent:
    user_id: str
    message: dict[str, Any]


@dataclass
class FakeZaloOA:
    app_id: str
    app_secret: str
    access_token: str
    refresh_token: str
    sent: list[Sent] = field(default_factory=list)
    uploads: list[tuple[str, bytes]] = field(default_factory=list)
    images: dict[str, bytes] = field(default_factory=dict)
    refreshes: int = 0
    fail_next: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    failed: int = 0
    delay: float = 0.0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3.0/oa/message/cs", self._send)
        app.router.add_post("/v2.0/oa/upload/file", self._upload)
        app.router.add_post("/v4/oa/access_token", self._token)
        app.router.add_get("/img/{name}", self._image)
        return app

    def to(self, user_id: str) -> list[dict[str, Any]]:
        return [s.message for s in self.sent if s.user_id == user_id]

    def texts(self, user_id: str) -> str:
        return "\n".join(m.get("text", "") for m in self.to(user_id) if "text" in m)

    def _authorized(self, request: web.Request) -> bool:
        return request.headers.get("access_token") == self.access_token

    async def _send(self, request: web.Request) -> web.Response:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail_next:
            status, body = self.fail_next.pop(0)
            self.failed += 1
            return web.json_response(body, status=status)
        if not self._authorized(request):
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        body = await request.json()
        user = (body.get("recipient") or {}).get("user_id")
        msg = body.get("message") or {}
        if not user or not msg:
            return web.json_response({"error": -201, "message": "Parameters invalid"})
        if "text" in msg and not 1 <= len(msg["text"]) <= 2000:
            return web.json_response({"error": -201, "message": "Text length invalid"})
        self.sent.append(Sent(str(user), msg))
        return web.json_response({"error": 0, "message": "Success", "data": {"message_id": f"m{len(self.sent)}"}})

    async def _upload(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        form = await request.post()
        f = form.get("file")
        if not hasattr(f, "file"):
            return web.json_response({"error": -201, "message": "file missing"})
        self.uploads.append((f.filename, f.file.read()))  # type: ignore[union-attr]
        return web.json_response({"error": 0, "message": "Success", "data": {"token": f"ft{len(self.uploads)}"}})

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if (request.headers.get("secret_key") != self.app_secret or form.get("app_id") != self.app_id
                or form.get("grant_type") != "refresh_token" or form.get("refresh_token") != self.refresh_token):
            return web.json_response({"error": -14014, "error_description": "Invalid refresh token"})
        self.refreshes += 1
        self.access_token = f"at-{self.refreshes}"
        self.refresh_token = f"rt-{self.refreshes}"   # single use: the old one stops working
        return web.json_response({"access_token": self.access_token, "refresh_token": self.refresh_token,
                                  "expires_in": "90000"})

    async def _image(self, request: web.Request) -> web.Response:
        data = self.images.get(request.match_info["name"])
        return web.Response(body=data, content_type="image/jpeg") if data is not None else web.Response(status=404)
