"""Liveness and readiness for load balancers and orchestrators."""
from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy import text

if TYPE_CHECKING:
    from bot.services import Services


def routes(services: Services) -> list[web.RouteDef]:
    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_request: web.Request) -> web.Response:
        problems = []
        if not services.nlu.ready:
            problems.append("nlu")
        try:
            async with services.repo.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 — any database failure is reported as unhealthy
            problems.append("database")
        status = 200 if not problems else 503
        return web.json_response({"status": "ok" if not problems else "not ready", "problems": problems},
                                 status=status)

    return [web.get("/healthz", healthz), web.get("/readyz", readyz)]
