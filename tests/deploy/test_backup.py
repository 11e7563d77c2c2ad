"""The README's backup and restore commands, run once against the local PostgreSQL: what a citizen wrote and the
schema revision come back identical in a fresh database, and `motcua doctor` accepts the restored one."""
from __future__ import annotations

import asyncio
import subprocess
import uuid
from pathlib import Path

import asyncpg
import pytest

from bot.doctor import check_database
from tests.conftest import _pg_create, _pg_drop, make_settings, require_service
from tests.deploy.conftest import require_tool

pytestmark = pytest.mark.postgres


async def _rows(dsn: str, sender: str) -> tuple[str, list[tuple[str, str]]]:
    conn = await asyncpg.connect(dsn)
    try:
        rev = await conn.fetchval("SELECT version_num FROM alembic_version")
        rows = await conn.fetch("SELECT c.external_id, t.text FROM transcript t JOIN conversations c "
                                "ON c.id = t.conversation_id WHERE c.external_id = $1 ORDER BY t.id", sender)
        return rev, [(r[0], r[1]) for r in rows]
    finally:
        await conn.close()


async def test_pg_dump_and_pg_restore_round_trip(pg_url: str, tmp_path: Path) -> None:
    require_service("PostgreSQL", "127.0.0.1", 5432)
    pg_dump, pg_restore = require_tool("pg_dump", "apt-get install postgresql-client"), require_tool(
        "pg_restore", "apt-get install postgresql-client")
    dsn = pg_url.replace("postgresql+asyncpg://", "postgresql://")
    sender = "backup-" + uuid.uuid4().hex[:8]
    conn = await asyncpg.connect(dsn)
    try:
        cid = await conn.fetchval("INSERT INTO conversations (channel, external_id, state, version, mode, created_at, "
                                  "updated_at) VALUES ('rest', $1, '{}', 0, 'bot', now(), now()) RETURNING id", sender)
        await conn.execute("INSERT INTO transcript (conversation_id, direction, sender, text, created_at) "
                           "VALUES ($1, 'in', 'citizen', 'tôi muốn làm giấy khai sinh', now())", cid)
    finally:
        await conn.close()
    dump = tmp_path / "motcua.dump"
    # As in the README: custom format, no owner, so it restores into any database and role.
    await asyncio.to_thread(subprocess.run, [pg_dump, "--format=custom", "--no-owner", f"--file={dump}", dsn],
                            check=True, timeout=120)
    target = f"motcua_restore_{uuid.uuid4().hex[:6]}"
    await asyncio.to_thread(_pg_create, target)
    try:
        restored = dsn.rsplit("/", 1)[0] + "/" + target
        res = await asyncio.to_thread(subprocess.run, [pg_restore, "--no-owner", "--exit-on-error",
                                                       f"--dbname={restored}", str(dump)],
                                      capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
        assert await _rows(restored, sender) == await _rows(dsn, sender)
        _rev, rows = await _rows(restored, sender)
        assert rows == [(sender, "tôi muốn làm giấy khai sinh")]
        check = await check_database(make_settings(restored.replace("postgresql://", "postgresql+asyncpg://")))
        assert check.status == "ok", check
    finally:
        await asyncio.to_thread(_pg_drop, target)
