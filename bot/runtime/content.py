"""Holds the live content snapshot; publishing swaps it atomically for every later turn."""
from __future__ import annotations

from collections.abc import Callable

from bot.content.snapshot import ContentSnapshot


class ContentStore:
    """The current `ContentSnapshot` plus listeners (e.g. NLU retraining) notified on publish."""

    def __init__(self, snapshot: ContentSnapshot):
        self._snapshot = snapshot
        self._listeners: list[Callable[[ContentSnapshot], object]] = []

    @property
    def current(self) -> ContentSnapshot:
        return self._snapshot

    def publish(self, snapshot: ContentSnapshot) -> None:
        self._snapshot = snapshot
        for listener in list(self._listeners):
            listener(snapshot)

    def subscribe(self, listener: Callable[[ContentSnapshot], object]) -> None:
        """``listener`` runs on every publish; what it returns (e.g. a retraining task) is not awaited here."""
        self._listeners.append(listener)
