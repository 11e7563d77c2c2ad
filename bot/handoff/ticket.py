"""Pure ticket lifecycle: which agent action is allowed in which status, and what status follows."""
from __future__ import annotations

from typing import Literal

Status = Literal["queued", "claimed", "returned", "closed"]
Action = Literal["claim", "transfer", "return", "close", "cancel"]

OPEN: frozenset[str] = frozenset({"queued", "claimed"})

_TABLE: dict[tuple[str, str], str] = {
    ("queued", "claim"): "claimed",
    ("queued", "close"): "closed",
    ("queued", "cancel"): "closed",
    ("claimed", "transfer"): "claimed",
    ("claimed", "return"): "returned",
    ("claimed", "close"): "closed",
    ("claimed", "cancel"): "closed",
}


class TransitionError(ValueError):
    """The action does not apply to a ticket in this status (e.g. claiming one already claimed)."""


def next_status(status: str, action: str) -> str:
    """The status after ``action``; raises TransitionError when it is not allowed."""
    try:
        return _TABLE[(status, action)]
    except KeyError:
        raise TransitionError(f"cannot {action} a {status} ticket") from None


def allowed(status: str) -> tuple[str, ...]:
    """Actions offered in the console for a ticket in ``status``."""
    return tuple(a for (s, a) in _TABLE if s == status and a != "cancel")
