"""A fake Telegram Bot API: ``POST /bot<TOKEN>/<method>`` (form, multipart or JSON) and ``GET /file/bot<TOKEN>/…``.

Shapes follow what python-telegram-bot 22.8 sends and expects (channel-specs.md §1.7, VR): form-encoded params
with nested objects as JSON strings, multipart uploads named after the parameter, ``{"ok", "result"}`` answers.
"""
from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)


class FakeTelegram:
    def __init__(self, token: str):
        self.token = token
        self.calls: list[Call] = []
        self.files: dict[str, bytes] = {}
        self.fail_next: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self.updates: list[dict[str, Any]] = []
        self.webhook_url = ""   # what setWebhook registered; getWebhookInfo answers it (motcua doctor --online)
        self._mid = 1000
        self.base = ""          # the server's address once ``serving`` runs it

    def app(self) -> web.Application:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._method)
        app.router.add_get("/file/bot{token}/{path:.*}", self._file)
        return app

    def sent(self, chat_id: int | str, method: str | None = None) -> list[Call]:
        return [c for c in self.calls if str(c.params.get("chat_id")) == str(chat_id)
                and (method is None or c.method == method)]

    def rate_limit_once(self, method: str, retry_after: int = 1) -> None:
        self.fail_next.setdefault(method, []).append((429, {
            "ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {retry_after}",
            "parameters": {"retry_after": retry_after}}))

    async def _params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
        ctype = request.content_type
        params: dict[str, Any] = {}
        files: dict[str, tuple[str, bytes]] = {}
        if ctype == "application/json":
            params = await request.json()
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for k, v in form.items():
                if hasattr(v, "file"):
                    files[k] = (v.filename, v.file.read())
                else:
                    params[k] = v
        for k in ("reply_markup", "allowed_updates", "commands"):
            if isinstance(params.get(k), str):
                params[k] = json.loads(params[k])
        return params, files

    def _message(self, chat_id: Any, **extra: Any) -> dict[str, Any]:
        self._mid += 1
        return {"message_id": self._mid, "date": int(time.time()), "chat": {"id": int(chat_id), "type": "private"},
                **extra}

    async def _method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params, files = await self._params(request)
        queue = self.fail_next.get(method)
        if queue:
            status, body = queue.pop(0)
            self.calls.append(Call(method + "!failed", params, files))
            return web.json_response(body, status=status)
        self.calls.append(Call(method, params, files))
        result: Any = True
        if method == "getMe":
            result = {"id": 777, "is_bot": True, "first_name": "Một cửa", "username": "motcua_test_bot"}
        elif method == "sendMessage":
            extra: dict[str, Any] = {"text": params.get("text", "")}
            if params.get("reply_markup"):
                extra["reply_markup"] = params["reply_markup"]
            result = self._message(params["chat_id"], **extra)
        elif method == "sendDocument":
            name, _data = files.get("document", ("", b""))
            result = self._message(params["chat_id"], document={"file_id": "doc1", "file_unique_id": "d1",
                                                                 "file_name": name})
        elif method == "sendPhoto":
            result = self._message(params["chat_id"], photo=[{"file_id": "p1", "file_unique_id": "p1",
                                                              "width": 1, "height": 1}])
        elif method == "getFile":
            fid = params["file_id"]
            if fid not in self.files:
                return web.json_response({"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"},
                                         status=400)
            result = {"file_id": fid, "file_unique_id": fid, "file_size": len(self.files[fid]),
                      "file_path": f"photos/{fid}.jpg"}
        elif method == "setWebhook":
            self.webhook_url = str(params.get("url", ""))
        elif method == "getWebhookInfo":
            result = {"url": self.webhook_url, "has_custom_certificate": False, "pending_update_count": 0}
        elif method == "getUpdates":
            result, self.updates = self.updates, []
        return web.json_response({"ok": True, "result": result})

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        fid = request.match_info["path"].rsplit("/", 1)[-1].removesuffix(".jpg")
        if fid not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[fid], content_type="image/jpeg")


@asynccontextmanager
async def serving(token: str) -> AsyncIterator[FakeTelegram]:
    """The fake on a local port for the block; ``base`` is its address (the bot's ``api_base_url`` is base/bot)."""
    fake = FakeTelegram(token)
    server = TestServer(fake.app())
    await server.start_server()
    fake.base = str(server.make_url("")).rstrip("/")
    try:
        yield fake
    finally:
        await server.close()
