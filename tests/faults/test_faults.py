"""Fault injection under load: a worker killed with SIGKILL, PostgreSQL restarted, Redis stopped.

These start real `motcua run` processes against the machine's PostgreSQL and Redis, so they live in their own
target (`make test-faults`, also run by CI) rather than the fast suite.
"""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.conftest import ROOT, _free_port, _pg_create, _pg_drop, require_service

pytestmark = pytest.mark.faults


def pg_ctl(action: str) -> None:
    version = max(os.listdir("/etc/postgresql"))
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action], check=True,
                   capture_output=True, timeout=60)


class Cluster:
    """`motcua run --workers N` on a fresh PostgreSQL database and Redis."""

    def __init__(self, workers: int, redis: str | None = "redis://127.0.0.1:6379/14"):
        self.workers = workers
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = f"motcua_fault_{uuid.uuid4().hex[:8]}"
        self.redis = redis
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        _pg_create(self.db)
        # Only this cluster's settings: a MOTCUA_* variable left behind by an earlier test must not leak in.
        env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
        env.update(MOTCUA_DATABASE__URL=f"postgresql+asyncpg://postgres@127.0.0.1:5432/{self.db}",
                   MOTCUA_SERVER__PORT=str(self.port), MOTCUA_SERVER__SENDER_RATE="1000",
                   MOTCUA_SERVER__SENDER_BURST="1000", MOTCUA_LOGGING__LEVEL="WARNING")
        if self.redis:
            env["MOTCUA_REDIS__URL"] = self.redis
        self.log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"{self.db}.log", "wb")  # noqa: SIM115 — the server's log stays open until stop()
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", "run", "--workers", str(self.workers)],
                                     cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def worker_pids(self) -> list[int]:
        """The serving workers — not multiprocessing's resource tracker, which is also a child of the parent."""
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout.split()
        pids = []
        for p in out:
            try:
                cmd = Path(f"/proc/{p}/cmdline").read_bytes()
            except OSError:
                continue
            if b"resource_tracker" not in cmd:
                pids.append(int(p))
        return pids

    def stop(self) -> None:
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
        _pg_drop(self.db)


