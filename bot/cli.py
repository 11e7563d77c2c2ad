"""`motcua` command line: run, chat, db upgrade, validate, nlu … — thin wrappers over the rooms."""
from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.settings import Settings, load_settings


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(getattr(args, "config", None))


def cmd_db(args: argparse.Namespace) -> int:
    from bot.storage.db import resolve_url
    from bot.storage.migrate import downgrade, upgrade

    s = _settings(args)
    url = resolve_url(s.database.url, s.root)
    if args.action == "upgrade":
        upgrade(url, args.revision or "head")
    else:
        downgrade(url, args.revision or "-1")
    print(f"database {args.action}: ok")
    return 0


def _vn_today() -> Any:
    """Today in Vietnam (rules end on Vietnamese calendar days), from MOTCUA_TODAY when a test pins it."""
    import datetime as dt

    pinned = os.environ.get("MOTCUA_TODAY")
    if pinned:
        return dt.date.fromisoformat(pinned)
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).date()


def cmd_validate(args: argparse.Namespace) -> int:
    from bot.content.loader import load_content
    from bot.content.validate import rule_warnings
    from bot.content.yamlsrc import ContentErrors

    s = _settings(args)
    root = Path(args.root) if args.root else s.root
    try:
        snap = load_content(root)
    except ContentErrors as exc:
        for e in exc.errors:
            print(e.words())
        print(f"{len(exc.errors)} lỗi.", file=sys.stderr)
        return 1
    unverified = sorted(p.id for p in snap.procedures.values() if not p.verified)
    print(f"OK: {len(snap.procedures)} thủ tục, {len(snap.flows)} luồng hội thoại, {len(snap.rules)} quy định có thời hạn "
          f"(phiên bản {snap.version}).")
    for warning in rule_warnings(snap.rules, _vn_today()):
        print(f"CẢNH BÁO {warning}")
    if unverified:
        print(f"Cần cán bộ xác minh lại ({len(unverified)}): {', '.join(unverified)}")
    if args.mermaid:
        from bot.content.diagram import mermaid

        for pid, flow in snap.flows.items():
            print(f"\n%% {pid}\n{mermaid(flow)}")
    return 0


def cmd_catalog(args: argparse.Namespace) -> int:
    import datetime as dt
    import tempfile

    from bot.content.importer import import_file
    from bot.content.loader import load_content

    s = _settings(args)
    root = s.root
    existing = [p.national_code.text for p in load_content(root, require_all=False).procedures.values()
                if p.national_code is not None and p.level == "full" and not p.imported]
    target = Path(tempfile.mkdtemp()) if args.dry_run else root
    report = import_file(Path(args.file), target, dt.date.today(), existing)
    for line in report.errors:
        print(f"LỖI {line}")
    for line in report.skipped:
        print(f"BỎ QUA {line}")
    print(f"Đã nhập {len(report.imported)} thủ tục{' (chạy thử, không ghi tệp)' if args.dry_run else ''}, "
          f"bỏ qua {len(report.skipped)}, lỗi {len(report.errors)}.")
    return 0 if report.imported or not report.errors else 1


def cmd_catalog_flow(args: argparse.Namespace) -> int:
    from bot.content.generic import generated_flow_yaml
    from bot.content.loader import load_content

    proc = load_content(_settings(args).root, require_all=False).procedure(args.procedure_id)
    if proc is None or not proc.imported:
        print(f"LỖI không có thủ tục nhập từ danh mục với mã '{args.procedure_id}'")
        return 1
    print(generated_flow_yaml(proc), end="")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from aiohttp import web

    from bot.app import build_app
    from bot.logs import setup_logging
    from bot.storage.db import resolve_url
    from bot.storage.migrate import upgrade

    t0 = time.perf_counter()
    s = _settings(args)
    if args.host:
        s.server.host = args.host
    if args.port:
        s.server.port = args.port
    setup_logging(s)
    if not args.no_migrate:
        paused = not gc.isenabled()
        if paused:
            gc.freeze()   # what was imported so far lives as long as the worker (freezing is free)
        upgrade(resolve_url(s.database.url, s.root))
        if paused and "alembic" in sys.modules:
            gc.collect()   # migrations ran (a first start): free Alembic's garbage, walking only what came since
    workers = args.workers or s.server.workers
    if workers > 1 and s.channels.telegram.enabled and s.channels.telegram.mode == "polling":
        print("Chế độ polling của Telegram chỉ chạy với 1 tiến trình (--workers 1); "
              "nhiều tiến trình cùng gọi getUpdates sẽ tranh nhau cập nhật. Dùng webhook khi chạy nhiều tiến trình.",
              file=sys.stderr)
        return 2
    if workers > 1:
        from bot.workers import run_workers

        resume_gc(False)   # the supervisor only waits; each worker pauses and freezes its own
        return run_workers(workers, s.server.host, s.server.port, getattr(args, "config", None))
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover
        pass
    app = build_app(s)
    resume_gc(s.server.gc_freeze)

    async def announce(_app: web.Application) -> None:
        logging.getLogger("motcua").info(
            "motcua ready on http://%s:%s (start-up %.2fs)", s.server.host, s.server.port, time.perf_counter() - t0)

    app.on_startup.append(announce)
    web.run_app(app, host=s.server.host, port=s.server.port, print=None, access_log=None)
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.channels.terminal import run_terminal

    return asyncio.run(run_terminal(_settings(args), sender=args.sender))


