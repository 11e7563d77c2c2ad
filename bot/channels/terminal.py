"""`motcua chat`: the same engine and storage, in a terminal. Buttons become numbered choices."""
from __future__ import annotations

import asyncio
import sys
import uuid

from bot.engine import InboundMessage
from bot.services import build_services
from bot.settings import Settings
from bot.storage.db import resolve_url
from bot.storage.migrate import upgrade

CHANNEL = "terminal"


def render(bodies: list[dict]) -> str:  # type: ignore[type-arg]
    lines: list[str] = []
    for b in bodies:
        if b.get("kind") == "document":
            lines.append(f"📄 {b.get('caption', '')}: {b['url']}")
            continue
        prefix = "Cán bộ: " if b.get("sender") == "agent" else "Bot: "
        lines.append(prefix + b.get("text", ""))
        for i, btn in enumerate(b.get("buttons", []), 1):
            lines.append(f"   [{i}] {btn['title']}")
    return "\n".join(lines)


async def run_terminal(settings: Settings, sender: str, stdin=sys.stdin, stdout=sys.stdout) -> int:  # type: ignore[no-untyped-def]
    await asyncio.to_thread(upgrade, resolve_url(settings.database.url, settings.root))
    services = build_services(settings)
    await services.start()
    last_buttons: list[dict] = []  # type: ignore[type-arg]
    try:
        text = "/start"
        while True:
            payload = None
            t = text.strip()
            if t.isdigit() and last_buttons and 1 <= int(t) <= len(last_buttons):
                payload = last_buttons[int(t) - 1]["payload"]
            msg = InboundMessage(channel=CHANNEL, sender_id=sender, text=payload or t, payload=payload,
                                 channel_message_id=uuid.uuid4().hex)
            bodies = await services.delivery.turn(msg)
            print(render(bodies), file=stdout, flush=True)
            for b in bodies:
                if b.get("buttons"):
                    last_buttons = b["buttons"]
            print("> ", end="", file=stdout, flush=True)
            line = await asyncio.to_thread(stdin.readline)
            if not line or line.strip() in {"/thoat", "/exit", "/quit"}:
                break
            text = line
    finally:
        await services.close()
    return 0
