"""Walks a khai-sinh conversation through any channel: the test supplies how to tap a button and type text."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tests.fakes.walker import walk

PID = "ho-tich.khai-sinh"


async def walk_to_review(content: Any, state: Callable[[], Awaitable[dict[str, Any]]],
                         tap: Callable[[str], Awaitable[None]], say: Callable[[str], Awaitable[None]],
                         until: str = "review") -> int:
    """Drive until the review prompt (or the first pending of kind ``until``); returns how many buttons were tapped.

    Commands (``/…``) are button taps on a push channel; anything else is typed."""
    async def post(msg: str) -> None:
        await (tap(msg) if msg.startswith("/") else say(msg))

    w = await walk(post, state, content.procedures[PID], content.flows[PID], start="tôi muốn làm giấy khai sinh cho con",
                   confirm=False, until=lambda w: w.kind == until, limit=120)
    if w.kind != until:
        raise AssertionError(f"did not reach {until}: pending={w.pending}")
    return sum(m.startswith("/") for m in w.sent)
