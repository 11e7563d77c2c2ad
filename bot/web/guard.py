"""What every staff page (console, desk, admin) gets, whoever wrote the handler: a foreign ``Origin`` on a
state-changing request is refused, and nothing shown to staff is kept in a browser or proxy cache.

Staff pages also send ``Referrer-Policy: same-origin`` (instead of the site-wide ``no-referrer``): with
``no-referrer`` a browser sends ``Origin: null`` on a form POST, which could not be told from a sandboxed attacker.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Middleware
from multidict import CIMultiDict

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
STAFF = ("/console", "/dossiers")
STATIC = ("/console/static/", "/dossiers/static/")
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FOREIGN_VI = "Yêu cầu đến từ trang khác nên bị từ chối. Vui lòng mở lại trang của Bàn làm việc."


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def same_site(request: web.Request, base_url: str) -> bool:
    """True when the request names no origin (not a browser, or an old one), or our own: the configured base URL
    or the host the browser addressed. ``Origin: null`` and any other site are foreign."""
    sent = request.headers.get("Origin")
    if sent is None:
        referer = request.headers.get("Referer")
        if not referer:
            return True
        sent = _origin(referer)
    sent = sent.strip().lower()
    if not sent or sent == "null":
        return False
    return sent == _origin(base_url) or urlsplit(sent).netloc == request.host.lower()


def staff_guard(base_url: str) -> Middleware:
    """The middleware for ``base_url`` (``server.base_url``)."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        path = request.path
        if not path.startswith(STAFF) or path.startswith(STATIC):
            return await handler(request)
        if request.method in UNSAFE and not same_site(request, base_url):
            refused = web.HTTPForbidden(text=FOREIGN_VI)
            _no_store(refused.headers)
            raise refused
        try:
            resp = await handler(request)
        except web.HTTPException as exc:
            _no_store(exc.headers)
            raise
        if not resp.prepared:   # a live event stream has sent its headers already
            _no_store(resp.headers)
        return resp

    return guard


def _no_store(headers: CIMultiDict[str]) -> None:
    headers["Cache-Control"] = "no-store"
    headers.setdefault("Pragma", "no-cache")
    headers["Referrer-Policy"] = "same-origin"
