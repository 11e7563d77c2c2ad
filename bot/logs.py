"""Logging set-up: optional JSON lines, and a filter that masks ID numbers, phones, addresses and secrets.

Secrets get two lines of defence: the HTTP client loggers that print request URLs (httpx logs every Bot API
URL, and Telegram/Zalo Bot put ``bot<token>`` in the path) are held at WARNING, and every line is scrubbed of
``bot<id>:<token>`` patterns and of every configured secret value before it is written.
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlsplit

from pydantic import SecretStr

from bot.privacy.masking import keep_ends
from bot.settings import Settings

# Loggers that write request URLs (with the bot token in the path) at INFO/DEBUG.
QUIET_LOGGERS = ("httpx", "httpcore", "hpack")
# A Telegram / Zalo Bot token: numeric bot id + ":" (or %3A) + secret part, in a URL path ("/bot<token>/") or bare (a
# real token's secret part is 35+ characters; bare digits:word pairs shorter than 30 are left alone).
_BOT_TOKEN = re.compile(r"(?i)(bot)\d{3,20}(?::|%3A)[A-Za-z0-9_\-]{6,}|(?<![\w])()\d{6,20}(?::|%3A)[A-Za-z0-9_\-]{30,}")

# Any run of 7+ digits, possibly split by spaces, dots or dashes: ID numbers (9/12 digits), phones (+84…).
_NUMBER = re.compile(r"(?<![\w])\+?\d(?:[\s.\-]?\d){6,15}(?![\w])")
_ADDRESS = re.compile(r"(?i)\b(số nhà|so nha|số|thôn|xóm|ấp|tổ|đường|ngõ|hẻm|kiệt)\s+[^,;\n]{1,40}")


def mask(text: str, secrets: Iterable[str] = ()) -> str:
    """Keep just enough of an identifier to correlate; never the whole number or street, never a secret."""
    for value in secrets:
        text = text.replace(value, "***")
    text = _BOT_TOKEN.sub(lambda m: f"{m.group(1) or ''}***:***", text)
    text = _NUMBER.sub(_mask_number, text)
    return _ADDRESS.sub(lambda m: f"{m.group(1)} ***", text)


def secret_values(settings: Settings) -> tuple[str, ...]:
    """Every configured secret worth hiding (longest first, so a secret containing another goes whole)."""
    values = {v.get_secret_value() for v in settings.secrets.__dict__.values() if isinstance(v, SecretStr)}
    for url in (settings.database.url, settings.redis.url):   # a password inside a connection URL
        password = urlsplit(url).password if url else None
        if password:
            values.add(password)
    values |= {quote(v, safe="") for v in values}   # as it appears in a URL path or query
    return tuple(sorted((v for v in values if len(v) >= 6), key=len, reverse=True))


def _mask_number(m: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", m.group(0))
    return keep_ends(digits, 3, 2, "*" * (len(digits) - 5))


class MaskingFilter(logging.Filter):
    """Applied to every handler: masks the message and string extras."""

    def __init__(self, secrets: Iterable[str] = ()):
        super().__init__()
        self.secrets = tuple(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            msg = record.getMessage()
        except Exception:  # noqa: BLE001 — a malformed log call is left to logging, which reports it itself
            return True
        record.msg = mask(msg, self.secrets)
        record.args = ()
        for k, v in list(record.__dict__.items()):
            if isinstance(v, str) and k not in {"msg", "levelname", "name", "pathname", "filename", "module",
                                                "funcName", "processName", "threadName", "asctime"}:
                record.__dict__[k] = mask(v, self.secrets)
        return True


_STD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line; the traceback is masked like the message."""

    def __init__(self, secrets: Iterable[str] = ()):
        super().__init__()
        self.secrets = tuple(secrets)

    def format(self, record: logging.LogRecord) -> str:
        data = {"time": self.formatTime(record), "level": record.levelname, "logger": record.name,
                "message": record.getMessage()}
        data.update({k: v for k, v in record.__dict__.items() if k not in _STD})
        if record.exc_info:
            data["exc"] = mask(self.formatException(record.exc_info), self.secrets)
        return json.dumps(data, ensure_ascii=False, default=str)


class MaskingFormatter(logging.Formatter):
    """Plain-text lines whose tracebacks are masked too (an exception message may quote a citizen's input)."""

    def __init__(self, fmt: str, secrets: Iterable[str] = ()):
        super().__init__(fmt)
        self.secrets = tuple(secrets)

    def formatException(self, ei: Any) -> str:
        return mask(super().formatException(ei), self.secrets)

    def formatStack(self, stack_info: str) -> str:
        return mask(super().formatStack(stack_info), self.secrets)


def setup_logging(settings: Settings) -> None:
    """The root handler with masking; URL-logging HTTP client loggers held at WARNING whatever the level."""
    secrets = secret_values(settings)
    handler = logging.StreamHandler()
    handler.addFilter(MaskingFilter(secrets))
    if settings.logging.json_format:
        handler.setFormatter(JsonFormatter(secrets))
    else:
        handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.logging.level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
