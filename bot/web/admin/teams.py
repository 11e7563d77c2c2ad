"""Admin → Tổ: each team's members, working hours, Telegram group and waiting call-back requests.

config.yml sends admins here for per-team hours. A change is saved in the database and announced on
the ``teams`` pub/sub topic, so every worker's duty hook uses it at once (no restart).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from sqlalchemy import func, select

from bot.handoff.routing import ROLES_VI as ROLE_VI
from bot.handoff.ticket import OPEN
from bot.storage.handoff_models import agents, handoffs, teams
from bot.web import pages
from bot.web.admin.auth import Principal, audit, check_csrf, csrf_token, require_admin


@dataclass
class TeamView:
    id: str
    name: str
    hours: str
    telegram: str
    configured: bool                    # a row in ``teams`` (else: default hours, only named by accounts)
    members: list[tuple[str, str, str]] = field(default_factory=list)   # (username, display name, role in words)
    callbacks: int = 0
    on_duty: bool = False


async def _teams(handoff: Any) -> list[TeamView]:
    """Every team that has a row, an account or the default: so none is missing from the page."""
    async with handoff.repo.engine.connect() as conn:
        rows = (await conn.execute(select(teams))).all()
        members = (await conn.execute(select(agents.c.username, agents.c.display_name, agents.c.role, agents.c.team)
                                      .where(agents.c.active.is_(True)).order_by(agents.c.username))).all()
        waiting = dict((await conn.execute(
            select(handoffs.c.team, func.count()).where(handoffs.c.callback_phone.is_not(None),
                                                        handoffs.c.status.in_(tuple(OPEN)))
            .group_by(handoffs.c.team))).all())
    default = handoff.settings.handoff
    out = {r.id: TeamView(r.id, r.name, r.working_hours or "", r.telegram_chat_id or "", True) for r in rows}
    for tid in [default.default_team, *(m.team for m in members)]:
        out.setdefault(tid, TeamView(tid, tid, "", "", False))
    now = handoff.clock()
    for m in members:
        out[m.team].members.append((m.username, m.display_name, ROLE_VI.get(m.role, m.role)))
    for t in out.values():
        t.callbacks = int(waiting.get(t.id, 0))
        t.on_duty, _ = handoff.duty(now, t.id)
    return sorted(out.values(), key=lambda t: (t.id != default.default_team, t.id))


def _handoff(request: web.Request) -> Any:
    from bot.web.admin.routes import ADMIN_SERVICES

    handoff = getattr(request.app[ADMIN_SERVICES], "handoff", None)
    if handoff is None:
        raise web.HTTPNotFound(text="Chưa bật chuyển cán bộ (handoff).")
    return handoff


async def page(request: web.Request, *, error: str = "", status: int = 200) -> web.StreamResponse:
    who: Principal = await require_admin(request)
    handoff = _handoff(request)
    return pages.render_template("admin/teams.html", request, {
        "who": who, "csrf": csrf_token(request, who), "teams": await _teams(handoff), "error": error,
        "saved": request.query.get("saved", "")[:64], "default_hours": handoff.settings.handoff.working_hours,
    }, status=status)


async def save(request: web.Request) -> web.StreamResponse:
    """Create or update one team; refused hours come back to the page with the reason, nothing saved."""
    who = await require_admin(request)
    form = await request.post()
    await check_csrf(request, who, str(form.get("csrf", "")))
    handoff = _handoff(request)
    tid = str(form.get("id", "")).strip()[:64]
    name = str(form.get("name", "")).strip()[:128] or tid
    hours = str(form.get("hours", "")).strip()[:200] or None
    chat = str(form.get("telegram", "")).strip()[:64] or None
    if not tid or not tid.replace("-", "").replace("_", "").isalnum():
        return await page(request, error="Mã tổ chỉ gồm chữ không dấu, số và dấu gạch (ví dụ xa-an-binh).", status=400)
    try:
        await handoff.upsert_team(tid, name, hours, chat)
    except ValueError as exc:
        return await page(request, error=f"Chưa lưu tổ {tid}: {exc}. Viết giờ làm việc theo mẫu "
                                         f"«Mon-Fri 07:30-11:30,13:30-17:00; Sat 07:30-11:30».", status=422)
    await audit(handoff.repo.engine, who, "team_saved", team=tid, hours=hours, telegram=bool(chat))
    raise web.HTTPSeeOther(f"/console/admin/teams?saved={tid}#team-{tid}")


async def home(request: web.Request) -> web.StreamResponse:
    """``/console/admin`` (named in the README): the admin home is the procedure list, agents' is the reports."""
    from bot.web.admin.auth import principal

    who = await principal(request)
    raise web.HTTPFound("/console/admin/content" if who.is_admin else "/console/admin/reports")


def routes() -> list[web.AbstractRouteDef]:
    return [web.get("/console/admin", home), web.get("/console/admin/", home),
            web.get("/console/admin/teams", page), web.post("/console/admin/teams", save)]

