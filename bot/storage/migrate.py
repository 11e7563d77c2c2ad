"""Run Alembic migrations programmatically (``motcua db upgrade`` and test fixtures)."""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
_REVISION = re.compile(r"^(down_revision|revision)\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"""["']([^"']+)["']""")


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` (async URL) up to ``revision``. Blocking: call in a thread from async code."""
    if revision == "head" and sqlite_at_head(url):
        return   # a restart: nothing to migrate, and Alembic's import is ~0.2-0.4 s of start-up
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(url), revision)


def code_heads() -> set[str]:
    """The head revisions of the migration scripts, read from their ``revision``/``down_revision`` lines."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for kind, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            (revisions if kind == "revision" else parents).update(_QUOTED.findall(value))
    return revisions - parents


def sqlite_at_head(url: str) -> bool:
    """Whether ``url`` is an existing SQLite file already at the scripts' heads (read without Alembic).

    Anything unusual (another database, no file, no version table, a script the regex cannot read) says no,
    and Alembic decides as before."""
    if not url.startswith("sqlite") or ":memory:" in url or "///" not in url:
        return False
    path = Path(url.split("///", 1)[1].split("?", 1)[0])
    if not path.is_file():
        return False
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        stored = {r[0] for r in conn.execute("SELECT version_num FROM alembic_version")}
    except sqlite3.Error:
        return False
    finally:
        conn.close()
    heads = code_heads()
    return bool(heads) and stored == heads
