"""The pieces of staff sign-in on their own: the client's address behind proxies, the bounded login counter, the
password rule, the Origin check."""
from __future__ import annotations

from aiohttp.test_utils import make_mocked_request

from bot.handoff.passwords import common_passwords, password_problem
from bot.web.console.auth import LoginLimiter, client_address, parse_networks
from bot.web.console.login_counts import BoundedMemoryStorage
from bot.web.guard import same_site


class _Transport:
    def __init__(self, peer: str):
        self.peer = peer

    def get_extra_info(self, name: str, default: object = None) -> object:
        return (self.peer, 5555) if name == "peername" else default


def request(peer: str, xff: str | None = None, **headers: str):  # type: ignore[no-untyped-def]
    if xff is not None:
        headers["X-Forwarded-For"] = xff
    return make_mocked_request("POST", "/console/login", headers=headers, transport=_Transport(peer))


def test_x_forwarded_for_counts_only_from_a_trusted_proxy() -> None:
    proxies = parse_networks(["10.0.0.0/8", "127.0.0.1"])
    assert client_address(request("203.0.113.5", "1.2.3.4"), ()) == "203.0.113.5"
    assert client_address(request("203.0.113.5", "1.2.3.4"), proxies) == "203.0.113.5"   # not our proxy
    assert client_address(request("127.0.0.1", "198.51.100.9"), proxies) == "198.51.100.9"
    # a forged first hop is skipped: the nearest address our proxies did not add is the client
    assert client_address(request("127.0.0.1", "6.6.6.6, 198.51.100.9, 10.1.2.3"), proxies) == "198.51.100.9"
    assert client_address(request("127.0.0.1", "not-an-ip"), proxies) == "127.0.0.1"
    assert client_address(request("127.0.0.1"), proxies) == "127.0.0.1"


async def test_login_counter_memory_is_bounded() -> None:
    store = BoundedMemoryStorage(max_keys=100)
    for i in range(2000):
        await store.incr(f"k{i}", 900)
    assert len(store.storage) <= 100 and len(store.expirations) <= 100
    assert await store.get("k1999") == 1


async def test_login_limiter_per_user_and_per_client() -> None:
    lim = LoginLimiter(per_user=3, per_client=5)
    for _ in range(3):
        assert not await lim.blocked("lan", "1.1.1.1")
        await lim.failed("Lan", "1.1.1.1")
    assert await lim.blocked("lan", "2.2.2.2")         # the username, from anywhere
    assert not await lim.blocked("binh", "3.3.3.3")
    await lim.failed("binh", "1.1.1.1")
    await lim.failed("chi", "1.1.1.1")
    assert await lim.blocked("dung", "1.1.1.1")        # the address, whatever the username
    await lim.succeeded("lan")
    assert not await lim.blocked("lan", "2.2.2.2")


async def test_login_limiter_still_counts_while_redis_is_down() -> None:
    lim = LoginLimiter("redis://127.0.0.1:1/0", per_user=2, per_client=5)   # nothing listens on port 1
    await lim.failed("lan", "1.1.1.1")
    await lim.failed("lan", "1.1.1.1")
    assert lim.degraded and await lim.blocked("lan", "9.9.9.9")


def test_password_rule() -> None:
    assert len(common_passwords()) > 100
    assert password_problem("mat-khau-an-toan-1") is None
    assert "12 ký tự" in (password_problem("ngan-qua-1") or "")
    assert "phổ biến" in (password_problem("QWERTYUIOP123") or "")
    assert "tên đăng nhập" in (password_problem("nguyenvanlan2026", "nguyenvanlan") or "")


def test_origin_check() -> None:
    base = "https://motcua.example.vn"
    ours = {"Host": "motcua.example.vn"}
    assert same_site(request("1.1.1.1", **ours), base)                                    # no Origin: not a browser
    assert same_site(request("1.1.1.1", Origin="https://motcua.example.vn", Host="10.0.0.2:8080"), base)
    assert same_site(request("1.1.1.1", Origin="http://127.0.0.1:8080", Host="127.0.0.1:8080"), base)
    assert not same_site(request("1.1.1.1", Origin="https://evil.example", **ours), base)
    assert not same_site(request("1.1.1.1", Origin="null", **ours), base)
    assert not same_site(request("1.1.1.1", Referer="https://evil.example/x", **ours), base)
    assert same_site(request("1.1.1.1", Referer="https://motcua.example.vn/console", **ours), base)
