"""Who is calling the admin pages, and the audit trail of what admins did.

The console (issue 6) owns login, sessions and roles. This module only asks it, through the
``ADMIN_AUTH`` app key: ``async (request) -> Principal | None``. Until the console sets it, nobody
is authenticated and every admin page answers 401 — never open by default.
"""
from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from sqlalchemy import insert

from bot.storage.handoff_models import audit as audit_table


@dataclass(frozen=True)
class Principal:
    name: str
    role: str            # admin | agent
    team: str | None = None
    csrf: str = ""       # the CSRF token of the server-side session (one scheme for console, desk and admin)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


AuthFn = Callable[[web.Request], Awaitable[Principal | None]]
ADMIN_AUTH = web.AppKey("admin_auth", object)


async def principal(request: web.Request) -> Principal:
    fn = request.app.get(ADMIN_AUTH)
    who = await fn(request) if fn is not None else None  # type: ignore[operator]
    if who is None:
        if request.method == "GET":
            raise web.HTTPFound("/console/login")
        raise web.HTTPUnauthorized(text="Vui lòng đăng nhập bảng điều khiển.")
    return who


async def require_admin(request: web.Request) -> Principal:
    who = await principal(request)
    if not who.is_admin:
        raise web.HTTPForbidden(text="Chỉ quản trị viên được sửa và xuất bản nội dung.")
    return who


def csrf_token(request: web.Request, who: Principal) -> str:
    """The session's own token: the same in every worker, because the session lives in the database."""
    return who.csrf


async def check_csrf(request: web.Request, who: Principal, sent: str | None = None) -> None:
    """Every state-changing request carries the token (form field or ``X-CSRF-Token`` header)."""
    if sent is None:
        sent = request.headers.get("X-CSRF-Token")
        if sent is None and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            sent = str((await request.post()).get("csrf", ""))
    expected = csrf_token(request, who)
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        raise web.HTTPForbidden(text="Phiên làm việc đã hết hạn, vui lòng tải lại trang.")


async def audit(engine: Any, who: Principal, action: str, **detail: Any) -> None:
    """A row in the console's audit table (issue 6): who did what, when."""
    now = dt.datetime.now(dt.UTC)
    async with engine.begin() as conn:
        await conn.execute(insert(audit_table).values(actor=who.name, action=action[:32], conversation_id=None,
                                                      details={"role": who.role, **detail}, at=now))


def console_auth(app: web.Application, settings: Any, handoff: Any) -> AuthFn | None:
    """Who is signed in, asked of the console (bot/web/console): its server-side session and agent accounts."""
    from bot.web.console.routes import CONSOLE

    console = app.get(CONSOLE)
    if console is None or handoff is None:
        return None

    async def current(request: web.Request) -> Principal | None:
        found = await console.current(request)
        if found is None:
            return None
        agent, session = found
        return Principal(agent.username, agent.role, agent.team, csrf=session.csrf)

    return current
