"""Console pages of assisted mode: start a conversation for a walk-in citizen, then run it on a page built for a
tablet or phone on a weak connection (server-rendered, plain form POSTs; assist.js only submits with fetch and
appends the replies). All decisions live in bot/assist/service.py."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.assist.service import AssistService, Invalid
from bot.handoff.service import AgentInfo, Forbidden, NotFound
from bot.web import pages

FORBIDDEN_VI = "Cuộc trò chuyện này thuộc tổ khác: chỉ cán bộ của tổ đó (hoặc quản trị) mới mở được."
NOT_FOUND_VI = "Không tìm thấy cuộc trò chuyện hỗ trợ này."
TOO_FAST_VI = "Gửi hơi nhanh, vui lòng chờ vài giây rồi gửi lại."


def _fetch(request: web.Request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


class AssistPages:
    def __init__(self, console: Any, assist: AssistService):
        self.con = console          # bot.web.console.routes.Console: the session cookie and CSRF
        self.a = assist

    async def _view(self, agent: AgentInfo, cid: int, request: web.Request, **kw: Any) -> dict[str, Any]:
        try:
            return await self.a.view(agent, cid, **kw)
        except NotFound:
            raise self._error(request, 404, NOT_FOUND_VI) from None
        except Forbidden:
            raise self._error(request, 403, FORBIDDEN_VI) from None

    @staticmethod
    def _error(request: web.Request, status: int, text: str) -> web.HTTPException:
        cls = {403: web.HTTPForbidden, 404: web.HTTPNotFound}[status]
        if _fetch(request):
            return cls(text=web.json_response({"error": text}).text, content_type="application/json")
        return cls(text=text)

    # --- start ---------------------------------------------------------------------------------

    async def new_page(self, request: web.Request) -> web.Response:
        agent, session = await self.con.viewer(request)
        return pages.render_template("console/assist_new.html.j2", request, {
            "me": agent, "csrf": session.csrf, "recent": await self.a.recent(agent),
            "errors": {}, "name": "", "phone": ""})

    async def start(self, request: web.Request) -> web.Response:
        agent, data = await self.con.form(request)
        name, phone = str(data.get("name", ""))[:200], str(data.get("phone", ""))[:40]
        try:
            cid = await self.a.start(agent, name, phone)
        except Invalid as exc:
            _, session = await self.con.viewer(request)
            return pages.render_template("console/assist_new.html.j2", request, {
                "me": agent, "csrf": session.csrf, "recent": await self.a.recent(agent),
                "errors": exc.errors, "name": name, "phone": phone}, status=422)
        raise web.HTTPSeeOther(f"/console/assist/{cid}")

    # --- the conversation ------------------------------------------------------------------------

    async def page(self, request: web.Request) -> web.Response:
        agent, session = await self.con.viewer(request)
        cid = int(request.match_info["cid"])
        v = await self._view(agent, cid, request, everything=request.query.get("tat_ca") == "1")
        resp = pages.render_template("console/assist.html.j2", request, {
            "me": agent, "csrf": session.csrf, "v": v, "error": request.query.get("loi")})
        resp.headers["Cache-Control"] = "no-store"
        return resp

    async def post(self, request: web.Request) -> web.Response:
        agent, data = await self.con.form(request)
        cid = int(request.match_info["cid"])
        try:
            after = int(str(data.get("after", "0")) or 0)
        except ValueError:
            after = 0
        payload = data.get("payload")
        try:
            ok = await self.a.say(agent, cid, str(data.get("text", "")),
                                  str(payload) if payload is not None else None, str(data.get("mid", "")))
        except NotFound:
            raise self._error(request, 404, NOT_FOUND_VI) from None
        except Forbidden:
            raise self._error(request, 403, FORBIDDEN_VI) from None
        if not ok:
            if _fetch(request):
                return web.json_response({"error": TOO_FAST_VI}, status=429)
            raise web.HTTPSeeOther(f"/console/assist/{cid}?loi=nhanh#cuoi")
        if _fetch(request):
            return web.json_response(_delta(await self._view(agent, cid, request, after=after)))
        raise web.HTTPSeeOther(f"/console/assist/{cid}#cuoi")

    async def slip(self, request: web.Request) -> web.Response:
        """A small printable slip: the code, how to follow the draft on the citizen's channel (/nhan), a QR of the
        web chat."""
        agent, session = await self.con.viewer(request)
        cid, code = int(request.match_info["cid"]), request.match_info["code"]
        try:
            s = await self.a.slip(agent, cid, code)
        except NotFound:
            raise self._error(request, 404, NOT_FOUND_VI) from None
        except Forbidden:
            raise self._error(request, 403, FORBIDDEN_VI) from None
        from bot.dossier.render import qr_data_uri

        return pages.render_template("console/assist_slip.html.j2", request, {
            "me": agent, "csrf": session.csrf, "s": s, "cid": cid, "qr": qr_data_uri(s["web_url"])})

    async def since(self, request: web.Request) -> web.Response:
        """Entries after ``?after=ID`` (the script catches up after a lost connection)."""
        agent, _ = await self.con.viewer(request)
        cid = int(request.match_info["cid"])
        try:
            after = max(0, int(request.query.get("after", "0")))
        except ValueError:
            after = 0
        return web.json_response(_delta(await self._view(agent, cid, request, after=after)))


def _delta(v: dict[str, Any]) -> dict[str, Any]:
    return {"entries": v["entries"], "last": v["last_id"], "buttons": v["buttons"], "mid": v["mid"],
            "drafts": v["drafts"], "procedure": v["procedure"], "mode": v["mode"]}


def routes(console: Any, assist: AssistService) -> list[web.RouteDef]:
    p = AssistPages(console, assist)
    return [
        web.get("/console/assist", p.new_page),
        web.post("/console/assist", p.start),
        web.get("/console/assist/{cid:\\d+}", p.page),
        web.post("/console/assist/{cid:\\d+}", p.post),
        web.get("/console/assist/{cid:\\d+}/moi", p.since),
        web.get("/console/assist/{cid:\\d+}/phieu/{code:[A-Z]{2,3}-[0-9A-Z]{6}}", p.slip),
    ]
