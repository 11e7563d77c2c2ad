"""Dossier pages: the citizen's secret link (/d/…) and the one-stop desk (/dossiers…).

Thin handlers over ``bot.dossier.desk.Desk``; officers are the console's signed-in agents (its session, its
CSRF token). Routes and form field names are documented in docs/desk.md — other tests rely on them.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from bot.dossier.desk import Desk, DeskError, Forbidden, InvalidInput, NotFound, read_code
from bot.dossier.render import font_files, render_html, render_pdf
from bot.dossier.service import DRAFT_STATUS_VI
from bot.handoff.routing import works_desk
from bot.web import pages

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"
MAX_IMAGE = 12 * 1024 * 1024  # a phone photo sent through the plain file input; the camera page sends ~200 kB
CODE = r"{code:[^/.]+}"

NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow", "Pragma": "no-cache"}
# The printable form carries its own <style> (the same HTML weasyprint lays out): styles only, never scripts.
PRINT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'self'; "
             "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
NOT_FOUND_HTML = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow"><title>Không tìm thấy</title></head>
<body><h1>Không tìm thấy trang</h1>
<p>Đường dẫn không đúng hoặc đã hết hiệu lực. Bạn mở lại đường dẫn mà trợ lý đã gửi, hoặc nhắn "xem lại hồ sơ".</p>
</body></html>"""
OK_MESSAGES = {
    "status": "Đã cập nhật trạng thái hồ sơ.",
    "number": "Đã ghi số hồ sơ.",
}
NOTIFIED = "Người dân đã được nhắn tin báo trên kênh của họ."
NOT_LINKED = "Hồ sơ không còn gắn với cuộc trò chuyện nào nên không gửi tin cho người dân được."


def _not_found() -> web.Response:
    """One answer for an unknown code, a missing token and a wrong token: nothing about the draft."""
    return web.Response(status=404, text=NOT_FOUND_HTML, content_type="text/html",
                        headers={**NO_STORE, "Content-Security-Policy": "default-src 'none'"})


SCREEN_CSS = ("<style>@media screen { html { background: #e9ebee; } body { max-width: 186mm; margin: 12px auto; "
              "padding: 16mm 14mm; background: #fff; box-shadow: 0 1px 4px rgba(0,0,0,.2); } "
              ".page + .page { margin-top: 24mm; } }</style>")


# A phone (390 px) gets the form at its own width: the QR above the title instead of over it, blank lines that
# fit, the signature block stacked; the "Tải PDF" bar is for screens only.
PHONE_CSS = ("<style>.pdfbar { display: flex; justify-content: flex-end; margin: 0 0 10px; } "
             ".pdfbar a { font: 600 16px/1.2 system-ui, sans-serif; color: #fff; background: #0b5cad; padding: 12px 18px; "
             "border-radius: 10px; text-decoration: none; } @media print { .pdfbar { display: none; } } "
             "@media screen and (max-width: 640px) { html { font-size: 15px; } "
             "body { max-width: none; margin: 0; padding: 12px; box-shadow: none; overflow-wrap: anywhere; } "
             ".codebox { position: static; width: auto; margin: 0 auto 8px; display: flex; align-items: center; "
             "justify-content: center; gap: 10px; } .codebox .code { white-space: nowrap; } "
             ".codebox .hint { max-width: 40%; text-align: left; } "
             ".empty { min-width: 35% !important; } .sign { flex-direction: column-reverse; gap: 12px; } "
             ".sign .left, .sign .right { width: 100%; } table.ck, table.two { font-size: 14px; } "
             "table.ck th:first-child { white-space: nowrap; } "
             "h1 { font-size: 18px; } }</style>")
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def _for_browser(html: str, pdf_url: str | None = None) -> str:
    """The form names the packaged font by file:// URL (for weasyprint); a browser gets it from us, and on a
    screen the A4 page gets the margins that ``@page`` gives it on paper; a phone gets its own width and a
    "Tải PDF" button (``pdf_url``, already escaped for an attribute)."""
    for path in font_files().values():
        html = html.replace(path.as_uri(), f"/d/fonts/{path.name}")
    html = html.replace('<meta charset="utf-8">', '<meta charset="utf-8">' + VIEWPORT, 1)
    if pdf_url:
        bar = f'<nav class="pdfbar"><a href="{pdf_url}" download>Tải PDF</a></nav>'
        html = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + bar, html, count=1)
    return html.replace("</head>", SCREEN_CSS + PHONE_CSS + "</head>", 1)


