"""Use a Rasa 3.x server instead of the built-in engine (``nlu.backend: rasa``).

POSTs ``{"text": ...}`` to ``{url}/model/parse`` and maps Rasa's ``intent_ranking`` and
``entities`` to the same `Understanding` the built-in parser returns. Our own entity
extraction is always added, because the bot relies on its normalized values (ISO dates,
digits-only phones); Rasa's entities are kept for the types ours did not find.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.error
import urllib.request
from typing import Any

from nlu.api import Candidate, Entity, ParseContext, Parser, Understanding, today_of
from nlu.entities import extract_entities

log = logging.getLogger(__name__)


class RasaError(RuntimeError):
    """The Rasa server could not be reached or answered something unexpected."""


def understanding_from_rasa(text: str, payload: dict[str, Any], today: dt.date | None = None) -> Understanding:
    """Map a ``/model/parse`` response to an `Understanding`."""
    ranking_raw = payload.get("intent_ranking") or []
    if not ranking_raw and isinstance(payload.get("intent"), dict):
        ranking_raw = [payload["intent"]]
    ranking: list[Candidate] = []
    for item in ranking_raw:
        if not isinstance(item, dict):
            continue
        name = item.get("name")
        if not isinstance(name, str) or not name:
            continue
        try:
            conf = float(item.get("confidence") or 0.0)
        except (TypeError, ValueError):
            conf = 0.0
        ranking.append(Candidate(name, max(0.0, min(1.0, conf))))
    ranking.sort(key=lambda c: -c.confidence)
    ours = list(extract_entities(text, today=today))
    have = {e.type for e in ours}
    for ent in payload.get("entities") or []:
        if not isinstance(ent, dict) or not isinstance(ent.get("entity"), str):
            continue
        kind = ent["entity"]
        if kind in have:
            continue
        start = int(ent.get("start") or 0)
        end = int(ent.get("end") or start)
        ours.append(Entity(type=kind, value=str(ent.get("value", "")), text=text[start:end], start=start, end=end))
    ours.sort(key=lambda e: e.start)
    return Understanding(text=text, ranking=tuple(ranking), entities=tuple(ours))


class RasaHttpParser:
    """Client of a Rasa server; optional ``fallback`` parser answers when Rasa is down."""

    def __init__(self, url: str, timeout: float = 3.0, fallback: Parser | None = None) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.fallback = fallback
        self._session: Any = None

    @property
    def endpoint(self) -> str:
        return f"{self.url}/model/parse"

    def _fail(self, text: str, context: ParseContext | None, exc: Exception) -> Understanding:
        log.warning("rasa /model/parse failed: %s", type(exc).__name__)
        if self.fallback is not None:
            return self.fallback.parse(text, context)
        return Understanding(text=text, entities=extract_entities(text, today=today_of(context)))

    async def aparse(self, text: str, context: ParseContext | None = None) -> Understanding:
        import aiohttp

        try:
            if self._session is None or self._session.closed:
                self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
            async with self._session.post(self.endpoint, json={"text": text}) as resp:
                if resp.status != 200:
                    raise RasaError(f"HTTP {resp.status}")
                payload = await resp.json(content_type=None)
            if not isinstance(payload, dict):
                raise RasaError("response is not a JSON object")
            return understanding_from_rasa(text, payload, today_of(context))
        except (TimeoutError, aiohttp.ClientError, RasaError, ValueError) as exc:
            return self._fail(text, context, exc)

    def parse(self, text: str, context: ParseContext | None = None) -> Understanding:
        """Blocking variant for the CLI and scripts (not for the event loop)."""
        body = json.dumps({"text": text}).encode("utf-8")
        req = urllib.request.Request(self.endpoint, data=body, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                payload = json.loads(resp.read().decode("utf-8"))
            if not isinstance(payload, dict):
                raise RasaError("response is not a JSON object")
            return understanding_from_rasa(text, payload, today_of(context))
        except (urllib.error.URLError, TimeoutError, RasaError, ValueError, OSError) as exc:
            return self._fail(text, context, exc)

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


__all__ = ["RasaError", "RasaHttpParser", "understanding_from_rasa"]
