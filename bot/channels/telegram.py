"""Telegram adapter (python-telegram-bot 22.x as the Bot API client).

Facts used (tags from channel-specs.md): webhook header ``X-Telegram-Bot-Api-Secret-Token`` and 403 on a wrong
one (VC PTB webhookhandler); ``ExtBot(base_url=…, base_file_url=…)`` to point at a fake server (VR);
``AIORateLimiter(max_retries=2)`` retries a 429 ``RetryAfter`` (VC); text ≤ 4096, caption ≤ 1024,
``callback_data`` ≤ 64 bytes (VC constants); photos arrive as a list of sizes, the last is the largest (VR).

We do not use PTB's ConversationHandler/persistence (REC in the spec): the dialogue state lives in our DB and
is shared by every channel. Text is sent without ``parse_mode`` so nothing a citizen or agent types can be
read as markup (no escaping needed, nothing can break the message).
"""
from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any

from aiohttp import web

from bot.channels.base import DocumentResolver, Rejected, SendError, clean_id, read_json, reject_response
from bot.channels.limits import TELEGRAM, clip, fits_payload, mask, numbered_menu, split_text
from bot.engine.messages import Attachment, InboundMessage
from bot.runtime.push import PushIntake

log = logging.getLogger(__name__)

NAME = "telegram"
AGENT_PREFIX = "Cán bộ một cửa: "
ACK_WAIT = 0.5    # sending continues after the answer; a long wait would only slow intake (30 msg/s cap)
MAX_DOWNLOAD = 20 * 1024 * 1024   # Bot API download limit (VC FILESIZE_DOWNLOAD)
RETRY_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)   # seconds between start-up attempts, then every 60 s
COMMANDS = [("start", "Bắt đầu"), ("help", "Hướng dẫn"), ("huy", "Làm lại từ đầu"), ("canbo", "Gặp cán bộ"),
            ("hoso", "Hồ sơ của tôi"), ("nhan", "Nhận hồ sơ đã làm tại quầy"), ("xoadulieu", "Xoá dữ liệu của tôi")]


def _command(text: str) -> str:
    """'/help@motcua_bot args' → '/help args' (group-style mentions)."""
    if not text.startswith("/"):
        return text
    head, _, rest = text.partition(" ")
    head = head.split("@", 1)[0]
    return f"{head} {rest}".strip()


def _obj(value: Any) -> dict[str, Any]:
    """A JSON object field, or {} when a broken or hostile update puts anything else there."""
    return value if isinstance(value, dict) else {}


def parse(update: Any) -> InboundMessage | None:
    """PURE: a Telegram Update (JSON) → InboundMessage; None for update kinds we ignore; `Rejected` if malformed."""
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        raise Rejected(400, "not a Telegram update")
    mid = f"u{update['update_id']}"
    cq = update.get("callback_query")
    if isinstance(cq, dict):
        data = cq.get("data")
        chat = _obj(_obj(cq.get("message")).get("chat")).get("id") or _obj(cq.get("from")).get("id")
        if not isinstance(data, str) or not isinstance(chat, (int, str)) or isinstance(chat, bool):
            return None
        data = data.replace("\x00", "")
        return InboundMessage(channel=NAME, sender_id=clean_id(chat, "chat.id", 64), text=data, payload=data,
                              channel_message_id=mid,
                              meta={"callback_query_id": cq.get("id")})
    m = update.get("message")
    if not isinstance(m, dict):
        return None   # edited messages, channel posts, joins: nothing to answer
    chat = _obj(m.get("chat")).get("id")
    if not isinstance(chat, (int, str)) or isinstance(chat, bool) or len(str(chat)) > 64:
        raise Rejected(400, "message without chat")
    chat = clean_id(chat, "chat.id", 64)
    if _obj(m.get("chat")).get("type", "private") != "private":
        return None   # the bot serves citizens one to one
    text = _command(str(m.get("text") or m.get("caption") or "").replace("\x00", ""))
    att = None
    if isinstance(m.get("photo"), list) and m["photo"] and isinstance(m["photo"][-1], dict):
        biggest = m["photo"][-1]
        att = Attachment(kind="image", mime_type="image/jpeg", ref=str(biggest.get("file_id")))
    elif isinstance(m.get("document"), dict):
        d = m["document"]
        mime = d.get("mime_type") if isinstance(d.get("mime_type"), str) else "application/octet-stream"
        mime = mime or "application/octet-stream"
        att = Attachment(kind="image" if mime.startswith("image/") else "document", mime_type=mime,
                         ref=str(d.get("file_id")), name=d.get("file_name") if isinstance(d.get("file_name"), str) else None)
    if not text and att is None:
        text = ""   # sticker, voice…: the engine answers an empty message with its help
    return InboundMessage(channel=NAME, sender_id=str(chat), text=text,
                          payload=text if text.startswith("/") else None, attachment=att, channel_message_id=mid)


