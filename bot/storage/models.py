"""Database tables. Typed SQLAlchemy 2 models; the hot path uses Core statements on them.

JSON columns hold engine state, message bodies and event data so the schema does not churn
every time the engine learns something new.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets BIGINT identities.
Id = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Conversation(Base):
    """One citizen on one channel; ``version`` guards against two workers writing the same turn."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_conversations_channel_external"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(128))
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=0)
    mode: Mapped[str] = mapped_column(String(16), default="bot")
    procedure_id: Mapped[str | None] = mapped_column(String(96), nullable=True)
    step_id: Mapped[str | None] = mapped_column(String(96), nullable=True)
    team: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    display_name: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)


class InboxMessage(Base):
    """Every channel message id seen once per conversation: a redelivery hits the unique constraint and is not
    processed again. Per conversation, not per channel: another sender reusing the id is a new message (and
    never gets this conversation's stored replies)."""

    __tablename__ = "inbox"
    __table_args__ = (UniqueConstraint("conversation_id", "message_id", name="uq_inbox_conversation_message"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(32))
    message_id: Mapped[str] = mapped_column(String(128))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class TranscriptEntry(Base):
    """The full conversation in both directions, as the citizen saw it."""

    __tablename__ = "transcript"
    __table_args__ = (Index("ix_transcript_conv_id", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(3))  # in | out
    sender: Mapped[str] = mapped_column(String(16))  # citizen | bot | agent | system
    text: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class EventRow(Base):
    """Domain events, committed with the turn; effects mark them handled (so a crash re-runs, never loses)."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_unhandled", "handled_at", "id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), nullable=True, index=True
    )
    type: Mapped[str] = mapped_column(String(48), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    team: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The citizen's commune (2025 code) when the event was written: a report's per-commune figures stay put
    # when the citizen later moves or erases their data.
    commune: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    handled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class OutboxMessage(Base):
    """Every message to a citizen; push channels deliver pending rows once, pull channels fetch them."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "sent_at", "channel", "id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    inbox_id: Mapped[int | None] = mapped_column(ForeignKey("inbox.id", ondelete="SET NULL"), nullable=True, index=True)
    channel: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(128))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Draft(Base):
    """A dossier draft: the form values, checklist and code an officer opens at the desk."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(String(128))
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"), nullable=True, index=True
    )
    procedure_id: Mapped[str] = mapped_column(String(96), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(32), default="draft")
    official_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    team: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    commune: Mapped[str | None] = mapped_column(String(16), nullable=True)   # receiving commune, kept when forgotten
    complete_documents: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class KeyValue(Base):
    """Small shared values workers must agree on (e.g. a refreshed Zalo OA access token)."""

    __tablename__ = "kv"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


TABLES = Base.metadata
