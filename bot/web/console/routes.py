"""Console HTTP surface: thin handlers over HandoffService (all decisions live there and in bot/handoff)."""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from bot.dossier.online import file_for_citizen, filing_panel, filing_receipt
from bot.handoff.service import AgentInfo, Forbidden, HandoffService, InvalidValue, NotFound
from bot.handoff.ticket import TransitionError
from bot.web import pages
from bot.web.console.auth import (
    COOKIE,
    COOKIE_PATH,
    SESSION_SECONDS,
    LoginLimiter,
    Networks,
    Session,
    SessionStore,
    client_address,
    csrf_ok,
    login_token,
    login_token_ok,
    parse_networks,
    set_login_cookie,
)

_NEXT_PREFIXES = ("/console", "/dossiers", "/d/")


def _safe_next(path: str) -> str:
    """Where to land after login: only our own staff pages, never another site (open-redirect guard)."""
    if (len(path) <= 512 and path.startswith(_NEXT_PREFIXES) and "//" not in path and "\\" not in path
            and not path.startswith("/console/login") and all(32 < ord(c) < 127 for c in path)):
        return path
    return ""

log = logging.getLogger(__name__)
ERRORS_VI = {
    "state": "Thao tác không phù hợp với trạng thái hiện tại của yêu cầu. Nội dung bạn nhập vẫn được giữ lại.",
    "taken": "Cán bộ khác đang xử lý cuộc trò chuyện này (hoặc nó thuộc tổ khác). Nội dung bạn nhập vẫn được giữ lại.",
    "missing": "Không tìm thấy cán bộ hoặc cuộc trò chuyện.",
}
STATIC = Path(__file__).parent / "static"
TEMPLATES = Path(__file__).parent / "templates"
HEARTBEAT = 15.0


