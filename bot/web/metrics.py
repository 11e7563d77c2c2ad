"""Prometheus metrics at /metrics: turn latency, messages by channel, handoff queue, NLU confidence."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

if TYPE_CHECKING:
    from bot.engine.turn import Turn


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

    def on_turn(self, channel: str, seconds: float, turn: "Turn", confidence: float | None = None) -> None:
        self.turn_seconds.labels(channel).observe(seconds)
        self.messages.labels(channel).inc()
        for e in turn.events:
            self.events.labels(e.type.value).inc()
        if confidence is not None:
            self.nlu_confidence.observe(confidence)


def routes(metrics: Metrics, queue_length: Any = None) -> list[web.RouteDef]:
    async def handler(_request: web.Request) -> web.Response:
        if queue_length is not None:
            metrics.handoff_queue.set(await queue_length())
        body = generate_latest(metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return [web.get("/metrics", handler)]
