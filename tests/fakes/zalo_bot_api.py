"""A fake Zalo Bot Platform API: ``POST /bot<TOKEN>/<method>`` with JSON bodies and ``{"ok","result"}`` answers.

Follows the official doc copy (channel-specs.md §2a, VD): sendMessage text 1–2000 chars, sendPhoto by URL,
no buttons and no document upload. Also serves images at ``/img/<name>`` as a CDN would for inbound photos.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, ClassVar

from aiohttp import web


@dataclass
class Call:
    method: str
    params: dict[str, Any]


class FakeZaloBot:
    METHODS: ClassVar[set[str]] = {"getMe", "getUpdates", "setWebhook", "getWebhookInfo", "deleteWebhook", "sendMessage", "sendPhoto",
               "sendSticker", "sendChatAction"}

    def __init__(self, token: str):
        self.token = token
        self.calls: list[Call] = []
        self.images: dict[str, bytes] = {}
        self.fail_next: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]] = {}
        self._mid = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._method)
        app.router.add_get("/img/{name}", self._image)
        return app

    def sent(self, chat_id: str, method: str | None = "sendMessage") -> list[Call]:
        return [c for c in self.calls if c.params.get("chat_id") == chat_id and (method is None or c.method == method)]

    def rate_limit_once(self, method: str) -> None:
        self.fail_next.setdefault(method, []).append(
            (429, {"ok": False, "error_code": 429, "description": "Too Many Requests"}, {"Retry-After": "1"}))

    async def _method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        if method not in self.METHODS:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        if request.content_type != "application/json":
            return web.json_response({"ok": False, "error_code": 400, "description": "Bad Request"}, status=400)
        params = await request.json()
        queue = self.fail_next.get(method)
        if queue:
            status, body, headers = queue.pop(0)
            self.calls.append(Call(method + "!failed", params))
            return web.json_response(body, status=status, headers=headers)
        if method == "sendMessage":
            text = params.get("text")
            if not isinstance(text, str) or not 1 <= len(text) <= 2000:
                return web.json_response({"ok": False, "error_code": 400, "description": "text must be 1-2000 chars"},
                                         status=400)
        self.calls.append(Call(method, params))
        result: Any = {"ok": True}
        if method in ("sendMessage", "sendPhoto", "sendSticker"):
            self._mid += 1
            result = {"message_id": f"m{self._mid}", "date": int(time.time() * 1000)}
        elif method == "getMe":
            result = {"id": "4242", "account_name": "bot.motcua", "account_type": "BASIC", "can_join_groups": False}
        elif method == "setWebhook":
            result = {"url": params.get("url"), "updated_at": int(time.time() * 1000)}
        return web.json_response({"ok": True, "result": result})

    async def _image(self, request: web.Request) -> web.Response:
        data = self.images.get(request.match_info["name"])
        return web.Response(body=data, content_type="image/jpeg") if data is not None else web.Response(status=404)
