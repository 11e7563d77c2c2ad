"""Tables of the admin room: published content versions and training examples admins assigned."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, LargeBinary, String, Text, UniqueConstraint
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


class DailyReportFile(Base):
    """One scheduled daily report (XLSX) of one commune or of the whole province, kept for download.

    The unique (day, scope) row is also the claim: the worker whose insert succeeds makes and sends the file, so
    several workers never send a group the same report twice.
    """

    __tablename__ = "daily_report_files"
    __table_args__ = (UniqueConstraint("day", "scope", name="uq_daily_report_files_day_scope"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    scope: Mapped[str] = mapped_column(String(16))          # "tinh" (the province) or a commune's 2025 code
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(120))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    sent_to: Mapped[str | None] = mapped_column(String(64), nullable=True)   # the Telegram group's chat id
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    send_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
