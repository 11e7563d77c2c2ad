"""All SQL of a conversation turn, in as few round trips as the turn needs.

`save_turn` writes a whole turn (state, transcript, events, outbox, inbox id) in ONE
transaction, so a turn is either fully stored or not at all: a crash before commit means the
channel's redelivery is processed, a crash after means the redelivery is recognised.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage import sqlite_turns
from bot.storage.models import Conversation, Draft, EventRow, InboxMessage, OutboxMessage, TranscriptEntry
from bot.storage.sqlite_turns import Checkout, Statements

conversations = cast(Table, Conversation.__table__)
inbox = cast(Table, InboxMessage.__table__)
transcript = cast(Table, TranscriptEntry.__table__)
events = cast(Table, EventRow.__table__)
outbox = cast(Table, OutboxMessage.__table__)
drafts = cast(Table, Draft.__table__)
# A draft whose personal data was deleted (on request or by retention) stays as an anonymous row so a commune's
# past counts do not change; nothing shows or opens it any more.
DRAFT_DELETED = "deleted"
LIVE_DRAFT = drafts.c.status != DRAFT_DELETED
# An outbox body that carries a secret (the draft link's token) also carries what the row keeps once the
# message is out: the secret is sent to the citizen, never kept (see `add_outbox(masked=…)`).
AFTER_DELIVERY = "after_delivery"

# The statements of every turn, built once: SQLAlchemy memoizes a statement's cache key on the statement object, so
# a module-level statement skips building the expression and its cache key on each turn (~5 % of a turn's CPU).
_c = conversations.c
ROW_COLUMNS = (_c.id, _c.channel, _c.external_id, _c.state, _c.version, _c.mode, _c.team)   # a ConversationRow
LOAD = select(*ROW_COLUMNS).where(and_(_c.channel == bindparam("b_channel"), _c.external_id == bindparam("b_external_id")))
LOAD_BY_ID = select(*ROW_COLUMNS).where(_c.id == bindparam("b_id"))
NEW_CONVERSATION = insert(conversations).returning(conversations.c.id)
BUMP = update(conversations).where(and_(conversations.c.id == bindparam("b_id"),
                                        conversations.c.version == bindparam("b_version")))
NEW_INBOX = insert(inbox).returning(inbox.c.id)
ADD_TRANSCRIPT, ADD_OUTBOX, ADD_EVENTS = insert(transcript), insert(outbox), insert(events)
ADD_EVENTS_RETURNING = insert(events).returning(events.c.id)
PENDING = select(outbox.c.id, outbox.c.body).where(and_(
    outbox.c.conversation_id == bindparam("b_conversation_id"), outbox.c.sent_at.is_(None))).order_by(outbox.c.id)
SEEN = select(inbox.c.id).select_from(inbox.join(conversations, conversations.c.id == inbox.c.conversation_id)).where(
    and_(conversations.c.channel == bindparam("b_channel"), conversations.c.external_id == bindparam("b_sender"),
         inbox.c.message_id == bindparam("b_message_id")))
REPLIES_OF = select(outbox.c.body).where(outbox.c.inbox_id == bindparam("b_inbox_id")).order_by(outbox.c.id)
MARK_TAKEN = update(outbox).where(outbox.c.id.in_(bindparam("b_ids", expanding=True))).values(
    sent_at=bindparam("b_now"), attempts=outbox.c.attempts + 1)
# SQLite's own path (`sqlite_turns`) marks the taken rows one by one: it compiles no expanding IN
MARK_ONE_TAKEN = update(outbox).where(outbox.c.id == bindparam("b_id")).values(
    sent_at=bindparam("b_now", type_=outbox.c.sent_at.type), attempts=outbox.c.attempts + 1)
SET_BODY = update(outbox).where(outbox.c.id == bindparam("b_id"))


def delivered(body: dict[str, Any]) -> dict[str, Any]:
    """The body as the channel sends it (without the copy the row keeps)."""
    return {k: v for k, v in body.items() if k != AFTER_DELIVERY} if AFTER_DELIVERY in body else body


async def _forget_secrets(conn: AsyncConnection, rows: Sequence[Any]) -> None:
    """Delivered rows that carried a secret keep only their masked copy."""
    for r in rows:
        if isinstance(r.body, dict) and AFTER_DELIVERY in r.body:
            await conn.execute(update(outbox).where(outbox.c.id == r.id).values(body=r.body[AFTER_DELIVERY]))


class DuplicateMessage(Exception):
    """The channel message id was already processed."""


class VersionConflict(Exception):
    """Another worker changed the conversation first; reload and redo the turn."""


@dataclass(frozen=True, slots=True)
class ConversationRow:
    id: int
    channel: str
    external_id: str
    state: dict[str, Any]
    version: int
    mode: str
    team: str | None


@dataclass(slots=True)
class TurnRecord:
    """Everything one turn changes."""

    channel: str
    external_id: str
    conversation_id: int | None
    old_version: int
    state: dict[str, Any]
    mode: str
    procedure_id: str | None
    step_id: str | None
    now: dt.datetime
    message_id: str | None = None
    inbound: tuple[str, str, dict[str, Any] | None] | None = None  # (sender, text, body)
    outbound: Sequence[dict[str, Any]] = ()
    outbound_sender: Sequence[str] = ()
    events: Sequence[tuple[str, dict[str, Any]]] = ()
    team: str | None = None
    commune: str | None = None              # the citizen's commune as this turn knows it (on its events)
    pull: bool = False                      # REST/web: the turn's replies are delivered by this very request
    needs_effect: frozenset[str] = frozenset()  # event types some room acts on; the rest are stored handled


@dataclass(slots=True)
class SavedTurn:
    conversation_id: int
    inbox_id: int | None
    event_ids: list[int] = field(default_factory=list)
    earlier: list[dict[str, Any]] = field(default_factory=list)  # pending messages delivered with this turn


def _row(r: Any) -> ConversationRow:
    return ConversationRow(r.id, r.channel, r.external_id, r.state or {}, r.version, r.mode, r.team)


# What a turn writes, row by row: shared by the Core path and SQLite's own (`Repo._save`, `Repo._save_sqlite`).
def _turn_values(rec: TurnRecord) -> dict[str, Any]:
    return {"state": rec.state, "mode": rec.mode, "procedure_id": rec.procedure_id, "step_id": rec.step_id,
            "updated_at": rec.now}


def new_conversation_values(rec: TurnRecord) -> dict[str, Any]:
    return {"channel": rec.channel, "external_id": rec.external_id, "version": 1, "created_at": rec.now,
            "team": rec.team, **_turn_values(rec)}


def bump_values(rec: TurnRecord) -> dict[str, Any]:
    return {"b_id": rec.conversation_id, "b_version": rec.old_version, "version": rec.old_version + 1,
            **_turn_values(rec)}


def inbox_values(rec: TurnRecord, conv_id: int) -> dict[str, Any]:
    return {"channel": rec.channel, "message_id": rec.message_id, "conversation_id": conv_id, "received_at": rec.now}


def transcript_rows(rec: TurnRecord, conv_id: int) -> list[dict[str, Any]]:
    """The citizen's message (if any) and the bot's replies, in the order they were said."""
    rows = []
    if rec.inbound is not None:
        sender, text, body = rec.inbound
        rows.append({"conversation_id": conv_id, "direction": "in", "sender": sender, "text": text, "body": body,
                     "created_at": rec.now})
    senders = list(rec.outbound_sender) or ["bot"] * len(rec.outbound)
    for body, sender in zip(rec.outbound, senders):
        rows.append({"conversation_id": conv_id, "direction": "out", "sender": sender,
                     "text": body.get("text") or body.get("caption") or body.get("url", ""), "body": body,
                     "created_at": rec.now})
    return rows


def outbox_rows(rec: TurnRecord, conv_id: int, inbox_id: int | None) -> list[dict[str, Any]]:
    """The replies to deliver; a pull channel (REST, web chat) delivers them with this very request."""
    sent = rec.now if rec.pull else None
    return [{"conversation_id": conv_id, "inbox_id": inbox_id, "channel": rec.channel, "recipient": rec.external_id,
             "body": body, "created_at": rec.now, "attempts": 1 if rec.pull else 0, "sent_at": sent}
            for body in rec.outbound]


def event_rows(rec: TurnRecord, conv_id: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(events no room acts on, stored handled; events some room acts on, left for the effects)."""
    done: list[dict[str, Any]] = []
    wanted: list[dict[str, Any]] = []
    for t, d in rec.events:
        row = {"conversation_id": conv_id, "type": t, "data": d, "team": rec.team, "commune": rec.commune,
               "created_at": rec.now}
        if t in rec.needs_effect:
            wanted.append(row)
        else:
            row["handled_at"] = rec.now
            done.append(row)
    return done, wanted


