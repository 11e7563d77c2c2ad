"""Start-up benchmark: wall time from `motcua run` to the first /readyz 200, and the worker's resident memory then.

- install: `motcua nlu build` into an empty cache folder (what `make install` / `make run` do; not part of start-up)
- cold: the first `motcua run` after that install, on a new SQLite database (its migrations are in the figure)
- warm: the next `motcua run`, same database and cache (a restart)
- untrained (with --untrained): the first `motcua run` with an empty cache, i.e. without the install step: the
  worker validates the content and trains the NLU model itself

    python bench/startup.py [--runs 3] [--untrained] [--root CHECKOUT] [--content DIR] [--cache DIR]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

from load import ROOT, cpu_seconds, free_port, rss_mb, wait_ready


def _env(db: str, cache: str, content: str | None) -> dict[str, str]:
    # PYTHONDONTWRITEBYTECODE (set in some shells) would make every start compile the code again: an install has .pyc
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(MOTCUA_DATABASE__URL=f"sqlite+aiosqlite:///{db}", MOTCUA_NLU__MODEL_CACHE_DIR=cache,
               MOTCUA_LOGGING__LEVEL="ERROR")
    if content:
        env["MOTCUA_CONTENT__ROOT"] = content
    return env


def build(root: str, env: dict[str, str]) -> float:
    """`motcua nlu build` as `make install` runs it; NaN for a checkout without the command (the first start trains)."""
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bot", "nlu", "build"], cwd=root, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0 if done.returncode == 0 else float("nan")


def one(root: str, env: dict[str, str], timeout: float = 600) -> tuple[float, float, float]:
    """(seconds to ready, RSS MB, CPU seconds the worker used to get there: steadier than wall time on a busy
    machine, where the wall time mostly measures the other processes)."""
    port = free_port()
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bot", "run", "--port", str(port)], cwd=root, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        asyncio.run(wait_ready(f"http://127.0.0.1:{port}", timeout=timeout))
        elapsed = time.perf_counter() - t0
        return elapsed, rss_mb(proc.pid), cpu_seconds([proc.pid])
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--root", default=str(ROOT), help="the checkout to start (A/B against another commit)")
    p.add_argument("--content", help="content root (MOTCUA_CONTENT__ROOT), e.g. a copy with 2,000 imported entries")
    p.add_argument("--cache", help="an NLU/content cache folder to reuse (built once with `motcua nlu build`)")
    p.add_argument("--untrained", action="store_true", help="also start once per run without the install step")
    args = p.parse_args()
    figures: dict[str, list[tuple[float, float, float]]] = {"install (nlu build)": [], "cold": [], "warm": [],
                                                     "untrained": []}
    for _ in range(args.runs):
        env = _env(f"{tempfile.mkdtemp()}/startup.sqlite3", args.cache or tempfile.mkdtemp(prefix="nlu-cache-"),
                   args.content)
        figures["install (nlu build)"].append((build(args.root, env), 0.0, 0.0))
        figures["cold"].append(one(args.root, env))
        figures["warm"].append(one(args.root, env))
        if args.untrained:
            figures["untrained"].append(one(args.root, _env(f"{tempfile.mkdtemp()}/s.sqlite3", tempfile.mkdtemp(),
                                                            args.content)))
    for name, runs in figures.items():
        if not runs:
            continue
        secs = [r[0] for r in runs]
        rss = f"  rss at ready {statistics.median(r[1] for r in runs):.0f} MB" if runs[0][1] else ""
        cpu = f"  cpu to ready {statistics.median(r[2] for r in runs):.2f} s" if runs[0][2] else ""
        print(f"{name}: median {statistics.median(secs):.2f} s  min {min(secs):.2f}  max {max(secs):.2f}{rss}{cpu}"
              f"  (runs={len(runs)}, load average {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(__file__))
    main()
