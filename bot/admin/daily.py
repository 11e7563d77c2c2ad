"""Scheduled daily reports (issue 21, item 4): the report communes used to type by hand, made every morning.

At ``reports.daily_at`` (the handoff time zone) each worker checks whether yesterday's files exist; the first to
insert a file's row makes it (the unique (day, scope) row is the claim, so a group never gets a report twice):
one XLSX for the province and one per commune that is configured or had activity. The commune's file goes to its
team's Telegram group, the province's to ``reports.province_telegram_chat_id`` (else the handoff group). Files are
kept in ``daily_report_files`` for download on the admin page. The sheet of messages the bot did not understand
is left out: it quotes citizens' words, and a group chat is no place for them.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast
from zoneinfo import ZoneInfo

import aiohttp
from sqlalchemy import Table, case, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.admin.export import report_xlsx
from bot.admin.models import DailyReportFile
from bot.admin.reports import Period, Report, active_communes, build_report
from bot.handoff.communes import Commune
from bot.storage.db import log_failure

log = logging.getLogger(__name__)
files_table = cast(Table, DailyReportFile.__table__)
PROVINCE = "tinh"
SHARED_OUT = ("khong_hieu",)    # tables quoting citizens' words: never in a file sent to a group


@dataclass(frozen=True)
class DailyFile:
    scope: str            # PROVINCE or a commune's code
    title: str
    filename: str
    content: bytes
    chat: str | None      # the Telegram group it goes to (None: kept for download only)


class TelegramFiles:
    """Sends a file to a Telegram chat with the bot's token (Bot API ``sendDocument``, multipart)."""

    def __init__(self, api_base_url: str, token: str | None, timeout: float = 30.0):
        self.api_base_url, self.token, self.timeout = api_base_url, token, timeout

    async def send(self, chat: str, filename: str, content: bytes, caption: str) -> str | None:
        """None when sent, else a short reason (never the token: the URL is not part of it)."""
        if not self.token:
            return "chưa cấu hình mã Telegram (MOTCUA_SECRETS__TELEGRAM_TOKEN)"
        form = aiohttp.FormData()
        form.add_field("chat_id", chat)
        form.add_field("caption", caption[:1000])
        form.add_field("document", content, filename=filename,
                       content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        try:
            async with (aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as s,
                        s.post(f"{self.api_base_url}{self.token}/sendDocument", data=form) as r):
                return None if r.status == 200 else f"Telegram trả lời HTTP {r.status}"
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return f"không gửi được: {type(exc).__name__}"


class DailyReports:
    """Makes, keeps and sends the daily files; ``loop`` runs in every worker."""

    def __init__(self, engine: AsyncEngine, settings: Any, clock: Callable[[], dt.datetime],
                 communes: Callable[[], Iterable[Commune]], team_chat: Callable[[str], str | None],
                 name_of: Callable[[str], str], sender: TelegramFiles):
        self.engine, self.settings, self.clock = engine, settings, clock
        self.communes, self.team_chat, self.name_of, self.sender = communes, team_chat, name_of, sender
        self.tz = ZoneInfo(settings.handoff.timezone)

    def due_day(self, now: dt.datetime) -> dt.date | None:
        """Yesterday (local) once today's ``daily_at`` has passed; None before it."""
        local = now.astimezone(self.tz)
        hh, mm = (int(x) for x in self.settings.reports.daily_at.split(":"))
        return local.date() - dt.timedelta(days=1) if local.time() >= dt.time(hh, mm) else None

    async def made(self, day: dt.date) -> bool:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(files_table.c.id).where(
                files_table.c.day == day, files_table.c.scope == PROVINCE))).first()
        return row is not None

    async def build(self, day: dt.date) -> list[DailyFile]:
        """The province's file, then each configured or active commune's, for the local day ``day``."""
        period = Period.of("day", day)
        known = {c.code: c for c in self.communes()}
        label = {code: c.name for code, c in known.items()}

        def name(code: str) -> str:
            return f"{label.get(code, code)} ({code})"

        province = await build_report(self.engine, period, None, self.name_of, commune_name=name, now=self.clock())
        chat = self.settings.reports.province_telegram_chat_id or self.settings.handoff.telegram_group_chat_id
        out = [self._file(province, PROVINCE, day, "Toàn tỉnh", chat)]
        configured = {code for code, c in known.items() if c.team}
        for code in sorted(configured | await active_communes(self.engine, period)):
            rep = await build_report(self.engine, period, None, self.name_of, commune=code, commune_name=name,
                                     now=self.clock())
            team = known[code].team if code in known else None
            out.append(self._file(rep, code, day, label.get(code, f"Xã/phường mã {code}"),
                                  self.team_chat(team) if team else None))
        return out

    def _file(self, rep: Report, scope: str, day: dt.date, who: str, chat: str | None) -> DailyFile:
        keys = [k for k in rep.tables if k not in SHARED_OUT]
        slug = "toan-tinh" if scope == PROVINCE else f"xa-{scope}"
        return DailyFile(scope, f"Báo cáo ngày {day:%d/%m/%Y} — {who}", f"bao-cao-{day:%Y-%m-%d}-{slug}.xlsx",
                         report_xlsx(rep, keys), chat)

    async def run(self, day: dt.date, send: bool = True) -> int:
        """Make (and send) every file of ``day`` not made yet by any worker; returns how many this one made."""
        made = 0
        for f in await self.build(day):
            fid = await self._claim(day, f)
            if fid is None:
                continue
            made += 1
            if send and f.chat:
                await self._send(fid, f)
        return made

    async def _claim(self, day: dt.date, f: DailyFile) -> int | None:
        try:
            async with self.engine.begin() as conn:
                res = await conn.execute(insert(files_table).values(
                    day=day, scope=f.scope, title=f.title, filename=f.filename, content=f.content,
                    created_at=self.clock()))
            return int(res.inserted_primary_key[0])   # type: ignore[index]
        except IntegrityError:
            return None   # another worker made this one

    async def _send(self, fid: int, f: DailyFile) -> None:
        error = await self.sender.send(str(f.chat), f.filename, f.content, f.title)
        values: dict[str, Any] = {"sent_to": f.chat, "send_error": error}
        if error is None:
            values["sent_at"] = self.clock()
        else:
            log.warning("daily report %s not sent: %s", f.filename, error)
        async with self.engine.begin() as conn:
            await conn.execute(update(files_table).where(files_table.c.id == fid).values(**values))

    async def loop(self) -> None:
        """Check every ``check_every_s``; a failed run is logged and tried again at the next check."""
        while True:
            try:
                day = self.due_day(self.clock())
                if day is not None and not await self.made(day):
                    n = await self.run(day)
                    log.info("daily reports made", extra={"day": day.isoformat(), "files": n})
            except Exception as exc:  # noqa: BLE001 — the schedule must outlive one failed run
                log_failure(log, "daily reports failed", exc)
            await asyncio.sleep(self.settings.reports.check_every_s)


async def list_files(engine: AsyncEngine, scopes: set[str] | None = None, limit: int = 400) -> list[Any]:
    """The kept files, newest day first (``scopes``: only those, for an agent's own communes)."""
    q = select(files_table.c.id, files_table.c.day, files_table.c.scope, files_table.c.title,
               files_table.c.filename, files_table.c.sent_to, files_table.c.sent_at, files_table.c.send_error,
               files_table.c.created_at).order_by(files_table.c.day.desc(),
                                                  case((files_table.c.scope == PROVINCE, 0), else_=1),
                                                  files_table.c.title).limit(limit)
    if scopes is not None:
        q = q.where(files_table.c.scope.in_(scopes or {""}))
    async with engine.connect() as conn:
        return list((await conn.execute(q)).all())


async def file_content(engine: AsyncEngine, fid: int) -> Any:
    async with engine.connect() as conn:
        return (await conn.execute(select(files_table.c.scope, files_table.c.filename, files_table.c.content)
                                   .where(files_table.c.id == fid))).first()
