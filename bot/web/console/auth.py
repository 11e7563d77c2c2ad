"""Console sessions as HMAC-signed cookies, CSRF tokens bound to the session, and login throttling."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field

COOKIE = "motcua_console"
COOKIE_PATH = "/"  # the console, its admin pages and the desk (/dossiers) share one sign-in
SESSION_SECONDS = 12 * 3600


@dataclass
class Signer:
    key: bytes

    def _sig(self, msg: str) -> str:
        return hmac.new(self.key, msg.encode(), hashlib.sha256).hexdigest()

    def issue(self, username: str, now: float | None = None) -> str:
        exp = int((now or time.time()) + SESSION_SECONDS)
        body = f"{username}|{exp}|{secrets.token_hex(8)}"
        return f"{body}|{self._sig(body)}"

    def verify(self, value: str | None, now: float | None = None) -> str | None:
        """The username of a valid, unexpired session cookie."""
        if not value or value.count("|") != 3:
            return None
        body, sig = value.rsplit("|", 1)
        if not hmac.compare_digest(sig, self._sig(body)):
            return None
        username, exp, _nonce = body.split("|")
        if not exp.isdigit() or int(exp) < (now or time.time()):
            return None
        return username

    def csrf(self, cookie: str) -> str:
        return self._sig("csrf:" + cookie)[:40]

    def check_csrf(self, cookie: str, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf(cookie), token or "")


@dataclass
class Throttle:
    """At most ``limit`` failed logins per (username, IP) in ``window`` seconds."""

    limit: int = 5
    window: float = 900.0
    _fails: dict[tuple[str, str], list[float]] = field(default_factory=dict)

    def blocked(self, username: str, ip: str, now: float | None = None) -> bool:
        now = now or time.time()
        recent = [t for t in self._fails.get((username, ip), []) if now - t < self.window]
        self._fails[(username, ip)] = recent
        return len(recent) >= self.limit

    def failed(self, username: str, ip: str, now: float | None = None) -> None:
        self._fails.setdefault((username, ip), []).append(now or time.time())

    def succeeded(self, username: str, ip: str) -> None:
        self._fails.pop((username, ip), None)
