"""Communes as data (issue 21): the configured province's communes and wards from the 2025 administrative units
(the NSO's list with official codes, through ``nlu.geo``), each with what its admins set — its own team, the desk's hours,
address, phone and notes — in the ``communes`` table.

Every worker keeps the rows in memory (the routing and duty hooks are synchronous) and reloads them when any
worker changes one (pub/sub topic ``communes``) and at most ``TTL`` seconds after the last load, so a change
applies at once across workers and a missed announcement heals itself.
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.engine.context import CommuneOffice, OldName
from bot.handoff import routing
from bot.storage.handoff_models import communes
from nlu.normalize import fold, nfc_lower

log = logging.getLogger(__name__)
TOPIC = "communes"
TTL = 30.0
_TYPE_WORD = re.compile(r"^(?:xa|phuong|dac khu|thi tran)\s+\S")


@dataclass(frozen=True, slots=True)
class Commune:
    """One commune of the province: its official name and whatever its admins configured."""

    code: str
    name: str                          # official: "Xã Ea Tul", "Phường Buôn Ma Thuột"
    team: str | None = None
    hours: str | None = None           # "Mon-Fri 07:30-11:30,13:30-17:00"
    address: str | None = None
    phone: str | None = None
    notes: str | None = None

    @property
    def addressee(self) -> str:
        """The name as written after "Ủy ban nhân dân": the type word in lower case ("xã Ea Tul")."""
        head, _, rest = self.name.partition(" ")
        if head == "Đặc" and rest.startswith("khu "):
            return "đặc " + rest
        return f"{head.lower()} {rest}" if rest else self.name


def _clean(name: str) -> str:
    """One space between words, whatever the caller typed or an older row stored."""
    return " ".join(name.split())


@lru_cache(maxsize=8)
def province_communes(province: str | None) -> tuple[Commune, ...]:
    """The communes and wards of ``province`` (any spelling ``nlu.geo`` knows; old merged names too), by name."""
    from nlu.geo import find_province, wards

    found = find_province(province) if province else None
    if found is None:
        return ()
    code = found[0].code
    rows = [Commune(str(w.code), _clean(w.name)) for w in wards() if w.province_code == code]
    return tuple(sorted(rows, key=lambda c: c.name))


@lru_cache(maxsize=8)
def _choices(province: str | None) -> tuple[tuple[str, str], ...]:
    return tuple((c.code, c.name) for c in province_communes(province))


@lru_cache(maxsize=8)
def old_names(province: str | None) -> Mapping[str, tuple[OldName, ...]]:
    """The province's pre-2025 commune names (``nlu.geo_old``, the NSO conversion table) as the engine looks them
    up: "ward|district", "ward|" and "|district" keys → the old unit(s) and the 2025 communes (codes of this list)
    they went into."""
    from nlu.geo_old import old_units
    from nlu.placekeys import district_key, ward_key

    if not province:
        return MappingProxyType({})
    by_key = {_fold_key(c.name): c.code for c in province_communes(province)}
    index: dict[str, list[OldName]] = {}
    districts: dict[str, tuple[str, list[str]]] = {}
    for unit in old_units(province):
        codes = tuple(dict.fromkeys(by_key[k] for k in map(_fold_key, unit.into) if k in by_key))
        if not codes:
            continue
        name = OldName(f"{_lower_type(unit.ward)}, {_lower_type(unit.district)}", codes)
        ward, district = ward_key(unit.ward), district_key(unit.district)
        index.setdefault(f"{ward}|{district}", []).append(name)
        index.setdefault(f"{ward}|", []).append(name)
        districts.setdefault(district, (_lower_type(unit.district), []))[1].extend(codes)
    for district, (label, went) in districts.items():   # "huyện Krông Pắc" alone: every commune it went into
        index[f"|{district}"] = [OldName(label, tuple(dict.fromkeys(went)))]
    return MappingProxyType({k: tuple(v) for k, v in index.items()})


def _fold_key(name: str) -> str:
    return " ".join(fold(nfc_lower(name)).split())


def _lower_type(name: str) -> str:
    """"Huyện Cao Lộc" → "huyện Cao Lộc", "Thị trấn Đồng Đăng" → "thị trấn Đồng Đăng" (as written mid-sentence)."""
    for word in ("Thành phố ", "Thị trấn ", "Thị xã ", "Huyện ", "Quận ", "Phường ", "Xã "):
        if name.startswith(word):
            return word.lower() + name[len(word):]
    return name


def find_commune(text: str, province: str | None) -> Commune | None:
    """The province's commune ``text`` names: its code ("24277") or its name ("xã Ea Tul", "ea tul")."""
    from nlu.geo import find_province, find_ward

    text = text.strip()
    listed = province_communes(province)
    by_code = next((c for c in listed if c.code == text.lstrip("0")), None)
    if by_code is not None or not text:
        return by_code
    found = find_province(province) if province else None
    name = find_ward(text, found[0]) if found else None
    return next((c for c in listed if c.name == _clean(name)), None) if name else None


def infer_commune(fields: Iterable[tuple[str, str]] | Mapping[str, str], province: str | None) -> Commune | None:
    """The commune named in the first address the citizen gave ("thôn 3, xã Ea Tul, tỉnh Đắk Lắk"), if it is one of
    the province's. Only a part starting with its type word counts, so a person's name never passes for a commune.
    Without a province (none configured, or one ``nlu.geo`` does not know) no commune can match: the citizen's
    fields are not read at all (every turn asks, several times)."""
    if not province_communes(province):
        return None
    pairs = fields.items() if isinstance(fields, Mapping) else fields
    for _key, value in pairs:
        for part in str(value or "").split(","):
            if _TYPE_WORD.match(fold(nfc_lower(part.strip()))):
                hit = find_commune(part, province)
                if hit is not None:
                    return hit
    return None