class Console:
    """Sign-in and the console pages; the desk, assisted mode and the admin pages ask it who is signed in."""

    def __init__(self, handoff: HandoffService, sessions: SessionStore, limiter: LoginLimiter, secure_cookie: bool,
                 trusted: Networks = ()):
        self.h = handoff
        self.sessions = sessions
        self.limiter = limiter
        self.secure = secure_cookie
        self.trusted = trusted

    async def current(self, request: web.Request) -> tuple[AgentInfo, Session] | None:
        """The signed-in, still active agent and their live session, or None."""
        session = await self.sessions.get(request.cookies.get(COOKIE))
        agent = await self.h.get_agent(session.username) if session else None
        return (agent, session) if agent is not None and session is not None else None

    async def viewer(self, request: web.Request) -> tuple[AgentInfo, Session]:
        found = await self.current(request)
        if found is None:
            raise web.HTTPFound("/console/login?" + urlencode({"next": request.path_qs})
                                if request.method == "GET" and _safe_next(request.path_qs) else "/console/login")
        return found

    @staticmethod
    def check_csrf(session: Session, sent: str | None) -> None:
        if not csrf_ok(session, sent):
            raise web.HTTPForbidden(text="Phiên làm việc không hợp lệ, vui lòng tải lại trang.")

    async def form(self, request: web.Request) -> tuple[AgentInfo, Any]:
        """A POST from a signed-in agent with a valid CSRF token."""
        agent, session = await self.viewer(request)
        data = await request.post()
        token = data.get("csrf") or request.headers.get("X-CSRF-Token")
        self.check_csrf(session, str(token) if token else None)
        return agent, data

    # --- login --------------------------------------------------------------------------------

    def _login_form(self, request: web.Request, error: str | None, nxt: str, status: int = 200) -> web.Response:
        token = login_token(request)
        resp = pages.render_template("console/login.html.j2", request,
                                              {"error": error, "next": nxt, "csrf": token}, status=status)
        set_login_cookie(resp, token, self.secure)
        return resp

    async def login_page(self, request: web.Request) -> web.Response:
        return self._login_form(request, None, _safe_next(request.query.get("next", "")))

    async def login(self, request: web.Request) -> web.Response:
        data = await request.post()
        username, password = str(data.get("username", "")).strip()[:64], str(data.get("password", ""))[:256]
        nxt = _safe_next(str(data.get("next", "")))
        if not login_token_ok(request, str(data.get("csrf", "")) or None):
            return self._login_form(request, "Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại.", nxt, 403)
        client = client_address(request, self.trusted)
        if await self.limiter.blocked(username, client):
            return self._login_form(request, "Bạn đã nhập sai nhiều lần. Vui lòng thử lại sau 15 phút.", nxt, 429)
        agent = await self.h.authenticate(username, password)
        if agent is None:
            await self.limiter.failed(username, client)
            return self._login_form(request, "Tên đăng nhập hoặc mật khẩu không đúng.", nxt, 401)
        await self.limiter.succeeded(username)
        token, _session = await self.sessions.create(agent.username)
        resp = web.HTTPFound(nxt or "/console")
        resp.set_cookie(COOKIE, token, httponly=True, samesite="Lax", secure=self.secure,
                        max_age=SESSION_SECONDS, path=COOKIE_PATH)
        raise resp

    async def logout(self, request: web.Request) -> web.Response:
        await self.form(request)
        await self.sessions.end(request.cookies.get(COOKIE))
        resp = web.HTTPFound("/console/login")
        resp.del_cookie(COOKIE, path=COOKIE_PATH)
        raise resp

    # --- pages --------------------------------------------------------------------------------

    async def queue_page(self, request: web.Request) -> web.Response:
        agent, session = await self.viewer(request)
        return pages.render_template("console/queue.html.j2", request, {
            "me": agent, "csrf": session.csrf, "queue": await self.h.queue(agent)})

    async def queue_json(self, request: web.Request) -> web.Response:
        agent, _ = await self.viewer(request)
        return web.json_response({"queue": await self.h.queue(agent)})

    async def conversation_page(self, request: web.Request, error: str | None = None, draft: str = "",
                                status: int = 200) -> web.Response:
        """The conversation; after a refused form post (no JavaScript) it shows why and keeps the typed reply."""
        agent, session = await self.viewer(request)
        c = await self._load(agent, request)
        others = [a for a in await self.h.list_agents() if a.username != agent.username
                  and (agent.role == "admin" or a.team == agent.team)]
        if error is None and request.query.get("loi"):
            error = ERRORS_VI["state"]
        online = await filing_panel(self.h.repo, self.h.content.current, c["id"])
        return pages.render_template("console/conversation.html.j2", request, {
            "me": agent, "csrf": session.csrf, "c": c, "agents": others, "error": error, "draft": draft,
            "online": online}, status=status)

    async def portal(self, request: web.Request) -> web.Response:
        """The agent records the portal's dossier code of the draft they filed; the citizen is told with it."""
        agent, data = await self.form(request)
        try:
            await file_for_citizen(self.h, agent, int(request.match_info["cid"]), str(data.get("portal_code", "")))
        except ValueError as exc:
            return await self.conversation_page(request, str(exc), status=422)
        except NotFound:
            raise web.HTTPNotFound(text="Không tìm thấy cuộc trò chuyện.") from None
        except Forbidden:
            raise web.HTTPForbidden(text="Cuộc trò chuyện này thuộc tổ khác.") from None
        raise web.HTTPFound(f"/console/c/{request.match_info['cid']}")

    async def receipt_photo(self, request: web.Request) -> web.Response:
        """The receipt photo the citizen sent for the draft being filed, for an agent who may see the conversation;
        served as the type its bytes were recognised as, never sniffed or cached by the browser."""
        agent, _ = await self.viewer(request)
        c = await self._load(agent, request)
        photo = await filing_receipt(self.h.repo, c["id"])
        if photo is None:
            raise web.HTTPNotFound(text="Người dân chưa gửi ảnh biên nhận.")
        return web.Response(body=photo.content, content_type=photo.mime_type, headers={
            "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
            "Content-Disposition": "inline", "Content-Security-Policy": "default-src 'none'; sandbox"})

    async def conversation_json(self, request: web.Request) -> web.Response:
        agent, _ = await self.viewer(request)
        c = await self._load(agent, request)
        return web.json_response({"transcript": c["transcript"], "fields": c["fields"], "ticket": c["ticket"],
                                  "mode": c["mode"], "step_id": c["step_id"], "step_text": c["step_text"],
                                  "notes": c["notes"], "actions": c["actions"]})

    async def _load(self, agent: AgentInfo, request: web.Request) -> dict[str, Any]:
        try:
            return await self.h.conversation(agent, int(request.match_info["cid"]))
        except (NotFound, ValueError):
            raise web.HTTPNotFound(text="Không tìm thấy cuộc trò chuyện.") from None
        except Forbidden:
            raise web.HTTPForbidden(text="Cuộc trò chuyện này thuộc tổ khác.") from None

    async def action(self, request: web.Request) -> web.Response:
        agent, data = await self.form(request)
        cid = int(request.match_info["cid"])
        what = request.match_info["action"]
        acts: dict[str, Callable[[], Awaitable[None]]] = {
            "claim": lambda: self.h.claim(agent, cid),
            "say": lambda: self.h.say(agent, cid, str(data.get("text", ""))),
            "note": lambda: self.h.note(agent, cid, str(data.get("text", ""))),
            "field": lambda: self.h.set_field(agent, cid, str(data.get("field", "")), str(data.get("value", ""))),
            "transfer": lambda: self.h.transfer(agent, cid, str(data.get("to", ""))),
            "return": lambda: self.h.return_to_bot(agent, cid, str(data.get("step_id", "")) or None),
            "close": lambda: self.h.close(agent, cid),
        }
        if what not in acts:
            raise web.HTTPNotFound()
        fetched = request.headers.get("X-Requested-With") == "fetch"
        try:
            await acts[what]()
        except InvalidValue as exc:
            why = f"Chưa sửa được: {exc} Hãy nhập lại giá trị đúng rồi bấm Sửa."
            if fetched:
                return web.json_response({"ok": False, "error": why}, status=422)
            return await self.conversation_page(request, why, "", 422)
        except (Forbidden, TransitionError, NotFound) as exc:
            key, status = ({Forbidden: ("taken", 403), NotFound: ("missing", 404)}
                           .get(type(exc), ("state", 409)))
            if fetched:
                return web.json_response({"ok": False, "error": ERRORS_VI[key]}, status=status)
            # Without JavaScript: show the page again with the reason and the typed text still in the box.
            return await self.conversation_page(request, ERRORS_VI[key],
                                                str(data.get("text", "")) if what == "say" else "", status)
        if fetched:
            return web.json_response({"ok": True, "go": "/console" if what in {"return", "close"} else None})
        if what in {"return", "close"}:
            raise web.HTTPFound("/console")
        raise web.HTTPFound(f"/console/c/{cid}")

    async def events(self, request: web.Request) -> web.StreamResponse:
        """Server-sent events: the team's queue, or one conversation with ?c=ID."""
        agent, _ = await self.viewer(request)
        if "c" in request.query:
            try:
                cid = int(request.query["c"])
                await self.h.conversation(agent, cid)
            except (NotFound, ValueError):
                raise web.HTTPNotFound() from None
            except Forbidden:
                raise web.HTTPForbidden() from None
            topic = f"conv:{cid}"
        else:
            topic = "console:*" if agent.role == "admin" else f"console:{agent.team}"
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                                           "X-Accel-Buffering": "no"})
        await resp.prepare(request)
        await resp.write(b": ok\n\n")
        async with self.h.pubsub.subscribe(topic) as stream:
            it = stream.__aiter__()
            while True:
                try:
                    ev = await asyncio.wait_for(it.__anext__(), HEARTBEAT)
                    await resp.write(f"data: {json.dumps(ev, ensure_ascii=False)}\n\n".encode())
                except TimeoutError:
                    if await self.current(request) is None:   # signed out, disabled or password changed
                        break
                    await resp.write(b": ping\n\n")
                except (ConnectionResetError, asyncio.CancelledError, StopAsyncIteration):
                    break   # the browser left, or the event source closed (shutdown)
        return resp


