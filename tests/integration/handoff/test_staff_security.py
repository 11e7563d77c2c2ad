"""Issue 14, items 4, 5 and 8, through the real app on SQLite and PostgreSQL: staff sessions end when they should,
one CSRF token works in every worker, login throttling per user and per client (behind trusted proxies only),
personal data is never cached, and a request from another site changes nothing."""
from __future__ import annotations

import asyncio
import io
import re
import threading
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.conftest import console_login, make_settings, new_sender, require_service
from tests.fakes.http import post as rest

PASSWORD = "mat-khau-an-toan-1"
COOKIE = "motcua_console"


async def signed_in(client: Any, services: Any, role: str = "agent", team: str = "mac-dinh") -> tuple[str, str, str]:
    """A new account signed in on ``client``: (username, session cookie, CSRF token of its pages)."""
    username = "u" + uuid.uuid4().hex[:8]
    await services.handoff.add_agent(username, PASSWORD, team, role)
    client.session.cookie_jar.clear()
    r = await console_login(client, username, PASSWORD)
    assert r.status == 302, await r.text()
    cookie = r.cookies[COOKIE].value
    page = await (await client.get("/console")).text()
    m = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert m
    return username, cookie, m.group(1)


async def replay(client: Any, cookie: str, path: str = "/console") -> int:
    """A request carrying only a copied cookie, as an attacker who kept it would send."""
    client.session.cookie_jar.clear()
    r = await client.get(path, headers={"Cookie": f"{COOKIE}={cookie}"}, allow_redirects=False)
    return r.status


# --- item 4: sessions end --------------------------------------------------------------------------------------

async def test_cookie_replayed_after_logout_is_refused(client: Any, services: Any) -> None:
    _, cookie, csrf = await signed_in(client, services)
    assert await replay(client, cookie) == 200
    r = await client.post("/console/logout", data={"csrf": csrf}, headers={"Cookie": f"{COOKIE}={cookie}"},
                          allow_redirects=False)
    assert r.status == 302
    assert await replay(client, cookie) == 302
    assert await replay(client, cookie, "/console/api/queue") == 302
    assert await replay(client, cookie, "/dossiers") == 302


async def test_password_change_ends_every_session_of_the_account(client: Any, services: Any) -> None:
    username, cookie, _ = await signed_in(client, services)
    assert await replay(client, cookie) == 200
    await services.handoff.add_agent(username, "mot-mat-khau-moi-2026", "mac-dinh")
    assert await replay(client, cookie) == 302
    assert (await console_login(client, username, "mot-mat-khau-moi-2026")).status == 302


async def test_moving_an_agent_to_another_team_keeps_them_signed_in(client: Any, services: Any,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: Any) -> None:
    """`agent add` on an existing account without a new password changes team/role/name, not the sessions."""
    from bot.cli import main

    username, cookie, _ = await signed_in(client, services)
    monkeypatch.setenv("MOTCUA_DATABASE__URL", services.settings.database.url)
    args = ["agent", "add", username, "--team", "xa-b", "--name", "Cán bộ Hoa", "--keep-password"]
    assert await asyncio.to_thread(main, args) == 0
    assert "phiên đăng nhập cũ đã kết thúc" not in capsys.readouterr().out
    assert await replay(client, cookie) == 200
    assert (await services.handoff.get_agent(username)).team == "xa-b"
    await services.handoff.add_agent(username, PASSWORD, "xa-b", "officer")   # the same password re-typed
    assert await replay(client, cookie) == 200
    assert (await console_login(client, username, PASSWORD)).status == 302
    missing = ["agent", "add", "chua-co-" + uuid.uuid4().hex[:6], "--team", "t", "--keep-password"]
    assert await asyncio.to_thread(main, missing) == 2
    assert "tài khoản mới cần mật khẩu" in capsys.readouterr().err


