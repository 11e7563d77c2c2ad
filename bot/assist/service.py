"""Assisted mode I/O: starting a conversation for a walk-in citizen, running its turns for the officer, and the
effects that tell the citizen how to follow the draft and attach it to their own channel when they claim it.

The conversation is an ordinary one on channel ``assist`` (external id random, team = the officer's team), so
the same flows, validations and draft effect run; the officer's page (bot/web/console/assist.py) only renders
what storage holds, which is why a reload or a lost connection resumes exactly where it stopped.
"""
from __future__ import annotations

import datetime as dt
import hmac
import logging
import re
import secrets
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.content.online import files_online
from bot.dossier.service import DRAFT_STATUS_VI
from bot.engine import InboundMessage
from bot.engine import events as ev
from bot.engine.claim import claim_digest
from bot.engine.messages import Text, outbound_to_dict
from bot.engine.state import ConversationState
from bot.handoff.routing import ASSIST_CHANNEL
from bot.handoff.service import AgentInfo, Forbidden, NotFound
from bot.privacy.masking import keep_ends
from bot.runtime.content import ContentStore
from bot.runtime.effects import EffectEnv, Effects
from bot.runtime.turns import TurnRunner
from bot.settings import Settings
from bot.storage.assist_models import assisted_citizens, draft_claims
from bot.storage.db import aware
from bot.storage.handoff_models import audit
from bot.storage.repo import LIVE_DRAFT, ConversationRow, Repo, conversations, drafts
from nlu.fields import validate_field

log = logging.getLogger(__name__)

CHANNEL = ASSIST_CHANNEL
ATTEMPTS_PER_DAY = 3          # wrong phone numbers per draft code per (Vietnam) calendar day
TAIL = 40                     # transcript entries a page shows unless the officer asks for all
CHANNEL_VI = {"telegram": "Telegram", "zalo_bot": "Zalo", "zalo_oa": "Zalo", "web": "trang trò chuyện",
              "rest": "REST", "assist": "hỗ trợ tại quầy"}
_VN = dt.timezone(dt.timedelta(hours=7))
_MID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


