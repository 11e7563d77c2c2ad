"""The province-scale run of issue 21 (item 5): a province's communes, each with its own team and agent, and
many citizens at once on a multi-worker deployment with PostgreSQL and Redis.

    .venv/bin/python bench/province.py                      # 100 communes, 1000 citizens, 2 workers
    .venv/bin/python bench/province.py --communes 20 --citizens 200

Creates a fresh PostgreSQL database (dropped at the end), gives each of the first N communes of the province its
own team and one agent, starts `motcua run --workers W`, and lets every citizen ask for an officer and name their
commune (half without diacritics), all at once. Then each agent signs in and reads the queue. Prints: turns,
throughput, latency percentiles, errors, handoffs that reached the wrong queue, conversations an agent could see
of another commune, whether the per-commune report adds up to the province, and each worker's RSS.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load import children, free_port, rss_mb, wait_ready  # noqa: E402

PASSWORD = "mat-khau-tinh-thu-2026"


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def prepare(db: str, redis: str, province: str, n: int) -> list[tuple[str, str, str]]:
    """Migrated database, N communes with a team each, one agent per team: [(code, name, team)]."""
    from bot.handoff.communes import CommuneStore, province_communes
    from bot.handoff.service import HandoffService
    from bot.runtime.turns import utcnow
    from bot.settings import Settings
    from bot.storage.db import create_engine
    from bot.storage.migrate import upgrade
    from bot.storage.repo import Repo

    await asyncio.to_thread(upgrade, db)   # alembic runs its own event loop
    settings = Settings()
    settings.database.url, settings.redis.url, settings.content.province = db, redis, province
    repo = Repo(create_engine(settings))
    store = CommuneStore(repo.engine, None, province)
    chosen = list(province_communes(province))[:n]

    async def no_apply(_cid: int, _inp: Any) -> None:
        return None

    handoff = HandoffService(settings, repo, None, None, utcnow, no_apply)  # type: ignore[arg-type]
    out = []
    for c in chosen:
        team = f"xa-{c.code}"
        await store.set(c.code, utcnow(), team=team, working_hours="Mon-Sun 00:00-24:00")
        await handoff.add_agent(f"cb{c.code}", PASSWORD, team, display_name=f"Cán bộ {c.name}")
        out.append((c.code, c.name, team))
    await repo.engine.dispose()
    return out


async def citizen(session: aiohttp.ClientSession, url: str, sender: str, commune: str, lat: list[float],
                  errors: list[str]) -> None:
    for text in ("cho tôi gặp cán bộ", commune):
        t0 = time.perf_counter()
        try:
            async with session.post(url, json={"sender": sender, "message": text}) as r:
                await r.read()
                if r.status != 200:
                    errors.append(str(r.status))
        except (aiohttp.ClientError, TimeoutError) as exc:
            errors.append(type(exc).__name__)
        lat.append(time.perf_counter() - t0)


async def agent_view(base: str, username: str) -> set[int]:
    """What one agent's queue shows after signing in as a browser does."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as s:
        page = await (await s.get(base + "/console/login")).text()
        m = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
        async with s.post(base + "/console/login", allow_redirects=False,
                          data={"username": username, "password": PASSWORD, "csrf": m.group(1) if m else ""}) as r:
            if r.status != 302:
                raise SystemExit(f"{username} could not sign in: {r.status}")
        data = await (await s.get(base + "/console/api/queue")).json()
    return {q["conversation_id"] for q in data["queue"]}


async def check(db: str, senders: dict[str, str]) -> tuple[dict[str, tuple[int, str | None, str]], bool]:
    """Each sender's (conversation id, team, mode) and whether the report's communes add up to the province."""
    import datetime as dt

    from sqlalchemy import select
    from sqlalchemy.ext.asyncio import create_async_engine

    from bot.admin.reports import Period, build_report
    from bot.storage.models import Conversation

    eng = create_async_engine(db)
    async with eng.connect() as conn:
        rows = (await conn.execute(select(Conversation.external_id, Conversation.id, Conversation.team,
                                          Conversation.state))).all()
    got = {r.external_id: (r.id, r.team, (r.state or {}).get("mode", "")) for r in rows if r.external_id in senders}
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).date()
    rep = await build_report(eng, Period.of("day", today))
    await eng.dispose()
    table = rep.tables["theo_xa"].rows
    adds_up = all(table[-1][col] == sum(r[col] for r in table[:-1]) for col in (1, 2, 3, 4, 5, 6, 7, 9, 10))
    handoffs = sum(r[5] for r in table[:-1])
    return got, adds_up and handoffs == table[-1][5]


