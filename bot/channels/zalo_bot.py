"""Zalo Bot Platform adapter (the Telegram-like bot token API), our own small aiohttp client.

Facts used (tags from channel-specs.md): ``POST {base}/bot<TOKEN>/<method>`` with a JSON body and an
``{"ok", "result"}`` envelope (VD official doc copy 10/12/2025, VC three clients); default host
``bot-api.zaloplatforms.com`` (VD) — an older host ``bot-api.zapps.me`` exists (VC), hence configurable;
webhook header ``X-Bot-Api-Secret-Token`` (VD); text 1–2000 chars (VD); sendPhoto takes a public URL (VD);
NO buttons and NO documents (VD) → menus become numbered text and the PDF its secret link;
inbound ``message.photo_url`` with a legacy ``message.photo`` fallback (VC OpenClaw), ``date`` in ms (VD);
webhook body sometimes wrapped in ``{ok, result}`` (U → accept both); 429 behaviour and ``Retry-After`` (U).
"""
from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any

import aiohttp
from aiohttp import web

from bot.channels.base import Rejected, SendError, clean_id, read_json, reject_response
from bot.channels.http import HttpChannel
from bot.channels.limits import ZALO_BOT, mask, numbered_menu, split_text
from bot.channels.media import MediaFetcher
from bot.engine.messages import Attachment, InboundMessage
from bot.runtime.push import PushIntake

log = logging.getLogger(__name__)

NAME = "zalo_bot"
AGENT_PREFIX = "Cán bộ một cửa: "
ACK_WAIT = 1.5    # answer fast (U: Zalo's timeout is not documented)


def _obj(value: Any) -> dict[str, Any]:
    """A JSON object field, or {} when a hostile or broken update puts anything else there."""
    return value if isinstance(value, dict) else {}


def parse(body: Any) -> InboundMessage | None:
    """PURE: a webhook body (or getUpdates result) → InboundMessage; None for events we ignore."""
    if isinstance(body, dict) and body.get("ok") is True and isinstance(body.get("result"), dict):
        body = body["result"]
    if not isinstance(body, dict) or not isinstance(body.get("message"), dict):
        raise Rejected(400, "not a Zalo Bot update")
    m = body["message"]
    chat_obj, from_obj = _obj(m.get("chat")), _obj(m.get("from"))
    chat = chat_obj.get("id") or from_obj.get("id")
    mid = m.get("message_id")
    if not chat or not mid or not isinstance(chat, (str, int)) or not isinstance(mid, (str, int)) \
            or len(str(chat)) > 128 or len(str(mid)) > 128:
        raise Rejected(400, "update without chat or message id")
    chat, mid = clean_id(chat, "chat.id"), clean_id(mid, "message_id")
    if chat_obj.get("chat_type", "PRIVATE") != "PRIVATE":
        return None
    event = str(body.get("event_name") or "")
    text = str(m.get("text") or m.get("caption") or "").replace("\x00", "")
    att = None
    photo = m.get("photo_url") or m.get("photo")
    if event == "message.image.received" or (photo and isinstance(photo, str)):
        if isinstance(photo, str) and photo.startswith(("https://", "http://")):
            att = Attachment(kind="image", mime_type="image/jpeg", ref=photo)
    elif event and event not in ("message.text.received",):
        text = text or ""   # sticker / unsupported: the engine answers an empty message with help
    return InboundMessage(channel=NAME, sender_id=str(chat), text=text,
                          payload=text if text.startswith("/") else None, attachment=att,
                          channel_message_id=f"{event or 'message'}:{mid}")


