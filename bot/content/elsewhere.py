"""Requests that are *not* commune procedures (``procedures_catalog/_elsewhere.yml``).

Citizens ask the commune bot about divorce, passports, driving licences... A classifier trained only on
commune procedures would map "tôi muốn ly hôn" to the nearest commune procedure (marital status
certificate) and send the citizen off with the wrong papers. This list names such requests, the body
that handles them, and whether that fact was checked, so the bot can point the way instead.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from pydantic import Field, model_validator

from bot.content.catalog import Fact, Slug, Source, _Strict, refuse_repeated
from nlu.normalize import normalize

ELSEWHERE_FILE = "_elsewhere.yml"


class Elsewhere(_Strict):
    """One kind of request handled by another body."""

    id: Slug
    name: str = Field(min_length=1, description="What the citizen wants, as the bot names it")
    phrases: tuple[str, ...] = Field(min_length=1, description="Words that identify the request")
    authority: Fact
    how: Fact | None = None


class ElsewhereList(_Strict):
    """The whole file: entries plus the sources their facts cite."""

    entries: tuple[Elsewhere, ...] = ()
    sources: tuple[Source, ...] = ()

    @model_validator(mode="after")
    def _checks(self) -> ElsewhereList:
        refuse_repeated((e.id for e in self.entries), "mã")
        known = {s.id for s in self.sources}
        for e in self.entries:
            for fact in (e.authority, e.how):
                missing = [s for s in (fact.sources if fact else ()) if s not in known]
                if missing:
                    raise ValueError(f"{e.id}: nguồn {', '.join(missing)} không có trong sources")
        return self


def _folded(text: str) -> str:
    """The NLU's folded form (accents off, teencode expanded) so "ly hon", "lý hôn" and "LY HÔN" agree."""
    return " ".join(normalize(text).folded.split())


@lru_cache(maxsize=256)
def _pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    words = sorted({f for f in map(_folded, phrases) if f}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)")


def match(entries: Iterable[Elsewhere], text: str) -> Elsewhere | None:
    """The first entry one of whose phrases occurs, as whole words, in what the citizen wrote."""
    folded = _folded(text)
    for e in entries:
        if _pattern(e.phrases).search(folded):
            return e
    return None
