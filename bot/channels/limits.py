"""Per-channel limits applied in the adapters: message length, buttons, unsupported attachments.

Pure functions; each adapter picks its numbers (Telegram 4096 chars / callback_data 64 bytes — VC PTB 22.8
constants; Zalo Bot 2000 chars, no buttons — VD official doc copy 10/12/2025; Zalo OA limits — U).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.privacy.masking import keep_ends


@dataclass(frozen=True, slots=True)
class Limits:
    """What one channel accepts."""

    max_text: int
    max_caption: int = 1024
    max_buttons: int = 0           # 0 = no buttons: menus become numbered text
    max_button_title: int = 64
    max_payload_bytes: int = 64
    documents: bool = True         # False: a document becomes its link as text


TELEGRAM = Limits(max_text=4096, max_caption=1024, max_buttons=12, max_button_title=64, max_payload_bytes=64)
ZALO_BOT = Limits(max_text=2000, max_caption=2000, max_buttons=0, documents=False)
ZALO_OA = Limits(max_text=2000, max_caption=2000, max_buttons=5, max_button_title=100, max_payload_bytes=1000)


def split_text(text: str, limit: int) -> list[str]:
    """Split a long text into parts of at most ``limit`` characters, preferring paragraph, line, then word breaks."""
    text = text.strip() or "…"
    parts: list[str] = []
    while len(text) > limit:
        cut = -1
        for sep in ("\n\n", "\n", " "):
            cut = text.rfind(sep, 0, limit + 1)
            if cut > limit // 3:
                break
        if cut <= 0:
            cut = limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    parts.append(text)
    return [p for p in parts if p]


def clip(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters (button titles, captions)."""
    return text if len(text) <= limit else text[: max(1, limit - 1)].rstrip() + "…"


def numbered_menu(buttons: list[dict[str, Any]]) -> str:
    """Buttons as numbered lines; the engine takes a typed number as the n-th button of the last prompt."""
    lines = [f"{i}. {b['title']}" for i, b in enumerate(buttons, 1)]
    return "\n".join(lines) + "\n(Gõ số để chọn.)"


def fits_payload(payload: str, limits: Limits) -> bool:
    return len(payload.encode("utf-8")) <= limits.max_payload_bytes


def mask(value: str | int | None) -> str:
    """A user id or phone for logs: only the last 4 characters."""
    return keep_ends(str(value or ""), 0, 4, "…", min_len=5, short="…")
