"""The pure dialogue engine: state + input → new state, replies, events. No I/O anywhere below."""
from bot.engine.context import DraftSummary, Thresholds, TurnContext
from bot.engine.engine import TurnNeeds, step, turn_needs
from bot.engine.inputs import (
    AgentClaimed,
    AgentClosed,
    AgentReturned,
    AgentSaid,
    AgentSetField,
    CitizenSaid,
    Input,
    Notify,
)
from bot.engine.messages import Attachment, Button, Document, Image, InboundMessage, Outbound, Text
from bot.engine.state import ConversationState
from bot.engine.turn import Turn

__all__ = [
    "AgentClaimed", "AgentClosed", "AgentReturned", "AgentSaid", "AgentSetField", "Attachment", "Button",
    "CitizenSaid", "ConversationState", "Document", "DraftSummary", "Image", "InboundMessage", "Input", "Notify",
    "Outbound", "Text", "Thresholds", "Turn", "TurnContext", "TurnNeeds", "step", "turn_needs",
]
