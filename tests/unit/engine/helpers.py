"""A tiny driver for pure engine tests: say things, read replies, no servers."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.engine import CitizenSaid, ConversationState, InboundMessage, Text, Thresholds, TurnContext, step
from bot.engine.events import Event
from nlu.api import Candidate, Understanding

E = TypeVar("E", bound=Event)
from bot.engine.turn import Turn


def u(*pairs: tuple[str, float]) -> Understanding:
    return Understanding(text="", ranking=tuple(Candidate(lbl, c) for lbl, c in pairs))


@dataclass
class Chat:
    content: Any
    today: dt.date = dt.date(2026, 11, 24)
    state: ConversationState = field(default_factory=ConversationState)
    last: Turn | None = None
    code: str | None = "KS-7F3K2Q"
    humans_on_duty: bool = True
    office_hours: str | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)
    assistant_name: str = "Trợ lý Một cửa"

    def ctx(self) -> TurnContext:
        return TurnContext(content=self.content, today=self.today, new_draft_code=self.code,
                           assistant_name=self.assistant_name,
                           humans_on_duty=self.humans_on_duty, office_hours=self.office_hours,
                           thresholds=self.thresholds)

    def say(self, text: str, understanding: Understanding | None = None, **kw: Any) -> Turn:
        msg = InboundMessage(channel="test", sender_id="u", text=text, payload=text if text.startswith("/") else None)
        self.last = step(self.state, CitizenSaid(msg, understanding, **kw), self.ctx())
        self.state = self.last.state
        return self.last

    def apply(self, inp: Any) -> Turn:
        self.last = step(self.state, inp, self.ctx())
        self.state = self.last.state
        return self.last

    @property
    def texts(self) -> list[str]:
        return [r.text for r in self.last.replies if isinstance(r, Text)] if self.last else []

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def buttons(self) -> list[str]:
        out: list[str] = []
        for r in self.last.replies if self.last else ():
            if isinstance(r, Text):
                out += [b.title for b in r.buttons]
        return out

    @property
    def events(self) -> list[str]:
        return [e.type for e in self.last.events] if self.last else []

    def event(self, type_: str) -> dict[str, Any]:
        assert self.last is not None
        return next(e.data for e in self.last.events if e.type == type_)

    def emitted(self, cls: type[E]) -> E:
        """The last turn's event of this class (typed: its fields, not a dict)."""
        assert self.last is not None
        return next(e for e in self.last.events if isinstance(e, cls))


KHAI_SINH = u(("ho-tich.khai-sinh", 0.92), ("ho-tich.khai-sinh-lai", 0.04))
