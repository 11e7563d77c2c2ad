"""`TurnRunner.handle`: dedupe → lock → load → understand → step → commit → effects.

The one imperative place a citizen turn goes through, whatever the channel. Agent actions go
through `apply`, which takes the same lock and writes the same way.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from bot.engine import (
    CitizenSaid,
    ConversationState,
    DraftSummary,
    InboundMessage,
    Input,
    Thresholds,
    TurnContext,
    step,
    turn_needs,
)
from bot.engine.context import CommuneOffice, OldName
from bot.engine.events import EventType
from bot.engine.messages import outbound_to_dict
from bot.engine.turn import Turn
from bot.handoff.routing import ASSIST_CHANNEL
from bot.runtime.content import ContentStore
from bot.runtime.locks import ConversationLocks
from bot.runtime.understanding import NluService
from bot.settings import Settings
from bot.storage.repo import ConversationRow, DuplicateMessage, Repo, TurnRecord, VersionConflict
from nlu.api import Understanding

log = logging.getLogger(__name__)

STATE_CACHE_SIZE = 2000   # conversations whose last saved state this worker keeps parsed
Clock = Callable[[], dt.datetime]
CodeMaker = Callable[[str], str]
Extractor = Callable[[InboundMessage, ConversationState], Awaitable[tuple[dict[str, str], str | None]]]
ReceiptKeeper = Callable[[InboundMessage, str], Awaitable[tuple[bool, str | None]]]   # (msg, draft) -> (kept, hint)
DraftLister = Callable[[int], Awaitable[tuple[DraftSummary, ...]]]
TeamRouter = Callable[..., str]   # (channel, procedure id, current team[, commune=code]) -> team
EffectRunner = Callable[[list[int], ConversationRow], Awaitable[None]]
DutyClock = Callable[..., tuple[bool, str | None]]   # (now, team[, commune=code]) -> (on duty, next time)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(slots=True)
class TurnOutcome:
    """What a channel needs after a turn: the conversation and whether this was a redelivery."""

    conversation_id: int | None
    replies: list[dict[str, Any]] = field(default_factory=list)
    duplicate: bool = False
    events: list[str] = field(default_factory=list)
    limited: bool = False
    delivered: list[dict[str, Any]] = field(default_factory=list)  # pull channels: everything to show now
    effects_ran: bool = False


@dataclass(frozen=True, slots=True)
class TurnHooks:
    """What a turn asks of other rooms, fixed when the worker is built (each is optional: tests run without)."""

    new_code: CodeMaker | None = None          # a draft code for the procedure (dossier room)
    extract: Extractor | None = None           # fields from a citizen's photo (the CCCD intake)
    receipt: ReceiptKeeper | None = None       # a photo of the portal's receipt kept with the draft (dossier room)
    list_drafts: DraftLister | None = None     # the citizen's drafts and their desk status
    effects: EffectRunner | None = None        # run the rooms' effects of committed events
    wants: Callable[[EventType], bool] | None = None   # whether an event type has an effect at all
    team_for: TeamRouter | None = None         # which team a conversation belongs to
    duty: DutyClock | None = None              # whether people are on duty, and when they are next
    commune_of: Callable[[ConversationState], str | None] | None = None   # the citizen's commune (its code)
    communes: Callable[[], tuple[tuple[str, str], ...]] | None = None     # the province's (code, name), if any
    old_communes: Callable[[], Mapping[str, tuple[OldName, ...]]] | None = None   # its pre-2025 names
    office: Callable[[str], CommuneOffice | None] | None = None           # a commune's desk: address, hours
    on_turn: Callable[..., None] | None = None   # metrics
    limiter: Any = None                        # per-sender rate limit
    after_apply: Callable[[], None] | None = None   # an agent reply or notice was written: push it now


class TurnRunner:
    """Runs turns; holds no conversation state of its own (any worker can run any turn)."""

    def __init__(self, settings: Settings, repo: Repo, content: ContentStore, nlu: NluService,
                 locks: ConversationLocks, *, clock: Clock = utcnow, hooks: TurnHooks = TurnHooks()):
        self.settings = settings
        self.repo = repo
        self.content = content
        self.nlu = nlu
        self.locks = locks
        self.clock = clock
        self.hooks = hooks
        self._states: OrderedDict[int, tuple[int, ConversationState]] = OrderedDict()   # id → (version, state)
        self.thresholds = Thresholds(confident=settings.nlu.confident, margin=settings.nlu.margin)
        self._last_commune: tuple[ConversationState, dict[str, str]] | None = None

    def _state_of(self, row: ConversationRow | None) -> ConversationState:
        """The row's state; the one this worker saved when the version still matches (no re-parse of the JSON)."""
        if row is None:
            return ConversationState()
        hit = self._states.get(row.id)
        if hit is not None and hit[0] == row.version:
            return hit[1]
        return ConversationState.from_dict(row.state)

    def _remember(self, conversation_id: int, version: int, state: ConversationState) -> None:
        # Safe because every write of a conversation's state increments its version (optimistic locking,
        # retention), so an entry is used only while the row is exactly what this worker wrote.
        self._states[conversation_id] = (version, state)
        self._states.move_to_end(conversation_id)
        if len(self._states) > STATE_CACHE_SIZE:
            self._states.popitem(last=False)

    def _commune(self, state: ConversationState) -> dict[str, str]:
        """``commune=code`` for the routing and duty hooks when the citizen's commune is known, else nothing.

        A turn asks it of the same state up to five times (team, duty, the step's context, the record); with a
        province configured each answer reads every field of the state (~13 µs), so the last answer is kept for
        that very state object (states are immutable; a turn's own state, never another conversation's)."""
        last = self._last_commune
        if last is not None and last[0] is state:
            return dict(last[1])
        code = self.hooks.commune_of(state) if self.hooks.commune_of else None
        found = {"commune": code} if code else {}
        self._last_commune = (state, found)
        return dict(found)

    def _team(self, channel: str, state: ConversationState, row: ConversationRow | None) -> str | None:
        """The team whose working hours apply: the one a handoff about this procedure would reach."""
        current = row.team if row else None
        if not self.hooks.team_for:
            return current
        return self.hooks.team_for(channel, state.procedure_id, current, **self._commune(state))

    def context(self, now: dt.datetime, *, drafts: tuple[DraftSummary, ...] | None = None,
                code: str | None = None, team: str | None = None,
                commune: dict[str, str] | None = None, channel: str | None = None) -> TurnContext:
        duty = self.hooks.duty
        on_duty, next_text = duty(now, team, **(commune or {})) if duty else (True, None)
        return TurnContext(content=self.content.current, today=now.astimezone(_VN).date(),
                           province=self.settings.content.province, privacy_url=self.settings.privacy.privacy_url,
                           assistant_name=self.settings.content.assistant_name,
                           thresholds=self.thresholds, drafts=drafts, new_draft_code=code,
                           humans_on_duty=on_duty, next_duty_text=next_text,
                           office_hours=self.settings.content.office_hours,
                           communes=self.hooks.communes() if self.hooks.communes else (),
                           assisted=channel == ASSIST_CHANNEL,
                           **self._commune_context(commune))

    def _commune_context(self, commune: dict[str, str] | None) -> dict[str, Any]:
        """The province's old commune names, and the citizen's commune's desk when it is known."""
        out: dict[str, Any] = {}
        if self.hooks.old_communes is not None:
            out["old_communes"] = self.hooks.old_communes()
        code = (commune or {}).get("commune")
        if code and self.hooks.office is not None:
            out["office"] = self.hooks.office(code)
        return out

    async def handle(self, msg: InboundMessage, *, pull: bool = False) -> TurnOutcome:
        """Process one citizen message exactly once.

        With ``pull`` (REST, web chat) the replies count as delivered by this request, together with any
        messages that were waiting for the citizen (agent replies, status notices).
        """
        if msg.channel_message_id:
            stored = await self.repo.replies_for_message(msg.channel, msg.sender_id, msg.channel_message_id)
            if stored is not None:
                return TurnOutcome(None, stored, duplicate=True)
        key = f"{msg.channel}:{msg.sender_id}"
        if self.hooks.limiter is not None and not await self.hooks.limiter.allow(key):
            # Nothing is stored: an abusive sender costs one counter increment, not a turn.
            text = self.content.current.phrase("rate_limited")
            return TurnOutcome(None, [{"kind": "text", "text": text}], limited=True)
        async with self.locks.hold(key):
            for _attempt in range(5):
                t0 = time.perf_counter()
                row = await self.repo.load(msg.channel, msg.sender_id)
                now = self.clock()
                turn, understanding = await self._citizen_step(msg, row, now)
                body: dict[str, Any] = {"text": msg.text}
                if msg.payload is not None:
                    body["payload"] = msg.payload
                if msg.attachment is not None:
                    body["attachment"] = {"kind": msg.attachment.kind, "mime_type": msg.attachment.mime_type,
                                          "name": msg.attachment.name}
                if understanding is not None and understanding.top is not None:
                    body["nlu"] = {"label": understanding.label, "confidence": round(understanding.confidence, 4)}
                rec = self._record(msg.channel, msg.sender_id, row, turn, now,
                                   inbound=("citizen", shown_text(self._state_of(row), msg)[:4000], body),
                                   message_id=msg.channel_message_id)
                rec.pull = pull
                try:
                    saved = await self.repo.save_turn(rec)
                    self._remember(saved.conversation_id, rec.old_version + 1, turn.state)
                except VersionConflict:
                    continue
                except DuplicateMessage:
                    stored = await self.repo.replies_for_message(msg.channel, msg.sender_id,
                                                                msg.channel_message_id or "")
                    return TurnOutcome(None, stored or [], duplicate=True)
                if self.hooks.on_turn is not None:
                    self.hooks.on_turn(msg.channel, time.perf_counter() - t0, turn,
                                       understanding.confidence if understanding is not None else None)
                conv = ConversationRow(saved.conversation_id, msg.channel, msg.sender_id, rec.state,
                                       rec.old_version + 1, rec.mode, rec.team)
                ran = False
                if saved.event_ids and self.hooks.effects is not None:
                    await self.hooks.effects(saved.event_ids, conv)
                    ran = True
                replies = list(rec.outbound)
                return TurnOutcome(saved.conversation_id, replies, events=[e.type.value for e in turn.events],
                                   delivered=saved.earlier + replies, effects_ran=ran)
            raise RuntimeError("conversation kept changing under this turn")

    async def _citizen_step(self, msg: InboundMessage, row: ConversationRow | None,
                            now: dt.datetime) -> tuple[Turn, Understanding | None]:
        """Fetch what the engine says this message needs (`turn_needs`: NLU, drafts, a draft code), then step."""
        state = self._state_of(row)
        needs = turn_needs(state, msg.content)
        read_as = replace(needs.nlu, today=now.astimezone(_VN).date()) if needs.nlu is not None else None
        understanding = await self.nlu.aparse(msg.content, read_as) if read_as is not None else None
        extracted: dict[str, str] = {}
        extract_error, receipt = None, False
        if msg.attachment is not None and needs.receipt_for and self.hooks.receipt is not None:
            receipt, extract_error = await self.hooks.receipt(msg, needs.receipt_for)   # not a CCCD: no QR read
        elif msg.attachment is not None and self.hooks.extract is not None:
            extracted, extract_error = await self.hooks.extract(msg, state)
        drafts = None
        if row is not None and self.hooks.list_drafts is not None and needs.wants_drafts(understanding):
            drafts = await self.hooks.list_drafts(row.id)
        code = None
        if needs.draft_code_for is not None and self.hooks.new_code:
            code = self.hooks.new_code(needs.draft_code_for)
        said = CitizenSaid(msg, understanding, extracted, extract_error, receipt)
        turn = step(state, said, self.context(now, drafts=drafts, code=code, team=self._team(msg.channel, state, row),
                                              commune=self._commune(state), channel=msg.channel))
        named = self._commune(turn.state)
        if named and named != self._commune(state):
            # The citizen named their commune in this turn (and may have been handed off in it): step again with
            # that commune's team and hours. The engine is pure, so the second step is the same turn, better informed.
            known = replace(state, commune=named["commune"])
            turn = step(state, said, self.context(now, drafts=drafts, code=code, channel=msg.channel,
                                                  team=self._team(msg.channel, known, row), commune=named))
        return turn, understanding

    async def apply(self, conversation_id: int, inp: Input) -> Turn | None:
        """Apply an agent or system input to a stored conversation (replies go to its channel's outbox)."""
        turn = await self._apply(conversation_id, inp)
        if self.hooks.after_apply is not None:   # Telegram/Zalo get it at once, not at the next loop tick
            self.hooks.after_apply()
        return turn

    async def _apply(self, conversation_id: int, inp: Input) -> Turn | None:
        row = await self.repo.load_by_id(conversation_id)
        if row is None:
            return None
        async with self.locks.hold(f"{row.channel}:{row.external_id}"):
            for _attempt in range(5):
                row = await self.repo.load_by_id(conversation_id)
                if row is None:
                    return None
                state = self._state_of(row)
                now = self.clock()
                turn = step(state, inp, self.context(now, team=self._team(row.channel, state, row),
                                                     commune=self._commune(state), channel=row.channel))
                rec = self._record(row.channel, row.external_id, row, turn, now, inbound=None)
                try:
                    saved = await self.repo.save_turn(rec)
                    self._remember(saved.conversation_id, rec.old_version + 1, turn.state)
                except VersionConflict:
                    continue
                if saved.event_ids and self.hooks.effects is not None:
                    await self.hooks.effects(saved.event_ids, replace(row, state=rec.state, version=row.version + 1,
                                                                mode=rec.mode))
                return turn
        raise RuntimeError("conversation kept changing under this action")

    def _record(self, channel: str, external_id: str, row: ConversationRow | None, turn: Turn, now: dt.datetime,
                *, inbound: tuple[str, str, dict[str, Any] | None] | None, message_id: str | None = None) -> TurnRecord:
        st, wants = turn.state, self.hooks.wants
        team_for = self.hooks.team_for
        team = row.team if row and row.team else (team_for(channel, None, None) if team_for else None)
        return TurnRecord(
            channel=channel, external_id=external_id, conversation_id=row.id if row else None,
            old_version=row.version if row else 0, state=st.to_dict(), mode=st.mode, procedure_id=st.procedure_id,
            step_id=st.step_id, now=now, message_id=message_id, inbound=inbound,
            outbound=[outbound_to_dict(r) for r in turn.replies],
            outbound_sender=[getattr(r, "sender", "bot") for r in turn.replies],
            events=[(e.type.value, e.data) for e in turn.events], team=team,
            commune=self._commune(st).get("commune") if turn.events else None,
            needs_effect=frozenset(e.type.value for e in turn.events if wants is None or wants(e.type)),
        )


# What the citizen saw on the buttons every page offers (web chat header, first load), by payload.
_COMMAND_TITLES = {"/start": "Bắt đầu", "/canbo": "Gặp cán bộ", "/huy": "Làm lại", "/boqua": "Bỏ qua",
                   "/xacnhan": "Xác nhận"}


def shown_text(state: ConversationState, msg: InboundMessage) -> str:
    """The transcript keeps what the citizen saw: a tapped button's title, not its payload ("/tl born_in_vn yes"),
    so the conversation reads the same after a reload and in the officer's console (the payload stays in the body)."""
    if msg.payload is None:
        return msg.content
    offered = state.pending.buttons if state.pending is not None else ()
    title = next((b.title for b in offered if b.payload == msg.payload), None)
    return title or _COMMAND_TITLES.get(msg.payload, msg.payload)


_VN = dt.timezone(dt.timedelta(hours=7))
