"""A photo of the portal's receipt, sent while the bot waits for the portal's dossier code (issue 22).

The bot does not read the photo (no OCR): the runner's ``receipt`` hook fetches it from its channel, checks it is
an image of a sensible size, and keeps it with the draft (``draft_receipts``); the engine then hands the
conversation to the digital team, whose console shows the photo next to the field where the agent types the code
(`bot.dossier.online.file_for_citizen`). The format is read from the bytes, never from what the channel claims.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.dossier.cccd_intake import AttachmentSource
from bot.storage.desk_models import draft_receipts
from bot.storage.repo import LIVE_DRAFT, conversations, drafts

log = logging.getLogger(__name__)

MAX_BYTES = 8 * 1024 * 1024   # a phone photo is 1–5 MB; the portal's own attachments stop at 10 MB
MIN_BYTES = 100               # anything smaller is no photo anyone can read
NOT_A_PHOTO = ("Mình chỉ nhận ảnh chụp biên nhận (JPG, PNG, WEBP hoặc HEIC). Bạn chụp lại màn hình «nộp thành "
               "công» rồi gửi ảnh, hoặc gõ mã hồ sơ Cổng cấp cũng được.")
TOO_BIG = ("Ảnh bạn gửi lớn quá (tối đa 8 MB). Bạn chụp màn hình biên nhận rồi gửi lại, hoặc gõ mã hồ sơ Cổng cấp "
           "cũng được.")
FETCH_FAILED = "Mình chưa tải được ảnh bạn gửi. Bạn gửi lại ảnh giúp mình, hoặc gõ mã hồ sơ Cổng cấp cũng được."
NO_DRAFT = "Mình không tìm thấy hồ sơ nháp để gắn ảnh này. Bạn gõ mã hồ sơ Cổng cấp giúp mình nhé."


def sniff(data: bytes) -> str | None:
    """The image format by its first bytes (JPEG, PNG, WEBP, HEIC/HEIF), None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heif"):
        return "image/heic"
    return None


def check(data: bytes | None) -> tuple[str | None, str | None]:
    """(the image's type, None) when it can be kept, else (None, the citizen's hint)."""
    if not data:
        return None, FETCH_FAILED
    if len(data) > MAX_BYTES:
        return None, TOO_BIG
    mime = sniff(data)
    if mime is None or len(data) < MIN_BYTES:
        return None, NOT_A_PHOTO
    return mime, None


class ReceiptIntake:
    """The runner's ``receipt`` hook: (kept, hint) for a photo sent for draft ``code`` by the message's sender."""

    def __init__(self, source: AttachmentSource, engine: AsyncEngine, clock: Callable[[], dt.datetime]):
        self.source, self.engine, self.clock = source, engine, clock

    async def __call__(self, msg: Any, code: str) -> tuple[bool, str | None]:
        att = msg.attachment
        if att is None:
            return False, None
        if att.kind != "image" and not (att.mime_type or "").startswith("image/"):
            return False, NOT_A_PHOTO
        try:
            data = await self.source.fetch(att, msg.channel)
        except Exception as exc:  # noqa: BLE001 - any fetch failure becomes a polite hint
            log.info("receipt fetch failed: %s", type(exc).__name__)
            data = None
        mime, hint = check(data)
        if mime is None or data is None:
            return False, hint
        return (True, None) if await self._keep(msg, code, mime, data) else (False, NO_DRAFT)

    async def _keep(self, msg: Any, code: str, mime: str, data: bytes) -> bool:
        """Store it with the sender's own live draft ``code`` (replacing an earlier photo); False: no such draft."""
        mine = and_(drafts.c.code == code, LIVE_DRAFT, conversations.c.channel == msg.channel,
                    conversations.c.external_id == msg.sender_id)
        async with self.engine.begin() as conn:
            row = (await conn.execute(select(drafts.c.id).select_from(
                drafts.join(conversations, drafts.c.conversation_id == conversations.c.id)).where(mine))).first()
            if row is None:
                return False
            await conn.execute(delete(draft_receipts).where(draft_receipts.c.draft_id == row.id))
            await conn.execute(insert(draft_receipts).values(draft_id=row.id, mime_type=mime, content=data,
                                                             received_at=self.clock()))
        log.info("receipt photo kept for a draft (%d bytes, %s)", len(data), mime)
        return True


async def receipt_of(engine: AsyncEngine, draft_id: int) -> Any:
    """The draft's receipt photo row (mime_type, content, received_at), or None."""
    async with engine.connect() as conn:
        return (await conn.execute(select(draft_receipts.c.mime_type, draft_receipts.c.content,
                                          draft_receipts.c.received_at)
                                   .where(draft_receipts.c.draft_id == draft_id))).first()


async def has_receipt(engine: AsyncEngine, draft_id: int) -> dt.datetime | None:
    """When the draft's receipt photo came (None: there is none), without loading the bytes."""
    async with engine.connect() as conn:
        return (await conn.execute(select(draft_receipts.c.received_at)
                                   .where(draft_receipts.c.draft_id == draft_id))).scalar()
