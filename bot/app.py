"""The aiohttp application: mounts each room's routes, runs lifetimes through cleanup_ctx. No logic."""
from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from aiohttp import web

from bot.admin.daily import DailyReports, TelegramFiles
from bot.admin.misses import EXAMPLES_TOPIC
from bot.channels import rest
from bot.channels.webchat import routes as webchat
from bot.privacy.retention import retention_loop
from bot.services import Services, build_services
from bot.settings import Settings
from bot.storage.checkpoint import database_file, wal_checkpoints
from bot.storage.db import is_outage
from bot.web import health, metrics, pages
from bot.web.console import assist as assist_pages
from bot.web.console import routes as console
from bot.web.dossiers import routes as dossiers
from bot.web.guard import staff_guard
from bot.web.vntime import vn_time

log = logging.getLogger(__name__)

SERVICES = web.AppKey("services", Services)

CSP = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


@web.middleware
async def security_headers(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
    """CSP and friends on every response; a crash becomes a polite 503, never a stack trace."""
    try:
        resp = await handler(request)
    except web.HTTPException as exc:
        _secure(exc)
        raise
    except (asyncio.CancelledError, KeyboardInterrupt):
        raise
    except Exception as exc:
        if _bad_body(exc):
            # A malformed form or multipart body (no boundary, bad charset…) is the client's fault: a clear 400.
            log.info("malformed request body: %s", type(exc).__name__, extra={"path": request.path})
            return _secure(web.json_response({"error": "malformed request body"}, status=400)
                           if request.path.startswith(("/webhooks/", "/webchat/api/", "/console/api/"))
                           else web.Response(status=400, text="Yêu cầu không hợp lệ."))
        if is_outage(exc):
            # Expected operation while PostgreSQL restarts or fails over: one line, not a stack trace per request.
            cause = getattr(exc, "orig", None) or exc
            log.warning("request failed, database unavailable: %s: %s", type(cause).__name__,
                        str(cause).splitlines()[0][:200] if str(cause) else "", extra={"path": request.path})
        else:
            log.exception("request failed", extra={"path": request.path})
        if request.path.startswith(("/webhooks/", "/webchat/api/")):
            resp = web.json_response([{"recipient_id": "", "text": "Hệ thống đang bận, bạn vui lòng gửi lại sau ít phút."}],
                                     status=503)
        else:
            resp = web.Response(status=503, text="Hệ thống đang bận, vui lòng thử lại sau.")
    return _secure(resp)


_BODY_PARSERS = ("aiohttp/multipart.py", "aiohttp/web_request.py", "aiohttp/helpers.py", "urllib/parse.py")


def _bad_body(exc: BaseException) -> bool:
    """Raised by aiohttp while decoding the request's form/multipart body, not by our code."""
    if not isinstance(exc, (ValueError, UnicodeError, LookupError, AssertionError, TypeError)):
        return False
    tb = exc.__traceback__
    last = None
    while tb is not None:
        last = tb.tb_frame.f_code.co_filename
        tb = tb.tb_next
    return bool(last and last.replace("\\", "/").endswith(_BODY_PARSERS))


def _secure(resp: web.StreamResponse) -> web.StreamResponse:
    resp.headers.setdefault("Content-Security-Policy", CSP)
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Referrer-Policy", "no-referrer")
    resp.headers.setdefault("X-Frame-Options", "DENY")
    return resp


def template_dirs() -> list[Path]:
    base = Path(__file__).parent
    return [base / "channels" / "webchat" / "templates", base / "web" / "templates", console.TEMPLATES,
            dossiers.TEMPLATES]  # admin/ lives in web/templates


# The hourly retention purge starts a minute after the worker is ready instead of racing its start-up (it compiled
# and ran its statements while the worker was still coming up: ~0.1 s of a warm start).
RETENTION_FIRST_AFTER_S = 60.0


def daily_reports(services: Services, settings: Settings) -> DailyReports:
    """The scheduled daily report files (bot/admin/daily.py) wired to this worker's communes and teams."""
    handoff = services.handoff
    token = settings.secrets.telegram_token

    def name_of(pid: str) -> str:
        proc = services.content.current.procedure(pid)
        return proc.name if proc else pid

    return DailyReports(
        services.repo.engine, settings, services.clock,
        communes=(lambda: handoff.communes.all()) if handoff else (lambda: ()),
        team_chat=(lambda team: handoff.team_chat.get(team)) if handoff else (lambda _t: None),
        name_of=name_of,
        sender=TelegramFiles(settings.channels.telegram.api_base_url, token.get_secret_value() if token else None))


def _lifetime(services: Services, settings: Settings) -> Callable[[web.Application], AsyncIterator[None]]:
    """The worker's start/stop context, apart from build_app so the route wiring stays readable."""

    async def lifetime(_app: web.Application) -> AsyncIterator[None]:
        await services.start()
        if settings.server.gc_freeze:
            # Everything built at start-up (content, NLU model, libraries) lives as long as the worker: move it out
            # of the cyclic GC's reach, so full collections stop scanning it on the hot path (p99 stalls of 100+ ms).
            # Only the young generations are collected first: a full collection here found no garbage (the
            # automatic ones ran during start-up) yet walked all ~150,000 objects, 0.1-0.2 s of every start.
            gc.collect(1)
            gc.freeze()
            if settings.server.gc_young_threshold > 0:
                gc.set_threshold(settings.server.gc_young_threshold, *gc.get_threshold()[1:])
        tasks = [asyncio.create_task(services.effects.sweeper()),
                 *([asyncio.create_task(services.handoff.communes.listen())] if services.handoff else []),
                 asyncio.create_task(retention_loop(
                     services.repo, services.clock, settings.privacy.retention_days,
                     examples_gone=lambda: services.pubsub.publish(EXAMPLES_TOPIC, {}),
                     first_after_s=RETENTION_FIRST_AFTER_S))]
        wal = database_file(services.repo.engine)
        if wal is not None:   # SQLite: fold the log back from a thread, not inside a citizen's commit
            tasks.append(asyncio.create_task(wal_checkpoints(wal)))
        if services.handoff is not None:   # team hours changed elsewhere (admin page, CLI, other worker)
            tasks.append(asyncio.create_task(services.handoff.follow_teams()))
        if settings.reports.daily:
            tasks.append(asyncio.create_task(daily_reports(services, settings).loop()))
        for ch in services.channels.values():
            await ch.start()
            if getattr(getattr(settings.channels, ch.name), "mode", "webhook") == "polling":
                tasks.append(asyncio.create_task(ch.poll()))
        if services.push is not None and services.channels:
            tasks.append(asyncio.create_task(services.push.run()))
        yield
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)   # let them finish their DB call before dispose
        if services.push is not None:
            await services.push.idle()   # replies still being sent after their webhook was answered
        for ch in services.channels.values():
            await ch.stop()
        await services.close()

    return lifetime


