"""Tables of assisted mode: the walk-in citizen an officer serves, and every claim of a desk-made draft."""
from __future__ import annotations

import datetime as dt
from typing import cast

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, Id


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class AssistedCitizen(Base):
    """Who an assisted conversation (channel ``assist``) is for; the phone is the second factor of a claim."""

    __tablename__ = "assisted_citizens"
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True)
    citizen_name: Mapped[str] = mapped_column(String(128))
    phone: Mapped[str] = mapped_column(String(16))          # canonical form of nlu.fields.normalize_phone
    officer: Mapped[str] = mapped_column(String(64), index=True)
    team: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)


class DraftClaim(Base):
    """One attempt to attach a desk-made draft to the citizen's own conversation (claimed, or a wrong phone)."""

    __tablename__ = "draft_claims"
    __table_args__ = (Index("ix_draft_claims_code_at", "code", "at"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))        # claimed | wrong_phone | blocked
    from_conversation_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    to_conversation_id: Mapped[int] = mapped_column(Integer, index=True)
    channel: Mapped[str] = mapped_column(String(32))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


assisted_citizens = cast(Table, AssistedCitizen.__table__)
draft_claims = cast(Table, DraftClaim.__table__)
