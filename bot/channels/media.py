"""Fetching a photo or file whose URL came in a platform event, without letting that URL reach inside our network.

A Zalo event carries the media URL, and anyone who can post an event (or a compromised platform) chooses it.
So: only hosts on the allow-list (``channels.media.allowed_hosts``) and their subdomains; every address the name
resolves to must be public (checked inside the connector, so the address we check is the one we connect to —
no DNS-rebinding window); redirects are followed by hand, each hop checked again; size and time are capped.
"""
from __future__ import annotations

import ipaddress
import logging
import socket
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from yarl import URL

from bot.settings import MediaSettings

log = logging.getLogger(__name__)


class MediaRefused(OSError):
    """The URL or an address it resolves to is not one we fetch from (an OSError so aiohttp passes it through)."""


def is_public(ip: str) -> bool:
    """A globally routable unicast address (not private, loopback, link-local, CGNAT, multicast or reserved)."""
    try:
        addr = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return addr.is_global and not addr.is_multicast


def host_allowed(host: str, allowed: list[str]) -> bool:
    """``host`` is an allow-list entry or a subdomain of one."""
    host = host.lower().rstrip(".")
    return any(host == a or host.endswith("." + a) for a in (x.lower().strip(".") for x in allowed if x))


class PublicOnlyResolver(AbstractResolver):
    """Wraps a resolver and refuses a name if any of its addresses is not public."""

    def __init__(self, inner: AbstractResolver | None = None, *, allow_private: bool = False):
        self.inner = inner or DefaultResolver()
        self.allow_private = allow_private

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        infos = await self.inner.resolve(host, port, family)
        if not self.allow_private and any(not is_public(i["host"]) for i in infos):
            raise MediaRefused(f"{host} resolves to a non-public address")
        return infos

    async def close(self) -> None:
        await self.inner.close()


class MediaFetcher:
    """GET a media URL under the rules above; ``None`` when refused, too big, slow or not 200."""

    def __init__(self, settings: MediaSettings | None = None, *, resolver: AbstractResolver | None = None):
        self.settings = settings or MediaSettings()
        self._inner_resolver = resolver
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            s = self.settings
            connector = aiohttp.TCPConnector(resolver=PublicOnlyResolver(
                self._inner_resolver, allow_private=s.allow_private_addresses), limit=20)
            self._session = aiohttp.ClientSession(
                connector=connector, cookie_jar=aiohttp.DummyCookieJar(),
                timeout=aiohttp.ClientTimeout(total=s.timeout_seconds, sock_connect=min(5.0, s.timeout_seconds)))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    def check(self, url: URL) -> None:
        """Refuse a URL before any connection: scheme, credentials, host allow-list, literal private IPs."""
        host = url.host or ""
        if url.scheme not in ("https", "http") or not host or url.user or url.password:
            raise MediaRefused("not an http(s) URL to a host")
        if not host_allowed(host, self.settings.allowed_hosts):
            raise MediaRefused(f"host {host} is not on the media allow-list")
        try:
            ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            return   # a name: its addresses are checked by the resolver at connect time
        if not self.settings.allow_private_addresses and not is_public(host):
            raise MediaRefused(f"{host} is not a public address")

    async def get(self, ref: str) -> bytes | None:
        try:
            return await self._get(URL(ref))
        except MediaRefused as exc:
            log.warning("media URL refused: %s", exc)
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, MediaRefused):
                log.warning("media URL refused: %s", exc.os_error)
            else:
                log.info("media fetch failed: %s", type(exc).__name__)
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            log.info("media fetch failed: %s", type(exc).__name__)
        return None

    async def _get(self, url: URL) -> bytes | None:
        limit = self.settings.max_bytes
        for _hop in range(self.settings.max_redirects + 1):
            self.check(url)
            async with self.session.get(url, allow_redirects=False) as resp:
                if resp.status in (301, 302, 303, 307, 308) and "Location" in resp.headers:
                    url = url.join(URL(resp.headers["Location"]))
                    continue
                if resp.status != 200 or (resp.content_length or 0) > limit:
                    return None
                data = await resp.content.read(limit + 1)
                return data if len(data) <= limit else None
        raise MediaRefused("too many redirects")


def from_settings(settings: Any) -> MediaFetcher:
    return MediaFetcher(settings.channels.media)
