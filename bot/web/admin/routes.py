"""Admin pages: procedure editor with live validation and preview, versions, misses, reports.

Only admins edit, publish, roll back and label misses; agents read their own team's reports.
Every admin action is written to the audit trail (`auth.audit`).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.admin.audit import AuditError, mark_verified
from bot.admin.audit import audit as content_audit
from bot.admin.charts import bar_chart
from bot.admin.export import report_xlsx, table_csv
from bot.admin.misses import EXAMPLES_TOPIC, Misses, forget_erased_examples
from bot.admin.preview import preview_turn
from bot.admin.reports import Period, build_report
from bot.admin.structured import line_fields
from bot.admin.versions import ContentVersions, build_snapshot, check, diff, export_zip, problem_dicts
from bot.content.yamlsrc import ContentErrors
from bot.web import pages
from bot.web.admin.auth import (
    ADMIN_AUTH,
    Principal,
    audit,
    check_csrf,
    console_auth,
    csrf_token,
    principal,
    require_admin,
)
from bot.web.vntime import to_vn

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
VERSIONS = web.AppKey("admin_versions", ContentVersions)
MISSES = web.AppKey("admin_misses", Misses)
ADMIN_SERVICES = web.AppKey("admin_services", object)
MAX_FILE_CHARS = 200_000


def _svc(request: web.Request) -> Any:
    return request.app[ADMIN_SERVICES]


def _ctx(request: web.Request, who: Principal, **kw: Any) -> dict[str, Any]:
    return {"who": who, "csrf": csrf_token(request, who), **kw}


def _paths(pid: str) -> tuple[str, str]:
    return f"procedures_catalog/{pid}.yml", f"flows/{pid}.yml"


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise web.HTTPBadRequest(text="JSON không hợp lệ")
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(text="JSON không hợp lệ")
    return data


async def _draft_files(request: web.Request, edits: Any) -> dict[str, str]:
    """The published set with the editor's files laid over it (only content paths, bounded size)."""
    files = await request.app[VERSIONS].current_files()
    if not isinstance(edits, dict):
        raise web.HTTPBadRequest(text="thiếu nội dung")
    for path, text in edits.items():
        ok_path = isinstance(path, str) and path.endswith(".yml") and ".." not in path and \
            path.startswith(("procedures_catalog/", "flows/"))
        if not ok_path or not isinstance(text, str) or len(text) > MAX_FILE_CHARS:
            raise web.HTTPBadRequest(text=f"tệp không hợp lệ: {str(path)[:80]}")
        files[path] = text
    return files


# ---- editor -----------------------------------------------------------------------------------------

async def procedures(request: web.Request) -> web.StreamResponse:
    who = await require_admin(request)
    snap = _svc(request).content.current
    q = request.query.get("q", "").strip()
    from bot.admin.misses import fold

    rows = [p for p in snap.procedures.values()
            if not q or fold(q) in fold(f"{p.id} {p.name}")]
    rows.sort(key=lambda p: p.id)
    return pages.render_template("admin/procedures.html", request, _ctx(
        request, who, rows=rows, q=q, has_flow={p.id: snap.flow(p.id) is not None for p in rows}))


async def edit(request: web.Request) -> web.StreamResponse:
    who = await require_admin(request)
    pid = request.match_info["pid"]
    files = await request.app[VERSIONS].current_files()
    cat_path, flow_path = _paths(pid)
    if cat_path not in files:
        raise web.HTTPNotFound(text="Không có thủ tục này.")
    return pages.render_template("admin/edit.html", request, _edit_ctx(
        request, who, pid, files[cat_path], files.get(flow_path, ""), flow_path in files))


