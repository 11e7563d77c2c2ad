"""The background WAL checkpoint (`bot/storage/checkpoint.py`): the log is folded back by a thread, so a citizen's
commit does not have to, and only SQLite files get one."""
from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from bot.settings import Settings
from bot.storage.checkpoint import database_file, wal_checkpoints
from bot.storage.db import create_engine


def _log_frames(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1])


async def test_the_log_is_folded_back_without_any_commit_doing_it(tmp_path: Path) -> None:
    path = str(tmp_path / "w.sqlite3")
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")   # this connection never checkpoints by itself
    writer.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    task = asyncio.create_task(wal_checkpoints(path, every_s=0.05))
    try:
        for _ in range(200):
            writer.execute("BEGIN IMMEDIATE")
            writer.executemany("INSERT INTO t (body) VALUES (?)", [("x" * 500,)] * 5)
            writer.execute("COMMIT")
        await asyncio.sleep(0.3)
        # ~500 KB of rows are in the database file itself although no connection of ours ever checkpointed
        assert Path(path).stat().st_size > 400_000
        writer.execute("INSERT INTO t (body) VALUES ('after')")   # the next write starts the log over
        assert _log_frames(writer) < 10
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        writer.close()
    assert writer is not None and sqlite3.connect(path).execute("SELECT count(*) FROM t").fetchone()[0] == 1001


async def test_only_a_sqlite_file_gets_a_background_checkpoint(tmp_path: Path, pg_url: str) -> None:
    found = []
    for url in (f"sqlite+aiosqlite:///{tmp_path / 'a.sqlite3'}", "sqlite+aiosqlite:///:memory:", pg_url):
        s = Settings()
        s.database.url = url
        engine = create_engine(s)
        found.append(database_file(engine))
        await engine.dispose()
    assert found == [str(tmp_path / "a.sqlite3"), None, None]
