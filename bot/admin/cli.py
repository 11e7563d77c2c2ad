"""`motcua content export DIR | history`: the published content set back to files, for a fresh install."""
from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError


def add_parser(sub: Any, settings_of: Any) -> None:
    c = sub.add_parser("content", help="published content: export DIR | history | audit")
    c_sub = c.add_subparsers(dest="content_command", required=True)
    ex = c_sub.add_parser("export", help="write the published flows/ and procedures_catalog/ files under DIR")
    ex.add_argument("dir", type=Path)
    c_sub.add_parser("history", help="list published versions")
    au = c_sub.add_parser("audit", help="unverified / unsourced facts, dangling sources, rules ending soon")
    au.add_argument("--root", type=Path, help="audit the files under ROOT instead of the published version")
    au.add_argument("--all", action="store_true", help="list every procedure, not only those needing attention")
    c.set_defaults(func=lambda args: asyncio.run(cmd_content(args, settings_of(args))))


def _today() -> Any:
    """Today in Vietnam; ``MOTCUA_TODAY`` (YYYY-MM-DD) pins it for tests and dry runs."""
    import datetime as dt
    import os

    pinned = os.environ.get("MOTCUA_TODAY")
    return dt.date.fromisoformat(pinned) if pinned else dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).date()


def cmd_audit(files: dict[str, str], source: str, show_all: bool) -> int:
    from bot.admin.audit import audit, format_report

    print(f"Nguồn nội dung: {source}")
    print(format_report(audit(files, _today()), show_all=show_all))
    return 0


async def cmd_content(args: argparse.Namespace, settings: Any) -> int:
    from bot.admin.versions import ContentVersions, export_to, folder_files

    if args.content_command == "audit" and args.root:
        return cmd_audit(folder_files(args.root), f"các tệp trong {args.root}", args.all)
    from bot.content.loader import load_content
    from bot.runtime.content import ContentStore
    from bot.storage.db import create_engine

    engine = create_engine(settings)
    try:
        versions = ContentVersions(engine, ContentStore(load_content(settings.root, require_all=False)), None,
                                   settings.root)
        if args.content_command == "audit":
            try:
                row = await versions.published()
            except DBAPIError:   # no database yet (never migrated): audit what is installed, say so
                return cmd_audit(folder_files(settings.root), "các tệp cài đặt (cơ sở dữ liệu chưa sẵn sàng — "
                                 "chạy `motcua db upgrade` để dùng phiên bản đã xuất bản)", args.all)
            files = dict(row.files) if row is not None else await versions.current_files()
            source = f"phiên bản đang dùng #{row.id}" if row is not None else "các tệp cài đặt (chưa có phiên bản nào)"
            return cmd_audit(files, source, args.all)
        if args.content_command == "export":
            row = await versions.published()
            files = dict(row.files) if row is not None else await versions.current_files()
            written = export_to(files, args.dir)
            source = f"phiên bản #{row.id}" if row is not None else "các tệp cài đặt (chưa có phiên bản nào)"
            print(f"Đã ghi {len(written)} tệp từ {source} vào {args.dir}")
        else:
            for v in await versions.history(100):
                mark = "*" if v.published else " "
                print(f"{mark} #{v.id}  {v.created_at:%Y-%m-%d %H:%M}  {v.author}  {v.message}")
    except DBAPIError:
        print("Cơ sở dữ liệu chưa sẵn sàng: chạy `motcua db upgrade` trước (xem README).", file=sys.stderr)
        return 2
    finally:
        await engine.dispose()
    return 0
