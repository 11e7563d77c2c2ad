"""Prometheus metrics at /metrics: turn latency, messages by channel, HTTP responses by status class, and what
an operator alerts on — people waiting for an agent (queue length, oldest wait) and push messages not delivered
yet (outbox backlog, oldest pending, parked after giving up). The queue and backlog are read from the database at
scrape time, so every worker reports the same deployment-wide figures."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from sqlalchemy import func, select

if TYPE_CHECKING:
    from bot.engine.turn import Turn

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PARKED = "gave up: "   # bot.runtime.outbox.PARKED: a row the outbox gave up on


class Metrics:
    """One registry per app (so tests and several apps in one process do not collide)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.turn_seconds = Histogram(
            "motcua_turn_seconds", "Time to process one citizen turn (load, NLU, engine, commit)", ["channel"],
            buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5), registry=self.registry)
        self.messages = Counter("motcua_messages_total", "Citizen messages processed", ["channel"],
                                registry=self.registry)
        self.events = Counter("motcua_events_total", "Domain events emitted", ["type"], registry=self.registry)
        self.nlu_confidence = Histogram(
            "motcua_nlu_confidence", "Top NLU confidence of free-text messages",
            buckets=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0), registry=self.registry)
        self.handoff_queue = Gauge("motcua_handoff_queue_length", "Conversations waiting for a person",
                                   registry=self.registry)
        self.handoff_oldest = Gauge("motcua_handoff_oldest_wait_seconds",
                                    "How long the longest-waiting conversation has waited for a person (0: none)",
                                    registry=self.registry)
        self.outbox_pending = Gauge("motcua_outbox_pending", "Push messages (Telegram, Zalo) not delivered yet",
                                    registry=self.registry)
        self.outbox_oldest = Gauge("motcua_outbox_oldest_pending_seconds",
                                   "Age of the oldest push message not delivered yet (0: none)", registry=self.registry)
        self.outbox_parked = Gauge("motcua_outbox_parked", "Push messages the outbox gave up on (see last_error)",
                                   registry=self.registry)
        self.responses = Counter("motcua_http_responses_total", "HTTP responses by status class (2xx, 4xx, 5xx…)",
                                 ["status_class"], registry=self.registry)
        # The labelled children each turn and response updates, looked up once: ``labels()`` validates, locks and
        # builds a key on every call. Filled on first use, so /metrics shows a label only once it was counted.
        self._per_channel: dict[str, tuple[Any, Any]] = {}   # channel -> (turn_seconds, messages)
        self._per_event: dict[str, Any] = {}
        self._per_status: dict[int, Any] = {}

    def on_turn(self, channel: str, seconds: float, turn: Turn, confidence: float | None = None) -> None:
        per = self._per_channel.get(channel)
        if per is None:
            per = self._per_channel[channel] = (self.turn_seconds.labels(channel), self.messages.labels(channel))
        per[0].observe(seconds)
        per[1].inc()
        for e in turn.events:
            kind = e.type.value
            counter = self._per_event.get(kind)
            if counter is None:
                counter = self._per_event[kind] = self.events.labels(kind)
            counter.inc()
        if confidence is not None:
            self.nlu_confidence.observe(confidence)

    def count_status(self, status: int) -> None:
        """One response with this HTTP status, counted by its class ("2xx", "4xx", "5xx"…)."""
        counter = self._per_status.get(status)
        if counter is None:
            counter = self._per_status[status] = self.responses.labels(f"{status // 100}xx")
        counter.inc()

    @web.middleware
    async def count_responses(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Outermost middleware: counts what the client finally got (a crash turned into 503 counts as 5xx)."""
        try:
            resp = await handler(request)
        except web.HTTPException as exc:
            self.count_status(exc.status)
            raise
        except Exception:
            self.count_status(500)
            raise
        self.count_status(resp.status)
        return resp


def _age(now: dt.datetime, then: dt.datetime | None) -> float:
    if then is None:
        return 0.0
    if then.tzinfo is None:   # SQLite hands back naive UTC
        then = then.replace(tzinfo=dt.UTC)
    return max(0.0, (now - then).total_seconds())


async def refresh(metrics: Metrics, repo: Any, clock: Callable[[], dt.datetime], push_channels: Iterable[str]) -> None:
    """Read the handoff queue and the push backlog from the database into the gauges."""
    from bot.storage.handoff_models import Handoff
    from bot.storage.models import OutboxMessage as Out

    now, channels = clock(), tuple(push_channels)
    async with repo.engine.connect() as conn:
        waiting, oldest = (await conn.execute(select(func.count(), func.min(Handoff.requested_at))
                                              .where(Handoff.status == "queued"))).one()
        pending = parked = 0
        first = None
        if channels:
            unsent = select(func.count(), func.min(Out.created_at)).where(Out.sent_at.is_(None), Out.channel.in_(channels))
            pending, first = (await conn.execute(unsent.where(func.coalesce(Out.last_error, "").not_like(PARKED + "%")))).one()
            parked = (await conn.execute(unsent.where(Out.last_error.like(PARKED + "%")))).one()[0]
    metrics.handoff_queue.set(waiting)
    metrics.handoff_oldest.set(_age(now, oldest))
    metrics.outbox_pending.set(pending)
    metrics.outbox_oldest.set(_age(now, first))
    metrics.outbox_parked.set(parked)


def routes(metrics: Metrics, repo: Any = None, clock: Callable[[], dt.datetime] | None = None,
           push_channels: Iterable[str] = ()) -> list[web.RouteDef]:
    channels = tuple(push_channels)

    async def handler(_request: web.Request) -> web.Response:
        if repo is not None and clock is not None:
            try:
                await refresh(metrics, repo, clock, channels)
            except Exception as exc:  # noqa: BLE001 - the database is down: still serve the counters
                log.warning("metrics: queue and backlog not refreshed: %s", type(exc).__name__)
        body = generate_latest(metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return [web.get("/metrics", handler)]