def cmd_nlu_build(s: Settings) -> int:
    """`motcua nlu build`: what a worker would build on its first start, built now (`make install`, `make run`).

    Validates the content into its cache and trains the NLU model into `nlu.model_cache_dir`, exactly as
    `build_services` and `NluService.start` look them up, so the first `motcua run` after an install only loads
    them. Does nothing but check when both are current."""
    from bot.content.cache import load_content_cached
    from bot.runtime.understanding import NluService

    t0 = time.perf_counter()
    cache = s.path(s.nlu.model_cache_dir)
    snap = load_content_cached(s.root, cache)
    if s.nlu.backend == "builtin":
        s.nlu.train_apart = False   # this process is the one apart from the server
        NluService(s).build(snap)
    print(f"Mô hình NLU và nội dung đã sẵn sàng trong {cache} ({len(snap.procedures)} thủ tục, "
          f"{time.perf_counter() - t0:.1f} giây).")
    return 0


def cmd_nlu(args: argparse.Namespace, rest: list[str]) -> int:
    from bot.content.knowledge import knowledge_items, labels
    from bot.content.loader import load_content
    from nlu import cli as nlu_cli

    s = _settings(args)
    if rest[:1] == ["build"]:
        return cmd_nlu_build(s)

    def factory():  # type: ignore[no-untyped-def]
        from nlu.training import default_training_set

        snap = load_content(s.root, require_all=False)
        return default_training_set(knowledge_items(snap), labels(snap))

    return int(nlu_cli.main(rest, training_set_factory=factory, today=_vn_today()) or 0)


def cmd_channel(args: argparse.Namespace) -> int:
    """`motcua telegram|zalo set-webhook URL | delete-webhook | me` — talks to the platform with the env token."""
    from bot.channels import telegram, zalo_bot

    s = _settings(args)
    name = "telegram" if args.command == "telegram" else "zalo_bot"
    getattr(s.channels, name).enabled = True

    async def go() -> int:
        # Only the platform client is needed here: no database, content or NLU.
        ch: Any = (telegram if name == "telegram" else zalo_bot).from_settings(s, None)
        if ch is None:
            env = "TELEGRAM_TOKEN" if name == "telegram" else "ZALO_BOT_TOKEN"
            print(f"Thiếu token: đặt biến môi trường MOTCUA_SECRETS__{env} (xem README.md, mục Channels).", file=sys.stderr)
            return 2
        try:
            if args.action == "set-webhook":
                if not args.url or not args.url.startswith("https://"):
                    print("Cần một URL https:// công khai, ví dụ https://motcua.example.vn"
                          + getattr(s.channels, name).webhook_path, file=sys.stderr)
                    return 2
                if not ch.secret:
                    env = "TELEGRAM_WEBHOOK_SECRET" if name == "telegram" else "ZALO_BOT_WEBHOOK_SECRET"
                    print(f"Thiếu MOTCUA_SECRETS__{env}: webhook không có bí mật sẽ bị từ chối mọi yêu cầu.",
                          file=sys.stderr)
                    return 2
                res = await ch.set_webhook(args.url)
                print(f"Đã đặt webhook {name}: {args.url} ({res})")
            elif args.action == "delete-webhook":
                res = await (ch.bot.delete_webhook() if name == "telegram" else ch.call("deleteWebhook", {}))
                print(f"Đã xoá webhook {name} ({res})")
            elif args.action == "me":
                res = await (ch.bot.get_me() if name == "telegram" else ch.call("getMe", {}))
                print(res)
            return 0
        finally:
            await ch.stop()

    return asyncio.run(go())


