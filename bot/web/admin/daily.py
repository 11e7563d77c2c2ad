"""Admin → Báo cáo → Báo cáo hằng ngày: the scheduled daily files (bot/admin/daily.py), kept for download.

Admins see every file; an agent sees the files of the communes their team serves (never the province's or
another commune's).
"""
from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.admin.daily import PROVINCE, file_content, list_files
from bot.web import pages
from bot.web.admin.auth import Principal, csrf_token, principal
from bot.web.vntime import vn_time

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _services(request: web.Request) -> Any:
    from bot.web.admin.routes import ADMIN_SERVICES

    return request.app[ADMIN_SERVICES]


def _scopes(request: web.Request, who: Principal) -> set[str] | None:
    """None (everything) for an admin; the codes of the communes served by the agent's team otherwise."""
    if who.is_admin:
        return None
    handoff = _services(request).handoff
    if handoff is None or who.team is None:
        return set()
    return {c.code for c in handoff.communes.all() if c.team == who.team}


async def page(request: web.Request) -> web.StreamResponse:
    who = await principal(request)
    rows = await list_files(_services(request).repo.engine, _scopes(request, who))
    files = [{"id": r.id, "day": f"{r.day:%d/%m/%Y}", "title": r.title, "scope": r.scope,
              "sent": (f"Đã gửi nhóm Telegram lúc {vn_time(r.sent_at)}" if r.sent_at else
                       f"Chưa gửi: {r.send_error}" if r.send_error else "Chỉ lưu để tải (chưa cấu hình nhóm)")}
             for r in rows]
    return pages.render_template("admin/daily.html", request, {
        "who": who, "csrf": csrf_token(request, who), "files": files, "province": PROVINCE,
        "daily_at": _services(request).settings.reports.daily_at})


async def download(request: web.Request) -> web.StreamResponse:
    who = await principal(request)
    try:
        fid = int(request.match_info["fid"])
    except ValueError:
        raise web.HTTPNotFound() from None
    row = await file_content(_services(request).repo.engine, fid)
    scopes = _scopes(request, who)
    if row is None or (scopes is not None and row.scope not in scopes):
        raise web.HTTPNotFound(text="Không có tệp báo cáo này.")
    return web.Response(body=row.content, content_type=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="{row.filename}"'})


def routes() -> list[web.AbstractRouteDef]:
    return [web.get("/console/admin/reports/daily", page),
            web.get("/console/admin/reports/daily/{fid}.xlsx", download)]
