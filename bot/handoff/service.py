"""Handoff I/O: tickets from engine events, agent accounts, the queue, agent actions with their audit rows,
live console events and the optional Telegram group notice. Decisions live in ticket.py and routing.py."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.engine import events as ev
from bot.engine.flowrun import display_value
from bot.engine.inputs import AgentClaimed, AgentClosed, AgentReturned, AgentSaid, AgentSetField, Notify
from bot.engine.state import ConversationState
from bot.handoff import display, routing
from bot.handoff.communes import CommuneStore
from bot.handoff.passwords import check_password
from bot.handoff.ticket import OPEN, TransitionError, next_status
from bot.runtime.content import ContentStore
from bot.runtime.effects import EffectEnv, Effects
from bot.runtime.pubsub import PubSub
from bot.settings import Settings
from bot.storage.db import aware
from bot.storage.handoff_models import agents, audit, canned_replies, console_sessions, handoffs, notes, teams
from bot.storage.repo import ConversationRow, Repo, conversations
from bot.web.vntime import VN_TZ, vn_time
from nlu.fields.registry import validate_field

log = logging.getLogger(__name__)
_HASHER = PasswordHasher()

REASON_VI = {
    "citizen_request": "Người dân muốn gặp cán bộ",
    "clarification_failed": "Trợ lý chưa hiểu sau hai lần hỏi lại",
    "flow_step": "Trường hợp cần cán bộ xử lý",
    "flow_option": "Trường hợp cần cán bộ xử lý",
    "info_level": "Thủ tục chưa có hướng dẫn từng bước",
    "status_uncertain": "Hỏi tình trạng hồ sơ",
    "file_for_me": "Nhờ tổ công nghệ số nộp trực tuyến giúp",
    "online_stuck": "Bị kẹt khi tự nộp trực tuyến",
    "online_receipt": "Đọc mã hồ sơ trên ảnh biên nhận",
}
DEFAULT_CANNED = (
    ("Chào hỏi", "Chào bạn, mình là cán bộ tổ công nghệ số cộng đồng. Mình đã xem nội dung bạn trao đổi với trợ lý."),
    ("Cần thêm giấy tờ", "Bạn vui lòng chụp rõ giấy tờ còn thiếu và gửi lại tại đây giúp mình nhé."),
    ("Hẹn gọi lại", "Mình sẽ gọi lại cho bạn trong giờ hành chính. Bạn để lại số điện thoại giúp mình nhé."),
    ("Kết thúc", "Cảm ơn bạn. Nếu cần hỗ trợ thêm, bạn cứ nhắn lại tại đây."),
)
STATUS_VI = {"queued": "Đang chờ", "claimed": "Đang xử lý", "returned": "Đã trả lại trợ lý", "closed": "Đã đóng"}


class Forbidden(Exception):
    """The account may not see or act on this conversation (another team's)."""


class NotFound(Exception):
    pass


class InvalidValue(ValueError):
    """A field value the bot would refuse from the citizen; the message says why, in Vietnamese."""


def _form_fields(proc: Any) -> dict[str, Any]:
    """The fields of a procedure's tờ khai by id (none without a procedure or a form)."""
    form = proc.form if proc is not None else None
    return {f.id: f for f in form.fields} if form is not None else {}



@dataclass(frozen=True, slots=True)
class AgentInfo:
    username: str
    display_name: str
    role: str
    team: str


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


TEAMS_TOPIC = "teams"


class HandoffService:
    """Everything the console and the effects need; one per worker."""

    def __init__(self, settings: Settings, repo: Repo, content: ContentStore, pubsub: PubSub,
                 clock: Callable[[], dt.datetime], apply: Callable[[int, Any], Awaitable[Any]]):
        self.settings = settings
        self.repo = repo
        self.content = content
        self.pubsub = pubsub
        self.clock = clock
        self._apply = apply
        self.default_hours = routing.parse_hours(settings.handoff.working_hours, settings.handoff.timezone)
        self.team_hours: dict[str, routing.Hours] = {}
        self.team_chat: dict[str, str] = {}
        self.communes = CommuneStore(repo.engine, pubsub, settings.content.province, settings.handoff.timezone)
        self.http_timeout = 5.0
        # Each argon2 check takes ~50 ms of CPU and 64 MiB: at most two at once per worker, in threads, so a burst of
        # logins neither stalls the event loop nor takes every core from citizens' turns.
        self._hash_slots = asyncio.Semaphore(2)

    # --- duty hours --------------------------------------------------------------------------

    def _hours(self, team: str | None) -> routing.Hours:
        return self.team_hours.get(team or self.settings.handoff.default_team, self.default_hours)

    def duty(self, now: dt.datetime, team: str | None, commune: str | None = None) -> tuple[bool, str | None]:
        """The TurnRunner duty hook: per-team hours when known, the configured default otherwise. A citizen whose
        commune set its own hours is answered by them: on duty when the commune is open (or when the team the
        handoff falls back to is), otherwise told when the commune's desk next opens."""
        own = self.communes.hours(commune)
        if own is None:
            return routing.duty(self._hours(team), now)
        if routing.on_duty(own, now) or routing.on_duty(self._hours(team), now):
            return True, None
        return False, routing.next_on_duty_text(own, now)

    async def refresh_teams(self) -> None:
        """Load per-team hours and Telegram groups (at start-up and after a team changes)."""
        try:
            async with self.repo.engine.connect() as conn:
                rows = (await conn.execute(select(teams))).all()
        except Exception:
            log.exception("could not load teams; default working hours apply")
            return
        hours, chats = {}, {}
        for r in rows:
            if r.working_hours:
                try:
                    hours[r.id] = routing.parse_hours(r.working_hours, self.settings.handoff.timezone)
                except ValueError:
                    log.warning("bad working hours for team %s", r.id)
            if r.telegram_chat_id:
                chats[r.id] = r.telegram_chat_id
        self.team_hours, self.team_chat = hours, chats

    async def upsert_team(self, team_id: str, name: str, working_hours: str | None = None,
                          telegram_chat_id: str | None = None) -> None:
        if working_hours:
            routing.parse_hours(working_hours)  # refuse a spec the duty hook could not read
        async with self.repo.engine.begin() as conn:
            found = (await conn.execute(select(teams.c.id).where(teams.c.id == team_id))).first()
            vals = {"name": name, "working_hours": working_hours, "telegram_chat_id": telegram_chat_id}
            if found:
                await conn.execute(update(teams).where(teams.c.id == team_id).values(**vals))
            else:
                await conn.execute(insert(teams).values(id=team_id, **vals))
        await self.refresh_teams()
        await self.announce_teams()

    async def announce_teams(self) -> None:
        """Tell every worker (and only through Redis, the CLI's separate process) to reload the teams now."""
        if self.pubsub is None:
            return
        try:
            await self.pubsub.publish(TEAMS_TOPIC, {"changed": True})
        except Exception:  # noqa: BLE001 — no Redis reachable: this worker already has the change; others at their restart
            log.warning("could not announce the team change to other workers")

    async def follow_teams(self) -> None:
        """Background task: reload hours and groups whenever a worker, the admin page or the CLI changes a team."""
        async with self.pubsub.subscribe(TEAMS_TOPIC) as changes:
            async for _ in changes:
                await self.refresh_teams()

    # --- effects ------------------------------------------------------------------------------

    def register(self, effects: Effects) -> None:
        effects.on(ev.HandoffRequested, self._on_requested)
        effects.after(ev.HandoffRequested, self._announce)
        effects.on(ev.CallbackRequested, self._on_callback)
        effects.after(ev.CallbackRequested, self._live)
        effects.on(ev.HandoffCancelled, self._on_cancelled)
        effects.after(ev.HandoffCancelled, self._live)
        effects.on(ev.RatingGiven, self._on_rating)
        effects.after(ev.CitizenMessageForAgent, self._live)

    def _team(self, conv: ConversationRow) -> str:
        return conv.team or self.settings.handoff.default_team

    def team_for(self, channel: str, procedure_id: str | None, current: str | None = None,
                 commune: str | None = None) -> str:
        """The team a conversation belongs to: its commune's own team while that commune is on duty; else the
        first ``handoff.routes`` rule that fits its channel and procedure, else the team it already has (not the
        team from before when the commune is known), else the default (province) team. A conversation opened by an
        officer at the desk (channel ``assist``) stays with that officer's team."""
        if channel == routing.ASSIST_CHANNEL and current:
            return current
        own = self.communes.get(commune)
        if own is not None:
            hours = self.communes.hours(commune) or self._hours(own.team)
            if own.team and routing.on_duty(hours, self.clock()):
                return own.team
            current = None   # a known commune: its team or the province's, never a team from before (a move)
        return (routing.route_team(self.settings.handoff.routes, channel, procedure_id) or current
                or self.settings.handoff.default_team)

    def commune_of(self, state: ConversationState) -> str | None:
        """The code of the citizen's commune: the one they named, else the one in the first address they gave (the
        runner's commune hook)."""
        if state.commune:
            return state.commune
        found = self.communes.infer(state.fields)
        return found.code if found else None

    def commune_choices(self) -> tuple[tuple[str, str], ...]:
        """The province's communes as the engine asks among them; empty (never asked) without a province."""
        return self.communes.choices()

    def _request_team(self, row: Any, conv: ConversationRow) -> str:
        commune = self.commune_of(ConversationState.from_dict(conv.state or {}))
        return self.team_for(conv.channel, (row.data or {}).get("procedure_id"), conv.team, commune)

    async def _open_ticket(self, conn: AsyncConnection, conversation_id: int) -> Any:
        return (await conn.execute(select(handoffs).where(and_(handoffs.c.conversation_id == conversation_id,
                                                                handoffs.c.status.in_(OPEN)))
                                   .order_by(handoffs.c.id.desc()).limit(1))).first()

    async def _on_requested(self, env: EffectEnv, conn: AsyncConnection, row: Any, conv: ConversationRow) -> None:
        """One open ticket per conversation; a replayed event creates nothing (event_id is unique)."""
        if await self._open_ticket(conn, conv.id) is not None:
            return
        data = row.data or {}
        team = self._request_team(row, conv)
        if team != conv.team:   # routed by the procedure: the team that answers is the team that may see it
            await conn.execute(update(conversations).where(conversations.c.id == conv.id).values(team=team))
        await conn.execute(insert(handoffs).values(
            conversation_id=conv.id, event_id=row.id, team=team, reason=data.get("reason") or "citizen_request",
            procedure_id=data.get("procedure_id"), step_id=data.get("step_id"), status="queued",
            requested_at=aware(row.created_at) if row.created_at else self.clock()))

    async def _announce(self, row: Any, conv: ConversationRow) -> None:
        team = self._request_team(row, conv)
        data = row.data or {}
        await self._publish(team, conv.id, {"kind": "handoff", "reason": data.get("reason")})
        await self.notify_telegram(team, conv.id, data.get("procedure_id"), data.get("reason"))

    async def _live(self, row: Any, conv: ConversationRow) -> None:
        await self._publish(self._team(conv), conv.id, {"kind": row.type})

    async def _on_callback(self, env: EffectEnv, conn: AsyncConnection, row: Any, conv: ConversationRow) -> None:
        t = (await conn.execute(select(handoffs.c.id).where(handoffs.c.conversation_id == conv.id)
                                .order_by(handoffs.c.id.desc()).limit(1))).first()
        if t is not None:
            await conn.execute(update(handoffs).where(handoffs.c.id == t.id)
                               .values(callback_phone=(row.data or {}).get("phone")))

    async def _on_cancelled(self, env: EffectEnv, conn: AsyncConnection, row: Any, conv: ConversationRow) -> None:
        t = await self._open_ticket(conn, conv.id)
        if t is not None:
            await conn.execute(update(handoffs).where(handoffs.c.id == t.id)
                               .values(status=next_status(t.status, "cancel"), resolved_at=self.clock()))
            await self._audit(conn, "citizen", "cancel", conv.id, {})

    async def _on_rating(self, env: EffectEnv, conn: AsyncConnection, row: Any, conv: ConversationRow) -> None:
        t = (await conn.execute(select(handoffs.c.id).where(handoffs.c.conversation_id == conv.id)
                                .order_by(handoffs.c.id.desc()).limit(1))).first()
        if t is not None:
            await conn.execute(update(handoffs).where(handoffs.c.id == t.id)
                               .values(rating=int((row.data or {}).get("rating") or 0) or None))

    async def _publish(self, team: str, conversation_id: int, data: dict[str, Any]) -> None:
        msg = {**data, "conversation_id": conversation_id, "team": team}
        for topic in (f"console:{team}", "console:*", f"conv:{conversation_id}"):
            try:
                await self.pubsub.publish(topic, msg)
            except Exception:
                log.exception("console publish failed")

    async def notify_telegram(self, team: str, conversation_id: int, procedure_id: str | None,
                              reason: str | None) -> bool:
        """Post the new request to the team's Telegram group; a failure is logged, never raised."""
        chat = self.team_chat.get(team) or self.settings.handoff.telegram_group_chat_id
        token = self.settings.secrets.telegram_token
        if not chat or token is None:
            return False
        proc = self.content.current.procedure(procedure_id)
        text = (f"Yêu cầu gặp cán bộ mới #{conversation_id} ({team})\n"
                f"Thủ tục: {proc.name if proc else 'chưa xác định'}\n"
                f"Lý do: {REASON_VI.get(reason or '', reason or '')}\n"
                f"Đang chờ: {routing.wait_text(0)}\n"
                f"{self.settings.server.base_url.rstrip('/')}/console/c/{conversation_id}")
        url = f"{self.settings.channels.telegram.api_base_url}{token.get_secret_value()}/sendMessage"
        try:
            async with (aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.http_timeout)) as s,
                        s.post(url, json={"chat_id": chat, "text": text}) as r):
                if r.status != 200:
                    log.warning("telegram group notice failed: HTTP %s", r.status)
                    return False
            return True
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            log.warning("telegram group notice failed: %s", type(exc).__name__)
            return False

    # --- accounts -----------------------------------------------------------------------------

    async def add_agent(self, username: str, password: str | None, team: str, role: str = "agent",
                        display_name: str | None = None) -> bool:
        """Create an account, or update one; True when its sessions were ended.

        Only a new password ends the sessions an account has: changing a team, role or name (``password=None``
        keeps the password; re-typing the same password changes nothing) leaves the person signed in, and the
        console reads the role at every request, so the change applies at once anyway.
        """
        if role not in routing.ROLES:
            raise ValueError("role phải là agent, officer hoặc admin")
        if password is not None:
            check_password(password, username)
        async with self.repo.engine.connect() as conn:
            found = (await conn.execute(select(agents.c.id, agents.c.password_hash)
                                        .where(agents.c.username == username))).first()
        if found is None and password is None:
            raise ValueError(f"không có tài khoản {username}: tài khoản mới cần mật khẩu")
        vals: dict[str, Any] = {"display_name": display_name or username, "role": role, "team": team, "active": True}
        same = found is not None and password is not None and \
            await asyncio.to_thread(_verify, found.password_hash, password)
        if password is not None and not same:
            vals["password_hash"] = await asyncio.to_thread(hash_password, password)   # argon2 ~50 ms: off the loop
        async with self.repo.engine.begin() as conn:
            if found is None:
                await conn.execute(insert(agents).values(username=username, **vals))
                return False
            await conn.execute(update(agents).where(agents.c.id == found.id).values(**vals))
            if "password_hash" in vals:
                await conn.execute(delete(console_sessions).where(console_sessions.c.username == username))
                return True
        return False

    async def disable_agent(self, username: str) -> bool:
        """Deactivate an account and end its sessions at once; False when there is no such account."""
        async with self.repo.engine.begin() as conn:
            done = await conn.execute(update(agents).where(agents.c.username == username).values(active=False))
            await conn.execute(delete(console_sessions).where(console_sessions.c.username == username))
        return bool(done.rowcount)

    async def list_agents(self) -> list[AgentInfo]:
        async with self.repo.engine.connect() as conn:
            rows = (await conn.execute(select(agents).where(agents.c.active.is_(True)).order_by(agents.c.username))).all()
        return [AgentInfo(r.username, r.display_name, r.role, r.team) for r in rows]

    async def get_agent(self, username: str) -> AgentInfo | None:
        async with self.repo.engine.connect() as conn:
            r = (await conn.execute(select(agents).where(and_(agents.c.username == username,
                                                              agents.c.active.is_(True))))).first()
        return AgentInfo(r.username, r.display_name, r.role, r.team) if r else None

    async def authenticate(self, username: str, password: str) -> AgentInfo | None:
        async with self.repo.engine.connect() as conn:
            r = (await conn.execute(select(agents).where(and_(agents.c.username == username,
                                                              agents.c.active.is_(True))))).first()
        # argon2 runs in a thread: 40 logins at once must not stall citizens' replies on the event loop.
        async with self._hash_slots:
            if r is None:
                await asyncio.to_thread(_HASHER.hash, password)  # same cost whether or not the account exists
                return None
            if not await asyncio.to_thread(_verify, r.password_hash, password):
                return None
        return AgentInfo(r.username, r.display_name, r.role, r.team)

    # --- reading ------------------------------------------------------------------------------

    def _check(self, viewer: AgentInfo, team: str | None) -> None:
        teams_ok = routing.visible_teams(viewer.role, viewer.team)
        if teams_ok is not None and (team or self.settings.handoff.default_team) not in teams_ok:
            raise Forbidden()

    async def queue(self, viewer: AgentInfo) -> list[dict[str, Any]]:
        """Open tickets the viewer may see: own team first, oldest first, with the wait so far."""
        q = select(handoffs).where(handoffs.c.status.in_(OPEN))
        teams_ok = routing.visible_teams(viewer.role, viewer.team)
        if teams_ok is not None:
            q = q.where(handoffs.c.team.in_(teams_ok))
        async with self.repo.engine.connect() as conn:
            rows = (await conn.execute(q)).all()
        now = self.clock()
        snap = self.content.current
        out = []
        for r in routing.order_queue(rows, viewer.team, lambda x: x.team, lambda x: aware(x.requested_at)):
            proc = snap.procedure(r.procedure_id)
            mins = routing.wait_minutes(aware(r.requested_at), now)
            out.append({"conversation_id": r.conversation_id, "team": r.team, "status": r.status,
                        "status_vi": STATUS_VI.get(r.status, r.status), "reason": REASON_VI.get(r.reason, r.reason),
                        "procedure": proc.name if proc else "Chưa xác định", "claimed_by": r.claimed_by,
                        "wait": routing.wait_text(mins), "wait_minutes": mins,
                        "callback": bool(r.callback_phone), "requested_at": aware(r.requested_at).isoformat(),
                        "requested": vn_time(r.requested_at, "%H:%M %d/%m")})
        return out

    async def notify_citizen(self, conversation_id: int, text: str, filed: str | None = None) -> None:
        """A system message to the citizen on their channel (and in the transcript), e.g. "filed, code X"
        (``filed``: that draft is now filed online, so the bot stops asking about it)."""
        await self._apply(conversation_id, Notify(text, filed))

    async def conversation(self, viewer: AgentInfo, conversation_id: int) -> dict[str, Any]:
        """Everything the agent needs to take over: transcript, procedure, step, fields, draft, notes."""
        conv = await self.repo.load_by_id(conversation_id)
        if conv is None:
            raise NotFound()
        self._check(viewer, conv.team)
        state = ConversationState.from_dict(conv.state)
        snap = self.content.current
        proc = snap.procedure(state.procedure_id)
        flow = snap.flow(state.procedure_id)
        steps = [{"id": s.id, "text": display.step_title(s, snap)[:90]} for s in (flow.steps if flow else ())]
        form_fields = _form_fields(proc)
        field_labels = {f.id: getattr(f, "label", None) or f.id for f in form_fields.values()}
        transcript = [{**m, "at": aware(m["at"]).isoformat() if m["at"] else "", "time": vn_time(m["at"], "%H:%M %d/%m")}
                      for m in display.shown_transcript(await self.repo.transcript(conversation_id), snap,
                                                        state.procedure_id)]
        drafts = await self.repo.drafts_of(conversation_id)
        async with self.repo.engine.connect() as conn:
            ticket = (await conn.execute(select(handoffs).where(handoffs.c.conversation_id == conversation_id)
                                         .order_by(handoffs.c.id.desc()).limit(1))).first()
            note_rows = (await conn.execute(select(notes).where(notes.c.conversation_id == conversation_id)
                                            .order_by(notes.c.id))).all()
            canned = (await conn.execute(select(canned_replies).where(
                (canned_replies.c.team.is_(None)) | (canned_replies.c.team == (conv.team or "")))
                .order_by(canned_replies.c.title))).all()
        ticket_view = None if ticket is None else {
            "status": ticket.status, "status_vi": STATUS_VI.get(ticket.status, ticket.status),
            "reason": REASON_VI.get(ticket.reason, ticket.reason), "claimed_by": ticket.claimed_by,
            "callback_phone": ticket.callback_phone, "rating": ticket.rating,
            "requested": vn_time(ticket.requested_at),
            "wait": routing.wait_text(routing.wait_minutes(aware(ticket.requested_at), self.clock()))}
        return {
            "actions": list(display.console_actions(ticket_view, viewer.username, viewer.role)),
            "id": conversation_id, "channel": conv.channel, "team": conv.team, "mode": conv.mode,
            "procedure": proc.name if proc else None, "procedure_id": state.procedure_id, "step_id": state.step_id,
            # "shown": as the citizen read it back (a date as 15/03/2020, a tapped answer as its button); "value" raw
            "fields": [{"id": k, "label": field_labels.get(k, k), "value": v,
                        "shown": display_value(form_fields[k], v) if k in form_fields else v}
                       for k, v in state.field_map.items()],
            "field_choices": [{"id": k, "label": v} for k, v in field_labels.items()],
            "docs_missing": list(state.docs_missing), "draft": drafts[-1].code if drafts else (state.last_draft or None),
            "steps": steps, "transcript": transcript,
            "step_text": display.online_step_text(state, snap)
            or next((st["text"] for st in steps if st["id"] == state.step_id), None),
            "notes": [{"author": n.author, "text": n.text, "at": aware(n.created_at).isoformat(),
                       "time": vn_time(n.created_at)} for n in note_rows],
            "canned": ([{"title": c.title, "text": c.text} for c in canned]
                       or [{"title": t, "text": x} for t, x in DEFAULT_CANNED]),
            "ticket": ticket_view,
        }

    async def audit_log(self, conversation_id: int | None = None, limit: int = 200) -> list[Any]:
        q = select(audit).order_by(audit.c.id)
        if conversation_id is not None:
            q = q.where(audit.c.conversation_id == conversation_id)
        async with self.repo.engine.connect() as conn:
            return list((await conn.execute(q.limit(limit))).all())

    # --- agent actions ------------------------------------------------------------------------

    async def _audit(self, conn: AsyncConnection, actor: str, action: str, conversation_id: int | None,
                     details: dict[str, Any]) -> None:
        await conn.execute(insert(audit).values(actor=actor, action=action, conversation_id=conversation_id,
                                                details=details, at=self.clock()))

    async def _guard(self, viewer: AgentInfo, conversation_id: int) -> ConversationRow:
        conv = await self.repo.load_by_id(conversation_id)
        if conv is None:
            raise NotFound()
        self._check(viewer, conv.team)
        return conv

    async def _transition(self, viewer: AgentInfo, conv: ConversationRow, action: str,
                          details: dict[str, Any], *, move_to: str | None = None, **values: Any) -> None:
        """Move the open ticket (a conversation with none gets one, e.g. an agent stepping in unasked);
        ``move_to`` hands ticket and conversation to another team in the same transaction."""
        async with self.repo.engine.begin() as conn:
            if move_to is not None:
                values["team"] = move_to
                await conn.execute(update(conversations).where(conversations.c.id == conv.id).values(team=move_to))
            t = await self._open_ticket(conn, conv.id)
            if t is None:
                if action != "claim":
                    raise TransitionError(f"no open ticket to {action}")
                await conn.execute(insert(handoffs).values(
                    conversation_id=conv.id, team=self._team(conv), reason="citizen_request", status="queued",
                    procedure_id=conv.state.get("procedure_id"), step_id=conv.state.get("step_id"),
                    requested_at=self.clock()))
                t = await self._open_ticket(conn, conv.id)
            new = next_status(t.status, action)
            if action == "claim":
                res = await conn.execute(update(handoffs).where(and_(handoffs.c.id == t.id, handoffs.c.status == "queued"))
                                         .values(status=new, **values))
                if res.rowcount != 1:
                    raise TransitionError("already claimed")
            else:
                if viewer.role != "admin" and t.claimed_by not in (None, viewer.username):
                    raise Forbidden()
                await conn.execute(update(handoffs).where(handoffs.c.id == t.id).values(status=new, **values))
            await self._audit(conn, viewer.username, action, conv.id, details)

    async def claim(self, viewer: AgentInfo, conversation_id: int) -> None:
        conv = await self._guard(viewer, conversation_id)
        await self._transition(viewer, conv, "claim", {}, claimed_by=viewer.username, claimed_at=self.clock())
        await self._apply(conversation_id, AgentClaimed(viewer.display_name))
        await self._publish(self._team(conv), conversation_id, {"kind": "claimed", "by": viewer.username})

    async def _require_claimed_by(self, viewer: AgentInfo, conv: ConversationRow) -> None:
        async with self.repo.engine.connect() as conn:
            t = await self._open_ticket(conn, conv.id)
        if t is None or t.status != "claimed":
            raise TransitionError("claim the conversation first")
        if t.claimed_by != viewer.username and viewer.role != "admin":
            raise Forbidden()

    async def say(self, viewer: AgentInfo, conversation_id: int, text: str) -> None:
        text = text.strip()[:4000]
        if not text:
            return
        conv = await self._guard(viewer, conversation_id)
        try:
            await self._require_claimed_by(viewer, conv)
        except TransitionError:   # not claimed yet: replying takes it, unless another agent got there first
            await self.claim(viewer, conversation_id)
            await self._require_claimed_by(viewer, conv)
        await self._apply(conversation_id, AgentSaid(viewer.display_name, text))
        async with self.repo.engine.begin() as conn:
            await self._audit(conn, viewer.username, "message", conversation_id, {"chars": len(text)})
        await self._publish(self._team(conv), conversation_id, {"kind": "agent_message"})

    async def set_field(self, viewer: AgentInfo, conversation_id: int, field_id: str, value: str) -> None:
        """An agent corrects one field of the tờ khai: checked as the citizen's answer would be (a date typed
        15/3/2020 is stored 2020-03-15, an ID number must have its 12 digits), so a draft never carries a value
        the bot itself would have refused. Raises `InvalidValue` with the reason otherwise."""
        conv = await self._guard(viewer, conversation_id)
        await self._require_claimed_by(viewer, conv)
        state = ConversationState.from_dict(conv.state)
        form_field = _form_fields(self.content.current.procedure(state.procedure_id)).get(field_id)
        if form_field is None:
            raise InvalidValue("Trường này không có trong tờ khai của thủ tục đang làm.")
        checked = validate_field(form_field.type, value.strip(), today=self.clock().astimezone(VN_TZ).date(),
                                 choices=form_field.choices, max_length=form_field.max_length)
        if not checked.ok or checked.value is None:
            raise InvalidValue(checked.reason or "Giá trị chưa hợp lệ.")
        await self._apply(conversation_id, AgentSetField(viewer.display_name, field_id, checked.value))
        async with self.repo.engine.begin() as conn:
            # The value itself may be personal data: the audit keeps which field, not what.
            await self._audit(conn, viewer.username, "field_edit", conversation_id, {"field": field_id})

    async def note(self, viewer: AgentInfo, conversation_id: int, text: str) -> None:
        text = text.strip()[:4000]
        if not text:
            return
        await self._guard(viewer, conversation_id)
        async with self.repo.engine.begin() as conn:
            await conn.execute(insert(notes).values(conversation_id=conversation_id, author=viewer.username,
                                                    text=text, created_at=self.clock()))
            await self._audit(conn, viewer.username, "note", conversation_id, {})

    async def transfer(self, viewer: AgentInfo, conversation_id: int, to_username: str) -> None:
        conv = await self._guard(viewer, conversation_id)
        target = await self.get_agent(to_username)
        if target is None:
            raise NotFound()
        if viewer.role != "admin" and target.team != viewer.team:
            raise Forbidden()
        # An admin may transfer across teams: the conversation follows, or its new agent could not open it.
        moved = target.team if target.team != self._team(conv) else None
        await self._transition(viewer, conv, "transfer", {"to": to_username, **({"team": moved} if moved else {})},
                               move_to=moved, claimed_by=to_username, claimed_at=self.clock())
        await self._apply(conversation_id, AgentClaimed(target.display_name))
        await self._publish(moved or self._team(conv), conversation_id, {"kind": "transferred", "to": to_username})

    async def return_to_bot(self, viewer: AgentInfo, conversation_id: int, step_id: str | None) -> None:
        conv = await self._guard(viewer, conversation_id)
        await self._transition(viewer, conv, "return", {"step_id": step_id}, resolved_at=self.clock())
        await self._apply(conversation_id, AgentReturned(viewer.display_name, step_id or None))
        await self._publish(self._team(conv), conversation_id, {"kind": "returned"})

    async def close(self, viewer: AgentInfo, conversation_id: int) -> None:
        conv = await self._guard(viewer, conversation_id)
        await self._transition(viewer, conv, "close", {}, resolved_at=self.clock())
        await self._apply(conversation_id, AgentClosed(viewer.display_name))
        await self._publish(self._team(conv), conversation_id, {"kind": "closed"})

    async def add_canned(self, title: str, text: str, team: str | None = None) -> None:
        async with self.repo.engine.begin() as conn:
            await conn.execute(insert(canned_replies).values(title=title, text=text, team=team))
