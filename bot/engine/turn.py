"""The result of one engine step, and a small builder the phases share."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from bot.content.rules import render_rules
from bot.engine.context import TurnContext
from bot.engine.events import Event
from bot.engine.messages import Button, Outbound, Text
from bot.engine.state import ConversationState


@dataclass(frozen=True, slots=True)
class Turn:
    """New state, replies to send, events to record: the whole effect of one input."""

    state: ConversationState
    replies: tuple[Outbound, ...] = ()
    events: tuple[Event, ...] = ()


@dataclass
class Out:
    """Accumulates replies and events while a phase works; never escapes the engine."""

    ctx: TurnContext
    replies: list[Outbound] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def say(self, text: str, buttons: tuple[Button, ...] = ()) -> None:
        """Queue a reply; ``{rule:ID}`` becomes what that rule says on the conversation's date."""
        text = render_rules(text, self.ctx.content.rules, self.ctx.today)
        if text or buttons:
            self.replies.append(Text(text=text, buttons=buttons))

    def say_on(self, text: str) -> None:
        """Say ``text`` as part of this turn's last message when that one waits for no answer (no buttons):
        "Xong phần giấy tờ. Tiếp theo mình hỏi…" is one message, not two."""
        last = self.replies[-1] if self.replies else None
        if isinstance(last, Text) and not last.buttons and last.sender == "bot" and text:
            self.replies[-1] = replace(last, text=last.text + " " + render_rules(text, self.ctx.content.rules,
                                                                               self.ctx.today))
        else:
            self.say(text)

    def phrase(self, key: str, buttons: tuple[Button, ...] = (), **values: Any) -> None:
        self.say(self.ctx.content.phrase(key, **values), buttons)

    def emit(self, event: Event) -> None:
        self.events.append(event)

    def p(self, key: str, **values: Any) -> str:
        return self.ctx.content.phrase(key, **values)

    def turn(self, state: ConversationState) -> Turn:
        return Turn(state, tuple(self.replies), tuple(self.events))
