"""Push intake for Telegram, Zalo Bot and Zalo OA: run the citizen's turn, then start delivering its replies.

Pull channels share `PullDelivery`; push channels share this. The webhook is answered after at most the
channel's ``ack_wait`` seconds while the outbox worker keeps sending; a rate-limited sender's polite reply is
not stored, so it is sent directly.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from bot.channels.base import PushChannel
from bot.engine import InboundMessage
from bot.runtime.outbox import OutboxWorker
from bot.runtime.turns import TurnOutcome, TurnRunner


class PushIntake:
    """One citizen message from a push channel: turn → (the channel's own acknowledgement) → delivery."""

    def __init__(self, runner: TurnRunner, worker: OutboxWorker):
        self._runner = runner
        self._worker = worker

    @property
    def clock(self) -> Callable[[], dt.datetime]:
        return self._runner.clock

    async def take(self, msg: InboundMessage, channel: PushChannel, ack_wait: float, *,
                   after_turn: Callable[[], Awaitable[None]] | None = None) -> TurnOutcome:
        """Run the turn; ``after_turn`` runs before any reply is sent (Telegram stops a button's spinner there)."""
        outcome = await self._runner.handle(msg)
        if after_turn is not None:
            await after_turn()
        if outcome.limited:   # nothing stored: say it directly
            for body in outcome.replies:
                await channel.deliver(msg.sender_id, body)
        elif outcome.conversation_id is not None:
            await self._worker.flush_soon(outcome.conversation_id, ack_wait)
        return outcome
