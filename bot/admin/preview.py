"""Chat simulator for a DRAFT content set: runs the pure engine in memory, stores nothing.

The page sends the draft files, the simulator's state JSON and the message; the live NLU model
understands the text (ids rarely change between drafts) while the draft decides what the bot says.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from bot.content.snapshot import ContentSnapshot
from bot.engine.context import TurnContext
from bot.engine.engine import step, turn_needs
from bot.engine.inputs import CitizenSaid
from bot.engine.messages import InboundMessage, outbound_to_dict
from bot.engine.state import ConversationState

PREVIEW_CODE = "XEMTHU-0000"


async def preview_turn(draft: ContentSnapshot, state: dict[str, Any] | None, text: str, *,
                       nlu: Any, base_ctx: TurnContext | None = None, today: dt.date | None = None,
                       payload: str | None = None) -> tuple[dict[str, Any], list[dict[str, Any]], list[str]]:
    """One simulated turn: ``(new state, replies as JSON, event types)``."""
    st = ConversationState.from_dict(state or None)
    msg = InboundMessage(channel="preview", sender_id="preview", text=text, payload=payload)
    needs = turn_needs(st, msg.content)
    ctx = base_ctx or TurnContext(content=draft, today=today or dt.date.today())
    read_as = dataclasses.replace(needs.nlu, today=ctx.today) if needs.nlu is not None else None
    understanding = await nlu.aparse(msg.content, read_as) if read_as is not None else None
    code = PREVIEW_CODE if needs.draft_code_for is not None else None
    ctx = dataclasses.replace(ctx, content=draft, new_draft_code=code, drafts=())
    turn = step(st, CitizenSaid(msg, understanding, {}, None), ctx)
    return turn.state.to_dict(), [outbound_to_dict(r) for r in turn.replies], [e.type.value for e in turn.events]
