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
    ``extract_error`` a hint when decoding failed (or why a receipt photo was not kept);
    ``receipt``: the runtime kept this photo as the portal receipt of the draft the bot asked the code of.
    """

    message: InboundMessage
    understanding: Understanding | None = None
    extracted: Mapping[str, str] = field(default_factory=dict)
    extract_error: str | None = None
    receipt: bool = False


@dataclass(frozen=True, slots=True)
class _AgentInput:
    """Something a person of the team did; ``agent_name`` is who."""

    agent_name: str


@dataclass(frozen=True, slots=True)
class AgentClaimed(_AgentInput):
    """The agent takes the conversation over from the bot."""


@dataclass(frozen=True, slots=True)
class AgentSaid(_AgentInput):
    """The agent writes to the citizen."""

    text: str


@dataclass(frozen=True, slots=True)
class AgentSetField(_AgentInput):
    """The agent fills or corrects one form field for the citizen."""

    field_id: str
    value: str


@dataclass(frozen=True, slots=True)
class AgentReturned(_AgentInput):
    """The agent gives the conversation back to the bot, at ``step_id`` (None = where it was)."""

    step_id: str | None = None


@dataclass(frozen=True, slots=True)
class AgentClosed(_AgentInput):
    """The agent ends the conversation."""


@dataclass(frozen=True, slots=True)
class Notify:
    """A system message to the citizen (e.g. a dossier status change) that also shows in the transcript.

    ``filed``: the draft this notice reports filed online (the digital team recorded its portal code), so a walk or
    a code question about that draft is over."""

    text: str
    filed: str | None = None


Input = CitizenSaid | AgentClaimed | AgentSaid | AgentSetField | AgentReturned | AgentClosed | Notify
