"""SQLite's own turn path (`bot/storage/sqlite_turns.py`) stores exactly what the SQLAlchemy Core path stores.

Every other storage test runs through it on SQLite (and through Core on PostgreSQL); these pin the equivalence
row by row, and the failure cases: a redelivery, a conflicting version, a turn that fails half-way.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from bot.settings import Settings
from bot.storage.db import create_engine
from bot.storage.migrate import upgrade
from bot.storage.repo import AFTER_DELIVERY, DuplicateMessage, Repo, TurnRecord, VersionConflict

T0 = dt.datetime(2026, 12, 6, 3, 4, 5, 678901, tzinfo=dt.UTC)
TABLES = ("conversations", "inbox", "transcript", "outbox", "events")


def _record(conv: int | None, version: int, n: int, **kw: Any) -> TurnRecord:
    base: dict[str, Any] = {
        "channel": "rest", "external_id": "citizen-1", "conversation_id": conv, "old_version": version,
        "state": {"procedure_id": "ho-tich.khai-sinh", "answers": [["usual_case", "yes"]], "n": n, "tên": "Nguyễn Thị Ánh"},
        "mode": "bot", "procedure_id": "ho-tich.khai-sinh", "step_id": f"q{n}", "now": T0 + dt.timedelta(seconds=n),
        "message_id": f"m-{n}", "inbound": ("citizen", f"tin nhắn {n}", {"text": f"tin nhắn {n}", "nlu": {"label": "x"}}),
        "outbound": [{"kind": "text", "text": f"Trả lời {n}", "buttons": [{"title": "Có", "payload": "/co"}]},
                  {"kind": "link", "url": "https://x.test/d/1", "caption": None}],
        "outbound_sender": ["bot", "bot"], "events": [("message_received", {"n": n}), ("draft_created", {"code": "KS-1"})],
        "team": "xa-ea-kar", "commune": "24640", "pull": True, "needs_effect": frozenset({"draft_created"})}
    base.update(kw)
    return TurnRecord(**base)


async def _walk(repo: Repo) -> list[Any]:
    """A first turn, a push turn, a secret waiting in the outbox, then a pull turn that takes it."""
    out = []
    first = await repo.save_turn(_record(None, 0, 1))
    out.append(first)
    cid = first.conversation_id
    out.append(await repo.save_turn(_record(cid, 1, 2, pull=False, message_id=None, events=())))
    async with repo.engine.begin() as conn:   # an effect's message with a secret, as the dossier room adds it
        await repo.add_outbox(conn, cid, "rest", "citizen-1", [{"kind": "link", "url": "https://x.test/d/1?t=SECRET"}],
                              T0, masked=[{"kind": "link", "url": "https://x.test/d/1"}])
    out.append(await repo.save_turn(_record(cid, 2, 3, inbound=None, outbound_sender=())))
    out.append(await repo.load("rest", "citizen-1"))
    out.append(await repo.load("rest", "nobody"))
    out.append(await repo.replies_for_message("rest", "citizen-1", "m-1"))   # a redelivery's stored replies
    out.append(await repo.replies_for_message("rest", "someone-else", "m-1"))   # another sender's id: new
    return out


def _dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(make_url(url).database)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in TABLES}
    finally:
        conn.close()


async def _repo(url: str, *, core: bool) -> Repo:
    s = Settings()
    s.database.url = url
    repo = Repo(create_engine(s))
    if core:
        repo._sqlite = None
    else:
        assert repo._sqlite is not None, "the SQLite path must be on for the app's SQLite engine"
    return repo


@pytest.fixture
def two_dbs(tmp_path: Path) -> tuple[str, str]:
    urls = tuple(f"sqlite+aiosqlite:///{tmp_path / name}.sqlite3" for name in ("core", "own"))
    for u in urls:
        upgrade(u)
    return urls[0], urls[1]


async def test_the_sqlite_path_stores_the_very_rows_the_core_path_stores(two_dbs: tuple[str, str]) -> None:
    core_url, own_url = two_dbs
    results = []
    for url, core in ((core_url, True), (own_url, False)):
        repo = await _repo(url, core=core)
        try:
            results.append(await _walk(repo))
        finally:
            await repo.engine.dispose()
    assert results[0] == results[1]
    assert [m.get("text") for m in results[1][5]] == ["Trả lời 1", None] and results[1][6] is None
    core, own = _dump(core_url), _dump(own_url)
    assert own == core
    # and what was stored is what a turn means: the secret was delivered once and only its masked copy is kept
    assert len(own["conversations"]) == 1 and own["conversations"][0][4] == 3
    taken = results[1][2].earlier   # the push turn's two replies, then the effect's link with its secret
    assert [m.get("text") or m.get("url") for m in taken] == ["Trả lời 2", "https://x.test/d/1",
                                                              "https://x.test/d/1?t=SECRET"]
    assert not any("SECRET" in str(row) for row in own["outbox"]) and AFTER_DELIVERY not in str(own["outbox"])
    assert [r[2] for r in own["events"] if r[6] is None] == ["draft_created"] * 2   # left for the effects


async def test_a_redelivery_and_a_stale_version_are_refused_and_store_nothing(two_dbs: tuple[str, str]) -> None:
    url = two_dbs[1]
    repo = await _repo(url, core=False)
    try:
        first = await repo.save_turn(_record(None, 0, 1))
        before = _dump(url)
        with pytest.raises(DuplicateMessage):
            await repo.save_turn(_record(first.conversation_id, 1, 1))            # the same message id again
        with pytest.raises(VersionConflict):
            await repo.save_turn(_record(first.conversation_id, 0, 2))            # another worker wrote version 1
        with pytest.raises(VersionConflict):
            await repo.save_turn(_record(None, 0, 3))                             # another worker created it
        with pytest.raises(TypeError):
            await repo.save_turn(_record(first.conversation_id, 1, 4, events=[("x", {"bad": {1, 2}})]))
        assert _dump(url) == before                                               # all or nothing
        saved = await repo.save_turn(_record(first.conversation_id, 1, 5))      # and the connection still works
        assert saved.conversation_id == first.conversation_id
    finally:
        await repo.engine.dispose()


async def test_postgresql_keeps_the_core_path_and_every_app_sqlite_database_takes_its_own(pg_url: str) -> None:
    for url in (pg_url, "sqlite+aiosqlite:///:memory:"):
        s = Settings()
        s.database.url = url
        repo = Repo(create_engine(s))
        try:
            assert (repo._sqlite is None) == url.startswith("postgresql")
        finally:
            await repo.engine.dispose()


async def test_a_turn_cancelled_while_another_process_writes_leaves_no_lock_behind(two_dbs: tuple[str, str]) -> None:
    import asyncio

    url = two_dbs[1]
    repo = await _repo(url, core=False)
    other = sqlite3.connect(make_url(url).database, isolation_level=None, timeout=0.5)
    try:
        first = await repo.save_turn(_record(None, 0, 1))
        other.execute("BEGIN IMMEDIATE")                      # a CLI command or another worker is writing
        waiting = asyncio.ensure_future(repo.save_turn(_record(first.conversation_id, 1, 2)))
        await asyncio.sleep(0.1)
        waiting.cancel()                                      # e.g. the worker shuts down
        other.execute("COMMIT")                               # ... and the lock is released just then
        await asyncio.gather(waiting, return_exceptions=True)
        other.execute("BEGIN IMMEDIATE")                      # the cancelled turn kept no write lock
        other.execute("COMMIT")
        saved = await repo.save_turn(_record(first.conversation_id, 1, 3))   # version 1: the cancelled one wrote nothing
        assert saved.conversation_id == first.conversation_id
        assert (await repo.load("rest", "citizen-1")).version == 2  # type: ignore[union-attr]
    finally:
        other.close()
        await repo.engine.dispose()
