"""Routes of the web chat page and its JSON API (send, poll, history)."""
from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
from aiohttp import web

from bot.channels.base import Rejected, read_json, reject_response, to_rasa
from bot.channels.rest import parse
from bot.runtime.pull import PullDelivery, RateLimited
from bot.settings import Settings

HERE = Path(__file__).parent
CHANNEL = "web"


def routes(delivery: PullDelivery, settings: Settings) -> list[web.AbstractRouteDef]:
    max_body, max_chars = settings.server.max_body_bytes, settings.server.max_message_chars

    @aiohttp_jinja2.template("chat.html.j2")
    async def page(_request: web.Request) -> dict[str, object]:
        return {"commune": settings.content.commune, "privacy_url": settings.privacy.privacy_url,
                "max_chars": max_chars, "assistant_name": settings.content.assistant_name}

    @aiohttp_jinja2.template("privacy.html.j2")
    async def privacy(_request: web.Request) -> dict[str, object]:
        return {"retention_days": settings.privacy.retention_days}

    async def send(request: web.Request) -> web.Response:
        try:
            body = await read_json(request, max_body)
            msg = parse(body, max_chars=max_chars, channel=CHANNEL)
        except Rejected as exc:
            return reject_response(exc)
        try:
            replies = await delivery.turn(msg)
        except RateLimited as exc:
            return web.json_response(to_rasa(exc.replies, msg.sender_id), status=429)
        return web.json_response(to_rasa(replies, msg.sender_id))

    def _sender(request: web.Request) -> str:
        sender = request.query.get("sender", "")
        if not sender or len(sender) > 128:
            raise web.HTTPBadRequest(text="missing sender")
        return sender

    async def poll(request: web.Request) -> web.Response:
        sender = _sender(request)
        return web.json_response(to_rasa(await delivery.poll(CHANNEL, sender), sender))

    async def history(request: web.Request) -> web.Response:
        sender = _sender(request)
        repo = delivery.runner.repo
        row = await repo.load(CHANNEL, sender)
        if row is None:
            return web.json_response({"entries": []})
        entries = []
        for e in await repo.transcript(row.id):
            if e.direction == "in":
                entries.append({"direction": "in", "text": e.text})
            else:
                for m in to_rasa([e.body or {"kind": "text", "text": e.text}], sender):
                    entries.append({"direction": "out", "message": m})
        await repo.take_pending(row.id, delivery.runner.clock())  # shown now; do not deliver again by poll
        return web.json_response({"entries": entries})

    return [
        web.get("/", page),
        web.get("/privacy", privacy),
        web.post("/webchat/api/send", send),
        web.get("/webchat/api/poll", poll),
        web.get("/webchat/api/history", history),
        web.static("/static/webchat", HERE / "static"),
    ]
