"""Logging set-up: optional JSON lines, and a filter that masks ID numbers, phones and addresses."""
from __future__ import annotations

import json
import logging
import re
from typing import Any

from bot.settings import Settings

# Any run of 7+ digits, possibly split by spaces, dots or dashes: ID numbers (9/12 digits), phones (+84…).
_NUMBER = re.compile(r"(?<![\w])\+?\d(?:[\s.\-]?\d){6,15}(?![\w])")
_ADDRESS = re.compile(r"(?i)\b(số nhà|so nha|số|thôn|xóm|ấp|tổ|đường|ngõ|hẻm|kiệt)\s+[^,;\n]{1,40}")


def mask(text: str) -> str:
    """Keep just enough of an identifier to correlate; never the whole number or street."""
    text = _NUMBER.sub(_mask_number, text)
    return _ADDRESS.sub(lambda m: f"{m.group(1)} ***", text)


def _mask_number(m: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", m.group(0))
    return digits[:3] + "*" * (len(digits) - 5) + digits[-2:]


class MaskingFilter(logging.Filter):
    """Applied to every handler: masks the message and string extras."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            msg = record.getMessage()
        except Exception:
            return True
        record.msg = mask(msg)
        record.args = ()
        for k, v in list(record.__dict__.items()):
            if isinstance(v, str) and k not in {"msg", "levelname", "name", "pathname", "filename", "module",
                                                "funcName", "processName", "threadName", "asctime"}:
                record.__dict__[k] = mask(v)
        return True


_STD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {"time": self.formatTime(record), "level": record.levelname, "logger": record.name,
                "message": record.getMessage()}
        data.update({k: v for k, v in record.__dict__.items() if k not in _STD})
        if record.exc_info:
            data["exc"] = mask(self.formatException(record.exc_info))
        return json.dumps(data, ensure_ascii=False, default=str)


class MaskingFormatter(logging.Formatter):
    """Plain-text lines whose tracebacks are masked too (an exception message may quote a citizen's input)."""

    def formatException(self, ei: Any) -> str:
        return mask(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return mask(super().formatStack(stack_info))


def setup_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(MaskingFilter())
    if settings.logging.json_format:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.logging.level)