def _edit_ctx(request: web.Request, who: Principal, pid: str, cat_text: str, flow_text: str, has_flow: bool,
              problems: list[dict[str, Any]] | None = None, message: str = "", refused: bool = False
              ) -> dict[str, Any]:
    """The editor page, first opened or sent back after a refused publish (the form-style panel stays)."""
    proc = _svc(request).content.current.procedure(pid)
    cat_path, flow_path = _paths(pid)
    return _ctx(request, who, pid=pid, name=proc.name if proc else pid, cat_path=cat_path, flow_path=flow_path,
                cat_text=cat_text, flow_text=flow_text, has_flow=has_flow, problems=problems or [],
                message=message, refused=refused,
                fields=[("catalog", f) for f in line_fields(cat_text, "catalog")] +
                [("flow", f) for f in line_fields(flow_text, "flow")])


async def _edited(request: web.Request) -> tuple[dict[str, Any], dict[str, str], Any]:
    """An admin's POST of edited files: (its JSON, the whole content set with the edits, the versions store)."""
    who = await require_admin(request)
    await check_csrf(request, who)
    data = await _json(request)
    return data, await _draft_files(request, data.get("files")), request.app[VERSIONS]


async def validate(request: web.Request) -> web.StreamResponse:
    _data, files, versions = await _edited(request)
    return web.json_response({"problems": check(files, versions.spec, require_all=versions.require_all)})


async def preview(request: web.Request) -> web.StreamResponse:
    data, files, versions = await _edited(request)
    try:
        draft = build_snapshot(files, versions.spec, require_all=versions.require_all)
    except ContentErrors as exc:
        return web.json_response({"problems": [e.words() for e in exc.errors]}, status=422)
    svc = _svc(request)
    state = data.get("state") if isinstance(data.get("state"), dict) else None
    text = str(data.get("text", ""))[:2000]
    payload = data.get("payload") if isinstance(data.get("payload"), str) else None
    try:
        new_state, replies, events = await preview_turn(
            draft, state, text, nlu=svc.nlu, base_ctx=svc.runner.context(svc.clock()), payload=payload)
    except Exception:   # a broken simulator state must not become a 503 page
        log.exception("preview failed")
        new_state, replies, events = await preview_turn(
            draft, None, text, nlu=svc.nlu, base_ctx=svc.runner.context(svc.clock()), payload=payload)
    return web.json_response({"state": new_state, "replies": replies, "events": events})


async def publish(request: web.Request) -> web.StreamResponse:
    who = await require_admin(request)
    form = await request.post()
    await check_csrf(request, who, str(form.get("csrf", "")))
    pid = str(form.get("pid", ""))
    cat_path, flow_path = _paths(pid)
    # A textarea posts CRLF line ends: normalised, so a file the admin did not touch stays unchanged.
    edits = {cat_path: _lf(form.get("catalog", ""))}
    if form.get("flow") is not None and str(form.get("flow")).strip():
        edits[flow_path] = _lf(form.get("flow"))
    files = await _draft_files(request, edits)
    message = str(form.get("message", "")).strip()[:500] or f"Sửa {pid}"
    versions = request.app[VERSIONS]
    t0 = time.perf_counter()
    try:
        vid = await versions.publish(files, who.name, message)
    except ContentErrors as exc:
        return pages.render_template("admin/edit.html", request, _edit_ctx(
            request, who, pid, edits[cat_path], edits.get(flow_path, ""), flow_path in edits,
            problems=problem_dicts(exc.errors), message=message, refused=True), status=422)
    await audit(_svc(request).repo.engine, who, "content_published", version=vid, procedure_id=pid,
                message=message, seconds=round(time.perf_counter() - t0, 3))
    raise web.HTTPSeeOther(f"/console/admin/versions/{vid}?published=1")


def _lf(value: Any) -> str:
    return str(value).replace("\r\n", "\n")


async def export(request: web.Request) -> web.StreamResponse:
    who = await require_admin(request)
    files = await request.app[VERSIONS].current_files()
    await audit(_svc(request).repo.engine, who, "content_exported", files=len(files))
    return web.Response(body=export_zip(files), content_type="application/zip",
                        headers={"Content-Disposition": 'attachment; filename="motcua-noi-dung.zip"'})