def cmd_doctor(args: argparse.Namespace) -> int:
    """Check a deployment; exit 1 on any error (warnings alone exit 0), so scripts and CI can gate on it."""
    from bot.doctor import render, run_checks

    checks = asyncio.run(run_checks(_settings(args), online=args.online))
    print(render(checks))
    return 1 if any(c.status == "error" for c in checks) else 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="motcua", description="Trợ lý Một cửa — chatbot thủ tục hành chính cấp xã")
    p.add_argument("--config", help="path to config.yml (default: ./config.yml or $MOTCUA_CONFIG)")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="start the web server (web chat, REST, configured channels)")
    run.add_argument("--host")
    run.add_argument("--port", type=int)
    run.add_argument("--workers", type=int, default=None, help="number of worker processes")
    run.add_argument("--no-migrate", action="store_true", help="do not run database migrations first")
    run.add_argument("--config", dest="config", default=argparse.SUPPRESS)
    run.set_defaults(func=cmd_run)

    chat = sub.add_parser("chat", help="talk to the bot in this terminal")
    chat.add_argument("--sender", default=os.environ.get("USER", "terminal"))
    chat.set_defaults(func=cmd_chat)

    db = sub.add_parser("db", help="database migrations")
    db.add_argument("action", choices=["upgrade", "downgrade"])
    db.add_argument("revision", nargs="?")
    db.set_defaults(func=cmd_db)

    val = sub.add_parser("validate", help="check the catalog and flows")
    val.add_argument("--root", help="project folder holding procedures_catalog/ and flows/")
    val.add_argument("--mermaid", action="store_true", help="print a Mermaid diagram of each flow")
    val.set_defaults(func=cmd_validate)

    cat = sub.add_parser("catalog", help="catalog tools")
    cat_sub = cat.add_subparsers(dest="catalog_command", required=True)
    imp = cat_sub.add_parser("import", help="import a CSV, XLSX or JSON lines list of procedures (walked by the generic flow)")
    imp.add_argument("file")
    imp.add_argument("--dry-run", action="store_true", help="check the file without writing entries")
    imp.set_defaults(func=cmd_catalog)
    gen = cat_sub.add_parser("flow", help="print the generic flow of an imported procedure, to start a deep flow from")
    gen.add_argument("procedure_id")
    gen.set_defaults(func=cmd_catalog_flow)

    for chan, help_ in (("telegram", "Telegram bot: set-webhook URL | delete-webhook | me"),
                        ("zalo", "Zalo Bot platform: set-webhook URL | delete-webhook | me")):
        cp = sub.add_parser(chan, help=help_)
        cp.add_argument("action", choices=["set-webhook", "delete-webhook", "me"])
        cp.add_argument("url", nargs="?", help="public https URL of the webhook route")
        cp.set_defaults(func=cmd_channel)

    doc = sub.add_parser("doctor", help="check a deployment: database, Redis, HTTPS URL, channels, fonts, NLU")
    doc.add_argument("--online", action="store_true", help="also ask Telegram/Zalo whether the token and webhook work")
    doc.set_defaults(func=cmd_doctor)

    from bot.handoff.cli import add_parser as add_agent_parser

    add_agent_parser(sub, _settings)
    from bot.handoff.commune_cli import add_parser as add_commune_parser

    add_commune_parser(sub, _settings)
    from bot.admin.cli import add_parser as add_content_parser

    add_content_parser(sub, _settings)
    sub.add_parser("nlu", help="NLU tools: build | predict | eval FILE | train | export-rasa DIR", add_help=False)
    return p


def single_blas_thread() -> None:
    """A worker multiplies one short message vector at a time, below OpenBLAS's threading threshold: the pool it
    starts with numpy (one thread per core) only cost ~50 ms of CPU and wall time at every start (CPU per turn
    and NLU training time unchanged with one thread). Before anything imports numpy; an operator's value wins,
    and ``--workers`` children inherit it."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def pause_gc() -> bool:
    """Stop the cyclic GC while a worker imports and wires itself up (see ``resume_gc``); True if it was on."""
    was = gc.isenabled()
    gc.disable()
    return was


def resume_gc(freeze: bool) -> None:
    """End of a worker's wiring: the ~250,000 objects of its imports, settings, content and routes live as long
    as the worker. With the GC on, start-up paid for ~330 young and 2 full collections walking them (~0.2 s, a
    fifth of a warm start) and found next to no garbage; with it paused they are frozen here in one step, out of
    the reach of every later collection (``server.gc_freeze``, as the lifetime does for the NLU model), and the
    GC runs as usual from here on. The few cycles left by imports (~2,000 objects) stay frozen with them."""
    if gc.isenabled():   # not paused (cmd_run called directly): nothing to do
        return
    if freeze:
        gc.freeze()
    gc.enable()


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING)
    if "run" in argv:
        single_blas_thread()
    gc_was_on = pause_gc() if "run" in argv else False   # the parser below already imports most of the worker
    try:
        parser = build_parser()
        if "nlu" in argv:
            i = argv.index("nlu")
            args, _ = parser.parse_known_args(argv[:i + 1])
            if gc_was_on:
                gc.enable()
            return cmd_nlu(args, argv[i + 1:])
        args = parser.parse_args(argv)
        if gc_was_on and args.func is not cmd_run:   # "run" was another command's argument
            gc.enable()
        return int(args.func(args) or 0)
    finally:
        if gc_was_on:   # cmd_run resumes it once the worker is wired up; this covers its early returns and errors
            gc.enable()
