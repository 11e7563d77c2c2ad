"""SQLite's write-ahead log copied into the database by a background thread, not by a citizen's turn.

With WAL, SQLite folds the log back into the database file ("checkpoint") inside whichever commit makes the log
reach 1,000 pages, and a checkpoint waits for the disk (fsync) — 2 to 20 ms here, in the event loop's thread
since statements run there (`sqlite_onehop`): every ~150 turns one turn, and every turn queued behind it, waited.
A passive checkpoint every second from a thread of its own keeps the log short, so at a citizen's pace no commit
reaches the threshold; under a burst the commit still checkpoints as before (nothing is switched off).
"""
from __future__ import annotations

import asyncio
import logging
import sqlite3

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

EVERY_S = 1.0


def database_file(engine: AsyncEngine) -> str | None:
    """The SQLite file behind ``engine``, or None (PostgreSQL, an in-memory database)."""
    url = make_url(str(engine.url))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:" \
            or url.database.startswith("file:"):
        return None
    return url.database


def _open(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA busy_timeout=100")
    return conn


def _passive(conn: sqlite3.Connection) -> tuple[int, int, int]:
    """(busy, frames in the log, frames copied); never blocks writers or readers."""
    row = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return int(row[0]), int(row[1]), int(row[2])


async def wal_checkpoints(path: str, every_s: float = EVERY_S) -> None:
    """Run until cancelled: a passive checkpoint of ``path`` every ``every_s`` seconds, in a worker thread."""
    conn = await asyncio.to_thread(_open, path)
    try:
        while True:
            await asyncio.sleep(every_s)
            try:
                await asyncio.to_thread(_passive, conn)
            except sqlite3.Error as error:   # a locked or vanished file: the commits' own checkpoints still run
                log.debug("background checkpoint skipped: %s", error)
    finally:
        conn.close()


__all__ = ["database_file", "wal_checkpoints"]
