"""What the two Zalo adapters share: their own aiohttp session and fetching a citizen's file from a media URL."""
from __future__ import annotations

import aiohttp

from bot.channels.media import MediaFetcher
from bot.engine.messages import Attachment


class HttpChannel:
    """An adapter that talks to its platform with aiohttp and receives photos/files as URLs."""

    def __init__(self, media: MediaFetcher | None):
        self._session: aiohttp.ClientSession | None = None
        self.media = media or MediaFetcher()   # inbound attachment URLs: the platform's media hosts only

    @property
    def session(self) -> aiohttp.ClientSession:
        """Opened on first use (and again after a close), so an adapter can be built outside an event loop."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20))
        return self._session

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        await self.media.close()

    async def fetch(self, attachment: Attachment) -> bytes | None:
        """The event's attachment URL, only from an allowed media host (the URL comes from outside)."""
        if not attachment.ref:
            return None
        return await self.media.get(attachment.ref)