async def test_agent_disable_ends_sessions_at_once(client: Any, services: Any, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: Any) -> None:
    from bot.cli import main

    username, cookie, _ = await signed_in(client, services)
    other, other_cookie, _ = await signed_in(client, services)
    monkeypatch.setenv("MOTCUA_DATABASE__URL", services.settings.database.url)
    assert await asyncio.to_thread(main, ["agent", "disable", username]) == 0
    assert "đăng xuất mọi phiên" in capsys.readouterr().out
    assert await replay(client, cookie) == 302
    assert await replay(client, other_cookie) == 200          # nobody else is signed out
    assert (await console_login(client, username, PASSWORD)).status == 401
    assert await asyncio.to_thread(main, ["agent", "disable", "khong-co-ai"]) == 2
    assert other


# --- item 4: one CSRF scheme shared by every worker -------------------------------------------------------------

@pytest.fixture
async def second_worker(services: Any, trained_parser: Any, content: Any, clock: Any) -> AsyncIterator[TestClient]:
    """Another worker: its own services and app on the same settings and database (as ``--workers 2`` runs)."""
    from bot.app import build_app
    from bot.runtime.content import ContentStore
    from bot.services import build_services

    svc = build_services(make_settings(services.settings.database.url), clock=clock, content=ContentStore(content))
    svc.nlu.use(trained_parser, content.version)
    async with TestClient(TestServer(build_app(svc.settings, svc))) as c:
        yield c
    await svc.close()


async def test_session_and_csrf_token_work_in_every_worker(client: Any, second_worker: TestClient,
                                                           services: Any) -> None:
    _, cookie, csrf = await signed_in(client, services, role="admin")
    admin_page = await (await client.get("/console/admin/content")).text()
    admin_csrf = admin_page.split('name="csrf-token" content="')[1].split('"')[0]
    both = [client, second_worker] * 5
    statuses = []
    for c in both:     # ten valid admin requests, alternating between the two workers
        r = await c.post("/console/admin/content/validate", json={"files": {}},
                         headers={"Cookie": f"{COOKIE}={cookie}", "X-CSRF-Token": admin_csrf})
        statuses.append(r.status)
    assert statuses == [200] * 10
    assert admin_csrf == csrf   # console, desk and admin: one token per session
    r = await second_worker.post("/console/logout", data={"csrf": csrf}, headers={"Cookie": f"{COOKIE}={cookie}"},
                                 allow_redirects=False)
    assert r.status == 302
    assert await replay(client, cookie) == 302        # logged out in one worker: out in all


# --- item 5: throttling -------------------------------------------------------------------------------------------

async def test_one_client_trying_many_usernames_is_throttled(client: Any, services: Any) -> None:
    codes = []
    for i in range(12):
        codes.append((await console_login(client, f"nguoi-dung-{i}-{uuid.uuid4().hex[:4]}", "mat-khau-chung-1")).status)
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]
    # the block is on the address: even a right password from it waits
    username, _, _ = await signed_in_elsewhere(services)
    assert (await console_login(client, username, PASSWORD)).status == 429


async def signed_in_elsewhere(services: Any) -> tuple[str, str, str]:
    username = "u" + uuid.uuid4().hex[:8]
    await services.handoff.add_agent(username, PASSWORD, "mac-dinh")
    return username, "", ""


async def test_x_forwarded_for_is_ignored_unless_from_a_trusted_proxy(client: Any, services: Any) -> None:
    for i in range(10):   # an attacker inventing a new "client" per request is still one client
        r = await console_login(client, f"ai-do-{i}-{uuid.uuid4().hex[:4]}", "sai-mat-khau-1",
                                headers={"X-Forwarded-For": f"203.0.113.{i}"})
        assert r.status == 401
    r = await console_login(client, "them-mot-nguoi", "sai-mat-khau-1", headers={"X-Forwarded-For": "198.51.100.7"})
    assert r.status == 429


@pytest.fixture
async def behind_proxy(services: Any) -> AsyncIterator[TestClient]:
    """The app behind a reverse proxy on 127.0.0.1 (``server.trusted_proxies``)."""
    from bot.app import build_app

    settings = services.settings.model_copy(deep=True)
    settings.server.trusted_proxies = ["127.0.0.1/32", "::1"]
    async with TestClient(TestServer(build_app(settings, services))) as c:
        yield c


