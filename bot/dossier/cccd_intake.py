"""A citizen's photo of their CCCD during a turn: fetch it from its channel, read the QR, map it to the form.

This is the runner's ``extract`` hook. It needs only something that fetches an attachment's bytes from the
channel it came from (the push worker), so the dossier room does not reach into the runtime.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from bot.engine.messages import Attachment

log = logging.getLogger(__name__)

CccdDecoder = Callable[[bytes, Any], "tuple[dict[str, str], str | None]"]
FETCH_FAILED = ("Mình chưa tải được ảnh bạn gửi. Bạn gửi lại ảnh giúp mình, "
                "hoặc gõ thông tin như bình thường cũng được.")


class AttachmentSource(Protocol):
    """Where a citizen's photo is fetched from (the push worker asks the channel it came from)."""

    def fetch(self, attachment: Attachment, channel: str) -> Awaitable[bytes | None]: ...


def cccd_decoder() -> CccdDecoder | None:
    """CCCD photo → (form fields, hint) with the QR decoder; None when Pillow is not installed. The decoder
    (Pillow; zxing-cpp when it reads) is imported with the first photo, in the decoding thread, not at every
    worker's start (~10 ms)."""
    import importlib.util

    if importlib.util.find_spec("PIL") is None:  # pragma: no cover - Pillow missing
        return None

    def run(data: bytes, proc: Any) -> tuple[dict[str, str], str | None]:
        from bot.dossier.cccd import cccd_to_fields, decode_cccd

        got = decode_cccd(data)
        if got.hint is not None:
            return {}, got.hint
        if proc is None or proc.form is None:
            return {}, None
        return dict(cccd_to_fields(got, list(proc.form.fields))), None   # type: ignore[arg-type]

    return run


class CccdIntake:
    """Fetch the photo's bytes from its channel, decode the CCCD QR in a thread (no decoder: nothing to do).

    ``decode(image_bytes, procedure) -> (fields, hint)`` is the decoder mapped to the procedure's form.
    """

    def __init__(self, source: AttachmentSource, content: Any, decode: CccdDecoder | None):
        self.source = source
        self.content = content
        self.decode = decode

    async def __call__(self, msg: Any, state: Any) -> tuple[dict[str, str], str | None]:
        att = msg.attachment
        if self.decode is None or att is None or att.kind != "image":
            return {}, None
        try:
            data = await self.source.fetch(att, msg.channel)
        except Exception as exc:  # noqa: BLE001 - any fetch failure becomes a polite hint
            log.info("attachment fetch failed: %s", type(exc).__name__)
            data = None
        if not data:
            return {}, FETCH_FAILED
        proc = self.content.current.procedure(state.procedure_id) if state.procedure_id else None
        return await asyncio.to_thread(self.decode, data, proc)
