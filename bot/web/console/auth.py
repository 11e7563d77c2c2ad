"""Staff sign-in for the console, the desk and the admin pages: server-side sessions, one CSRF scheme, the login
form's own CSRF token, the client's address behind trusted proxies, and login throttling.

Sessions live in the database (``console_sessions``), shared by every worker: the cookie holds a random token and
the row holds its SHA-256, the user and the session's CSRF token. Logout deletes the row; a password change and
``motcua agent disable`` delete every row of that user (``HandoffService``), so a replayed cookie is refused at
once. aiohttp-session was considered: its server-side stores (Redis, memcached) key sessions by an opaque id with no
index by user, so "end every session of this user" and a database-only install would both need code of our own.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import logging
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlalchemy import delete, insert, select

from bot.storage.db import aware
from bot.storage.handoff_models import console_sessions

if TYPE_CHECKING:   # `limits` is imported by the first login attempt, not by every worker's start (~14 ms)
    from limits import RateLimitItemPerMinute
    from limits.aio.strategies import FixedWindowRateLimiter

log = logging.getLogger(__name__)

COOKIE = "motcua_console"
COOKIE_PATH = "/"  # the console, its admin pages and the desk (/dossiers) share one sign-in
SESSION_SECONDS = 12 * 3600
LOGIN_COOKIE = "motcua_login"      # the login form's double-submit CSRF token (no session exists yet)
LOGIN_PATH = "/console/login"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Session:
    username: str
    csrf: str        # the CSRF token of every form and fetch of this session (console, desk, admin)


class SessionStore:
    """Sessions in the database: every worker sees the same ones, and ending one ends it everywhere."""

    def __init__(self, engine: Any, seconds: int = SESSION_SECONDS):
        self.engine = engine
        self.seconds = seconds

    async def create(self, username: str) -> tuple[str, Session]:
        """A new session: the cookie token (never stored) and the session."""
        token, csrf, now = secrets.token_urlsafe(32), secrets.token_hex(20), _now()
        async with self.engine.begin() as conn:
            await conn.execute(delete(console_sessions).where(console_sessions.c.expires_at < now))
            await conn.execute(insert(console_sessions).values(
                id=_digest(token), username=username, csrf=csrf, created_at=now,
                expires_at=now + dt.timedelta(seconds=self.seconds)))
        return token, Session(username, csrf)

    async def get(self, token: str | None) -> Session | None:
        """The live session of a cookie token; None when unknown, ended or expired."""
        if not token or len(token) > 100:
            return None
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(console_sessions).where(
                console_sessions.c.id == _digest(token)))).first()
        if row is None or aware(row.expires_at) <= _now():
            return None
        return Session(row.username, row.csrf)

    async def end(self, token: str | None) -> None:
        if token:
            async with self.engine.begin() as conn:
                await conn.execute(delete(console_sessions).where(console_sessions.c.id == _digest(token)))


def csrf_ok(session: Session, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(session.csrf, sent or "")


# --- the login form's token --------------------------------------------------------------------------------

def login_token(request: web.Request) -> str:
    """The token the login form carries: the one already in the browser's login cookie, or a new one."""
    have = request.cookies.get(LOGIN_COOKIE, "")
    return have if 20 <= len(have) <= 64 and have.isalnum() else secrets.token_hex(20)


def set_login_cookie(resp: web.StreamResponse, token: str, secure: bool) -> None:
    resp.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="Strict", secure=secure, path=LOGIN_PATH,
                    max_age=SESSION_SECONDS)


def login_token_ok(request: web.Request, sent: str | None) -> bool:
    """Double submit: the form's token equals the cookie only a page of ours could have set."""
    have = request.cookies.get(LOGIN_COOKIE, "")
    return bool(have) and bool(sent) and hmac.compare_digest(have, sent or "")


# --- who is calling --------------------------------------------------------------------------------------------

Networks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


def parse_networks(items: list[str]) -> Networks:
    """``server.trusted_proxies``: addresses or CIDR blocks of the reverse proxies in front of motcua."""
    return tuple(ipaddress.ip_network(i.strip(), strict=False) for i in items if i.strip())