async def test_behind_a_trusted_proxy_each_client_is_counted_apart(behind_proxy: TestClient,
                                                                   services: Any) -> None:
    attacker, citizen_office = "203.0.113.66", "198.51.100.20"
    for i in range(10):
        r = await console_login(behind_proxy, f"x{i}-{uuid.uuid4().hex[:4]}", "sai-mat-khau-1",
                                headers={"X-Forwarded-For": f"10.9.9.9, {attacker}"})
        assert r.status == 401
    blocked = await console_login(behind_proxy, "y", "sai-mat-khau-1", headers={"X-Forwarded-For": attacker})
    assert blocked.status == 429
    username, _, _ = await signed_in_elsewhere(services)   # the proxy's own address is not locked out
    ok = await console_login(behind_proxy, username, PASSWORD, headers={"X-Forwarded-For": citizen_office})
    assert ok.status == 302


@pytest.fixture
def redis_url() -> str:
    require_service("redis", "127.0.0.1", 6379)
    return "redis://127.0.0.1:6379/0"


@pytest.mark.redis
async def test_failures_are_counted_across_workers_with_redis(services: Any, redis_url: str) -> None:
    """Two workers share one count: 5 failures split between them block the username in both."""
    from bot.app import build_app

    settings = services.settings.model_copy(deep=True)
    settings.redis.url = redis_url
    settings.server.trusted_proxies = ["127.0.0.1/32", "::1"]
    username, _, _ = await signed_in_elsewhere(services)
    client_ip = f"192.0.2.{uuid.uuid4().int % 250 + 1}"
    async with TestClient(TestServer(build_app(settings, services))) as a, \
            TestClient(TestServer(build_app(settings, services))) as b:
        for c in (a, b, a, b, a):
            r = await console_login(c, username, "sai-mat-khau-1",
                                    headers={"X-Forwarded-For": f"198.51.100.{uuid.uuid4().int % 250 + 1}"})
            assert r.status == 401
        for c in (a, b):   # the right password, from a fresh address, in either worker: the username is blocked
            r = await console_login(c, username, PASSWORD, headers={"X-Forwarded-For": client_ip})
            assert r.status == 429


async def test_password_is_checked_off_the_event_loop(services: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.handoff import service as handoff_service

    h = services.handoff
    username, _, _ = await signed_in_elsewhere(services)
    threads: list[int] = []
    real = handoff_service._HASHER

    class Spy:   # argon2's hasher, noting which thread does the ~50 ms of work
        def verify(self, *args: Any) -> Any:
            threads.append(threading.get_ident())
            return real.verify(*args)

        def hash(self, *args: Any) -> Any:
            threads.append(threading.get_ident())
            return real.hash(*args)

    monkeypatch.setattr(handoff_service, "_HASHER", Spy())
    assert await h.authenticate(username, PASSWORD) is not None
    assert await h.authenticate(username, "sai-mat-khau-1") is None
    assert await h.authenticate("khong-co-ai", "sai-mat-khau-1") is None
    assert len(threads) == 3 and threading.get_ident() not in threads


# --- passwords ----------------------------------------------------------------------------------------------------

async def test_weak_passwords_are_refused_in_vietnamese(services: Any, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: Any) -> None:
    from bot.cli import main

    h = services.handoff
    name = "hoa-" + uuid.uuid4().hex[:6]     # the session's database is shared: a name no other test uses
    for weak, why in [("abc12345", "ít nhất 12 ký tự"), ("password1234", "quá phổ biến"),
                      ("Matkhau123456", "quá phổ biến"), ("aaaaaaaaaaaaaa", "quá phổ biến")]:
        with pytest.raises(ValueError, match=why):
            await h.add_agent(name, weak, "mac-dinh")
    assert await h.get_agent(name) is None
    monkeypatch.setenv("MOTCUA_DATABASE__URL", services.settings.database.url)
    monkeypatch.setattr("sys.stdin", io.StringIO("qwertyuiop123\n"))
    assert await asyncio.to_thread(main, ["agent", "add", name, "--team", "t", "--password-stdin"]) == 2
    assert "mật khẩu này quá phổ biến" in capsys.readouterr().err
    username, _, _ = await signed_in_elsewhere(services)
    with pytest.raises(ValueError, match="ít nhất 12 ký tự"):   # changing a password follows the same rule
        await h.add_agent(username, "ngan-qua", "mac-dinh")
    assert await h.authenticate(username, PASSWORD) is not None


# --- item 8: caching, the login form's token, Origin ------------------------------------------------------------

async def test_pages_with_personal_data_are_never_cached(client: Any, services: Any) -> None:
    sender = new_sender()
    await rest(client, sender, "cho tôi gặp cán bộ")
    cid = (await services.repo.load("rest", sender)).id
    await signed_in(client, services, role="admin")
    for path in (f"/console/c/{cid}", f"/console/api/c/{cid}", "/console/admin/misses", "/console",
                 "/console/api/queue", "/dossiers", "/console/login"):
        r = await client.get(path, allow_redirects=False)
        assert r.status == 200, path
        assert r.headers.get("Cache-Control") == "no-store", path


async def test_login_form_needs_its_csrf_token(client: Any, services: Any) -> None:
    username, _, _ = await signed_in_elsewhere(services)
    client.session.cookie_jar.clear()
    r = await client.post("/console/login", data={"username": username, "password": PASSWORD}, allow_redirects=False)
    assert r.status == 403 and COOKIE not in r.cookies
    assert "Phiên đăng nhập đã hết hạn" in await r.text()
    page = await (await client.get("/console/login")).text()
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)   # type: ignore[union-attr]
    client.session.cookie_jar.clear()   # a token without the cookie it was set with: refused
    r = await client.post("/console/login", data={"username": username, "password": PASSWORD, "csrf": token},
                          allow_redirects=False)
    assert r.status == 403