class Invalid(Exception):
    """A start form the officer must correct: field → why (Vietnamese)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def mask_phone(phone: str | None) -> str:
    """'0912345678' → '0912 *** 678': enough for the officer to recognise, never the whole number."""
    if not phone:
        return ""
    return keep_ends(phone, 4, 3, " *** ", min_len=8, short="***")


def _day_start(now: dt.datetime) -> dt.datetime:
    local = now.astimezone(_VN)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(dt.UTC)


def new_mid() -> str:
    """The id of the next message the page will send: a re-sent POST carries the same one and is not run twice."""
    return secrets.token_urlsafe(12)


class AssistService:
    """One per worker; the console's assist pages and two effects use it."""

    def __init__(self, settings: Settings, repo: Repo, content: ContentStore, runner: TurnRunner,
                 clock: Callable[[], dt.datetime], desk_commune: Callable[[str | None], str | None] | None = None):
        self.settings = settings
        self.repo = repo
        self.content = content
        self.runner = runner
        self.clock = clock
        self.desk_commune = desk_commune   # team → the commune whose desk it staffs (handoff's commune store)

    def register(self, effects: Effects) -> None:
        effects.on(ev.DraftRequested, self._after_draft)      # after create_draft, same transaction
        effects.on(ev.DraftClaimRequested, self._claim)
        effects.on(ev.DataDeletionRequested, self._forget)

    # --- the officer's side -------------------------------------------------------------------

    async def start(self, officer: AgentInfo, name: str, phone: str) -> int:
        """A new assisted conversation for a walk-in citizen; returns its id. Raises `Invalid`."""
        today = self.clock().astimezone(_VN).date()
        got_name = validate_field("person_name", (name or "").strip()[:200], today=today, max_length=128)
        got_phone = validate_field("phone", (phone or "").strip()[:40], today=today)
        errors = {}
        if not got_name.ok or not got_name.value:
            errors["name"] = got_name.reason or "Vui lòng nhập họ và tên người dân."
        if not got_phone.ok or not got_phone.value:
            errors["phone"] = got_phone.reason or "Vui lòng nhập số điện thoại."
        if errors or not got_name.value or not got_phone.value:
            raise Invalid(errors)
        now = self.clock()
        external = "a-" + secrets.token_urlsafe(16)
        async with self.repo.engine.begin() as conn:
            cid = (await conn.execute(insert(conversations).values(
                channel=CHANNEL, external_id=external, version=0, mode="bot", team=officer.team,
                # the citizen stands at this commune's desk: their dossier goes to it, so it is not asked
                state=ConversationState(contact=(("phone", got_phone.value),),
                                        commune=self.desk_commune(officer.team) if self.desk_commune else None
                                        ).to_dict(),
                display_name=got_name.value[:128], created_at=now, updated_at=now)
                .returning(conversations.c.id))).scalar_one()
            await conn.execute(insert(assisted_citizens).values(
                conversation_id=cid, citizen_name=got_name.value[:128], phone=got_phone.value, officer=officer.username,
                team=officer.team, created_at=now))
            await conn.execute(insert(audit).values(actor=officer.username, action="assist_start", conversation_id=cid,
                                                    details={}, at=now))
        log.info("assisted conversation %s started by %s", cid, officer.username)
        # The welcome, as on any channel: the page opens on "Bạn cần thủ tục nào?".
        await self.runner.handle(InboundMessage(channel=CHANNEL, sender_id=external, text="/start", payload="/start",
                                                channel_message_id=f"{cid}:start"), pull=True)
        await self.repo.take_pending(cid, self.clock())
        return cid

    async def guard(self, viewer: AgentInfo, conversation_id: int) -> ConversationRow:
        """The assisted conversation if the viewer may see it (same team, or admin)."""
        conv = await self.repo.load_by_id(conversation_id)
        if conv is None or conv.channel != CHANNEL:
            raise NotFound()
        if viewer.role != "admin" and (conv.team or "") != viewer.team:
            raise Forbidden()
        return conv

    async def say(self, viewer: AgentInfo, conversation_id: int, text: str, payload: str | None, mid: str) -> bool:
        """One message typed or tapped by the officer; the same ``mid`` twice runs the turn once.
        False when the per-sender rate limit refused it (nothing stored)."""
        conv = await self.guard(viewer, conversation_id)
        text = (text or "").strip()[: self.settings.server.max_message_chars]
        payload = (payload or "").strip()[:500] or None
        if payload is not None:
            state = ConversationState.from_dict(conv.state)
            title = next((b.title for b in (state.pending.buttons if state.pending else ()) if b.payload == payload),
                         None)
            text = title or payload
        if not text:
            return True
        mid = mid if _MID.match(mid or "") else new_mid()
        outcome = await self.runner.handle(InboundMessage(channel=CHANNEL, sender_id=conv.external_id, text=text,
                                                          payload=payload, channel_message_id=f"{conversation_id}:{mid}"),
                                           pull=True)
        await self.repo.take_pending(conversation_id, self.clock())   # the page reads the transcript
        if not outcome.duplicate and not outcome.limited:
            async with self.repo.engine.begin() as conn:
                await conn.execute(insert(audit).values(actor=viewer.username, action="assist_message",
                                                        conversation_id=conversation_id,
                                                        details={"chars": len(text)}, at=self.clock()))
        return not outcome.limited

    async def view(self, viewer: AgentInfo, conversation_id: int, *, after: int = 0,
                   everything: bool = False) -> dict[str, Any]:
        """What the page shows: the citizen, the transcript (tail, or entries after ``after``), the buttons of
        the pending question and the drafts."""
        conv = await self.guard(viewer, conversation_id)
        state = ConversationState.from_dict(conv.state)
        snap = self.content.current
        async with self.repo.engine.connect() as conn:
            who = (await conn.execute(select(assisted_citizens).where(
                assisted_citizens.c.conversation_id == conversation_id))).first()
            own = (await conn.execute(select(drafts.c.code, drafts.c.procedure_id, drafts.c.status).where(
                drafts.c.conversation_id == conversation_id).order_by(drafts.c.id))).all()
            moved = (await conn.execute(select(draft_claims.c.code, draft_claims.c.channel).where(and_(
                draft_claims.c.from_conversation_id == conversation_id, draft_claims.c.outcome == "claimed"))
                .order_by(draft_claims.c.id))).all()
            claimed_codes = {m.code: m.channel for m in moved}
            other: Sequence[Any] = []
            if claimed_codes:
                other = (await conn.execute(select(drafts.c.code, drafts.c.procedure_id, drafts.c.status).where(
                    drafts.c.code.in_(list(claimed_codes)), LIVE_DRAFT))).all()
        rows = await self.repo.transcript(conversation_id, limit=5000)
        # Messages written outside a turn (a desk status notice, a claim note) are shown now: not pending any more.
        await self.repo.take_pending(conversation_id, self.clock())
        if after:
            rows = [r for r in rows if r.id > after]
        hidden = 0
        if not after and not everything and len(rows) > TAIL:
            hidden, rows = len(rows) - TAIL, rows[-TAIL:]
        entries = [_entry(r) for r in rows]
        last_id = rows[-1].id if rows else after
        buttons = []
        if state.pending is not None and state.mode != "human":
            buttons = [{"title": b.title, "payload": b.payload} for b in state.pending.buttons]
        proc = snap.procedure(state.procedure_id)
        seen: dict[str, dict[str, Any]] = {}
        for d in list(own) + list(other):
            p = snap.procedure(d.procedure_id)
            seen[d.code] = {"code": d.code, "procedure": p.name if p else d.procedure_id,
                            "status": DRAFT_STATUS_VI.get(d.status, d.status),
                            "claimed": CHANNEL_VI.get(claimed_codes.get(d.code, ""), claimed_codes.get(d.code)),
                            # filed online by the officer from the console's panel (not offered to the citizen here)
                            "online": d.status == "draft" and files_online(p) and snap.online is not None}
        return {
            "id": conversation_id, "team": conv.team, "mode": conv.mode,
            "citizen": who.citizen_name if who else "", "phone": mask_phone(who.phone if who else None),
            "officer": who.officer if who else "",
            "procedure": proc.name if proc else None, "entries": entries, "hidden": hidden, "last_id": last_id,
            "buttons": buttons, "pending": state.pending.kind if state.pending else None,
            "drafts": list(seen.values()), "mid": new_mid(),
        }

    async def slip(self, viewer: AgentInfo, conversation_id: int, code: str) -> dict[str, Any]:
        """The printable follow-up slip of a draft made in this assisted conversation (for the citizen to keep)."""
        v = await self.view(viewer, conversation_id, after=10**12)
        d = next((x for x in v["drafts"] if x["code"] == code), None)
        if d is None:
            raise NotFound()
        base = self.settings.server.base_url.rstrip("/")
        return {"draft": d, "citizen": v["citizen"], "phone": v["phone"], "web_url": base + "/",
                "commune": self.settings.content.commune,
                "follow": self.content.current.phrase("assist_follow", code=code, name=v["citizen"], phone=v["phone"]),
                "today": self.clock().astimezone(_VN).strftime("%d/%m/%Y")}

    async def recent(self, viewer: AgentInfo, limit: int = 15) -> list[dict[str, Any]]:
        """The latest assisted conversations the viewer may open (own team; all for an admin)."""
        q = (select(assisted_citizens, conversations.c.procedure_id)
             .join(conversations, conversations.c.id == assisted_citizens.c.conversation_id)
             .order_by(assisted_citizens.c.created_at.desc(), assisted_citizens.c.conversation_id.desc()).limit(limit))
        if viewer.role != "admin":
            q = q.where(assisted_citizens.c.team == viewer.team)
        async with self.repo.engine.connect() as conn:
            rows = (await conn.execute(q)).all()
        snap = self.content.current
        out = []
        for r in rows:
            p = snap.procedure(r.procedure_id)
            out.append({"id": r.conversation_id, "citizen": r.citizen_name, "phone": mask_phone(r.phone),
                        "officer": r.officer, "procedure": p.name if p else "Chưa chọn thủ tục",
                        "at": aware(r.created_at).astimezone(_VN).strftime("%H:%M %d/%m")})
        return out

    # --- effects --------------------------------------------------------------------------------

    async def _after_draft(self, env: EffectEnv, conn: AsyncConnection, event: Any, conv: ConversationRow) -> None:
        """A draft made in an assisted conversation: say (to be printed or read out) how the citizen follows it."""
        if conv.channel != CHANNEL:
            return
        code = (event.data or {}).get("code")
        who = (await conn.execute(select(assisted_citizens).where(
            assisted_citizens.c.conversation_id == conv.id))).first()
        if not code or who is None:
            return
        text = env.content.current.phrase("assist_follow", code=code, name=who.citizen_name,
                                          phone=mask_phone(who.phone))
        await env.repo.add_outbox(conn, conv.id, conv.channel, conv.external_id,
                                  [outbound_to_dict(Text(text=text))], env.clock())

    async def _claim(self, env: EffectEnv, conn: AsyncConnection, event: Any, conv: ConversationRow) -> None:
        """"/nhan <code>" + phone: attach the draft to this conversation, or refuse (limited attempts per day)."""
        data = event.data or {}
        code, digest = str(data.get("code") or ""), str(data.get("phone_digest") or "")
        now = env.clock()
        snap = env.content.current

        async def reply(key: str, **values: Any) -> None:
            await env.repo.add_outbox(conn, conv.id, conv.channel, conv.external_id,
                                      [outbound_to_dict(Text(text=snap.phrase(key, code=code, **values)))], now)

        async def record(outcome: str, origin: int | None) -> None:
            await conn.execute(insert(draft_claims).values(code=code, outcome=outcome, from_conversation_id=origin,
                                                           to_conversation_id=conv.id, channel=conv.channel, at=now))

        if not code:
            return
        draft = (await conn.execute(select(drafts).where(drafts.c.code == code, LIVE_DRAFT))).first()
        if draft is not None and draft.conversation_id == conv.id:
            await reply("claim_already")
            return
        attempts = (await conn.execute(select(draft_claims.c.at).where(and_(
            draft_claims.c.code == code, draft_claims.c.outcome == "wrong_phone")))).all()
        start = _day_start(now)
        failures = sum(1 for a in attempts if aware(a.at) >= start)
        if failures >= ATTEMPTS_PER_DAY:
            await record("blocked", draft.conversation_id if draft else None)
            await reply("claim_blocked")
            return
        # Whose phone: the assisted conversation the draft was made in (kept even after an earlier claim).
        first = (await conn.execute(select(draft_claims.c.from_conversation_id).where(and_(
            draft_claims.c.code == code, draft_claims.c.outcome == "claimed")).order_by(draft_claims.c.id).limit(1))).first()
        origin = first.from_conversation_id if first else (draft.conversation_id if draft else None)
        who = None
        if draft is not None and origin is not None:
            who = (await conn.execute(select(assisted_citizens).where(
                assisted_citizens.c.conversation_id == origin))).first()
        # Unknown code, a draft not made at the desk and a wrong number all read the same to the sender.
        if draft is None or who is None or not hmac.compare_digest(claim_digest(code, who.phone), digest):
            await record("wrong_phone", draft.conversation_id if draft else None)
            left = ATTEMPTS_PER_DAY - failures - 1
            log.info("draft claim refused for %s (%s left today)", code, left)
            await (reply("claim_refused", left=left) if left > 0 else reply("claim_blocked"))
            return
        await conn.execute(update(drafts).where(drafts.c.id == draft.id).values(conversation_id=conv.id, updated_at=now))
        await record("claimed", draft.conversation_id)
        proc = snap.procedure(draft.procedure_id)
        await reply("claim_done", name=proc.name if proc else draft.procedure_id)
        log.info("draft %s claimed on %s", code, conv.channel)
        home = (await conn.execute(select(conversations.c.id, conversations.c.channel, conversations.c.external_id)
                                   .where(conversations.c.id == origin))).first()
        if home is not None and home.channel == CHANNEL:
            note = snap.phrase("assist_claimed_note", code=code, channel=CHANNEL_VI.get(conv.channel, conv.channel))
            await env.repo.add_outbox(conn, home.id, home.channel, home.external_id,
                                      [outbound_to_dict(Text(text=note))], now, sender="system")

    async def _forget(self, env: EffectEnv, conn: AsyncConnection, event: Any, conv: ConversationRow) -> None:
        """Deletion on request also removes the name and phone kept for an assisted conversation."""
        await conn.execute(delete(assisted_citizens).where(assisted_citizens.c.conversation_id == conv.id))


def _entry(r: Any) -> dict[str, Any]:
    """A transcript row as the page shows it (text only; links of documents)."""
    body = r.body or {}
    if r.direction == "in":
        return {"id": r.id, "who": "citizen", "text": body.get("text") or r.text}
    if body.get("kind") == "document":
        return {"id": r.id, "who": r.sender, "text": body.get("caption") or "Tờ khai", "url": body.get("url"),
                "filename": body.get("filename")}
    return {"id": r.id, "who": r.sender, "text": body.get("text", r.text)}
