"""Load benchmark: N simulated citizens talk to the bot over the REST channel.

Two workloads (``--mix``):
- ``full``: each citizen asks for a procedure in free text, taps the first button of every question, says "Có" to
  every document, types valid values for every field, confirms the review, then starts again (mostly taps and
  short field answers).
- ``openers``: what citizens send first. Each citizen opens a NEW conversation and sends six free-text messages
  drawn from realistic requests (procedure questions with and without diacritics, stories, fee / time / where
  questions, small talk, clarifications), then starts over as another citizen.
- ``both``: half the citizens run each.

Prints throughput, latency percentiles, errors, the server's CPU time per turn (its process CPU time over the
measured window / turns) and its resident memory.

    python bench/load.py --citizens 50 --seconds 20                    # spawns `motcua run` on SQLite
    python bench/load.py --mix openers --citizens 50 --seconds 15      # first contacts, free text only
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
    # The question itself, not its hint: "Họ và tên … là gì? (Ghi luôn số căn cước cũng được…)" asks a name.
    last = (replies[-1].get("text", "") if replies else "").lower().split("(")[0]
    for key, value in ANSWERS:
        if key in last:
            return value
    return random.choice(OPENERS)


# What citizens type in their first messages (the `openers` workload), as they type it: with and without
# diacritics, abbreviations, long stories, side questions, small talk and answers to "which one did you mean?".
FIRST_MESSAGES = [
    # procedure questions, with diacritics
    "tôi muốn làm giấy khai sinh cho con", "cho tôi hỏi thủ tục đăng ký kết hôn", "đăng ký tạm trú cho người thuê trọ",
    "thủ tục chứng thực bản sao giấy tờ", "làm lại căn cước bị mất thì làm sao", "tôi muốn khai tử cho bố",
    "xin giấy xác nhận tình trạng hôn nhân", "đăng ký hộ kinh doanh cá thể", "xin cấp giấy phép xây dựng nhà ở",
    "trích lục khai sinh bản sao", "chứng thực chữ ký trên giấy ủy quyền", "đăng ký thường trú cho vợ về ở cùng",
    # without diacritics, abbreviations
    "lam giay khai sinh cho be nha minh", "mk mún lm gks cho con", "dang ky ket hon can giay to gi",
    "xin xac nhan cu tru", "thu tuc tam tru the nao ad", "lam so do lan dau", "chuyen muc dich su dung dat",
    "xin tro cap ho ngheo", "dk kinh doanh ho ca the",
    # stories
    "con tôi mới sinh được hai tuần ở bệnh viện huyện, giờ tôi muốn đăng ký khai sinh cho cháu thì cần mang gì",
    "bà nội tôi mất tuần trước, gia đình muốn làm giấy báo tử và xin hỗ trợ mai táng",
    "em với bạn trai định cưới vào tháng sau, hai đứa cùng ở xã này, cần làm giấy tờ gì ạ",
    "nha toi moi mua dat cua hang xom, gio muon sang ten so do thi lam the nao",
    "tôi đi làm ăn xa về, căn cước bị mất trong lúc đi xe khách, giờ muốn làm lại",
    # fee / time / where
    "lệ phí bao nhiêu", "mat bao lau thi co ket qua", "nộp hồ sơ ở đâu", "làm online được không",
    "phí đăng ký khai sinh là bao nhiêu tiền", "bao giờ thì lấy được kết quả", "cần mang theo giấy tờ gì",
    "uy ban xa lam viec gio nao",
    # small talk
    "xin chào", "chào bot", "alo", "cảm ơn nhé", "ok", "bạn là ai vậy", "hello ad oi",
    # clarifications
    "ý tôi là khai sinh", "không phải, tôi hỏi về kết hôn", "cái thứ hai", "đúng rồi", "không", "tôi chưa hiểu",
    "làm cho con tôi", "là khai tử ấy",
]


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


async def opener(session: aiohttp.ClientSession, url: str, cid: int, stop: float, stats: Stats,
                 think: float = 0.0) -> None:
    """One citizen after another: each a new conversation of six free-text first messages."""
    if think:
        await asyncio.sleep(random.uniform(0, think))
    n = 0
    while time.perf_counter() < stop:
        n += 1
        sender = f"open-{os.getpid()}-{cid}-{n}-{random.randrange(1 << 30)}"
        for message in random.sample(FIRST_MESSAGES, 6):
            if time.perf_counter() >= stop:
                return
            t0 = time.perf_counter()
            try:
                async with session.post(url, json={"sender": sender, "message": message}) as resp:
                    await resp.json()
                    ok = resp.status == 200
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                ok = False
            stats.latencies.append(time.perf_counter() - t0)
            if not ok:
                stats.errors += 1
                await asyncio.sleep(0.05)
            if think:
                await asyncio.sleep(random.uniform(0.5, 1.5) * think)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes used so far (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


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
        proc = subprocess.Popen(cmd, cwd=args.root or ROOT, env=env)
        await wait_ready(base)
        print(f"start-up to ready: {time.perf_counter() - t_start:.2f} s (includes migrations); rss at ready "
              + " / ".join(f"{rss_mb(p):.0f}" for p in server_pids(proc)) + " MB")
    url = base + "/webhooks/rest/webhook"
    kinds = {"full": [citizen], "openers": [opener], "both": [citizen, opener]}[args.mix]
    per_kind = {k.__name__: Stats() for k in kinds}
    servers = server_pids(proc) if proc is not None else []
    conn = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=conn, timeout=aiohttp.ClientTimeout(total=30)) as session:
        # warm-up
        await asyncio.gather(*(k(session, url, -i, time.perf_counter() + 2, Stats()) for k in kinds for i in range(3)))
        cpu0 = cpu_seconds(servers)
        t0 = time.perf_counter()
        stop = t0 + args.seconds
        await asyncio.gather(*(kinds[i % len(kinds)](session, url, i, stop, per_kind[kinds[i % len(kinds)].__name__],
                                                      args.think) for i in range(args.citizens)))
        elapsed = time.perf_counter() - t0
        cpu = cpu_seconds(servers) - cpu0
    print(f"citizens={args.citizens} mix={args.mix} think={args.think}s workers={args.workers} "
          f"db={'postgresql' if (args.db or '').startswith('postgres') else 'sqlite'}"
          f"{' redis' if args.redis else ''} duration={elapsed:.1f}s load average={os.getloadavg()[0]:.2f}")
    everything = Stats()
    for name, stats in per_kind.items():
        everything.latencies += stats.latencies
        everything.errors += stats.errors
        everything.drafts += stats.drafts
        if len(per_kind) > 1:
            report(f"[{name}] ", stats, elapsed)
    report("", everything, elapsed)
    if servers and everything.latencies:
        print(f"server cpu: {cpu:.2f} s = {cpu * 1000 / len(everything.latencies):.2f} ms per turn "
              f"({cpu / elapsed * 100:.0f} % of one core)")
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


def server_pids(proc: subprocess.Popen) -> list[int]:
    """The server's worker processes (or the server itself with one worker)."""
    kids = [p for p in children(proc.pid) if b"resource_tracker" not in _cmdline(p)]
    return [proc.pid, *kids]


def report(prefix: str, stats: Stats, elapsed: float) -> None:
    """Throughput and latency percentiles of one set of turns."""
    lat = sorted(stats.latencies)

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")

    print(f"{prefix}turns={len(lat)} throughput={len(lat) / elapsed:.0f} turns/s errors={stats.errors} drafts={stats.drafts}")
    print(f"{prefix}latency ms: p50={pct(0.50):.1f} p95={pct(0.95):.1f} p99={pct(0.99):.1f}"
          f" max={lat[-1] * 1000 if lat else 0:.1f} mean={statistics.mean(lat) * 1000 if lat else 0:.1f}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--citizens", type=int, default=50)
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--db")
    p.add_argument("--redis")
    p.add_argument("--url")
    p.add_argument("--root", help="run the server from this checkout (A/B against another commit's worktree)")
    p.add_argument("--mix", choices=("full", "openers", "both"), default="full",
                   help="full conversations, first-contact openers (six free-text messages each), or half each")
    p.add_argument("--think", type=float, default=0.0,
                   help="mean seconds a citizen waits between messages (0 = closed loop, maximum throughput)")
    asyncio.run(run(p.parse_args()))


if __name__ == "__main__":
    main()