async def wait_ready(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as s:
        while time.monotonic() < deadline:
            try:
                async with s.get(url + "/readyz") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("cluster did not become ready")


class PrivateRedis:
    """A redis-server of this test's own on a free port, so stopping it disturbs nobody else's tests."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
                                      "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).returncode == 0:
                return
            time.sleep(0.05)
        raise AssertionError("private redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
async def cluster(request: pytest.FixtureRequest) -> AsyncIterator[Cluster]:
    require_service("PostgreSQL", "127.0.0.1", 5432)
    require_service("Redis", "127.0.0.1", 6379)
    c = Cluster(workers=getattr(request, "param", 2))
    c.start()
    try:
        await wait_ready(c.url)
        yield c
    finally:
        c.stop()


@pytest.fixture
async def redis_cluster() -> AsyncIterator[tuple[Cluster, PrivateRedis]]:
    require_service("PostgreSQL", "127.0.0.1", 5432)
    if subprocess.run(["which", "redis-server"], capture_output=True).returncode != 0:
        require_service("redis-server binary", "127.0.0.1", 1)  # skipped locally, a failure in CI
    r = PrivateRedis()
    r.start()
    c = Cluster(workers=2, redis=r.url)
    c.start()
    try:
        await wait_ready(c.url)
        yield c, r
    finally:
        c.stop()
        r.stop()


class Citizen:
    """Sends numbered messages, retrying each (same message id) until it gets an answer."""

    def __init__(self, session: aiohttp.ClientSession, url: str):
        self.s, self.url = session, url + "/webhooks/rest/webhook"
        self.sender = "f-" + uuid.uuid4().hex[:10]
        self.acked: list[str] = []
        self.failures = 0

    async def send(self, text: str, mid: str, deadline: float) -> list[dict[str, Any]]:
        while time.monotonic() < deadline:
            try:
                async with self.s.post(self.url, json={"sender": self.sender, "message": text, "message_id": mid},
                                       timeout=aiohttp.ClientTimeout(total=5)) as r:
                    if r.status == 200:
                        self.acked.append(mid)
                        return await r.json()
                    assert r.status in (429, 503), r.status  # polite failures only
                    self.failures += 1
            except (TimeoutError, aiohttp.ClientError):
                self.failures += 1
            await asyncio.sleep(0.1)
        raise AssertionError(f"{self.sender}: message {mid} never answered")

    async def talk(self, n: int, deadline: float) -> None:
        await self.send("tôi muốn làm giấy khai sinh cho con", f"{self.sender}-0", deadline)
        for i in range(1, n):
            await self.send("/trogiup" if i % 2 else "lệ phí bao nhiêu", f"{self.sender}-{i}", deadline)


async def check_exactly_once(c: Cluster, citizens: list[Citizen]) -> tuple[int, int]:
    """Count lost (acked but not stored) and duplicated (stored twice) messages."""
    import asyncpg

    conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:5432/{c.db}")
    try:
        lost = dup = 0
        for cz in citizens:
            rows = await conn.fetch("SELECT message_id FROM inbox WHERE channel='rest' AND message_id LIKE $1",
                                    cz.sender + "-%")
            stored = [r["message_id"] for r in rows]
            dup += len(stored) - len(set(stored))
            lost += len(set(cz.acked) - set(stored))
            conv = await conn.fetchrow("SELECT id, version FROM conversations WHERE external_id=$1", cz.sender)
            ins = await conn.fetchval("SELECT count(*) FROM transcript WHERE conversation_id=$1 AND direction='in'",
                                      conv["id"])
            dup += max(0, ins - len(set(stored)))
            assert conv["version"] == len(set(stored))
        return lost, dup
    finally:
        await conn.close()


async def test_kill_9_a_worker_under_load_loses_and_duplicates_nothing(cluster: Cluster) -> None:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, force_close=True)) as s:
        citizens = [Citizen(s, cluster.url) for _ in range(40)]
        deadline = time.monotonic() + 90
        load = asyncio.gather(*(c.talk(40, deadline) for c in citizens))
        await asyncio.sleep(1.0)
        workers = cluster.worker_pids()
        assert len(workers) == 2, workers
        victim = workers[0]
        acked_before = sum(len(c.acked) for c in citizens)
        os.kill(victim, signal.SIGKILL)
        assert not load.done(), "the load finished before the kill: make it longer"
        await load
    lost, dup = await check_exactly_once(cluster, citizens)
    total = sum(len(c.acked) for c in citizens)
    print(f"\nkill -9 test: {total} messages ({acked_before} before the kill), lost={lost} duplicated={dup}, "
          f"client retries={sum(c.failures for c in citizens)}")
    assert total == 40 * 40 and acked_before < total
    assert (lost, dup) == (0, 0)
    for _ in range(50):   # the supervisor replaces the dead worker
        now = cluster.worker_pids()
        if victim not in now and len(now) == 2:
            break
        await asyncio.sleep(0.2)
    assert victim not in now and len(now) == 2, now


async def test_postgres_restart_under_load_fails_politely_then_recovers(cluster: Cluster) -> None:
    async with aiohttp.ClientSession() as s:
        citizens = [Citizen(s, cluster.url) for _ in range(10)]
        deadline = time.monotonic() + 120
        load = asyncio.gather(*(c.talk(150, deadline) for c in citizens))
        await asyncio.sleep(1.0)
        assert not load.done(), "the load finished before the restart: make it longer"
        await asyncio.to_thread(pg_ctl, "restart")
        await load
    lost, dup = await check_exactly_once(cluster, citizens)
    print(f"\nPostgreSQL restart: polite failures seen={sum(c.failures for c in citizens)} lost={lost} dup={dup}")
    assert (lost, dup) == (0, 0)
    assert sum(len(c.acked) for c in citizens) == 10 * 150
    assert sum(c.failures for c in citizens) > 0, "the restart was not seen by any request"
    log = Path(cluster.log.name).read_text(errors="replace")
    assert "request failed, database unavailable" in log
    # A database outage is expected operation: one warning line per request, no stack trace.
    assert "ERROR bot.app: request failed" not in log


async def test_redis_down_degrades_to_single_worker_behaviour_and_recovers(
        redis_cluster: tuple[Cluster, PrivateRedis]) -> None:
    cluster, redis = redis_cluster
    redis.stop()
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as s:
            citizens = [Citizen(s, cluster.url) for _ in range(10)]
            await asyncio.gather(*(c.talk(6, time.monotonic() + 60) for c in citizens))
    finally:
        redis.start()
    await asyncio.sleep(2.5)   # the breaker skips Redis for 2 s after a failure instead of paying a timeout per turn
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as s:
        again = [Citizen(s, cluster.url) for _ in range(5)]
        await asyncio.gather(*(c.talk(4, time.monotonic() + 60) for c in again))
    lost, dup = await check_exactly_once(cluster, citizens + again)
    print(f"\nRedis down: {sum(len(c.acked) for c in citizens)} messages while down, "
          f"{sum(c.failures for c in citizens)} failures, lost={lost} dup={dup}")
    assert (lost, dup) == (0, 0)
    assert sum(c.failures for c in citizens) == 0   # degraded, not failing
    log = Path(cluster.log.name).read_text(errors="replace")
    assert "Redis unreachable" in log
    assert "Redis reachable again" in log
    # Cross-worker locks are back: a lock key is in Redis while a turn holds it, and none is left behind.
    keys = subprocess.run(["redis-cli", "-p", str(redis.port), "--scan", "--pattern", "motcua:lock:*"],
                          capture_output=True, text=True).stdout.split()
    assert keys == []
    rl = subprocess.run(["redis-cli", "-p", str(redis.port), "--scan", "--pattern", "motcua:rl:*"],
                        capture_output=True, text=True).stdout.split()
    assert rl, "the rate limiter is back on Redis"