# ---- content audit ----------------------------------------------------------------------------------

_VN = dt.timezone(dt.timedelta(hours=7))


async def audit_page(request: web.Request, *, error: str = "", status: int = 200) -> web.StreamResponse:
    """Per procedure: unverified and unsourced facts, dangling source ids, rules ending soon."""
    who = await require_admin(request)
    files = await request.app[VERSIONS].current_files()
    report = content_audit(files, _svc(request).clock().astimezone(_VN).date())
    figures = report.figures()
    owners = [o for o in report.owners if o.needs_attention]
    return pages.render_template("admin/audit.html", request, _ctx(
        request, who, report=report, figures=figures, owners=owners, error=error,
        pct=f"{figures['unverified_pct']:.1f} %".replace(".", ","),
        verified=request.query.get("verified", "")[:200], open_owner=request.query.get("open", "")), status=status)


async def audit_verify(request: web.Request) -> web.StreamResponse:
    """Mark one fact verified with a source link; published as a version authored by the admin."""
    who = await require_admin(request)
    form = await request.post()
    await check_csrf(request, who, str(form.get("csrf", "")))
    path, fact, url = str(form.get("file", "")), str(form.get("path", ""))[:200], str(form.get("url", ""))[:1000]
    owner = str(form.get("owner", ""))[:200]
    versions = request.app[VERSIONS]
    files = await versions.current_files()
    if path not in files or not path.startswith("procedures_catalog/"):
        return await audit_page(request, error="Không tìm thấy tệp của thông tin này.", status=400)
    try:
        files[path], sid = mark_verified(files[path], fact, url, str(form.get("title", ""))[:300])
        message = f"Xác minh {fact} ({owner or path}) theo nguồn {sid}: {url.strip()}"
        vid = await versions.publish(files, who.name, message)
    except AuditError as exc:
        return await audit_page(request, error=str(exc), status=422)
    except ContentErrors as exc:
        return await audit_page(request, error="Không xuất bản được: " + "; ".join(map(str, exc.errors[:3])), status=422)
    await audit(_svc(request).repo.engine, who, "fact_verified", version=vid, file=path, fact=fact, url=url.strip())
    from urllib.parse import urlencode

    raise web.HTTPSeeOther("/console/admin/audit?" + urlencode({"verified": f"{owner} · {fact}", "open": owner})
                           + f"#{owner}")


# ---- versions ---------------------------------------------------------------------------------------

async def history(request: web.Request) -> web.StreamResponse:
    who = await require_admin(request)
    rows = await request.app[VERSIONS].history(200)
    return pages.render_template("admin/versions.html", request, _ctx(request, who, rows=rows))


async def version(request: web.Request) -> web.StreamResponse:
    who = await require_admin(request)
    versions = request.app[VERSIONS]
    try:
        vid = int(request.match_info["vid"])
    except ValueError:
        raise web.HTTPNotFound()
    row = await versions.get(vid)
    if row is None:
        raise web.HTTPNotFound(text="Không có phiên bản này.")
    hist = await versions.history(500)
    older = [h.id for h in hist if h.id < vid]
    prev = await versions.get(older[0]) if older else None
    from bot.admin.versions import folder_files

    base = dict(prev.files) if prev is not None else folder_files(versions.root)
    return pages.render_template("admin/version.html", request, _ctx(
        request, who, row=row, diffs=diff(base, dict(row.files)), prev_id=prev.id if prev else None,
        published_now=request.query.get("published") == "1"))


async def rollback(request: web.Request) -> web.StreamResponse:
    who = await require_admin(request)
    form = await request.post()
    await check_csrf(request, who, str(form.get("csrf", "")))
    vid = int(request.match_info["vid"])
    try:
        new = await request.app[VERSIONS].rollback(vid, who.name)
    except KeyError:
        raise web.HTTPNotFound()
    await audit(_svc(request).repo.engine, who, "content_rolled_back", version=new, restored=vid)
    raise web.HTTPSeeOther(f"/console/admin/versions/{new}?published=1")


