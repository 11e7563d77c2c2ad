"""The HTML pages' jinja2 environment, built with the first page a worker renders rather than at its start.

Importing jinja2 and aiohttp_jinja2 is ~20 ms of every start that a REST, Telegram or Zalo turn and ``/readyz``
never need. ``setup`` stores a `LazyEnvironment` under ``PAGES``; ``render_template`` is aiohttp_jinja2's, pointed
at that key, and ``template`` its decorator for plain handlers. The environment is the one
``aiohttp_jinja2.setup`` built: its default helpers, our filters, the app in its globals.
"""
from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from aiohttp import web

if TYPE_CHECKING:
    import jinja2

Handler = Callable[[web.Request], Awaitable[Any]]


class LazyEnvironment:
    """Stands in for the app's ``jinja2.Environment``; builds it on first use and forwards every attribute."""

    def __init__(self, app: web.Application, dirs: Sequence[Path], filters: Mapping[str, Callable[..., Any]]):
        self._app, self._dirs, self._filters = app, tuple(dirs), dict(filters)
        self._env: jinja2.Environment | None = None

    def environment(self) -> jinja2.Environment:
        if self._env is None:
            import jinja2
            from aiohttp_jinja2.helpers import GLOBAL_HELPERS

            env = jinja2.Environment(loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d)) for d in self._dirs]),
                                     autoescape=jinja2.select_autoescape(default=True, default_for_string=True))
            env.globals.update(GLOBAL_HELPERS)   # as aiohttp_jinja2.setup(default_helpers=True)
            env.filters.update(self._filters)
            env.globals["app"] = self._app
            self._env = env
        return self._env

    def __getattr__(self, name: str) -> Any:
        return getattr(self.environment(), name)


PAGES = web.AppKey("motcua_pages", LazyEnvironment)


def setup(app: web.Application, dirs: Sequence[Path], filters: Mapping[str, Callable[..., Any]]) -> None:
    app[PAGES] = LazyEnvironment(app, dirs, filters)


def get_env(app: web.Application) -> jinja2.Environment:
    return app[PAGES].environment()


def render_template(name: str, request: web.Request, context: Mapping[str, Any] | None, *,
                    status: int = 200) -> web.Response:
    import aiohttp_jinja2

    return aiohttp_jinja2.render_template(name, request, context, app_key=cast(Any, PAGES), status=status)


def template(name: str) -> Callable[[Handler], Callable[[web.Request], Awaitable[web.StreamResponse]]]:
    """``aiohttp_jinja2.template`` for a plain handler: its mapping is rendered into ``name`` (200, UTF-8); a
    response it returns goes out as it is."""

    def wrapper(func: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        @functools.wraps(func)
        async def wrapped(request: web.Request) -> web.StreamResponse:
            context = await func(request)
            if isinstance(context, web.StreamResponse):
                return context
            return render_template(name, request, context)

        return wrapped

    return wrapper
