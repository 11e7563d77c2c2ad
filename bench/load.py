"""Load benchmark: N simulated citizens hold full conversations over the REST channel.

Each citizen asks for a procedure in free text, taps the first button of every question, says "Có" to every
document, types valid values for every field, confirms the review, then starts again. Prints throughput,
latency percentiles, errors, and the server's resident memory.

    python bench/load.py --citizens 50 --seconds 20                    # spawns `motcua run` on SQLite
    python bench/load.py --citizens 1000 --workers 2 --db postgresql+asyncpg://postgres@127.0.0.1/bench \
                         --redis redis://127.0.0.1:6379/3
    python bench/load.py --url http://127.0.0.1:8080 --citizens 50     # an already running server
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
OPENERS = [
    "tôi muốn làm giấy khai sinh cho con",
    "lam giay khai sinh cho be nha minh",
    "mk mún lm gks cho con",
]
ANSWERS = [
    ("căn cước", "079203012345"), ("điện thoại", "0912345678"), ("sinh ngày", "15/3/2020"),
    ("ở đâu", "thôn 3, xã Ea Kar, tỉnh Đắk Lắk"), ("cư trú", "thôn 3, xã Ea Kar, tỉnh Đắk Lắk"),
    ("quê", "xã Ea Kar, tỉnh Đắk Lắk"), ("dân tộc", "Kinh"), ("quốc tịch", "Việt Nam"),
    ("trai hay gái", "Nữ"), ("tên", "Nguyễn Văn An"),
]


def answer_for(replies: list[dict]) -> str:
    """What a cooperative citizen sends next."""
    buttons = [b for r in replies for b in r.get("buttons", [])]
    text = " ".join(r.get("text", "") for r in replies)
    if "mã hồ sơ" in text:
        return "/huy"
    if buttons:
        for b in buttons:
            if b["payload"] in ("/xacnhan", "/giayto co"):
                return b["payload"]
        return buttons[0]["payload"]
    last = (replies[-1].get("text", "") if replies else "").lower()
    for key, value in ANSWERS:
        if key in last:
            return value
    return random.choice(OPENERS)


class Stats:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors = 0
        self.drafts = 0


async def citizen(session: aiohttp.ClientSession, url: str, cid: int, stop: float, stats: Stats,
                  think: float = 0.0) -> None:
    sender = f"bench-{os.getpid()}-{cid}-{random.randrange(1 << 30)}"
    message = random.choice(OPENERS)
    if think:
        # People do not all press send at the same instant: spread the first messages over one think time,
        # otherwise the first burst (every citizen at once) dominates p95/p99 of a think-time run.
        await asyncio.sleep(random.uniform(0, think))
    while time.perf_counter() < stop:
        t0 = time.perf_counter()
        try:
            async with session.post(url, json={"sender": sender, "message": message}) as resp:
                replies = await resp.json()
                ok = resp.status == 200
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            ok, replies = False, []
        stats.latencies.append(time.perf_counter() - t0)
        if not ok:
            stats.errors += 1
            await asyncio.sleep(0.05)
            continue
        if any("mã hồ sơ" in r.get("text", "") for r in replies):
            stats.drafts += 1
        message = answer_for(replies)
        if think:
            await asyncio.sleep(random.uniform(0.5, 1.5) * think)  # a person reads and types


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        return [int(x) for x in out]
    except OSError:
        return []


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def wait_ready(base: str, timeout: float = 60) -> float:
    t0 = time.perf_counter()
    async with aiohttp.ClientSession() as s:
        while time.perf_counter() - t0 < timeout:
            try:
                async with s.get(base + "/readyz") as r:
                    if r.status == 200:
                        return time.perf_counter() - t0
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise SystemExit("server did not become ready")


async def run(args: argparse.Namespace) -> None:
    proc = None
    base = args.url
    if base is None:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = dict(os.environ)
        db = args.db or f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
        env.update({"MOTCUA_DATABASE__URL": db, "MOTCUA_SERVER__PORT": str(port), "MOTCUA_LOGGING__LEVEL": "WARNING",
                    # simulated citizens type faster than people: lift the per-sender rate limit
                    "MOTCUA_SERVER__SENDER_RATE": "100000", "MOTCUA_SERVER__SENDER_BURST": "100000"})
        if args.redis:
            env["MOTCUA_REDIS__URL"] = args.redis
        cmd = [sys.executable, "-m", "bot", "run", "--port", str(port)]
        if args.workers > 1:
            cmd += ["--workers", str(args.workers)]
        t_start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
        await wait_ready(base)
        print(f"start-up to ready: {time.perf_counter() - t_start:.2f} s (includes migrations)")
    stats = Stats()
    url = base + "/webhooks/rest/webhook"
    conn = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=conn, timeout=aiohttp.ClientTimeout(total=30)) as session:
        # warm-up
        await asyncio.gather(*(citizen(session, url, -i, time.perf_counter() + 2, Stats()) for i in range(5)))
        t0 = time.perf_counter()
        stop = t0 + args.seconds
        await asyncio.gather(*(citizen(session, url, i, stop, stats, args.think) for i in range(args.citizens)))
        elapsed = time.perf_counter() - t0
    lat = sorted(stats.latencies)

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")

    print(f"citizens={args.citizens} think={args.think}s workers={args.workers} db={'postgresql' if (args.db or '').startswith('postgres') else 'sqlite'}"
          f"{' redis' if args.redis else ''} duration={elapsed:.1f}s")
    print(f"turns={len(lat)} throughput={len(lat) / elapsed:.0f} turns/s errors={stats.errors} drafts={stats.drafts}")
    print(f"latency ms: p50={pct(0.50):.1f} p95={pct(0.95):.1f} p99={pct(0.99):.1f} max={lat[-1] * 1000 if lat else 0:.1f}"
          f" mean={statistics.mean(lat) * 1000 if lat else 0:.1f}")
    if proc is not None:
        kids = [p for p in children(proc.pid) if b"resource_tracker" not in _cmdline(p)]
        if kids:
            print(f"rss supervisor pid {proc.pid}: {rss_mb(proc.pid):.0f} MB")
            for pid in kids:
                print(f"rss worker pid {pid}: {rss_mb(pid):.0f} MB")
        else:
            print(f"rss worker pid {proc.pid}: {rss_mb(proc.pid):.0f} MB")
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--citizens", type=int, default=50)
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--db")
    p.add_argument("--redis")
    p.add_argument("--url")
    p.add_argument("--think", type=float, default=0.0,
                   help="mean seconds a citizen waits between messages (0 = closed loop, maximum throughput)")
    asyncio.run(run(p.parse_args()))


if __name__ == "__main__":
    main()
