"""Tables of the admin room: published content versions and training examples admins assigned."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, Id


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ContentVersion(Base):
    """One publish: the whole content set as ``{relative path: YAML text}`` (small, and trivially restorable)."""

    __tablename__ = "content_versions"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    author: Mapped[str] = mapped_column(String(128))
    message: Mapped[str] = mapped_column(Text, default="")
    files: Mapped[dict[str, Any]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(32))
    rollback_of: Mapped[int | None] = mapped_column(Integer, nullable=True)
    published: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


class TrainingExampleRow(Base):
    """A citizen message an admin labelled from the misses list; the NLU trains on it."""

    __tablename__ = "training_examples"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    text: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(String(96), index=True)
    author: Mapped[str] = mapped_column(String(128))
    event_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


ADMIN_TABLES = [ContentVersion.__table__, TrainingExampleRow.__table__]
