"""Tables of the handoff room: teams, agents, tickets, notes, canned replies and the audit trail."""
from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, Id


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Team(Base):
    """A community digital technology team (usually one commune) with its working hours."""

    __tablename__ = "teams"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    working_hours: Mapped[str | None] = mapped_column(String(200), nullable=True)
    telegram_chat_id: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Agent(Base):
    """A console account; the password is stored as an argon2 hash only."""

    __tablename__ = "agents"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default="agent")  # agent | admin
    team: Mapped[str] = mapped_column(String(64), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Handoff(Base):
    """One request for a person: queued → claimed → returned | closed."""

    __tablename__ = "handoffs"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(Integer, nullable=True, unique=True)
    team: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(String(32))
    procedure_id: Mapped[str | None] = mapped_column(String(96), nullable=True)
    step_id: Mapped[str | None] = mapped_column(String(96), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    callback_phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Note(Base):
    """A private note agents leave on a conversation; never sent to the citizen."""

    __tablename__ = "handoff_notes"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class CannedReply(Base):
    """A ready answer an agent can send in one click (team None = every team)."""

    __tablename__ = "canned_replies"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    team: Mapped[str | None] = mapped_column(String(64), nullable=True)
    title: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)


class AuditEntry(Base):
    """Who did what to which conversation, and when."""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    actor: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(32))
    conversation_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)


class ConsoleSession(Base):
    """A signed-in console/desk/admin session, kept server-side so logout, a password change and
    ``motcua agent disable`` end it at once. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "console_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)            # sha256 hex of the cookie token
    username: Mapped[str] = mapped_column(String(64), index=True)
    csrf: Mapped[str] = mapped_column(String(64))                           # the session's CSRF token
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


teams = cast(Table, Team.__table__)
agents = cast(Table, Agent.__table__)
handoffs = cast(Table, Handoff.__table__)
notes = cast(Table, Note.__table__)
canned_replies = cast(Table, CannedReply.__table__)
audit = cast(Table, AuditEntry.__table__)
console_sessions = cast(Table, ConsoleSession.__table__)


class Commune(Base):
    """A commune or ward of the configured province as its admins set it up (issue 21): its own team, the
    one-stop desk's hours, address and phone, notes. The name comes from the 2025 administrative units; a
    commune without a row simply has none of these and falls back to the province's defaults."""

    __tablename__ = "communes"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)   # the 2025 ward code, e.g. "24121"
    name: Mapped[str] = mapped_column(String(128))
    team: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    working_hours: Mapped[str | None] = mapped_column(String(200), nullable=True)
    address: Mapped[str | None] = mapped_column(String(300), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


communes = cast(Table, Commune.__table__)
