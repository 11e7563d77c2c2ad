"""The NLU contract shared by the built-in engine, the Rasa backend and the bot.

Labels are the procedure ids (e.g. ``ho-tich.khai-sinh``) and intent ids
(e.g. ``ask_fee``) of ``shared/spec/procedures.yml``; one ranking holds both.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Candidate:
    """One label with a calibrated confidence in [0, 1]."""

    label: str
    confidence: float

    @property
    def is_procedure(self) -> bool:
        """Procedure ids are dotted (``field.name``); intent ids are not."""
        return "." in self.label


@dataclass(frozen=True, slots=True)
class Entity:
    """A typed value found in the text.

    ``type`` is one of: date, id_number, old_id_number, phone, gender, ethnicity,
    person_name, address, province, number. ``value`` is normalized (ISO date
    ``YYYY-MM-DD``, digits only for ids and phones, canonical Vietnamese names with
    diacritics). ``start``/``end`` index the original text.
    """

    type: str
    value: str
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Understanding:
    """What a parser made of one message: ranked labels plus entities."""

    text: str
    ranking: tuple[Candidate, ...] = ()
    entities: tuple[Entity, ...] = ()

    @property
    def top(self) -> Candidate | None:
        return self.ranking[0] if self.ranking else None

    @property
    def label(self) -> str | None:
        return self.ranking[0].label if self.ranking else None

    @property
    def confidence(self) -> float:
        return self.ranking[0].confidence if self.ranking else 0.0

    def procedures(self) -> tuple[Candidate, ...]:
        """The ranking restricted to procedure labels, in order."""
        return tuple(c for c in self.ranking if c.is_procedure)


@dataclass(frozen=True, slots=True)
class ParseContext:
    """What the conversation is about, so follow-ups can be read against it.

    ``procedure_id`` is the procedure under discussion (None before one is
    identified); ``expecting`` names what the bot just asked for, e.g.
    ``"choice"``, ``"yes_no"``, ``"field:date"``. ``today`` is the citizen's day, which dates in the
    message are read against (the NLU never reads the clock).
    """

    procedure_id: str | None = None
    expecting: str | None = None
    today: dt.date | None = None


def today_of(context: ParseContext | None) -> dt.date | None:
    """The day a message is read against, when the caller gave one."""
    return context.today if context is not None else None


@dataclass(frozen=True, slots=True)
class KnowledgeItem:
    """Text the catalog holds about one label, used for retrieval and training.

    ``names`` are official and colloquial names (strong evidence); ``texts`` are
    weaker descriptions such as document names.
    """

    label: str
    names: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled training message."""

    text: str
    label: str
    style: str | None = None


class Parser(Protocol):
    """Anything that turns a message into an `Understanding`."""

    def parse(self, text: str, context: ParseContext | None = None) -> Understanding: ...


@dataclass(frozen=True, slots=True)
class TrainingSet:
    """Everything a trainable parser learns from."""

    examples: Sequence[Example] = ()
    knowledge: Sequence[KnowledgeItem] = ()
    labels: Sequence[str] = field(default_factory=tuple)
