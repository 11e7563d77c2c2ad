"""The one HTTP test driver for the pull channels: a citizen posting to REST or the web chat through the app."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.content.catalog import Procedure
from bot.content.flow import Flow
from tests.fakes.walker import Walk, walk

PATHS = {"rest": "/webhooks/rest/webhook", "web": "/webchat/api/send"}


async def post(client: Any, sender: str, message: str, channel: str = "rest", status: int = 200,
               **extra: Any) -> list[dict[str, Any]]:
    """One message through the app's channel endpoint; the answer must have ``status``."""
    resp = await client.post(PATHS[channel], json={"sender": sender, "message": message, **extra})
    assert resp.status == status, await resp.text()
    return await resp.json()


def texts(replies: list[dict[str, Any]], sep: str = "\n") -> str:
    return sep.join(r.get("text", "") for r in replies)


async def rest_text(client: Any, sender: str, message: str) -> str:
    """The bot's answer over REST as one text."""
    return texts(await post(client, sender, message))


@dataclass
class HttpCitizen:
    """One citizen on a pull channel, with the walker wired to the app and its stored state."""

    client: Any
    services: Any
    sender: str
    channel: str = "rest"

    async def say(self, message: str) -> list[dict[str, Any]]:
        return await post(self.client, self.sender, message, self.channel)

    async def state(self) -> dict[str, Any]:
        row = await self.services.repo.load(self.channel, self.sender)
        return row.state if row is not None else {}

    async def walk(self, proc: Procedure, flow: Flow, **kw: Any) -> Walk:
        return await walk(self.say, self.state, proc, flow, **kw)


async def talk_until(client: Any, marker: str, tries: int = 6) -> list[str]:
    """A new REST citizen asks for khai sinh, takes each question alone ("Có điều khác" at the usual-case
    question) and taps "1" until a reply shows ``marker``; every text seen."""
    from tests.conftest import new_sender

    sender, seen = new_sender(), []
    for text in ["tôi muốn đăng ký khai sinh cho con", "Có điều khác"] + ["1"] * tries:
        seen += [m.get("text", "") for m in await post(client, sender, text)]
        if any(marker in s for s in seen):
            break
    return seen