def _ip(addr: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(addr)
    except ValueError:
        return None


def _within(addr: str, nets: Networks) -> bool:
    ip = _ip(addr)
    return ip is not None and any(ip in n for n in nets)


def client_address(request: web.Request, trusted: Networks) -> str:
    """The client's address: the peer, or — only when the peer is a trusted proxy — the nearest address in
    ``X-Forwarded-For`` that is not itself a trusted proxy. Anyone else's X-Forwarded-For is ignored."""
    peer = request.remote or "?"
    if not trusted or not _within(peer, trusted):
        return peer
    hops = [h.strip() for line in request.headers.getall("X-Forwarded-For", []) for h in line.split(",")]
    for hop in reversed([h for h in hops if h]):
        if not _within(hop, trusted):
            return hop if _ip(hop) is not None else peer
    return peer


# --- throttling ------------------------------------------------------------------------------------------------

class LoginLimiter:
    """Failed logins per username and per client address (``limits``, fixed windows from the first failure).

    With Redis configured the counters are shared by every worker; while Redis is unreachable this worker counts
    in its own bounded memory rather than letting every attempt through.
    """

    def __init__(self, redis_url: str | None = None, per_user: int = 5, per_client: int = 10,
                 minutes: int = 15, max_keys: int = 20_000):
        self.redis_url, self.per_user, self.per_client, self.minutes, self.max_keys = (
            redis_url, per_user, per_client, minutes, max_keys)
        self.shared: FixedWindowRateLimiter | None = None
        self.degraded = False
        self._built = False

    def _build(self) -> None:
        """The limits and their storages, built on the first login attempt."""
        if self._built:
            return
        from limits import RateLimitItemPerMinute
        from limits.aio.storage import RedisStorage, Storage
        from limits.aio.strategies import FixedWindowRateLimiter

        from bot.web.console.login_counts import BoundedMemoryStorage

        self.user_limit: RateLimitItemPerMinute = RateLimitItemPerMinute(self.per_user, self.minutes,
                                                                         namespace="motcua-login-user")
        self.client_limit: RateLimitItemPerMinute = RateLimitItemPerMinute(self.per_client, self.minutes,
                                                                           namespace="motcua-login-client")
        self.local: FixedWindowRateLimiter = FixedWindowRateLimiter(BoundedMemoryStorage(self.max_keys))
        if self.redis_url:
            storage: Storage = RedisStorage("async+" + self.redis_url, implementation="redispy",
                                            socket_timeout=1.0, socket_connect_timeout=1.0)
            self.shared = FixedWindowRateLimiter(storage)
        self._built = True

    async def _run(self, op: str, *args: Any) -> Any:
        if self.shared is not None:
            try:
                result = await getattr(self.shared, op)(*args)
                self.degraded = False
                return result
            except Exception as exc:  # noqa: BLE001 — Redis down (any client error): count in this worker
                if not self.degraded:
                    log.warning("login throttle: Redis unreachable (%s), counting in this worker",
                                type(exc).__name__)
                self.degraded = True
        return await getattr(self.local, op)(*args)

    async def close(self) -> None:
        """Close the Redis connections limits opened (it has no public close of its own)."""
        client = getattr(getattr(getattr(self.shared, "storage", None), "bridge", None), "storage", None)
        if client is not None:
            await client.aclose()

    async def blocked(self, username: str, client: str) -> bool:
        self._build()
        return not (await self._run("test", self.user_limit, username.lower())
                    and await self._run("test", self.client_limit, client))

    async def failed(self, username: str, client: str) -> None:
        self._build()
        await self._run("hit", self.user_limit, username.lower())
        await self._run("hit", self.client_limit, client)

    async def succeeded(self, username: str) -> None:
        """A right password clears the user's count (never the address's: one's own account must not reset
        the count of guesses made at others')."""
        self._build()
        await self._run("clear", self.user_limit, username.lower())