async def test_a_request_from_another_site_is_refused(client: Any, services: Any) -> None:
    sender = new_sender()
    await rest(client, sender, "cho tôi gặp cán bộ")
    cid = (await services.repo.load("rest", sender)).id
    username, _, csrf = await signed_in(client, services, role="admin")
    for origin in ({"Origin": "https://ke-gian.example"}, {"Origin": "null"},
                   {"Referer": "https://ke-gian.example/trang"}):
        r = await client.post(f"/console/c/{cid}/claim", data={"csrf": csrf}, headers=origin, allow_redirects=False)
        assert r.status == 403, origin
        r = await client.post("/console/admin/content/validate", json={"files": {}},
                              headers={**origin, "X-CSRF-Token": csrf})
        assert r.status == 403, origin
        r = await client.post("/console/logout", data={"csrf": csrf}, headers=origin, allow_redirects=False)
        assert r.status == 403, origin
        r = await client.post("/dossiers/XX-000000/status", data={"csrf": csrf, "status": "received"},
                              headers=origin, allow_redirects=False)
        assert r.status == 403, origin
    h = services.handoff
    assert (await h.conversation(await h.get_agent(username), cid))["ticket"]["status"] == "queued"   # not claimed
    own = str(client.make_url("/")).rstrip("/")
    r = await client.post(f"/console/c/{cid}/claim", data={"csrf": csrf}, headers={"Origin": own},
                          allow_redirects=False)
    assert r.status == 302
    r = await client.post(f"/console/c/{cid}/note", data={"csrf": csrf, "text": "ghi chú"},
                          headers={"Origin": "http://testserver"}, allow_redirects=False)   # server.base_url
    assert r.status == 302


async def test_live_event_stream_stops_when_the_session_ends(client: Any, services: Any,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.web.console.routes.HEARTBEAT", 0.2)
    _, cookie, csrf = await signed_in(client, services)
    stream = await client.get("/console/events", headers={"Cookie": f"{COOKIE}={cookie}"})
    assert stream.status == 200 and (await stream.content.readline()).startswith(b": ok")
    r = await client.post("/console/logout", data={"csrf": csrf}, headers={"Cookie": f"{COOKIE}={cookie}"},
                          allow_redirects=False)
    assert r.status == 302

    async def drain() -> None:
        while await stream.content.readline():
            pass

    await asyncio.wait_for(drain(), 5)   # the server closed the stream: queue events no longer reach that cookie