def render(body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """PURE: an outbox body → Zalo Bot calls; buttons → numbered text, documents → their link."""
    kind = body.get("kind", "text")
    if kind == "document":
        text = f"{body.get('caption') or 'Tệp của bạn'}: {body.get('url', '')}\n(Zalo Bot chưa gửi được tệp, bạn mở đường dẫn để tải.)"
        return [("sendMessage", {"text": p}) for p in split_text(text, ZALO_BOT.max_text)]
    if kind == "image":
        return [("sendPhoto", {"photo": body.get("url", ""), "caption": body.get("caption", "")[:ZALO_BOT.max_caption]})]
    text = (AGENT_PREFIX if body.get("sender") == "agent" else "") + str(body.get("text", ""))
    if body.get("buttons"):
        text = text + "\n\n" + numbered_menu(list(body["buttons"]))
    return [("sendMessage", {"text": p}) for p in split_text(text, ZALO_BOT.max_text)]


class ZaloBotChannel(HttpChannel):
    """Webhook intake, push delivery and photo download for one Zalo Bot token."""

    name = NAME

    def __init__(self, intake: PushIntake | None, *, token: str, secret: str | None,
                 api_base_url: str, max_body: int = 1024 * 1024, retries: int = 2, media: MediaFetcher | None = None):
        self.intake = intake
        self.token = token
        self.secret = secret
        self.base = api_base_url.rstrip("/")
        self.max_body = max_body
        self.retries = retries
        super().__init__(media)   # inbound photo URLs: Zalo's media hosts only

    async def start(self) -> None:
        return None

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        """One API call; 429 and network errors are retried a few times, then `SendError`.

        The token is part of the URL path, so URLs are never logged.
        """
        url = f"{self.base}/bot{self.token}/{method}"
        for attempt in range(self.retries + 1):
            try:
                async with self.session.post(url, json=params) as resp:
                    status = resp.status
                    retry_after = resp.headers.get("Retry-After")
                    try:
                        data = await resp.json(content_type=None)
                    except Exception:  # noqa: BLE001 - a non-JSON error page is handled by status below
                        data = {}
            except (TimeoutError, aiohttp.ClientError) as exc:
                if attempt < self.retries:
                    await asyncio.sleep(0.5 * 2 ** attempt)
                    continue
                raise SendError(f"{method}: network {type(exc).__name__}") from None
            code = (data or {}).get("error_code") if isinstance(data, dict) else None
            if status == 429 or code == 429:
                params_ra = ((data or {}).get("parameters") or {}).get("retry_after") if isinstance(data, dict) else None
                wait = float(retry_after or params_ra or 1)
                if attempt < self.retries:
                    await asyncio.sleep(min(wait, 30))
                    continue
                raise SendError(f"{method}: rate limited")
            if status >= 500:
                if attempt < self.retries:
                    await asyncio.sleep(0.5 * 2 ** attempt)
                    continue
                raise SendError(f"{method}: HTTP {status}")
            if not isinstance(data, dict) or data.get("ok") is not True:
                desc = data.get("description") if isinstance(data, dict) else ""
                raise SendError(f"{method}: HTTP {status} {desc}", transient=False)
            return data.get("result")
        raise SendError(f"{method}: gave up")  # pragma: no cover

    # --- intake ---------------------------------------------------------------------------
    async def process(self, body: Any) -> None:
        msg = parse(body)
        if msg is not None and self.intake is not None:
            await self.intake.take(msg, self, ACK_WAIT)

    async def webhook(self, request: web.Request) -> web.Response:
        got = request.headers.get("X-Bot-Api-Secret-Token", "").encode()
        if not self.secret or not hmac.compare_digest(got, self.secret.encode()):
            return web.Response(status=403, text="forbidden")
        try:
            await self.process(await read_json(request, self.max_body))
        except Rejected as exc:
            return reject_response(exc)
        return web.json_response({"ok": True})

    # --- push -----------------------------------------------------------------------------
    async def deliver(self, recipient: str, body: dict[str, Any]) -> None:
        for method, p in render(body):
            try:
                await self.call(method, {"chat_id": recipient, **p})
            except SendError:
                log.info("zalo bot send to %s failed", mask(recipient))
                raise

    async def set_webhook(self, url: str) -> Any:
        return await self.call("setWebhook", {"url": url, "secret_token": self.secret})


def from_settings(settings: Any, intake: PushIntake | None) -> ZaloBotChannel | None:
    zb = settings.channels.zalo_bot
    tok = settings.secrets.zalo_bot_token
    if not zb.enabled or tok is None:
        return None
    sec = settings.secrets.zalo_bot_webhook_secret
    return ZaloBotChannel(intake, token=tok.get_secret_value(), secret=sec.get_secret_value() if sec else None,
                          api_base_url=zb.api_base_url, max_body=min(settings.server.max_body_bytes, 1024 * 1024),
                          media=MediaFetcher(settings.channels.media))
