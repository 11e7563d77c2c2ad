"""An immutable, validated view of all content: catalog, flows, phrases.

The engine reads only a snapshot; publishing new content swaps the snapshot
atomically, so a turn never sees half an edit.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from bot.content.catalog import Procedure
from bot.content.elsewhere import Elsewhere
from bot.content.flow import Flow
from bot.content.online import OnlineGuide
from bot.content.rules import Rule


@dataclass(frozen=True, slots=True)
class SpecEntry:
    """A label of ``procedures.yml``: procedure or conversational intent."""

    id: str
    name: str
    kind: str  # "procedure" | "intent"


@dataclass(frozen=True)
class ContentSnapshot:
    """Everything the engine may say, validated together."""

    version: str
    procedures: Mapping[str, Procedure]
    flows: Mapping[str, Flow]
    phrases: Mapping[str, str]
    spec: tuple[SpecEntry, ...] = ()
    elsewhere: tuple[Elsewhere, ...] = ()   # requests handled by other bodies (``_elsewhere.yml``)
    meta: Mapping[str, str] = field(default_factory=dict)
    rules: Mapping[str, Rule] = field(default_factory=dict)   # time-limited rules (``_rules.yml``) by id
    online: OnlineGuide | None = None   # the guided online filing (``flows/_online.yml``)

    def __post_init__(self) -> None:
        object.__setattr__(self, "procedures", MappingProxyType(dict(self.procedures)))
        object.__setattr__(self, "flows", MappingProxyType(dict(self.flows)))
        object.__setattr__(self, "phrases", MappingProxyType(dict(self.phrases)))
        object.__setattr__(self, "rules", MappingProxyType(dict(self.rules)))

    def phrase(self, key: str, **values: object) -> str:
        """A shared text from ``flows/_phrases.yml`` with ``{placeholders}`` filled."""
        text = self.phrases.get(key, key)
        if values:
            try:
                return text.format(**values)
            except (KeyError, IndexError, ValueError):
                return text
        return text

    def procedure(self, pid: str | None) -> Procedure | None:
        return self.procedures.get(pid) if pid else None

    def flow(self, pid: str | None) -> Flow | None:
        return self.flows.get(pid) if pid else None

    @property
    def intent_ids(self) -> tuple[str, ...]:
        return tuple(e.id for e in self.spec if e.kind == "intent")
