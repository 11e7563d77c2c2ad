"""Routes of the web chat page and its JSON API (send, poll, history, and a live event stream so an agent's
reply shows within a second instead of at the next poll)."""
from __future__ import annotations

import asyncio
import contextlib
import json
import time
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.channels.base import Rejected, clean_id, read_json, reject_response, to_rasa
from bot.channels.rest import answer_turn, parse
from bot.runtime.pubsub import PubSub
from bot.runtime.pull import PullDelivery
from bot.settings import Settings
from bot.web import pages

HERE = Path(__file__).parent
CHANNEL = "web"
HEARTBEAT = 15.0
STREAM_SECONDS = 300.0   # a stream ends after 5 minutes and the browser reconnects: no connection lives forever
NOT_YET_MS = 3000        # no conversation yet (before the first turn): the browser retries after this


async def _stream(request: web.Request, pubsub: PubSub, conversation_id: int) -> web.StreamResponse:
    """Server-sent events for one conversation (the topic the console publishes to, over Redis when several
    workers run): each event only says "something arrived"; the page then takes it through the poll endpoint,
    so delivery stays exactly-once whichever path fetches it."""
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                       "X-Accel-Buffering": "no"})
    await resp.prepare(request)
    await resp.write(b"retry: 2000\n: ok\n\n")
    until = time.monotonic() + STREAM_SECONDS
    async with pubsub.subscribe(f"conv:{conversation_id}") as stream:
        it = stream.__aiter__()
        while time.monotonic() < until:
            try:
                ev = await asyncio.wait_for(it.__anext__(), HEARTBEAT)
                await resp.write(f"data: {json.dumps({'kind': ev.get('kind', '')})}\n\n".encode())
            except TimeoutError:
                await resp.write(b": ping\n\n")
            except (ConnectionResetError, asyncio.CancelledError, StopAsyncIteration):
                break
    with contextlib.suppress(ConnectionResetError):
        await resp.write_eof()
    return resp


def _sender(request: web.Request) -> str:
    """The ``sender`` query parameter, checked like a sent message's sender (no NUL or control characters)."""
    try:
        return clean_id(request.query.get("sender", ""), "sender")
    except Rejected:
        raise web.HTTPBadRequest(text="missing sender") from None


async def _history_entries(delivery: PullDelivery, sender: str) -> list[dict[str, Any]]:
    """The conversation so far for a reloaded page; apart from routes so the route table stays short."""
    repo = delivery.repo
    row = await repo.load(CHANNEL, sender)
    if row is None:
        return []
    entries: list[dict[str, Any]] = []
    shown = []
    for e in await repo.transcript(row.id):
        if e.direction == "in":
            entries.append({"direction": "in", "text": e.text})
        else:
            shown.append(e.body)
            for m in to_rasa([e.body or {"kind": "text", "text": e.text}], sender):
                entries.append({"direction": "out", "message": m})
    # Shown now; do not deliver again by poll. A pending message whose transcript copy is masked (the draft
    # link: its token is kept only until delivery) is shown as sent, or the citizen would never get it.
    for body in await repo.take_pending(row.id, delivery.clock()):
        if body not in shown:
            entries.extend({"direction": "out", "message": m} for m in to_rasa([body], sender))
    return entries


def routes(delivery: PullDelivery, settings: Settings, pubsub: PubSub | None = None) -> list[web.AbstractRouteDef]:
    """The citizen web chat: its page, privacy notice, and the send/poll/history/events API."""
    max_body, max_chars = settings.server.max_body_bytes, settings.server.max_message_chars

    @pages.template("chat.html.j2")
    async def page(_request: web.Request) -> dict[str, object]:
        return {"commune": settings.content.commune, "privacy_url": settings.privacy.privacy_url,
                "max_chars": max_chars, "assistant_name": settings.content.assistant_name}

    @pages.template("privacy.html.j2")
    async def privacy(_request: web.Request) -> dict[str, object]:
        return {"retention_days": settings.privacy.retention_days}

    async def send(request: web.Request) -> web.Response:
        try:
            body = await read_json(request, max_body)
            msg = parse(body, max_chars=max_chars, channel=CHANNEL)
        except Rejected as exc:
            return reject_response(exc)
        return await answer_turn(delivery, msg)

    async def poll(request: web.Request) -> web.Response:
        sender = _sender(request)
        return web.json_response(to_rasa(await delivery.poll(CHANNEL, sender), sender))

    async def events(request: web.Request) -> web.StreamResponse:
        sender = _sender(request)
        row = await delivery.repo.load(CHANNEL, sender)
        if pubsub is None:
            raise web.HTTPNotFound()   # the page keeps polling
        if row is None:   # the first message has not been handled yet: try again shortly
            return web.Response(text=f"retry: {NOT_YET_MS}\n\n", content_type="text/event-stream", status=200)
        return await _stream(request, pubsub, row.id)

    async def history(request: web.Request) -> web.Response:
        sender = _sender(request)
        return web.json_response({"entries": await _history_entries(delivery, sender)})

    return [
        web.get("/", page),
        web.get("/privacy", privacy),
        web.post("/webchat/api/send", send),
        web.get("/webchat/api/poll", poll),
        web.get("/webchat/api/history", history),
        web.get("/webchat/api/events", events),
        web.static("/static/webchat", HERE / "static"),
    ]
