"""The HTML pages' jinja2 environment (bot/web/pages.py) is built with the first page rendered, and renders as
aiohttp_jinja2.setup's did: UTF-8 HTML, autoescaped, our filters and its helpers, the app in its globals."""
from __future__ import annotations

from typing import Any

from bot.app import SERVICES
from bot.web.pages import PAGES, get_env
from bot.web.vntime import vn_time


async def test_the_citizen_pages_render_and_the_environment_waits_for_the_first(client: Any) -> None:
    app = client.server.app
    assert app[PAGES]._env is None                     # nothing rendered yet: jinja2's environment not built
    resp = await client.get("/")
    assert resp.status == 200 and resp.content_type == "text/html" and resp.charset == "utf-8"
    html = await resp.text()
    assert html.startswith("<!doctype html>") and app[SERVICES].settings.content.assistant_name in html
    assert "Content-Security-Policy" in resp.headers   # still through the app's middlewares
    resp = await client.get("/privacy")
    assert resp.status == 200 and resp.content_type == "text/html"
    env = get_env(app)
    assert env is app[PAGES].environment()             # built once
    assert env.filters["vntime"] is vn_time and env.globals["app"] is app and "url" in env.globals
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"   # autoescaped, strings too


async def test_a_missing_template_is_a_500_as_before(client: Any) -> None:
    from aiohttp import web
    from aiohttp.test_utils import make_mocked_request

    from bot.web.pages import render_template

    request = make_mocked_request("GET", "/", app=client.server.app)
    try:
        render_template("no-such-page.html", request, {})
    except web.HTTPInternalServerError as exc:
        assert "not found" in (exc.text or "")
    else:
        raise AssertionError("a missing template must fail")
