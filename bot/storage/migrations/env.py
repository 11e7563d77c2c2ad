"""Alembic environment: async engines, batch mode for SQLite, the models' naming convention."""
from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy import event, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

import bot.admin.models
import bot.storage.assist_models
import bot.storage.desk_models
import bot.storage.handoff_models  # noqa: F401  (handoff tables share the metadata)
from bot.storage.models import TABLES

config = context.config
target_metadata = TABLES


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _sqlite_wal(dbapi_conn: Any, _record: Any) -> None:
    """The journal the app's connections use (bot/storage/db.py): in WAL with synchronous=NORMAL a commit does not
    wait for the disk, where the default rollback journal synced ~300 times while a new database was created (each
    DDL statement commits on its own): ~0.01 s on an idle disk, seconds on a busy one, in every first start."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


async def _run_async() -> None:
    engine = create_async_engine(config.get_main_option("sqlalchemy.url") or "", poolclass=pool.NullPool)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_wal)
    async with engine.connect() as conn:
        await conn.run_sync(_run)
    await engine.dispose()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    asyncio.run(_run_async())


if context.is_offline_mode():  # pragma: no cover - we always migrate online
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
