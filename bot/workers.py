"""`motcua run --workers N`: N processes share one port (SO_REUSEPORT), PostgreSQL and Redis.

The parent migrates once, starts the workers and restarts any that dies, so a crashed worker's
citizens simply land on another one (their conversation state is in the database).
"""
from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
import time
from typing import Any

log = logging.getLogger("motcua.workers")


def _serve(host: str, port: int, config: str | None) -> None:
    from bot.cli import pause_gc, resume_gc

    pause_gc()   # as `motcua run` with one worker: no collections while the worker imports and wires itself up
    from aiohttp import web

    from bot.app import build_app
    from bot.logs import setup_logging
    from bot.settings import load_settings

    settings = load_settings(config)
    setup_logging(settings)
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover
        pass
    app = build_app(settings)
    resume_gc(settings.server.gc_freeze)
    web.run_app(app, host=host, port=port, reuse_port=True, print=None, access_log=None)


def run_workers(n: int, host: str, port: int, config: str | None) -> int:
    """Supervise ``n`` workers until SIGINT/SIGTERM."""
    ctx = mp.get_context("spawn")
    procs: dict[int, Any] = {}
    stopping = False

    def start(slot: int) -> None:
        p = ctx.Process(target=_serve, args=(host, port, config), name=f"motcua-worker-{slot}", daemon=False)
        p.start()
        procs[slot] = p
        log.warning("worker %s started (pid %s)", slot, p.pid)

    def stop(_sig: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for i in range(n):
        start(i)
    while not stopping:
        time.sleep(0.2)
        for slot, p in list(procs.items()):
            if not p.is_alive() and not stopping:
                log.warning("worker %s (pid %s) exited with %s; restarting", slot, p.pid, p.exitcode)
                start(slot)
    for p in procs.values():
        if p.is_alive() and p.pid:
            os.kill(p.pid, signal.SIGTERM)
    for p in procs.values():
        p.join(10)
    return 0