class CommuneStore:
    """The ``communes`` rows of one worker, merged with the official list; reloaded on change and after ``TTL``."""

    def __init__(self, engine: AsyncEngine, pubsub: Any, province: str | None, timezone: str = "Asia/Ho_Chi_Minh"):
        self.engine = engine
        self.pubsub = pubsub
        self.province = province
        self.timezone = timezone
        self._rows: dict[str, Commune] = {}
        self._hours: dict[str, routing.Hours] = {}
        self._loaded_at = float("-inf")
        self._reloading: asyncio.Task[None] | None = None

    def get(self, code: str | None) -> Commune | None:
        """The commune as configured (the official name alone when nobody set it up)."""
        if not code:
            return None
        self._refresh_if_stale()
        hit = self._rows.get(code)
        return hit or next((c for c in province_communes(self.province) if c.code == code), None)

    def hours(self, code: str | None) -> routing.Hours | None:
        self._refresh_if_stale()
        return self._hours.get(code or "")

    def infer(self, fields: Iterable[tuple[str, str]] | Mapping[str, str]) -> Commune | None:
        found = infer_commune(fields, self.province)
        return self.get(found.code) if found else None

    def office(self, code: str | None) -> CommuneOffice | None:
        """What the engine tells a citizen of their commune's desk: address, hours in words, phone."""
        c = self.get(code)
        if c is None:
            return None
        hours = self._hours.get(c.code)
        return CommuneOffice(c.code, c.name, c.address, routing.hours_vi(hours) if hours else None, c.phone)

    def old_names(self) -> Mapping[str, tuple[OldName, ...]]:
        """The province's pre-2025 commune names, for the engine (see ``old_names``)."""
        return old_names(self.province)

    def choices(self) -> tuple[tuple[str, str], ...]:
        """(code, official name) of every commune of the province, for the engine's commune question."""
        return _choices(self.province)

    def of_team(self, team: str | None) -> str | None:
        """The code of the one commune whose desk ``team`` staffs; None when it staffs none or several (a
        province team): then nobody can say which commune a walk-in citizen's dossier goes to but them."""
        if not team or not self.province:
            return None
        self._refresh_if_stale()
        codes = [c.code for c in self._rows.values() if c.team == team]
        return codes[0] if len(codes) == 1 else None

    def all(self) -> list[Commune]:
        """Every commune of the province, configured ones with their settings."""
        return [self._rows.get(c.code, c) for c in province_communes(self.province)]

    def _refresh_if_stale(self) -> None:
        if time.monotonic() - self._loaded_at < TTL or (self._reloading and not self._reloading.done()):
            return
        with contextlib.suppress(RuntimeError):   # no running loop (CLI): the caller reloads explicitly
            self._reloading = asyncio.get_running_loop().create_task(self.reload())

    async def reload(self) -> None:
        """Read the table (start-up, an announcement, the TTL); a failure keeps what was loaded. The old names
        are read here too (once: cached), off the event loop, so no citizen's turn waits for the file."""
        await asyncio.to_thread(old_names, self.province)
        try:
            async with self.engine.connect() as conn:
                rows = (await conn.execute(select(communes))).all()
        except Exception:
            log.exception("could not load communes; keeping the previous settings")
            return
        loaded, hours = {}, {}
        for r in rows:
            loaded[r.code] = Commune(r.code, r.name, r.team, r.working_hours, r.address, r.phone, r.notes)
            if r.working_hours:
                try:
                    hours[r.code] = routing.parse_hours(r.working_hours, self.timezone)
                except ValueError:
                    log.warning("bad working hours for commune %s", r.code)
        self._rows, self._hours, self._loaded_at = loaded, hours, time.monotonic()

    async def set(self, code_or_name: str, now: dt.datetime, **values: str | None) -> Commune:
        """Update the given settings of one commune ("" clears one); tell every worker. ValueError on bad input."""
        official = find_commune(code_or_name, self.province)
        if official is None:
            raise ValueError(f"không có xã/phường «{code_or_name}» trong {self.province or 'tỉnh chưa cấu hình'}")
        if values.get("working_hours"):
            routing.parse_hours(values["working_hours"] or "", self.timezone)
        changes = {k: (v.strip() or None) for k, v in values.items() if v is not None}
        async with self.engine.begin() as conn:
            found = (await conn.execute(select(communes.c.code).where(communes.c.code == official.code))).first()
            if found:
                await conn.execute(update(communes).where(communes.c.code == official.code)
                                   .values(updated_at=now, **changes))
            else:
                await conn.execute(insert(communes).values(code=official.code, name=official.name, updated_at=now,
                                                           **changes))
        await self.reload()
        if self.pubsub is not None:
            await self.pubsub.publish(TOPIC, {"code": official.code})
        return self._rows[official.code]

    async def listen(self) -> None:
        """Reload whenever another worker announces a change (runs for the worker's life)."""
        async with self.pubsub.subscribe(TOPIC) as events:
            async for _event in events:
                await self.reload()


__all__ = ["Commune", "CommuneStore", "find_commune", "infer_commune", "old_names", "province_communes"]
