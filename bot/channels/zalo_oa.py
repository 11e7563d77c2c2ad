"""Zalo Official Account adapter (OA Open API v3): signed webhook, cs messages, uploads, token refresh.

Facts used (tags from channel-specs.md) — most are only V3 (third-party code that agrees) or U:
- webhook header ``X-ZEvent-Signature: mac=<hex>``, ``mac = sha256(app_id + raw body + timestamp + OA secret key)``,
  plain SHA-256, not HMAC (V3, four implementations agree; validate once with a real signed request);
- events ``user_send_text`` / ``user_send_image`` / ``user_send_file`` with ``sender.id``, ``message.msg_id``,
  ``message.attachments[].payload.url``; ids and timestamps are strings (V3);
- send ``POST {api}/v3.0/oa/message/cs`` with header ``access_token`` (VC official PHP SDK); ``error: -216`` =
  expired token → refresh once and retry (V3); file upload ``/v2.0/oa/upload/file`` → ``data.token`` (VC);
- refresh ``POST {oauth}/v4/oa/access_token`` form ``refresh_token, app_id, grant_type=refresh_token`` with header
  ``secret_key: <App secret>`` (VC); the refresh token is single-use (U) so the new pair is stored at once (kv table);
- quick-reply style buttons: template ``list`` with ``oa.query.hide`` buttons (VC builder); what a click sends
  back is U — we expect the payload as a ``user_send_text``, and the text always carries a numbered menu too.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import logging
from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp import web

from bot.channels.base import (
    DocumentResolver,
    Rejected,
    SendError,
    SharedStore,
    clean_id,
    decode_json,
    read_body,
    reject_response,
)
from bot.channels.http import HttpChannel
from bot.channels.limits import ZALO_OA, clip, mask, numbered_menu, split_text
from bot.channels.media import MediaFetcher
from bot.engine.messages import Attachment, InboundMessage
from bot.runtime.push import PushIntake

log = logging.getLogger(__name__)

NAME = "zalo_oa"
AGENT_PREFIX = "Cán bộ một cửa: "
ACK_WAIT = 1.5     # Zalo wants 200 within ~2 s or retries (U, blog only)
TOKEN_KEY = "zalo_oa.tokens"
EXPIRED = -216


def signature_ok(raw: bytes, header: str, oa_secret_key: str) -> bool:
    """mac = sha256(app_id + raw body + timestamp + OA secret key) — see the module docstring (V3)."""
    try:
        body = decode_json(raw)
        app_id, ts = str(body["app_id"]), str(body["timestamp"])
    except (Rejected, KeyError, TypeError):
        return False
    digest = hashlib.sha256(app_id.encode() + raw + ts.encode() + oa_secret_key.encode()).hexdigest()
    return hmac.compare_digest(header.strip().encode(), ("mac=" + digest).encode())


def _obj(value: Any) -> dict[str, Any]:
    """A JSON object field, or {} when a broken event puts anything else there."""
    return value if isinstance(value, dict) else {}


def parse(body: Any) -> InboundMessage | None:
    """PURE: a webhook event → InboundMessage; None for events we do not answer (follow, seen, our own echoes)."""
    if not isinstance(body, dict):
        raise Rejected(400, "not a Zalo OA event")
    event = str(body.get("event_name") or "")
    if not event.startswith("user_send_"):
        return None
    sender = _obj(body.get("sender")).get("id")
    m = _obj(body.get("message"))
    mid = m.get("msg_id")
    if not sender or not mid or not isinstance(sender, (str, int)) or not isinstance(mid, (str, int)) \
            or len(str(sender)) > 128 or len(str(mid)) > 128:
        raise Rejected(400, "event without sender or msg_id")
    sender, mid = clean_id(sender, "sender.id"), clean_id(mid, "msg_id")
    text = str(m.get("text") or "").replace("\x00", "")
    att = None
    attachments = m.get("attachments")
    for a in attachments if isinstance(attachments, list) else []:
        a = _obj(a)
        p = _obj(a.get("payload"))
        url = p.get("url")
        if not isinstance(url, str):
            continue
        if a.get("type") == "image":
            att = Attachment(kind="image", mime_type="image/jpeg", ref=url)
        elif a.get("type") == "file":
            att = Attachment(kind="document", mime_type=p.get("type") if isinstance(p.get("type"), str) else None,
                             ref=url, name=p.get("name") if isinstance(p.get("name"), str) else None)
        break
    return InboundMessage(channel=NAME, sender_id=str(sender), text=text,
                          payload=text if text.startswith("/") else None, attachment=att,
                          channel_message_id=str(mid))


def render(body: dict[str, Any]) -> list[dict[str, Any]]:
    """PURE: an outbox body → OA ``message`` objects (a document is marked for upload by the sender)."""
    kind = body.get("kind", "text")
    if kind == "document":
        return [{"_document": {"ref": body.get("ref"), "url": body.get("url", ""),
                               "filename": body.get("filename") or "hoso.pdf", "caption": body.get("caption", "")}}]
    if kind == "image":
        return [{"text": clip(body.get("caption", ""), ZALO_OA.max_caption) or None, "attachment": {
            "type": "template", "payload": {"template_type": "media",
                                            "elements": [{"media_type": "image", "url": body.get("url", "")}]}}}]
    text = (AGENT_PREFIX if body.get("sender") == "agent" else "") + str(body.get("text", ""))
    buttons = list(body.get("buttons") or [])
    if buttons:
        text = text + "\n\n" + numbered_menu(buttons)
    out: list[dict[str, Any]] = [{"text": p} for p in split_text(text, ZALO_OA.max_text)]
    if buttons and len(buttons) <= ZALO_OA.max_buttons:
        out.append({"attachment": {"type": "template", "payload": {
            "template_type": "list",
            "elements": [{"title": clip(buttons[0]["title"] if len(buttons) == 1 else "Chọn một mục", 100),
                          "subtitle": ""}],
            "buttons": [{"title": clip(b["title"], ZALO_OA.max_button_title), "type": "oa.query.hide",
                         "payload": b["payload"]} for b in buttons]}}, "_optional": True})
    return out


class ZaloOAChannel(HttpChannel):
    """Signed webhook intake, push delivery with token refresh, uploads and image download."""

    name = NAME

    def __init__(self, intake: PushIntake, shared: SharedStore, *, oa_secret_key: str | None, app_id: str | None,
                 app_secret: str | None, access_token: str | None, refresh_token: str | None, api_base_url: str,
                 oauth_base_url: str, documents: DocumentResolver | None = None, max_body: int = 1024 * 1024,
                 max_skew: dt.timedelta = dt.timedelta(minutes=15), clock: Callable[[], dt.datetime] | None = None,
                 media: MediaFetcher | None = None):
        self.intake = intake
        self.oa_secret_key = oa_secret_key
        self.app_id = app_id
        self.app_secret = app_secret
        self.access_token = access_token
        self.refresh_token = refresh_token
        self._env_refresh = refresh_token
        self.api = api_base_url.rstrip("/")
        self.oauth = oauth_base_url.rstrip("/")
        self.documents = documents
        self.max_body = max_body
        self.max_skew = max_skew
        self.clock = clock or intake.clock
        self._refresh_lock = asyncio.Lock()
        self.shared = shared
        super().__init__(media)   # inbound attachment URLs: Zalo's media hosts only

    async def start(self) -> None:
        """Prefer a token pair a previous refresh stored (the env refresh token may already be used up)."""
        stored = await self.shared.get(TOKEN_KEY)
        if stored:
            self.access_token = stored.get("access_token") or self.access_token
            self.refresh_token = stored.get("refresh_token") or self.refresh_token

    # --- tokens ---------------------------------------------------------------------------
    async def refresh(self) -> None:
        """New token pair from the refresh token; the environment's one is tried too (an admin may have re-authorised)."""
        async with self._refresh_lock:
            if not (self.app_id and self.app_secret):
                raise SendError("zalo oa: access token expired and no refresh credentials", transient=False)
            for rt in dict.fromkeys(t for t in (self.refresh_token, self._env_refresh) if t):
                try:
                    async with self.session.post(f"{self.oauth}/v4/oa/access_token",
                                                 headers={"secret_key": self.app_secret},
                                                 data={"refresh_token": rt, "app_id": self.app_id,
                                                       "grant_type": "refresh_token"}) as resp:
                        data = await resp.json(content_type=None)
                except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
                    raise SendError(f"zalo oa refresh: network {type(exc).__name__}") from None
                if isinstance(data, dict) and data.get("access_token"):
                    self.access_token = data["access_token"]
                    self.refresh_token = data.get("refresh_token") or rt
                    await self._store_tokens()
                    log.info("zalo oa access token refreshed")
                    return
            raise SendError("zalo oa refresh refused (re-authorise the OA and set new tokens)", transient=False)

    async def _store_tokens(self) -> None:
        await self.shared.put(TOKEN_KEY, {"access_token": self.access_token, "refresh_token": self.refresh_token})

    async def _post(self, path: str, *, json_body: Any = None, form: aiohttp.FormData | None = None) -> Any:
        """POST with the access token; refresh once on -216; retry 429 / network errors twice."""
        refreshed = False
        for attempt in range(4):
            try:
                async with self.session.post(f"{self.api}{path}", headers={"access_token": self.access_token or ""},
                                             json=json_body, data=form) as resp:
                    status = resp.status
                    retry_after = resp.headers.get("Retry-After")
                    data = await resp.json(content_type=None)
            except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
                if attempt < 2:
                    await asyncio.sleep(0.5 * 2 ** attempt)
                    continue
                raise SendError(f"zalo oa {path}: network {type(exc).__name__}") from None
            if status == 429 or status >= 500:
                if attempt < 2:
                    await asyncio.sleep(min(float(retry_after or 1), 30))
                    continue
                raise SendError(f"zalo oa {path}: HTTP {status}")
            err = data.get("error") if isinstance(data, dict) else None
            if err == EXPIRED and not refreshed:
                await self.refresh()
                refreshed = True
                if form is not None:
                    raise SendError("zalo oa upload: token refreshed, retry")  # a FormData is single-use
                continue
            if err not in (0, None):
                raise SendError(f"zalo oa {path}: error {err} {data.get('message', '')}", transient=False)
            return data.get("data") if isinstance(data, dict) else None
        raise SendError(f"zalo oa {path}: gave up")

    # --- intake ---------------------------------------------------------------------------
    async def webhook(self, request: web.Request) -> web.Response:
        try:   # the whole body, decoded strictly (depth, UTF-8) BEFORE the signature check reads it
            raw = await read_body(request, self.max_body)
            body = decode_json(raw)
        except Rejected as exc:
            return reject_response(exc)
        header = request.headers.get("X-ZEvent-Signature", "")
        if not self.oa_secret_key or not signature_ok(raw, header, self.oa_secret_key):
            return web.Response(status=403, text="forbidden")
        try:
            sent = dt.datetime.fromtimestamp(int(str(body.get("timestamp"))) / 1000, dt.UTC)
        except (TypeError, ValueError, OverflowError):
            return web.Response(status=403, text="forbidden")
        if abs(self.clock() - sent) > self.max_skew:   # a replayed old event, even correctly signed
            return web.Response(status=403, text="stale")
        if self.app_id and str(body.get("app_id")) != self.app_id:
            return web.Response(status=403, text="forbidden")
        try:
            msg = parse(body)
        except Rejected as exc:
            return reject_response(exc)
        if msg is not None:
            await self.intake.take(msg, self, ACK_WAIT)
        return web.json_response({"error": 0})

    # --- push -----------------------------------------------------------------------------
    async def deliver(self, recipient: str, body: dict[str, Any]) -> None:
        for message in render(body):
            if "_document" in message:
                await self._send_document(recipient, message["_document"])
                continue
            optional = message.pop("_optional", False)
            message = {k: v for k, v in message.items() if v is not None}
            try:
                await self._post("/v3.0/oa/message/cs", json_body={"recipient": {"user_id": recipient},
                                                                   "message": message})
            except SendError as exc:
                if optional and not exc.transient:
                    log.info("zalo oa: button template refused (numbered text already sent): %s", exc)
                    continue
                log.info("zalo oa send to %s failed", mask(recipient))
                raise

    async def _send_document(self, recipient: str, d: dict[str, Any]) -> None:
        data = await self.documents(d["ref"]) if (self.documents and d.get("ref")) else None
        if data:
            form = aiohttp.FormData()
            form.add_field("file", data, filename=d["filename"], content_type="application/pdf")
            try:
                up = await self._post("/v2.0/oa/upload/file", form=form)
                token = (up or {}).get("token")
                if token:
                    await self._post("/v3.0/oa/message/cs", json_body={"recipient": {"user_id": recipient}, "message": {
                        "attachment": {"type": "file", "payload": {"token": token}}}})
                    if d.get("caption"):
                        await self._post("/v3.0/oa/message/cs", json_body={"recipient": {"user_id": recipient},
                                                                           "message": {"text": d["caption"]}})
                    return
            except SendError as exc:
                if exc.transient:
                    raise
                log.info("zalo oa upload refused; sending the link instead")
        text = f"{d.get('caption') or 'Tệp của bạn'}: {d.get('url', '')}"
        await self._post("/v3.0/oa/message/cs", json_body={"recipient": {"user_id": recipient},
                                                           "message": {"text": text}})


def from_settings(settings: Any, intake: PushIntake, shared: SharedStore,
                  documents: DocumentResolver | None = None) -> ZaloOAChannel | None:
    oa = settings.channels.zalo_oa
    sec = settings.secrets
    if not oa.enabled or sec.zalo_oa_secret_key is None:
        return None

    def val(x: Any) -> str | None:
        return x.get_secret_value() if x is not None else None

    return ZaloOAChannel(intake, shared, oa_secret_key=val(sec.zalo_oa_secret_key), app_id=oa.app_id,
                         app_secret=val(sec.zalo_oa_app_secret), access_token=val(sec.zalo_oa_access_token),
                         refresh_token=val(sec.zalo_oa_refresh_token), api_base_url=oa.api_base_url,
                         oauth_base_url=oa.oauth_base_url, documents=documents,
                         max_body=min(settings.server.max_body_bytes, 1024 * 1024),
                         media=MediaFetcher(settings.channels.media))
