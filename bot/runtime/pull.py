"""Pull delivery for REST and the web chat: a turn's answer is everything pending for that citizen."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from bot.engine import InboundMessage
from bot.runtime.turns import TurnRunner
from bot.storage.repo import Repo


class RateLimited(Exception):
    """The sender is over the per-sender rate; carries the polite reply."""

    def __init__(self, replies: list[dict[str, Any]]):
        self.replies = replies


class PullDelivery:
    """Runs a turn and returns the citizen's pending outbox rows (this turn's replies, draft links, agent messages)."""

    def __init__(self, runner: TurnRunner, repo: Repo, clock: Callable[[], dt.datetime]):
        self.runner = runner
        self.repo = repo
        self.clock = clock

    async def turn(self, msg: InboundMessage) -> list[dict[str, Any]]:
        outcome = await self.runner.handle(msg, pull=True)
        if outcome.limited:
            raise RateLimited(outcome.replies)
        if outcome.duplicate or outcome.conversation_id is None:
            return outcome.replies
        if outcome.effects_ran:  # a room may have added messages (the draft's PDF and link)
            return outcome.delivered + await self.repo.take_pending(outcome.conversation_id, self.clock())
        return outcome.delivered

    async def poll(self, channel: str, sender: str) -> list[dict[str, Any]]:
        """Messages that arrived without a turn (agent replies, status notices)."""
        row = await self.repo.load(channel, sender)
        if row is None:
            return []
        return await self.repo.take_pending(row.id, self.clock())
