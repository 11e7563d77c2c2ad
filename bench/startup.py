"""Start-up benchmark: wall time from `motcua run` to the first /readyz 200, cold (empty NLU model cache, the model
trains) and warm (the cache from the cold run is loaded), plus the worker's resident memory when ready.

    python bench/startup.py [--runs 3]

Uses a fresh SQLite database per run (its migrations are included in the figure, as on a first `make run`).
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

from load import ROOT, free_port, rss_mb, wait_ready


def one(cache: str) -> tuple[float, float]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update(MOTCUA_DATABASE__URL=f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/startup.sqlite3",
               MOTCUA_NLU__MODEL_CACHE_DIR=cache, MOTCUA_LOGGING__LEVEL="ERROR")
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bot", "run", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        asyncio.run(wait_ready(f"http://127.0.0.1:{port}", timeout=120))
        elapsed = time.perf_counter() - t0
        return elapsed, rss_mb(proc.pid)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    cold, warm = [], []
    for _ in range(args.runs):
        cache = tempfile.mkdtemp(prefix="nlu-cache-")
        cold.append(one(cache))
        warm.append(one(cache))
    for name, runs in (("cold (NLU trains)", cold), ("warm (NLU cache)", warm)):
        secs = [r[0] for r in runs]
        print(f"start-up {name}: median {statistics.median(secs):.2f} s  min {min(secs):.2f}  max {max(secs):.2f}"
              f"  rss at ready {statistics.median(r[1] for r in runs):.0f} MB  (runs={len(runs)})")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(__file__))
    main()
