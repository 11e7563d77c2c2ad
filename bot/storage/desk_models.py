"""Tables of the desk: the status history of a dossier draft (who changed what, when)."""
from __future__ import annotations

import datetime as dt
from typing import cast

from sqlalchemy import DateTime, ForeignKey, LargeBinary, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, Id


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class DraftHistory(Base):
    """One desk action on a draft: a status change (``action='status'``) or an official number (``'number'``).

    Rows go with their draft (deletion on request, retention) through the cascading foreign key.
    """

    __tablename__ = "draft_history"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    official_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


draft_history = cast(Table, DraftHistory.__table__)


class DraftReceipt(Base):
    """The photo of the portal's receipt a citizen sent for their draft (issue 22): a person of the digital team
    reads the dossier code on it in the console. One per draft (a new photo replaces it); the image bytes are
    personal data and go when the draft is forgotten (bot/privacy/drafts.py) or deleted (cascade)."""

    __tablename__ = "draft_receipts"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), unique=True)
    mime_type: Mapped[str] = mapped_column(String(32))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


draft_receipts = cast(Table, DraftReceipt.__table__)
