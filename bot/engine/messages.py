"""Channel-neutral messages: what adapters hand the engine and what it hands back.

Adapters translate to and from these; the engine never learns which channel it talks to.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True, slots=True)
class Attachment:
    """A photo or file the citizen sent: bytes inline, or a reference the adapter can fetch."""

    kind: Literal["image", "document"]
    mime_type: str | None = None
    data: bytes | None = None
    ref: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One message from a citizen, normalized by a channel adapter.

    ``conversation_key`` is ``(channel, external user id)``; ``channel_message_id`` is the channel's own id
    (used to drop redeliveries); ``payload`` is set when the citizen tapped a button.
    """

    channel: str
    sender_id: str
    text: str = ""
    payload: str | None = None
    attachment: Attachment | None = None
    channel_message_id: str | None = None
    received_at: dt.datetime | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def content(self) -> str:
        """What the citizen 'said': the payload of a tapped button, else the text."""
        return self.payload if self.payload is not None else self.text


@dataclass(frozen=True, slots=True)
class Button:
    """A quick reply; sending ``payload`` as the next message chooses it."""

    title: str
    payload: str


@dataclass(frozen=True, slots=True)
class Text:
    """A text reply, optionally with buttons."""

    text: str
    buttons: tuple[Button, ...] = ()
    kind: Literal["text"] = "text"
    sender: Literal["bot", "agent"] = "bot"
    copy: str | None = None   # the value to copy (one form value while filing online): the web chat adds a button


@dataclass(frozen=True, slots=True)
class Document:
    """A file to deliver (the dossier PDF); ``url`` is the fallback link for channels that cannot send files."""

    url: str
    filename: str
    caption: str = ""
    mime_type: str = "application/pdf"
    ref: str | None = None  # storage reference the adapter resolves to bytes (e.g. "draft:KS-7F3K2Q")
    kind: Literal["document"] = "document"
    sender: Literal["bot", "agent"] = "bot"


@dataclass(frozen=True, slots=True)
class Image:
    """An image to show."""

    url: str
    caption: str = ""
    kind: Literal["image"] = "image"
    sender: Literal["bot", "agent"] = "bot"


Outbound = Text | Document | Image


def outbound_to_dict(msg: Outbound) -> dict[str, Any]:
    """JSON-ready form stored in the outbox and transcript."""
    if isinstance(msg, Text):
        d: dict[str, Any] = {"kind": "text", "text": msg.text}
        if msg.buttons:
            d["buttons"] = [{"title": b.title, "payload": b.payload} for b in msg.buttons]
        if msg.copy:
            d["copy"] = msg.copy
    elif isinstance(msg, Document):
        d = {"kind": "document", "url": msg.url, "filename": msg.filename, "caption": msg.caption,
             "mime_type": msg.mime_type}
        if msg.ref:
            d["ref"] = msg.ref
    else:
        d = {"kind": "image", "url": msg.url, "caption": msg.caption}
    if msg.sender != "bot":
        d["sender"] = msg.sender
    return d
