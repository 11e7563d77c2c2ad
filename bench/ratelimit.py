"""Cost of one per-sender rate-limit check (the first thing every citizen message pays), in memory and on Redis.

    python -m bench.ratelimit [--n 20000] [--redis redis://127.0.0.1:6379/15]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid

from redis.asyncio import Redis

from bot.runtime.ratelimit import SenderLimiter


async def per_call(limiter: SenderLimiter, n: int, senders: int = 500) -> float:
    """Microseconds per ``allow`` over ``n`` calls spread over ``senders`` senders."""
    keys = [f"rest:bench-{uuid.uuid4().hex[:8]}" for _ in range(senders)]
    t0 = time.perf_counter()
    for i in range(n):
        await limiter.allow(keys[i % senders])
    return (time.perf_counter() - t0) / n * 1e6


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}")
    print(f"memory: {await per_call(SenderLimiter(2.0, 15), args.n):.1f} µs/check")
    redis = Redis.from_url(args.redis)
    try:
        limiter = SenderLimiter(2.0, 15, redis=redis, prefix=f"motcua:bench:{uuid.uuid4().hex[:6]}")
        print(f"redis:  {await per_call(limiter, args.n // 10):.1f} µs/check")
    finally:
        await redis.aclose()


if __name__ == "__main__":
    asyncio.run(main())
