"""Shared fixtures: content, a trained NLU, databases (SQLite and PostgreSQL), and a running app.

PostgreSQL and Redis are real servers on this machine. Without them a test is skipped locally,
but under CI (CI=true) a missing service is a failure.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("MOTCUA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("MOTCUA_TEST_REDIS", "redis://127.0.0.1:6379/15")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip locally, fail in CI, when a real service the test needs is down."""
    if _port_open(host, port):
        return
    if IN_CI:
        pytest.fail(f"{name} is not running on {host}:{port} (required in CI)")
    pytest.skip(f"{name} is not running on {host}:{port}")


@pytest.fixture
async def redis() -> AsyncIterator[Any]:
    """A client of the real Redis (test database 15); skipped locally, a failure in CI, when Redis is down."""
    from redis.asyncio import Redis

    require_service("Redis", "127.0.0.1", 6379)
    client = Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()


def needs_tool(name: str, hint: str) -> pytest.MarkDecorator:
    """Skip locally when a command-line tool is missing; in CI the test runs anyway and fails without it."""
    import shutil

    return pytest.mark.skipif(not IN_CI and shutil.which(name) is None, reason=f"needs {name} ({hint})")


@pytest.fixture(autouse=True)
def _keep_root_log_handlers() -> Iterator[None]:
    """A test that runs the CLI installs a handler on its captured stderr; once pytest closes that stream every
    later log line would print a 'Logging error' traceback. Put the root logger back after each test."""
    import logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture(scope="session")
def content() -> Any:
    from bot.content.loader import load_content

    return load_content(Path(os.environ.get("MOTCUA_TEST_CONTENT_ROOT", ROOT)), require_all=False)


@pytest.fixture(scope="session")
def trained_parser(content: Any) -> Any:
    """The built-in NLU trained once per session from the shipped catalog and data."""
    from bot.content.knowledge import knowledge_items, labels
    from nlu.builtin import BuiltinParser
    from nlu.training import default_training_set

    return BuiltinParser.train(default_training_set(knowledge_items(content), labels(content)))


def _run_apart(make_coro: Any) -> None:
    """Run a coroutine to completion on its own thread and loop, so callers inside a running loop can use it."""
    import threading

    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(make_coro())
        except BaseException as e:  # noqa: BLE001 — re-raised in the caller's thread
            errors.append(e)

    t = threading.Thread(target=target)
    t.start()
    t.join()
    if errors:
        raise errors[0]


def _pg_create(name: str) -> None:
    import asyncpg

    async def go() -> None:
        conn = await asyncpg.connect(PG_ADMIN)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    _run_apart(go)


def _pg_drop(name: str) -> None:
    import asyncpg

    async def go() -> None:
        conn = await asyncpg.connect(PG_ADMIN)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    _run_apart(go)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session."""
    require_service("PostgreSQL", "127.0.0.1", 5432)
    from bot.storage.migrate import upgrade

    name = f"motcua_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    _pg_create(name)
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    upgrade(url)
    yield url
    _pg_drop(name)


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    from bot.storage.migrate import upgrade

    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'motcua.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Every storage test runs on both backends."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


def make_settings(db_url: str, **extra: Any) -> Any:
    from bot.settings import Settings

    s = Settings()
    s.database.url = db_url
    s.server.base_url = "http://testserver"
    s.content.root = str(ROOT)
    # Scripted citizens answer faster than people; the rate-limit test sets its own limits.
    s.server.sender_rate, s.server.sender_burst = 1000.0, 1000
    s.server.gc_freeze = False  # a test process builds many apps: freezing each one's garbage would only grow memory
    s.reports.daily = False     # the daily-report schedule has its own tests (tests/integration/admin/test_daily_reports.py)
    for k, v in extra.items():
        section, key = k.split("__")
        setattr(getattr(s, section), key, v)
    return s


class FixedClock:
    """A clock tests can move forward."""

    def __init__(self, start: dt.datetime | None = None):
        self.now = start or dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += dt.timedelta(**kw)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
async def services(db_url: str, trained_parser: Any, content: Any, clock: FixedClock) -> AsyncIterator[Any]:
    from bot.runtime.content import ContentStore
    from bot.services import build_services

    svc = build_services(make_settings(db_url), clock=clock, content=ContentStore(content))
    svc.nlu.use(trained_parser, content.version)
    yield svc
    await svc.close()


@pytest.fixture
async def client(services: Any) -> AsyncIterator[Any]:
    """An aiohttp test client against the full app."""
    from aiohttp.test_utils import TestClient, TestServer

    from bot.app import build_app

    app = build_app(services.settings, services)
    async with TestClient(TestServer(app)) as c:
        yield c


def new_sender() -> str:
    return "t-" + uuid.uuid4().hex[:12]


async def console_login(client: Any, username: str, password: str, next_: str | None = None,
                        headers: dict[str, str] | None = None) -> Any:
    """Sign in as a browser does: open the login form (its CSRF cookie and token), then post it."""
    import re

    page = await (await client.get("/console/login", headers=headers)).text()
    m = re.search(r'name="csrf" value="([0-9a-f]+)"', page)   # its presence: test_login_form_needs_its_csrf_token
    data = {"username": username, "password": password, "csrf": m.group(1) if m else ""}
    if next_ is not None:
        data["next"] = next_
    return await client.post("/console/login", data=data, allow_redirects=False, headers=headers)


class LiveServer:
    """The full app on a real port, in its own thread and event loop (for sync tests such as hypothesis)."""

    def __init__(self, settings: Any, parser: Any, content: Any):
        import threading

        self.settings, self.parser, self.content = settings, parser, content
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.services: Any = None
        self.loop: Any = None

    def _run(self) -> None:
        from aiohttp import web

        from bot.app import build_app
        from bot.runtime.content import ContentStore
        from bot.services import build_services

        loop = asyncio.new_event_loop()
        self.loop = loop
        asyncio.set_event_loop(loop)
        self.services = build_services(self.settings, content=ContentStore(self.content))
        self.services.nlu.use(self.parser)
        runner = web.AppRunner(build_app(self.settings, self.services))
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
        self._runner = runner
        self._ready.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    def start(self) -> LiveServer:
        self._thread.start()
        self._ready.wait(30)
        return self

    def call(self, coro: Any) -> Any:
        """Run a coroutine on the server's loop (e.g. a repo query) and wait for it."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(30)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server(sqlite_url: str, trained_parser: Any, content: Any) -> Iterator[LiveServer]:
    srv = LiveServer(make_settings(sqlite_url), trained_parser, content).start()
    yield srv
    srv.stop()


def http(method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """A tiny blocking HTTP client for sync tests (no extra dependency)."""
    import urllib.error
    import urllib.request

    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