async def run(args: argparse.Namespace) -> int:
    from nlu.normalize import fold

    name = f"motcua_province_{os.getpid()}"
    await _admin(f'CREATE DATABASE "{name}"')
    db = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    proc = None
    try:
        t0 = time.perf_counter()
        communes = await prepare(db, args.redis, args.province, args.communes)
        print(f"province {args.province}: {len(communes)} communes, each its own team and agent "
              f"(set up in {time.perf_counter() - t0:.1f} s)")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "MOTCUA_DATABASE__URL": db, "MOTCUA_REDIS__URL": args.redis,
               "MOTCUA_CONTENT__PROVINCE": args.province, "MOTCUA_LOGGING__LEVEL": "WARNING",
               "MOTCUA_SERVER__SENDER_RATE": "100000", "MOTCUA_SERVER__SENDER_BURST": "100000",
               "MOTCUA_REPORTS__DAILY": "false"}
        proc = subprocess.Popen([sys.executable, "-m", "bot", "run", "--port", str(port), "--no-migrate",
                                 "--workers", str(args.workers)], cwd=ROOT, env=env)
        await wait_ready(base, timeout=120)
        senders = {f"prov-{uuid.uuid4().hex[:10]}": communes[i % len(communes)][0] for i in range(args.citizens)}
        names = {code: name for code, name, _t in communes}
        lat: list[float] = []
        errors: list[str] = []
        conn = aiohttp.TCPConnector(limit=0)
        t0 = time.perf_counter()
        async with aiohttp.ClientSession(connector=conn, timeout=aiohttp.ClientTimeout(total=120)) as s:
            await asyncio.gather(*(
                citizen(s, base + "/webhooks/rest/webhook", sender,
                        names[code] if i % 2 else fold(names[code]), lat, errors)
                for i, (sender, code) in enumerate(senders.items())))
        elapsed = time.perf_counter() - t0
        got, adds_up = await check(db, senders)
        team = {code: t for code, _n, t in communes}
        waiting = [s for s, (_i, _t, mode) in got.items() if mode == "waiting_human"]
        wrong = [s for s, (_i, t, _m) in got.items() if t != team[senders[s]]]
        ids = {code: {got[s][0] for s, c in senders.items() if c == code and s in got} for code in team}
        every = set().union(*ids.values())
        seen_other = 0
        views = await asyncio.gather(*(agent_view(base, f"cb{code}") for code in team))
        for code, view in zip(team, views, strict=True):
            seen_other += len((view & every) - ids[code])
        missing = sum(len(ids[code] - view) for code, view in zip(team, views, strict=True))
        lat.sort()

        def pct(p: float) -> float:
            return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000

        print(f"citizens={args.citizens} workers={args.workers} postgresql+redis: {len(lat)} turns in {elapsed:.1f} s "
              f"= {len(lat) / elapsed:.0f} turns/s; latency ms p50={pct(0.5):.0f} p95={pct(0.95):.0f} "
              f"p99={pct(0.99):.0f} mean={statistics.mean(lat) * 1000:.0f}")
        print(f"errors={len(errors)} waiting_for_officer={len(waiting)}/{len(senders)} wrong_queue={len(wrong)} "
              f"missing_from_own_queue={missing} seen_by_another_commune={seen_other} report_adds_up={adds_up}")
        for pid in [p for p in children(proc.pid)] or [proc.pid]:
            print(f"rss pid {pid}: {rss_mb(pid):.0f} MB")
        ok = not errors and not wrong and not seen_other and not missing and adds_up and len(waiting) == len(senders)
        print("RESULT:", "ok" if ok else "FAILED")
        return 0 if ok else 1
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--communes", type=int, default=100)
    p.add_argument("--citizens", type=int, default=1000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--province", default="Đắk Lắk")
    p.add_argument("--redis", default="redis://127.0.0.1:6379/4")
    raise SystemExit(asyncio.run(run(p.parse_args())))


if __name__ == "__main__":
    main()