# ---- misses -----------------------------------------------------------------------------------------

async def misses(request: web.Request) -> web.StreamResponse:
    who = await require_admin(request)
    groups: list[Any] = await request.app[MISSES].groups()
    snap = _svc(request).content.current
    labels = sorted(((p.id, p.name) for p in snap.procedures.values()), key=lambda x: x[1])
    intents = [(e.id, e.name) for e in snap.spec if e.kind == "intent"]   # "chào hỏi", "cảm ơn"…: not a procedure
    return pages.render_template("admin/misses.html", request, _ctx(
        request, who, groups=groups[:200], labels=labels, intents=intents, assigned=request.query.get("assigned")))


async def assign(request: web.Request) -> web.StreamResponse:
    who = await require_admin(request)
    form = await request.post()
    await check_csrf(request, who, str(form.get("csrf", "")))
    label = str(form.get("label", ""))
    svc = _svc(request)
    if label not in svc.content.current.procedures and label not in svc.content.current.intent_ids:
        raise web.HTTPBadRequest(text="Nhãn không hợp lệ.")
    ids = [int(x) for x in str(form.get("ids", "")).split(",") if x.strip().isdigit()][:500]
    n = await request.app[MISSES].assign(ids, label, who.name)
    await audit(svc.repo.engine, who, "misses_assigned", label=label, count=n)
    if n:
        await retrain_with_examples(request.app)
    raise web.HTTPSeeOther(f"/console/admin/misses?assigned={n}")


async def retrain_with_examples(app: web.Application) -> None:
    """Give the NLU every assigned example and retrain it in the background on the live snapshot."""
    svc: Any = app[ADMIN_SERVICES]
    svc.nlu.extra_examples = tuple(await app[MISSES].examples())
    svc.nlu.retrain(svc.content.current)


# ---- reports ----------------------------------------------------------------------------------------

