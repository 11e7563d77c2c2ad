"""Admin page "Xã/phường" (issue 21): the province's communes and what each one has of its own — team, desk hours,
address, phone, notes. The same store as `motcua commune`; a change reaches every worker at once (pub/sub)."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.admin.misses import fold
from bot.handoff.communes import Commune
from bot.web import pages
from bot.web.admin.auth import audit, check_csrf, csrf_token, require_admin

FIELDS = ("team", "working_hours", "address", "phone", "notes")


def _store(request: web.Request) -> Any:
    from bot.app import SERVICES

    handoff = request.app[SERVICES].handoff
    if handoff is None:
        raise web.HTTPNotFound(text="Chưa bật phòng cán bộ.")
    return handoff.communes


def _page(request: web.Request, who: Any, *, error: str = "", form: dict[str, str] | None = None,
          status: int = 200) -> web.StreamResponse:
    store = _store(request)
    q = request.query.get("q", "").strip()
    rows: list[Commune] = [c for c in store.all() if not q or fold(q) in fold(f"{c.code} {c.name} {c.team or ''}")]
    editing = store.get(request.query.get("edit") or (form or {}).get("code"))
    if form is None and editing is not None:
        form = {"code": editing.code, "team": editing.team or "", "working_hours": editing.hours or "",
                "address": editing.address or "", "phone": editing.phone or "", "notes": editing.notes or ""}
    return pages.render_template("admin/communes.html", request, {
        "who": who, "csrf": csrf_token(request, who), "rows": rows, "q": q, "province": store.province,
        "editing": editing, "form": form or {}, "error": error, "saved": request.query.get("saved", ""),
        "configured": sum(1 for c in rows if c.team or c.hours or c.address or c.phone)}, status=status)


async def communes_page(request: web.Request) -> web.StreamResponse:
    who = await require_admin(request)
    await _store(request).reload()   # what another worker or `motcua commune set` saved a moment ago
    return _page(request, who)


async def commune_save(request: web.Request) -> web.StreamResponse:
    """Save one commune's settings; a bad value re-shows the form with what was typed and changes nothing."""
    who = await require_admin(request)
    await check_csrf(request, who)
    post = await request.post()
    form = {k: str(post.get(k, ""))[:300] for k in ("code", *FIELDS)}
    store = _store(request)
    try:
        c = await store.set(form["code"], _svc_clock(request)(), **{k: form[k] for k in FIELDS})
    except ValueError as exc:
        return _page(request, who, error=str(exc), form=form, status=400)
    await audit(store.engine, who, "commune_set", code=c.code, team=c.team, hours=c.hours)
    raise web.HTTPSeeOther(f"/console/admin/communes?saved={c.code}&edit={c.code}")


def _svc_clock(request: web.Request) -> Any:
    from bot.app import SERVICES

    return request.app[SERVICES].clock


def routes() -> list[web.AbstractRouteDef]:
    return [web.get("/console/admin/communes", communes_page), web.post("/console/admin/communes", commune_save)]
