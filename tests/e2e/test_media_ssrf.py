"""A Zalo event names the URL of the photo we fetch. It must never make the server reach inside its own network:
loopback / private addresses (also behind an allowed-looking name, or a redirect) and hosts off the media
allow-list are refused — the citizen is asked to send the photo again — while Zalo's media hosts still work."""
from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.test_utils import TestServer

from bot.channels.media import MediaFetcher
from bot.dossier.cccd_intake import FETCH_FAILED
from bot.settings import MediaSettings
from tests.e2e.test_zalo_bot import Zb, zb  # noqa: F401  zb: Zalo Bot app + fake API fixture
from tests.e2e.test_zalo_oa import Oa, oa  # noqa: F401  oa: Zalo OA app + fake API fixture
from tests.fakes.driver import walk_to_review

PHOTO = b"\xff\xd8 a CCCD photo"


class Internal:
    """A service on loopback that must never be reached from a citizen's event (an admin API, metadata…)."""

    def __init__(self) -> None:
        self.hits: list[str] = []

    def app(self) -> web.Application:
        async def any_path(request: web.Request) -> web.Response:
            self.hits.append(request.path_qs)
            if request.path.startswith("/to/"):   # an open redirect on an "allowed" host
                raise web.HTTPFound("http://" + request.path.removeprefix("/to/"))
            if request.path == "/big":
                return web.Response(body=b"x" * 5000, content_type="image/jpeg")
            if request.path == "/slow":
                await asyncio.sleep(3)
            return web.Response(body=PHOTO, content_type="image/jpeg")

        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", any_path)
        return app


@pytest.fixture
async def internal() -> AsyncIterator[tuple[Internal, int]]:
    svc = Internal()
    server = TestServer(svc.app(), host="127.0.0.1")
    await server.start_server()
    yield svc, server.port  # type: ignore[misc]
    await server.close()


class MapResolver(AbstractResolver):
    """DNS stand-in: every name resolves to 127.0.0.1 (as a rebinding or a hostile record would)."""

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
                      ) -> list[ResolveResult]:
        return [ResolveResult(hostname=host, host="127.0.0.1", port=port, family=socket.AF_INET, proto=0,
                              flags=socket.AI_NUMERICHOST)]

    async def close(self) -> None:
        return None


def _decoder(seen: list[bytes]) -> Any:
    def decode(data: bytes, proc: Any) -> tuple[dict[str, str], str | None]:
        seen.append(data)
        return {}, None
    return decode


async def _at_a_field(ch: Any, content: Any, seen: list[bytes]) -> None:
    await walk_to_review(content, ch.state, ch.tap, ch.say, until="field")
    svc = ch.services
    svc.cccd.decode = _decoder(seen)


async def test_zalo_bot_photo_on_loopback_is_not_fetched_and_the_citizen_is_told(
        zb: Zb, content: Any, internal: tuple[Internal, int]) -> None:  # noqa: F811
    svc, port = internal
    zb.services.channels["zalo_bot"].media = MediaFetcher(MediaSettings())   # production defaults
    seen: list[bytes] = []
    await _at_a_field(zb, content, seen)
    for url in (f"http://127.0.0.1:{port}/admin?x=1", f"http://localhost:{port}/anything",
                f"http://[::ffff:127.0.0.1]:{port}/", f"https://photo-stal-1.zdn.vn@127.0.0.1:{port}/a.jpg"):
        before = len(zb.fake.sent(zb.chat))
        assert await zb.post(zb.update(None, event="message.image.received", photo_url=url,
                                       message_type="CHAT_PHOTO")) == 200
        assert FETCH_FAILED in "\n".join(c.params["text"] for c in zb.fake.sent(zb.chat)[before:]), url
    assert svc.hits == [] and seen == []


async def test_zalo_oa_image_on_loopback_is_not_fetched_and_an_allowed_host_still_is(
        oa: Oa, content: Any, internal: tuple[Internal, int]) -> None:  # noqa: F811
    svc, port = internal
    ch = oa.services.channels["zalo_oa"]
    ch.media = MediaFetcher(MediaSettings())   # production defaults
    seen: list[bytes] = []
    await _at_a_field(oa, content, seen)
    bad = f"http://127.0.0.1:{port}/internal/secret"
    assert await oa.post(oa.event(None, name="user_send_image",
                                  attachments=[{"type": "image", "payload": {"url": bad}}])) == 200
    texts = [m.get("text", "") for m in oa.fake.to(oa.user)]
    assert FETCH_FAILED in texts and svc.hits == [] and seen == []
    # The same event from Zalo's CDN (here: a zdn.vn name the test resolver sends to the local stand-in).
    ch.media = MediaFetcher(MediaSettings(allow_private_addresses=True), resolver=MapResolver())
    good = f"http://photo-stal-9.zdn.vn:{port}/jpg/cccd.jpg"
    assert await oa.post(oa.event(None, name="user_send_image",
                                  attachments=[{"type": "image", "payload": {"url": good}}])) == 200
    assert seen == [PHOTO] and svc.hits == ["/jpg/cccd.jpg"]


async def test_allowed_name_resolving_to_loopback_is_refused_after_dns(internal: tuple[Internal, int]) -> None:
    svc, port = internal
    guarded = MediaFetcher(MediaSettings(), resolver=MapResolver())   # allow-listed name, loopback address
    try:
        assert await guarded.get(f"http://photo-stal-9.zdn.vn:{port}/a.jpg") is None
        assert await guarded.get(f"http://169.254.169.254:{port}/latest/meta-data/") is None
        assert await guarded.get(f"http://evil.example:{port}/a.jpg") is None   # not on the allow-list
        assert await guarded.get(f"http://zdn.vn.evil.example:{port}/a.jpg") is None
        assert await guarded.get(f"ftp://photo-stal-9.zdn.vn:{port}/a.jpg") is None
    finally:
        await guarded.close()
    assert svc.hits == []


async def test_redirects_are_rechecked_and_size_and_time_are_capped(internal: tuple[Internal, int]) -> None:
    svc, port = internal
    local = MediaFetcher(MediaSettings(allowed_hosts=["127.0.0.1"], allow_private_addresses=True, max_bytes=4096,
                                       timeout_seconds=1.0))
    try:
        assert await local.get(f"http://127.0.0.1:{port}/photo.jpg") == PHOTO   # the test setting: fake CDN
        # an allowed host redirecting to one that is not: the second hop is never requested
        assert await local.get(f"http://127.0.0.1:{port}/to/localhost:{port}/secret") is None
        assert await local.get(f"http://127.0.0.1:{port}/to/127.0.0.1:{port}/ok.jpg") == PHOTO
        assert await local.get(f"http://127.0.0.1:{port}/big") is None
        assert await local.get(f"http://127.0.0.1:{port}/slow") is None
    finally:
        await local.close()
    assert "/secret" not in svc.hits and "/ok.jpg" in svc.hits