def _period(request: web.Request, today: dt.date) -> Period:
    kind = request.query.get("period", "month")

    def day(name: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(request.query.get(name, ""))
        except ValueError:
            return None
    try:
        return Period.of(kind, day("date") or today, day("start"), day("end"))
    except ValueError:
        raise web.HTTPBadRequest(text="Kỳ báo cáo không hợp lệ.")


async def _report(request: web.Request) -> tuple[Principal, Any]:
    who = await principal(request)
    svc = _svc(request)
    team = request.query.get("team") or None
    if not who.is_admin:
        team = who.team   # agents see their own team only
        if team is None:
            raise web.HTTPForbidden(text="Tài khoản chưa thuộc tổ nào.")
    snap = svc.content.current
    names = dict(_commune_choices(request))
    commune = request.query.get("commune") or None
    if commune is not None and commune not in names:
        raise web.HTTPBadRequest(text="Xã/phường không có trong tỉnh.")
    rep = await build_report(svc.repo.engine, _period(request, to_vn(svc.clock()).date()), team,
                             name_of=lambda pid: snap.procedure(pid).name if snap.procedure(pid) else pid,
                             commune=commune, commune_name=lambda code: f"{names.get(code, code)} ({code})",
                             now=svc.clock())
    return who, rep


def _commune_choices(request: web.Request) -> tuple[tuple[str, str], ...]:
    """The province's communes (code, name) for the report filter; none without the handoff service."""
    handoff = _svc(request).handoff
    return handoff.commune_choices() if handoff is not None else ()


async def reports(request: web.Request) -> web.StreamResponse:
    who, rep = await _report(request)
    t = rep.tables
    charts = {
        "thu_tuc": bar_chart([(r[1], r[3]) for r in t["thu_tuc"].rows[:10]], title="Thủ tục được hỏi nhiều nhất"),
        "pheu": bar_chart([(r[0], r[1]) for r in t["pheu"].rows], title="Phễu hoàn thành"),
        "danh_gia": bar_chart([(f"{r[0]} sao", r[1]) for r in t["danh_gia"].rows], title="Mức độ hài lòng"),
    }
    from markupsafe import Markup

    return pages.render_template("admin/reports.html", request, _ctx(
        request, who, rep=rep, charts={k: Markup(v) for k, v in charts.items()}, query=request.query_string,
        communes=_commune_choices(request), commune=request.query.get("commune", "")))


async def report_csv(request: web.Request) -> web.StreamResponse:
    _who, rep = await _report(request)
    key = request.match_info["key"]
    if key not in rep.tables:
        raise web.HTTPNotFound()
    return web.Response(body=table_csv(rep, key), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="bao-cao-{key}.csv"'})


async def report_xlsx_view(request: web.Request) -> web.StreamResponse:
    _who, rep = await _report(request)
    return web.Response(body=report_xlsx(rep),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": 'attachment; filename="bao-cao.xlsx"'})


def routes() -> list[web.AbstractRouteDef]:
    return [
        web.get("/console/admin/content", procedures),
        web.get("/console/admin/content/export.zip", export),
        web.get("/console/admin/content/{pid}", edit),
        web.post("/console/admin/content/validate", validate),
        web.post("/console/admin/content/publish", publish),
        web.post("/console/admin/preview/turn", preview),
        web.get("/console/admin/audit", audit_page),
        web.post("/console/admin/audit/verify", audit_verify),
        web.get("/console/admin/versions", history),
        web.get("/console/admin/versions/{vid}", version),
        web.post("/console/admin/versions/{vid}/rollback", rollback),
        web.get("/console/admin/misses", misses),
        web.post("/console/admin/misses/assign", assign),
        web.get("/console/admin/reports", reports),
        web.get("/console/admin/reports.xlsx", report_xlsx_view),
        web.get("/console/admin/reports/{key}.csv", report_csv),
        web.static("/static/admin", HERE / "static"),
    ]


def setup(app: web.Application, services: Any) -> None:
    """Mount the admin room; call AFTER the app's main lifetime is appended (the NLU is trained by then)."""
    snap = services.content.current
    every = all(s.id in snap.procedures for s in snap.spec if s.kind == "procedure")
    versions = ContentVersions(services.repo.engine, services.content, services.pubsub, services.settings.root,
                               clock=services.clock, require_all=every)
    app[VERSIONS] = versions
    app[MISSES] = Misses(services.repo.engine)
    app[ADMIN_SERVICES] = services
    if ADMIN_AUTH not in app:
        fn = console_auth(app, services.settings, services.handoff)
        if fn is not None:
            app[ADMIN_AUTH] = fn
        else:
            log.warning("admin pages need the console login (handoff room): every admin page answers 401")
    from bot.web.admin import daily, teams

    app.add_routes(daily.routes() + routes() + teams.routes())

    async def follow_erasures() -> None:
        """A citizen's data was erased somewhere: retrain without their labelled messages, if there were any."""
        async with services.pubsub.subscribe(EXAMPLES_TOPIC) as events:
            async for _event in events:
                try:
                    await forget_erased_examples(services.nlu, app[MISSES], services.content)
                except Exception:   # the next erasure or publish tries again
                    log.exception("could not retrain after an erasure")

    async def lifetime(_app: web.Application) -> AsyncIterator[None]:
        try:
            services.nlu.extra_examples = tuple(await app[MISSES].examples())
            if await versions.load_published() is None and services.nlu.extra_examples:
                services.nlu.retrain(services.content.current)
        except Exception:   # no admin tables yet (migration not run): keep serving the files
            log.exception("could not load the published content version")
        tasks = [asyncio.create_task(versions.follow()), asyncio.create_task(follow_erasures())]
        yield
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    app.cleanup_ctx.append(lifetime)