CONSOLE = web.AppKey("console", Console)  # other rooms (the desk, /dossiers) ask it who is signed in


def make_console(handoff: HandoffService, settings: Any) -> Console:
    srv = settings.server
    limiter = LoginLimiter(settings.redis.url, per_user=srv.login_failures_per_user,
                           per_client=srv.login_failures_per_client)
    return Console(handoff, SessionStore(handoff.repo.engine), limiter, srv.base_url.startswith("https"),
                   parse_networks(srv.trusted_proxies))


def routes(handoff: HandoffService, settings: Any, con: Console | None = None) -> list[web.AbstractRouteDef]:
    con = con or make_console(handoff, settings)

    async def cid_route(request: web.Request) -> web.StreamResponse:
        with contextlib.suppress(ValueError):
            int(request.match_info["cid"])
            return await con.conversation_page(request)
        raise web.HTTPNotFound()

    return [
        web.get("/console/login", con.login_page),
        web.post("/console/login", con.login),
        web.post("/console/logout", con.logout),
        web.get("/console", con.queue_page),
        web.get("/console/api/queue", con.queue_json),
        web.get("/console/events", con.events),
        web.get("/console/c/{cid:\\d+}", cid_route),
        web.get("/console/api/c/{cid:\\d+}", con.conversation_json),
        web.post("/console/c/{cid:\\d+}/portal", con.portal),
        web.get("/console/c/{cid:\\d+}/bien-nhan", con.receipt_photo),
        web.post("/console/c/{cid:\\d+}/{action}", con.action),
        web.static("/console/static", STATIC),
    ]
