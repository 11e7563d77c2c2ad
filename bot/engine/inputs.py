"""What can happen to a conversation. Every change goes through `engine.step` with one of these."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.engine.messages import InboundMessage
from nlu.api import Understanding


@dataclass(frozen=True, slots=True)
class CitizenSaid:
    """A citizen message, already understood by the NLU (None when it was a button payload).

    ``extracted`` holds field values the runtime decoded from an attachment (the CCCD QR);
    ``extract_error`` a hint when decoding failed.
    """

    message: InboundMessage
    understanding: Understanding | None = None
    extracted: Mapping[str, str] = field(default_factory=dict)
    extract_error: str | None = None


@dataclass(frozen=True, slots=True)
class AgentClaimed:
    agent_name: str


@dataclass(frozen=True, slots=True)
class AgentSaid:
    agent_name: str
    text: str


@dataclass(frozen=True, slots=True)
class AgentSetField:
    agent_name: str
    field_id: str
    value: str


@dataclass(frozen=True, slots=True)
class AgentReturned:
    """The agent gives the conversation back to the bot, at ``step_id`` (None = where it was)."""

    agent_name: str
    step_id: str | None = None


@dataclass(frozen=True, slots=True)
class AgentClosed:
    agent_name: str


@dataclass(frozen=True, slots=True)
class Notify:
    """A system message to the citizen (e.g. a dossier status change) that also shows in the transcript."""

    text: str


Input = CitizenSaid | AgentClaimed | AgentSaid | AgentSetField | AgentReturned | AgentClosed | Notify
