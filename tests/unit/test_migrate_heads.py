"""A restart skips Alembic only when the SQLite file is exactly at the scripts' head; anything else migrates."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.storage.migrate import alembic_config, code_heads, downgrade, sqlite_at_head, upgrade


def test_heads_read_from_the_scripts_are_alembics() -> None:
    from alembic.script import ScriptDirectory

    assert code_heads() == set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def test_only_a_database_at_head_skips_the_migration(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.sqlite3'}"
    assert not sqlite_at_head(url)                       # no file yet
    upgrade(url)
    assert sqlite_at_head(url)
    downgrade(url, "0007")
    assert not sqlite_at_head(url)                       # behind: upgrade must run Alembic
    upgrade(url)
    with sqlite3.connect(tmp_path / "m.sqlite3") as conn:
        assert {r[0] for r in conn.execute("SELECT version_num FROM alembic_version")} == code_heads()
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'communes'").fetchone()[0] == 1
    assert not sqlite_at_head("postgresql+asyncpg://postgres@127.0.0.1/x")
    assert not sqlite_at_head("sqlite+aiosqlite:///:memory:")
