"""`motcua agent add|list|disable|team`: console accounts and team settings from the command line."""
from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from typing import Any

from bot.handoff.service import HandoffService


def add_parser(sub: Any, settings_of: Any) -> None:
    ag = sub.add_parser("agent", help="console accounts: add USERNAME | list | disable USERNAME | team ID")
    ag_sub = ag.add_subparsers(dest="agent_command", required=True)
    add = ag_sub.add_parser("add", help="create or update a console account (asks for the password)")
    add.add_argument("username")
    add.add_argument("--team", required=True)
    add.add_argument("--role", choices=["agent", "officer", "admin"], default="agent",
                     help="agent: tổ công nghệ số (hàng chờ; bàn một cửa chỉ xem) · officer: cán bộ một cửa "
                          "(ghi trạng thái, số hồ sơ; cũng dùng hàng chờ) · admin: mọi việc")
    add.add_argument("--name", help="display name shown to citizens, e.g. \"Nguyễn Thị Lan\"")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.add_argument("--keep-password", action="store_true",
                     help="existing account: change team/role/name only; its password and sessions stay")
    ag_sub.add_parser("list", help="list active accounts")
    dis = ag_sub.add_parser("disable", help="deactivate an account and end its sessions at once")
    dis.add_argument("username")
    team = ag_sub.add_parser("team", help="create or update a team (working hours, Telegram group)")
    team.add_argument("team_id")
    team.add_argument("--name", required=True)
    team.add_argument("--hours", help='e.g. "Mon-Fri 07:30-11:30,13:30-17:00; Sat 07:30-11:30"')
    team.add_argument("--telegram-chat", help="Telegram group chat id for new-request notices")
    ag.set_defaults(func=lambda args: cmd_agent(args, settings_of(args)))


def _service(settings: Any) -> HandoffService:
    from bot.runtime.turns import utcnow
    from bot.storage.db import create_engine
    from bot.storage.repo import Repo

    async def no_apply(_cid: int, _inp: Any) -> None:
        return None

    pubsub = None
    if settings.redis.url:   # a team change is announced so running workers apply it at once, no restart
        from redis.asyncio import Redis

        from bot.runtime.redis_backend import RedisPubSub

        pubsub = RedisPubSub(Redis.from_url(settings.redis.url, socket_timeout=1.0, socket_connect_timeout=1.0))
    return HandoffService(settings, Repo(create_engine(settings)), None, pubsub, utcnow, no_apply)  # type: ignore[arg-type]


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Mật khẩu: ")
    if getpass.getpass("Nhập lại mật khẩu: ") != first:
        raise ValueError("hai lần nhập mật khẩu không khớp")
    return first


def cmd_agent(args: argparse.Namespace, settings: Any) -> int:
    h = _service(settings)

    async def go() -> int:
        try:
            if args.agent_command == "add":
                ended = await h.add_agent(args.username, None if args.keep_password else _password(args),
                                          args.team, args.role, args.name)
                print(f"đã lưu tài khoản {args.username} ({args.role}, tổ {args.team})"
                      + ("; mật khẩu mới: mọi phiên đăng nhập cũ đã kết thúc" if ended else ""))
            elif args.agent_command == "disable":
                if not await h.disable_agent(args.username):
                    raise ValueError(f"không có tài khoản {args.username}")
                print(f"đã khoá tài khoản {args.username} và đăng xuất mọi phiên của tài khoản này")
            elif args.agent_command == "list":
                for a in await h.list_agents():
                    print(f"{a.username}\t{a.role}\t{a.team}\t{a.display_name}")
            else:
                await h.upsert_team(args.team_id, args.name, args.hours, args.telegram_chat)
                print(f"đã lưu tổ {args.team_id}")
            return 0
        except ValueError as exc:
            print(f"lỗi: {exc}", file=sys.stderr)
            return 2
        finally:
            await h.repo.engine.dispose()

    return asyncio.run(go())