def render(body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """PURE: an outbox body → Bot API calls ``(method, params)`` within Telegram's limits."""
    kind = body.get("kind", "text")
    prefix = AGENT_PREFIX if body.get("sender") == "agent" else ""
    if kind == "document":
        return [("sendDocument", {"ref": body.get("ref"), "url": body.get("url", ""),
                                  "filename": body.get("filename") or "hoso.pdf",
                                  "caption": clip(body.get("caption", ""), TELEGRAM.max_caption)})]
    if kind == "image":
        return [("sendPhoto", {"photo": body.get("url", ""), "caption": clip(body.get("caption", ""),
                                                                            TELEGRAM.max_caption)})]
    text = prefix + str(body.get("text", ""))
    buttons = list(body.get("buttons") or [])
    markup = None
    if buttons:
        if len(buttons) <= TELEGRAM.max_buttons and all(fits_payload(b["payload"], TELEGRAM) for b in buttons):
            short = all(len(b["title"]) <= 18 for b in buttons)
            per_row = 2 if short and len(buttons) > 3 else 1
            keys = [{"text": clip(b["title"], TELEGRAM.max_button_title), "callback_data": b["payload"]}
                    for b in buttons]
            markup = {"inline_keyboard": [keys[i:i + per_row] for i in range(0, len(keys), per_row)]}
        else:
            text = text + "\n\n" + numbered_menu(buttons)
    parts = split_text(text, TELEGRAM.max_text)
    calls: list[tuple[str, dict[str, Any]]] = [("sendMessage", {"text": p}) for p in parts]
    if markup is not None:
        calls[-1][1]["reply_markup"] = markup
    return calls


class TelegramChannel:
    """Webhook/polling intake, push delivery and photo download for one bot token."""

    name = NAME

    def __init__(self, intake: PushIntake | None, *, token: str, secret: str | None,
                 api_base_url: str, file_base_url: str, documents: DocumentResolver | None = None,
                 max_body: int = 2 * 1024 * 1024):
        from telegram.ext import AIORateLimiter, ExtBot

        self.intake = intake
        self.secret = secret
        self.documents = documents
        self.max_body = max_body
        self.bot = ExtBot(token, base_url=api_base_url, base_file_url=file_base_url,
                          rate_limiter=AIORateLimiter(max_retries=2))
        self._started = False
        self._retry: asyncio.Task[None] | None = None
        self.retry_delays: tuple[float, ...] = RETRY_DELAYS

    # --- start-up -------------------------------------------------------------------------
    async def start(self) -> None:
        """getMe once; if the Bot API cannot be reached the server starts anyway and keeps trying in the background.

        Webhook intake needs no API call, and replies wait in the outbox until the API answers again.
        """
        if self._started or (self._retry is not None and not self._retry.done()):
            return
        if not await self._initialize():
            self._retry = asyncio.create_task(self._initialize_until_ready())

    async def _initialize(self) -> bool:
        from telegram.error import InvalidToken

        try:
            await self.bot.initialize()
        except asyncio.CancelledError:
            raise
        except InvalidToken:   # its message quotes the token: never log it
            log.error("Telegram refused the bot token (check MOTCUA_SECRETS__TELEGRAM_TOKEN); retrying")
            return False
        except Exception as exc:  # noqa: BLE001 - network down, DNS, 5xx: never stop the server
            log.warning("Telegram Bot API unreachable at start-up (%s); retrying in the background",
                        type(exc).__name__)
            return False
        self._started = True
        return True

    async def _initialize_until_ready(self) -> None:
        attempt = 0
        while True:
            await asyncio.sleep(self.retry_delays[min(attempt, len(self.retry_delays) - 1)])
            attempt += 1
            if await self._initialize():
                log.info("Telegram Bot API reachable after %d retries", attempt)
                return

    async def ready(self) -> None:
        """Wait until getMe has succeeded (start-up retries included)."""
        await self.start()
        if self._retry is not None and not self._retry.done():
            await asyncio.shield(self._retry)

    async def stop(self) -> None:
        if self._retry is not None:
            self._retry.cancel()
            await asyncio.gather(self._retry, return_exceptions=True)
            self._retry = None
        await self.bot.shutdown()   # a no-op when nothing was opened
        self._started = False

    # --- intake ---------------------------------------------------------------------------
    async def process(self, update: Any) -> None:
        """One update: turn, answer the button's spinner, push the replies."""
        msg = parse(update)
        if msg is None or self.intake is None:
            return
        cq_id = msg.meta.get("callback_query_id")
        await self.intake.take(msg, self, ACK_WAIT, after_turn=(lambda: self._stop_spinner(cq_id)) if cq_id else None)

    async def _stop_spinner(self, cq_id: str) -> None:
        try:
            await self.bot.answer_callback_query(cq_id)
        except Exception as exc:  # noqa: BLE001 - the spinner stops by itself after a while; never lose the turn for it
            log.info("answerCallbackQuery failed: %s", type(exc).__name__)

    async def webhook(self, request: web.Request) -> web.Response:
        got = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "").encode()
        if not self.secret or not hmac.compare_digest(got, self.secret.encode()):
            return web.Response(status=403, text="forbidden")
        try:
            update = await read_json(request, self.max_body)
            await self.process(update)
        except Rejected as exc:
            return reject_response(exc)
        return web.Response(text="ok")

    async def poll(self, timeout: int = 25) -> None:
        """Long polling for a developer without a public URL (deletes any webhook first)."""
        await self._prepare_polling()
        offset = 0
        while True:
            try:
                updates = await self.bot.get_updates(offset=offset, timeout=timeout,
                                                     allowed_updates=["message", "callback_query"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - polling must survive network trouble
                log.warning("getUpdates failed (%s); retrying", type(exc).__name__)
                await asyncio.sleep(3)
                continue
            for u in updates:
                offset = max(offset, u.update_id + 1)
                try:
                    await self.process(u.to_dict())
                except Exception:
                    log.exception("telegram update failed")

    async def _prepare_polling(self) -> None:
        """getMe and deleteWebhook, retried until the API answers (it may be down when the server starts)."""
        attempt = 0
        while True:
            await self.ready()
            try:
                await self.bot.delete_webhook()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - polling must survive network trouble
                log.warning("deleteWebhook failed (%s); retrying", type(exc).__name__)
            await asyncio.sleep(self.retry_delays[min(attempt, len(self.retry_delays) - 1)])
            attempt += 1

    # --- push -----------------------------------------------------------------------------
    async def deliver(self, recipient: str, body: dict[str, Any]) -> None:
        from telegram import InlineKeyboardMarkup
        from telegram.error import BadRequest, Forbidden, TelegramError

        try:
            for method, p in render(body):
                if method == "sendMessage":
                    markup = InlineKeyboardMarkup.de_json(p["reply_markup"], self.bot) if "reply_markup" in p else None
                    await self.bot.send_message(recipient, p["text"], reply_markup=markup)
                elif method == "sendDocument":
                    data = await self.documents(p["ref"]) if (self.documents and p.get("ref")) else None
                    if data:
                        await self.bot.send_document(recipient, document=data, filename=p["filename"],
                                                     caption=p["caption"] or None)
                    else:   # no bytes: the secret link still works
                        await self.bot.send_message(recipient, f"{p['caption']}\n{p['url']}".strip())
                elif method == "sendPhoto":
                    await self.bot.send_photo(recipient, photo=p["photo"], caption=p["caption"] or None)
        except Forbidden as exc:   # the citizen blocked the bot
            raise SendError(f"forbidden: {exc}", transient=False) from None
        except BadRequest as exc:
            raise SendError(f"bad request: {exc}", transient=False) from None
        except TelegramError as exc:   # NetworkError, TimedOut, RetryAfter after the limiter's retries
            log.info("telegram send to %s failed: %s", mask(recipient), type(exc).__name__)
            raise SendError(f"{type(exc).__name__}: {exc}") from None

    async def fetch(self, attachment: Attachment) -> bytes | None:
        if not attachment.ref:
            return None
        f = await self.bot.get_file(attachment.ref)
        if f.file_size and f.file_size > MAX_DOWNLOAD:
            return None
        return bytes(await f.download_as_bytearray())

    async def set_webhook(self, url: str) -> bool:
        """The CLI's set-up call: fails loudly (no background retry) when the API cannot be reached."""
        if not self._started:
            await self.bot.initialize()
            self._started = True
        ok = await self.bot.set_webhook(url=url, secret_token=self.secret,
                                        allowed_updates=["message", "callback_query"])
        await self.bot.set_my_commands(COMMANDS)
        return bool(ok)


def from_settings(settings: Any, intake: PushIntake | None,
                  documents: DocumentResolver | None = None) -> TelegramChannel | None:
    """The channel when enabled and its token is in the environment, else None."""
    tg = settings.channels.telegram
    tok = settings.secrets.telegram_token
    if not tg.enabled or tok is None:
        return None
    sec = settings.secrets.telegram_webhook_secret
    return TelegramChannel(intake, token=tok.get_secret_value(),
                           secret=sec.get_secret_value() if sec else None, api_base_url=tg.api_base_url,
                           file_base_url=tg.file_base_url, documents=documents,
                           max_body=settings.server.max_body_bytes)
