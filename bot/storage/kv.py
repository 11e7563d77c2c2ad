"""Small values all workers share through the ``kv`` table (the Zalo OA token pair after a refresh)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import Table, select

from bot.storage.repo import Repo


class SharedValues:
    """One JSON object per key, read and written by every worker (a refresh token is single-use)."""

    def __init__(self, repo: Repo, clock: Callable[[], dt.datetime]):
        self.repo = repo
        self.clock = clock

    async def get(self, key: str) -> dict[str, Any] | None:
        from bot.storage.models import KeyValue

        kv = cast(Table, KeyValue.__table__)
        async with self.repo.engine.connect() as conn:
            row = (await conn.execute(select(kv.c.value).where(kv.c.key == key))).first()
        return row.value if row is not None and isinstance(row.value, dict) else None

    async def put(self, key: str, value: dict[str, Any]) -> None:
        from bot.storage.models import KeyValue

        kv = cast(Table, KeyValue.__table__)
        now = self.clock()
        async with self.repo.engine.begin() as conn:
            got = (await conn.execute(select(kv.c.key).where(kv.c.key == key))).first()
            if got is None:
                await conn.execute(kv.insert().values(key=key, value=value, updated_at=now))
            else:
                await conn.execute(kv.update().where(kv.c.key == key).values(value=value, updated_at=now))