class DeskPages:
    def __init__(self, desk: Desk, console: Any, settings: Any):
        self.desk = desk
        self.console = console
        self.base_url = settings.server.base_url.rstrip("/")
        self.fonts = {p.name: p for p in font_files().values()}

    # --- the citizen's link ------------------------------------------------------------------

    async def citizen_html(self, request: web.Request) -> web.StreamResponse:
        row = await self.desk.citizen(request.match_info["code"], request.query.get("t"))
        content = self.desk.content_of(row) if row is not None else None
        if content is None:
            return _not_found()
        pdf = escape(f"/d/{row.code}.pdf?" + urlencode({"t": request.query.get("t", "")}), quote=True)
        html = _for_browser(render_html(content, row.code, self.base_url), pdf)
        html = await self._with_status(request, row, html)
        return web.Response(text=html, content_type="text/html",
                            headers={**NO_STORE, "Content-Security-Policy": PRINT_CSP})

    async def _with_status(self, request: web.Request, row: Any, html: str) -> str:
        """The citizen's page opens with the dossier's status history (screen only; the printout is the form)."""
        block = pages.get_env(request.app).get_template("dossiers/citizen_status.html.j2").render(
            status=DRAFT_STATUS_VI.get(row.status, row.status), official_number=row.official_number,
            history=await self.desk.history(row))
        found = re.search(r"<body[^>]*>", html)
        return html[:found.end()] + block + html[found.end():] if found else block + html

    async def citizen_pdf(self, request: web.Request) -> web.StreamResponse:
        row = await self.desk.citizen(request.match_info["code"], request.query.get("t"))
        content = self.desk.content_of(row) if row is not None else None
        if content is None:
            return _not_found()
        return await self._pdf(row.code, content)

    async def _pdf(self, code: str, content: Any) -> web.Response:
        pdf = await asyncio.to_thread(render_pdf, content, code, self.base_url)
        return web.Response(body=bytes(pdf), content_type="application/pdf",
                            headers={**NO_STORE, "Content-Disposition": f'inline; filename="{code}.pdf"'})

    async def font(self, request: web.Request) -> web.StreamResponse:
        path = self.fonts.get(request.match_info["name"])
        if path is None:
            raise web.HTTPNotFound()
        return web.FileResponse(path, headers={"Cache-Control": "public, max-age=86400",
                                               "Content-Type": "font/ttf"})

    # --- the desk ----------------------------------------------------------------------------

    async def _viewer(self, request: web.Request) -> tuple[Any, str]:
        return await self.console.viewer(request)   # 302 to /console/login when not signed in

    def _page(self, request: web.Request, name: str, ctx: dict[str, Any], status: int = 200) -> web.Response:
        resp = pages.render_template(name, request, ctx, status=status)
        resp.headers.update(NO_STORE)
        return resp

    async def open_page(self, request: web.Request) -> web.StreamResponse:
        """The code box (typed, or typed by a USB scanner + Enter); ``?code=`` opens the draft."""
        me, sess = await self._viewer(request)
        typed = request.query.get("code")
        error, status = None, 200
        if typed is not None:
            try:
                code = await self.desk.resolve(typed)
            except DeskError as exc:
                error, status = exc.message, exc.status
            else:
                raise web.HTTPSeeOther(f"/dossiers/{code}")
        return self._open(request, me, sess, error, typed or "", status)

    def _open(self, request: web.Request, me: Any, sess: Any, error: str | None, typed: str,
              status: int) -> web.Response:
        return self._page(request, "dossiers/open.html.j2", {
            "me": me, "csrf": sess.csrf, "error": error, "typed": typed}, status)

    async def scan(self, request: web.Request) -> web.StreamResponse:
        """A photo of the printout's QR (camera frame or file) → the draft it names."""
        me, sess = await self._viewer(request)
        fetch = request.headers.get("X-Requested-With") == "fetch"
        csrf, image = await self._read_scan(request)
        self.console.check_csrf(sess, csrf or request.headers.get("X-CSRF-Token"))
        try:
            if image is None:
                raise InvalidInput("Bạn chụp hoặc chọn ảnh mã QR trên tờ khai.")
            code = await self.desk.resolve_qr(image)
        except DeskError as exc:
            if fetch:
                return web.json_response({"error": exc.message}, status=exc.status, headers=NO_STORE)
            return self._open(request, me, sess, exc.message, "", exc.status)
        if fetch:
            return web.json_response({"url": f"/dossiers/{code}", "code": code}, headers=NO_STORE)
        raise web.HTTPSeeOther(f"/dossiers/{code}")

    async def _read_scan(self, request: web.Request) -> tuple[str | None, bytes | None]:
        if not request.content_type.startswith("multipart/"):
            raise web.HTTPBadRequest(text="Cần gửi ảnh dạng multipart/form-data.")
        csrf: str | None = None
        image: bytes | None = None
        reader = await request.multipart()
        async for part in reader:
            name = getattr(part, "name", None)
            if name == "csrf":
                csrf = (await part.text())[:200]  # type: ignore[union-attr]
            elif name == "image":
                buf = bytearray()
                while chunk := await part.read_chunk(65536):  # type: ignore[union-attr]
                    buf += chunk
                    if len(buf) > MAX_IMAGE:
                        raise web.HTTPRequestEntityTooLarge(max_size=MAX_IMAGE, actual_size=len(buf))
                image = bytes(buf) or None
        return csrf, image

    async def _open_draft(self, request: web.Request, me: Any, sess: Any) -> Any:
        raw = request.match_info["code"]
        try:
            code = read_code(raw)
        except DeskError as exc:
            raise self._as_http(request, me, sess, exc, raw) from None
        if code != raw:
            raise web.HTTPSeeOther(f"/dossiers/{code}{request.path[len('/dossiers/') + len(raw):]}")
        try:
            return await self.desk.open(me, code)
        except DeskError as exc:
            raise self._as_http(request, me, sess, exc, raw) from None

    def _as_http(self, request: web.Request, me: Any, sess: Any, exc: DeskError, typed: str) -> web.HTTPException:
        if isinstance(exc, Forbidden):
            page = self._page(request, "dossiers/forbidden.html.j2",
                              {"me": me, "csrf": sess.csrf, "error": exc.message}, 403)
        else:
            page = self._open(request, me, sess, exc.message, typed, exc.status)
        kind = {403: web.HTTPForbidden, 404: web.HTTPNotFound, 409: web.HTTPConflict}.get(
            page.status, web.HTTPUnprocessableEntity)
        return kind(text=page.text, content_type="text/html", headers=NO_STORE)

    async def view(self, request: web.Request) -> web.StreamResponse:
        me, sess = await self._viewer(request)
        view = await self._open_draft(request, me, sess)
        ok = request.query.get("ok")
        return self._view(request, me, sess, view, None, 200, OK_MESSAGES.get(ok or ""))

    def _view(self, request: web.Request, me: Any, sess: Any, view: Any, error: str | None, status: int,
              ok: str | None = None) -> web.Response:
        notice = None
        if ok:
            notice = f"{ok} {NOTIFIED if view.conversation_id is not None else NOT_LINKED}"
        return self._page(request, "dossiers/view.html.j2", {
            "me": me, "csrf": sess.csrf, "d": view, "c": view.content, "error": error,
            "notice": notice, "can_act": works_desk(me.role)}, status)

    async def export_json(self, request: web.Request) -> web.StreamResponse:
        me, sess = await self._viewer(request)
        view = await self._open_draft(request, me, sess)
        try:
            data = view.export()
        except NotFound as exc:
            return web.json_response({"error": exc.message}, status=404, headers=NO_STORE)
        return web.Response(text=json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json",
                            headers={**NO_STORE, "Content-Disposition": f'inline; filename="{view.code}.json"'})

    async def print_html(self, request: web.Request) -> web.StreamResponse:
        me, sess = await self._viewer(request)
        view = await self._open_draft(request, me, sess)
        if view.content is None:
            raise web.HTTPNotFound(text="Thủ tục của hồ sơ không còn trong danh mục.")
        html = _for_browser(render_html(view.content, view.code, self.base_url),
                            escape(f"/dossiers/{view.code}.pdf", quote=True))
        return web.Response(text=html, content_type="text/html",
                            headers={**NO_STORE, "Content-Security-Policy": PRINT_CSP})

    async def officer_pdf(self, request: web.Request) -> web.StreamResponse:
        me, sess = await self._viewer(request)
        view = await self._open_draft(request, me, sess)
        if view.content is None:
            raise web.HTTPNotFound(text="Thủ tục của hồ sơ không còn trong danh mục.")
        return await self._pdf(view.code, view.content)

    async def _act(self, request: web.Request, what: str) -> web.StreamResponse:
        me, sess = await self._viewer(request)
        data = await request.post()
        self.console.check_csrf(sess, str(data.get("csrf") or request.headers.get("X-CSRF-Token") or "") or None)
        view = await self._open_draft(request, me, sess)
        fetch = request.headers.get("X-Requested-With") == "fetch"
        try:
            if what == "status":
                view = await self.desk.set_status(me, view.code, str(data.get("status", "")), str(data.get("note", "")))
            else:
                view = await self.desk.set_number(me, view.code, str(data.get("official_number", "")))
        except DeskError as exc:
            if fetch:
                return web.json_response({"error": exc.message}, status=exc.status, headers=NO_STORE)
            fresh = await self.desk.open(me, view.code)
            return self._view(request, me, sess, fresh, exc.message, exc.status)
        if fetch:
            return web.json_response({"ok": True, "status": view.status, "official_number": view.official_number},
                                     headers=NO_STORE)
        raise web.HTTPSeeOther(f"/dossiers/{view.code}?ok={what}")

    async def set_status(self, request: web.Request) -> web.StreamResponse:
        return await self._act(request, "status")

    async def set_number(self, request: web.Request) -> web.StreamResponse:
        return await self._act(request, "number")


def routes(desk: Desk, console: Any, settings: Any) -> list[web.AbstractRouteDef]:
    """The citizen's link always; the desk pages when the console (its sign-in) is mounted."""
    pages = DeskPages(desk, console, settings)
    out: list[web.AbstractRouteDef] = [
        web.get(f"/d/{CODE}.pdf", pages.citizen_pdf),
        web.get(f"/d/{CODE}", pages.citizen_html),
        web.get("/d/fonts/{name}", pages.font),
    ]
    if console is not None:
        out += [
            web.get("/dossiers", pages.open_page),
            web.post("/dossiers/scan", pages.scan),
            web.get(f"/dossiers/{CODE}.json", pages.export_json),
            web.get(f"/dossiers/{CODE}.pdf", pages.officer_pdf),
            web.get(f"/dossiers/{CODE}/print", pages.print_html),
            web.post(f"/dossiers/{CODE}/status", pages.set_status),
            web.post(f"/dossiers/{CODE}/number", pages.set_number),
            web.get(f"/dossiers/{CODE}", pages.view),
            web.static("/dossiers/static", STATIC),
        ]
    return out
