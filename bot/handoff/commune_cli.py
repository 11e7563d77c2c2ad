"""`motcua commune list | set CODE …`: the province's communes and what each one's admins set (issue 21)."""
from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from bot.handoff.communes import Commune, CommuneStore


def add_parser(sub: Any, settings_of: Any) -> None:
    cm = sub.add_parser("commune", help="the province's communes: list | set CODE --team --hours --address --phone")
    cm_sub = cm.add_subparsers(dest="commune_command", required=True)
    ls = cm_sub.add_parser("list", help="every commune and ward of content.province, with its settings")
    ls.add_argument("--configured", action="store_true", help="only communes that have a setting")
    st = cm_sub.add_parser("set", help='set up one commune (by code or name, e.g. 24277 or "xã Ea Tul"); "" clears')
    st.add_argument("code")
    st.add_argument("--team", help="the team whose agents receive this commune's handoffs")
    st.add_argument("--hours", help='the desk\'s hours, e.g. "Mon-Fri 07:30-11:30,13:30-17:00; Sat 07:30-11:30"')
    st.add_argument("--address", help="the one-stop desk's address")
    st.add_argument("--phone", help="the desk's phone")
    st.add_argument("--notes", help="the commune's own notes for citizens")
    cm.set_defaults(func=lambda args: cmd_commune(args, settings_of(args)))


def line(c: Commune) -> str:
    """One commune as a tab-separated row ("-" for what is not set)."""
    return "\t".join([c.code, c.name, c.team or "-", c.hours or "-", c.address or "-", c.phone or "-"])


def cmd_commune(args: argparse.Namespace, settings: Any) -> int:
    from bot.runtime.pubsub import MemoryPubSub
    from bot.runtime.turns import utcnow
    from bot.storage.db import create_engine

    if not settings.content.province:
        print("lỗi: chưa cấu hình tỉnh (content.province trong config.yml)", file=sys.stderr)
        return 2
    engine = create_engine(settings)
    store = CommuneStore(engine, _announcer(settings) or MemoryPubSub(), settings.content.province,
                         settings.handoff.timezone)

    async def go() -> int:
        try:
            await store.reload()
            if args.commune_command == "list":
                rows = store.all()
                for c in rows:
                    if not args.configured or (c.team or c.hours or c.address or c.phone or c.notes):
                        print(line(c))
                return 0
            c = await store.set(args.code, utcnow(), team=args.team, working_hours=args.hours,
                                address=args.address, phone=args.phone, notes=args.notes)
            print(f"đã lưu {c.name} ({c.code}): tổ {c.team or '(tổ chung của tỉnh)'}, giờ {c.hours or '(giờ chung)'}")
            return 0
        except ValueError as exc:
            print(f"lỗi: {exc}", file=sys.stderr)
            return 2
        finally:
            await engine.dispose()
            if hasattr(store.pubsub, "redis"):
                await store.pubsub.redis.aclose()

    return asyncio.run(go())


def _announcer(settings: Any) -> Any:
    """The running workers' pub/sub (Redis) so they reload at once; None without Redis (one worker reloads by TTL)."""
    url = getattr(getattr(settings, "redis", None), "url", None)
    if not url:
        return None
    from redis.asyncio import Redis

    from bot.runtime.redis_backend import RedisPubSub

    return RedisPubSub(Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0))