def build_app(settings: Settings, services: Services | None = None) -> web.Application:
    """The whole HTTP surface of one worker."""
    services = services or build_services(settings)
    app = web.Application(client_max_size=settings.server.max_body_bytes,
                          middlewares=[services.metrics.count_responses, security_headers,
                                       staff_guard(settings.server.base_url)])
    app[SERVICES] = services
    pages.setup(app, template_dirs(), filters={"vntime": vn_time})   # jinja2 loads with the first page rendered
    too_long = services.content.current.phrase("bad_input")
    if settings.channels.rest:
        app.add_routes(rest.routes(services.delivery, max_body=settings.server.max_body_bytes,
                                   max_chars=settings.server.max_message_chars, too_long_reply=too_long))
    if settings.channels.webchat:
        app.add_routes(webchat.routes(services.delivery, settings, services.pubsub))
    for ch in services.channels.values():   # Telegram / Zalo webhooks (bot/channels/telegram.py, zalo_*.py)
        conf = getattr(settings.channels, ch.name)
        if getattr(conf, "mode", "webhook") == "webhook":
            app.router.add_post(conf.webhook_path, ch.webhook)
    app.add_routes(health.routes(services))
    if (handoff := services.handoff) is not None:
        app[console.CONSOLE] = console.make_console(handoff, settings)
        app.on_cleanup.append(lambda _app: _app[console.CONSOLE].limiter.close())
        app.add_routes(console.routes(handoff, settings, app[console.CONSOLE]))
        app.on_startup.append(lambda _app: handoff.refresh_teams())
        app.on_startup.append(lambda _app: handoff.communes.reload())
        if services.assist is not None:   # assisted mode: /console/assist (bot/web/console/assist.py)
            app.add_routes(assist_pages.routes(app[console.CONSOLE], services.assist))
    if services.desk is not None:   # the citizen's /d/ link; the desk's /dossiers when the console is mounted
        app.add_routes(dossiers.routes(services.desk, app.get(console.CONSOLE), settings))
    app.add_routes(metrics.routes(services.metrics, services.repo, services.clock, tuple(services.channels)))

    app.cleanup_ctx.append(_lifetime(services, settings))
    from bot.web.admin.routes import setup as admin_setup  # after the lifetime: the NLU is trained first

    admin_setup(app, services)
    if services.handoff is not None:   # the province's communes (issue 21), its own route file
        from bot.web.admin.communes import routes as commune_routes

        app.add_routes(commune_routes())
    return app
