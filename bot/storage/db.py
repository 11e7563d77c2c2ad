"""Async engine and session factory from Settings; SQLite tuned for a single busy writer."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.settings import Settings

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def aware(t: dt.datetime | None, default: dt.datetime = EPOCH) -> dt.datetime:
    """SQLite hands back naive UTC datetimes, PostgreSQL aware ones: compare them as aware (no time → ``default``)."""
    if t is None:
        return default
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)


def resolve_url(url: str, root: Path) -> str:
    """Make a relative SQLite path relative to the project root and create its folder."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        path = Path(u.database)
        if not path.is_absolute():
            path = root / path
        path.parent.mkdir(parents=True, exist_ok=True)
        u = u.set(database=str(path))
    return u.render_as_string(hide_password=False)


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={getattr(dbapi_conn, 'busy_timeout_ms', 5000)}")
    cur.close()


def create_engine(settings: Settings, url: str | None = None) -> AsyncEngine:
    """The app's engine; PostgreSQL gets a pool, SQLite its pragmas."""
    full = resolve_url(url or settings.database.url, settings.root)
    # hide_parameters: SQL errors and echo never carry a citizen's state, answers or ID numbers into the logs.
    kwargs: dict[str, Any] = {"echo": settings.database.echo, "json_serializer": _dumps,
                              "json_deserializer": orjson.loads, "hide_parameters": True}
    if full.startswith("postgresql"):
        kwargs.update(pool_size=settings.database.pool_size, max_overflow=settings.database.pool_size,
                      pool_pre_ping=True, pool_recycle=1800)
    else:
        # SQLite has one writer at a time: one shared connection makes turns queue in asyncio (cheap, fair)
        # instead of spinning in SQLite's busy handler.
        from bot.storage.fairpool import FairPool  # first come, first served (see the module)

        kwargs.update(pool_size=1, max_overflow=0, pool_timeout=60, poolclass=FairPool)
        if make_url(full).get_driver_name() == "aiosqlite":
            from bot.storage.sqlite_onehop import dbapi  # one thread hop per statement (see the module)

            kwargs["module"] = dbapi(inline=True)
    engine = create_async_engine(full, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def is_outage(exc: BaseException) -> bool:
    """A database that is down or restarting (connection refused, shutting down, connection lost, pool timeout)."""
    from sqlalchemy import exc as sa

    if isinstance(exc, (OSError, sa.TimeoutError)):
        return True
    if isinstance(exc, sa.DBAPIError):
        return bool(exc.connection_invalidated) or isinstance(exc, (sa.OperationalError, sa.InterfaceError)) or \
            isinstance(getattr(exc, "orig", None), OSError) or _pg_unavailable(exc)
    return False


def _pg_unavailable(exc: BaseException) -> bool:
    """asyncpg's words for a server that is shutting down, starting, or dropped the connection."""
    name = type(getattr(exc, "orig", None)).__name__ + " " + str(getattr(exc, "orig", ""))
    return any(w in name for w in ("shutting down", "starting up", "closed in the middle", "administrator command",
                                   "ConnectionDoesNotExist", "CannotConnectNow", "another operation"))


def log_failure(log: Any, what: str, exc: BaseException) -> None:
    """Background loops: a database outage is one warning line, anything else a full traceback."""
    if is_outage(exc):
        cause = getattr(exc, "orig", None) or exc
        first = str(cause).splitlines()[0][:200] if str(cause) else ""
        log.warning("%s, database unavailable: %s: %s", what, type(cause).__name__, first)
    else:
        log.exception(what)