class Repo:
    """The only place that speaks SQL for conversations, transcript, events and outbox."""

    def __init__(self, engine: AsyncEngine):
        self.engine = engine
        # SQLite on the inline adapter: a turn's load and save skip SQLAlchemy's execution layer (`sqlite_turns`)
        self._sqlite = Statements(engine.dialect) if sqlite_turns.supported(engine) else None

    # --- turns ---------------------------------------------------------------------------
    async def load(self, channel: str, external_id: str) -> ConversationRow | None:
        if self._sqlite is not None:
            async with Checkout(self.engine.sync_engine.pool, self._sqlite) as co:
                r = co.run(LOAD, {"b_channel": channel, "b_external_id": external_id}).fetchone()
            if r is None:
                return None
            # the ROW_COLUMNS, in order
            return ConversationRow(r[0], r[1], r[2], self._sqlite.reader(_c.state)(r[3]) or {}, r[4], r[5], r[6])
        async with self.engine.connect() as conn:
            r = (await conn.execute(LOAD, {"b_channel": channel, "b_external_id": external_id})).first()
            return _row(r) if r else None

    async def load_by_id(self, conversation_id: int) -> ConversationRow | None:
        async with self.engine.connect() as conn:
            r = (await conn.execute(LOAD_BY_ID, {"b_id": conversation_id})).first()
            return _row(r) if r else None

    async def replies_for_message(self, channel: str, sender: str, message_id: str) -> list[dict[str, Any]] | None:
        """The replies stored for an already-processed message of THIS conversation, or None if it is new.

        Keyed on (channel, sender, message id): a message id reused by another sender is a new message.
        """
        if self._sqlite is not None:
            async with Checkout(self.engine.sync_engine.pool, self._sqlite) as co:
                seen = co.run(SEEN, {"b_channel": channel, "b_sender": sender, "b_message_id": message_id}).fetchone()
                if seen is None:
                    return None
                bodies = co.run(REPLIES_OF, {"b_inbox_id": seen[0]}).fetchall()
            body_of = self._sqlite.reader(outbox.c.body)
            return [delivered(body_of(r[0])) for r in bodies]
        async with self.engine.connect() as conn:
            row = (await conn.execute(SEEN, {"b_channel": channel, "b_sender": sender,
                                             "b_message_id": message_id})).first()
            if row is None:
                return None
            rows = await conn.execute(REPLIES_OF, {"b_inbox_id": row.id})
            return [delivered(r.body) for r in rows]

    async def save_turn(self, rec: TurnRecord) -> SavedTurn:
        """Write the turn atomically; raise DuplicateMessage or VersionConflict instead of half-writing."""
        try:
            if self._sqlite is not None:
                return await self._save_on_sqlite(rec)
            async with self.engine.begin() as conn:
                return await self._save(conn, rec)
        except IntegrityError as exc:
            text = str(exc.orig).lower() if exc.orig else str(exc).lower()
            if "inbox" in text or "uq_inbox" in text:
                raise DuplicateMessage from None
            raise VersionConflict from None

    async def _save_on_sqlite(self, rec: TurnRecord) -> SavedTurn:
        assert self._sqlite is not None
        async with Checkout(self.engine.sync_engine.pool, self._sqlite) as co:
            await co.begin()
            try:
                saved = self._save_sqlite(co, rec)
                co.commit()
                return saved
            except sqlite3.Error as error:
                co.rollback()
                # the same exception the Core path raises (IntegrityError → duplicate or conflict), no parameters
                raise DBAPIError.instance(None, None, error, sqlite3.Error, hide_parameters=True) from error
            except BaseException:
                co.rollback()
                raise

    async def _save(self, conn: AsyncConnection, rec: TurnRecord) -> SavedTurn:
        if rec.conversation_id is None:
            conv_id = (await conn.execute(NEW_CONVERSATION, new_conversation_values(rec))).scalar_one()
        else:
            conv_id = rec.conversation_id
            res = await conn.execute(BUMP, bump_values(rec))
            if res.rowcount != 1:
                raise VersionConflict
        inbox_id = None
        if rec.message_id is not None:
            inbox_id = (await conn.execute(NEW_INBOX, inbox_values(rec, conv_id))).scalar_one()
        rows = transcript_rows(rec, conv_id)
        if rows:
            await conn.execute(ADD_TRANSCRIPT, rows)
        earlier: list[dict[str, Any]] = []
        if rec.pull and rec.conversation_id is not None:
            pending = (await conn.execute(PENDING, {"b_conversation_id": conv_id})).all()
            if pending:
                await conn.execute(MARK_TAKEN, {"b_ids": [r.id for r in pending], "b_now": rec.now})
                await _forget_secrets(conn, pending)
                earlier = [delivered(r.body) for r in pending]
        if rec.outbound:
            await conn.execute(ADD_OUTBOX, outbox_rows(rec, conv_id, inbox_id))
        event_ids: list[int] = []
        done, wanted = event_rows(rec, conv_id)
        if done:
            await conn.execute(ADD_EVENTS, done)
        if wanted:
            event_ids = [r[0] for r in await conn.execute(ADD_EVENTS_RETURNING, wanted)]
        return SavedTurn(conv_id, inbox_id, event_ids, earlier)

    def _save_sqlite(self, co: Checkout, rec: TurnRecord) -> SavedTurn:
        """`_save` on SQLite's own connection (`sqlite_turns`): the same statements, in the same order."""
        if rec.conversation_id is None:
            conv_id = co.run(NEW_CONVERSATION, new_conversation_values(rec)).fetchone()[0]
        else:
            conv_id = rec.conversation_id
            if co.run(BUMP, bump_values(rec)).rowcount != 1:
                raise VersionConflict
        inbox_id = None
        if rec.message_id is not None:
            inbox_id = co.run(NEW_INBOX, inbox_values(rec, conv_id)).fetchone()[0]
        rows = transcript_rows(rec, conv_id)
        if rows:
            co.run_many(ADD_TRANSCRIPT, rows)
        earlier: list[dict[str, Any]] = []
        if rec.pull and rec.conversation_id is not None:
            pending = co.run(PENDING, {"b_conversation_id": conv_id}).fetchall()
            if pending:
                co.run_many(MARK_ONE_TAKEN, [{"b_id": r[0], "b_now": rec.now} for r in pending])
                body_of = co.statements.reader(outbox.c.body)
                bodies = [body_of(r[1]) for r in pending]
                secrets = [{"b_id": r[0], "body": b[AFTER_DELIVERY]} for r, b in zip(pending, bodies)
                           if isinstance(b, dict) and AFTER_DELIVERY in b]
                if secrets:
                    co.run_many(SET_BODY, secrets)
                earlier = [delivered(b) for b in bodies]
        if rec.outbound:
            co.run_many(ADD_OUTBOX, outbox_rows(rec, conv_id, inbox_id))
        done, wanted = event_rows(rec, conv_id)
        if done:
            co.run_many(ADD_EVENTS, done)
        event_ids = [co.run(ADD_EVENTS_RETURNING, w).fetchone()[0] for w in wanted]
        return SavedTurn(conv_id, inbox_id, event_ids, earlier)

    # --- outbox --------------------------------------------------------------------------
    async def take_pending(self, conversation_id: int, now: dt.datetime) -> list[dict[str, Any]]:
        """Pull delivery (REST, web chat): return pending messages in order and mark them sent."""
        async with self.engine.begin() as conn:
            rows = (await conn.execute(PENDING, {"b_conversation_id": conversation_id})).all()
            if rows:
                await conn.execute(MARK_TAKEN, {"b_ids": [r.id for r in rows], "b_now": now})
                await _forget_secrets(conn, rows)
            return [delivered(r.body) for r in rows]

    async def pending_push(self, channels: Sequence[str], now: dt.datetime, limit: int = 100) -> list[Any]:
        """Push delivery: the oldest pending rows of push channels whose retry time has come."""
        async with self.engine.connect() as conn:
            return list((await conn.execute(select(outbox).where(and_(
                outbox.c.sent_at.is_(None), outbox.c.channel.in_(list(channels)),
                (outbox.c.next_attempt_at.is_(None)) | (outbox.c.next_attempt_at <= now),
            )).order_by(outbox.c.id).limit(limit))).all())

    async def mark_sent(self, outbox_id: int, now: dt.datetime, keep: dict[str, Any] | None = None) -> None:
        """Mark a push row sent; ``keep`` replaces a body that carried a secret (its masked copy)."""
        masked = {"body": keep} if keep is not None else {}
        async with self.engine.begin() as conn:
            await conn.execute(update(outbox).where(outbox.c.id == outbox_id).values(
                sent_at=now, attempts=outbox.c.attempts + 1, **masked))

    async def mark_failed(self, outbox_id: int, error: str, retry_at: dt.datetime | None,
                          keep: dict[str, Any] | None = None) -> None:
        """Record a failed send; a row given up on (``keep`` set) no longer needs its secret either."""
        masked = {"body": keep} if keep is not None else {}
        async with self.engine.begin() as conn:
            await conn.execute(update(outbox).where(outbox.c.id == outbox_id).values(
                attempts=outbox.c.attempts + 1, last_error=error[:500], next_attempt_at=retry_at, **masked))

    async def add_outbox(self, conn: AsyncConnection, conversation_id: int, channel: str, recipient: str,
                         bodies: Sequence[dict[str, Any]], now: dt.datetime, sender: str = "bot",
                         masked: Sequence[dict[str, Any]] | None = None) -> None:
        """Add messages from an effect (draft link, notification) inside the caller's transaction.

        With ``masked`` (the same messages without their secret), the transcript gets the masked copy and the
        outbox row holds the secret only until it is delivered (pull: in this very request; push: by the worker).
        """
        if not bodies:
            return
        kept = list(masked) if masked is not None else list(bodies)
        await conn.execute(insert(outbox), [
            {"conversation_id": conversation_id, "channel": channel, "recipient": recipient, "created_at": now, "attempts": 0,
                 "body": {**b, AFTER_DELIVERY: m} if masked is not None else b} for b, m in zip(bodies, kept)])
        await conn.execute(insert(transcript), [
            {"conversation_id": conversation_id, "direction": "out", "sender": sender,
                 "text": b.get("text") or b.get("caption") or b.get("url", ""), "body": b, "created_at": now}
            for b in kept])

    # --- events --------------------------------------------------------------------------
    async def unhandled_events(self, limit: int = 100) -> list[Any]:
        async with self.engine.connect() as conn:
            return list((await conn.execute(select(events).where(events.c.handled_at.is_(None))
                                            .order_by(events.c.id).limit(limit))).all())

    async def events_by_ids(self, ids: Sequence[int]) -> list[Any]:
        if not ids:
            return []
        async with self.engine.connect() as conn:
            return list((await conn.execute(select(events).where(and_(
                events.c.id.in_(list(ids)), events.c.handled_at.is_(None))).order_by(events.c.id))).all())

    # --- reading -------------------------------------------------------------------------
    async def transcript(self, conversation_id: int, limit: int = 500) -> list[Any]:
        async with self.engine.connect() as conn:
            return list((await conn.execute(select(transcript).where(transcript.c.conversation_id == conversation_id)
                                            .order_by(transcript.c.id).limit(limit))).all())

    async def drafts_of(self, conversation_id: int) -> list[Any]:
        async with self.engine.connect() as conn:
            return list((await conn.execute(select(drafts).where(drafts.c.conversation_id == conversation_id)
                                            .order_by(drafts.c.id))).all())
