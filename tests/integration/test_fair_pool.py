"""SQLite's one shared connection goes to the turns in the order they asked for it: a turn arriving just as the
connection is returned queues behind those already waiting (no turn is overtaken round after round)."""
from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text

from bot.storage.db import create_engine
from tests.conftest import make_settings


async def test_the_connection_is_handed_over_first_come_first_served(tmp_path: Path) -> None:
    engine = create_engine(make_settings(f"sqlite+aiosqlite:///{tmp_path / 'f.sqlite3'}"))
    order: list[str] = []

    async def use(name: str) -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            order.append(name)

    try:
        first = await engine.connect().start()
        await first.execute(text("SELECT 1"))
        waiting = [asyncio.ensure_future(use(n)) for n in ("a", "b", "c")]
        await asyncio.sleep(0.05)                     # a, b, c now wait for the one connection, in that order
        late = asyncio.ensure_future(use("late"))     # arrives (runs next) while a, b, c still wait ...
        await first.close()                           # ... as the connection is returned: a gets it, not late
        await asyncio.wait_for(asyncio.gather(*waiting, late), 5)
        assert order == ["a", "b", "c", "late"]
        # A waiter that gives up (its task cancelled) does not lose the connection for the others.
        holder = await engine.connect().start()
        gone = asyncio.ensure_future(use("gone"))
        after = asyncio.ensure_future(use("after"))
        await asyncio.sleep(0.05)
        gone.cancel()
        await asyncio.sleep(0.01)                     # the cancellation is delivered before the connection returns
        await holder.close()
        await asyncio.wait_for(after, 5)
        assert order[-1] == "after" and "gone" not in order
    finally:
        await engine.dispose()
