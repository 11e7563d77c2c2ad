"""A conversation turn's load and save straight on SQLite's connection, without SQLAlchemy's execution layer.

On SQLite (one shared connection, statements in the event loop's thread: `sqlite_onehop.InlineConnection`) a
turn's own SQL takes ~70 µs, but going through SQLAlchemy's async engine cost ~560 µs of CPU per turn (two
``engine.connect()`` of ~45 µs each, greenlet hops, an execution context, parameter and result processing per
statement): a third of a turn. Here the same statements — compiled once by SQLAlchemy from the same tables, with
the columns' own bind and result processors, so what is stored is byte-for-byte what the Core path stores — run on
the pooled ``sqlite3`` connection itself. The connection is checked out of the same pool (first come, first
served), so nothing else uses it meanwhile; a write transaction starts with ``BEGIN IMMEDIATE``: when another
process holds SQLite's write lock, that one statement waits in aiosqlite's thread (busy timeout) and the rest run
inline once the lock is ours. PostgreSQL, and SQLite without the inline adapter, keep the Core path (`repo.Repo`).
"""
from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Self

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util.concurrency import greenlet_spawn

from bot.storage.sqlite_onehop import PATIENT_MS

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class Prepared:
    """One statement compiled once for SQLite: its SQL, its parameters in order with their bind processors."""

    sql: str
    names: tuple[str, ...]
    procs: tuple[Processor, ...]
    fixed: Mapping[str, Any]   # parameters with a value of their own (``attempts + 1``'s 1)

    @classmethod
    def of(cls, stmt: Any, dialect: Dialect, keys: Sequence[str] | None = None) -> Prepared:
        compiled = stmt.compile(dialect=dialect, column_keys=list(keys) if keys is not None else None)
        if getattr(compiled, "insert_prefetch", None) or getattr(compiled, "update_prefetch", None):
            # a column default computed in Python: the Core path would fill it, this one would store NULL
            missing = [c.key for c in [*compiled.insert_prefetch, *compiled.update_prefetch]]
            raise ValueError(f"give every column explicitly, missing: {missing}")
        names = tuple(compiled.positiontup or ())
        binds = compiled.binds
        procs = tuple(_bind_processor(binds[n].type, dialect) for n in names)
        fixed = {n: binds[n].value for n in names if not binds[n].required}
        return cls(str(compiled), names, procs, fixed)

    def params(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        fixed = self.fixed
        out = []
        for name, proc in zip(self.names, self.procs):
            v = values[name] if name in values else fixed[name]
            out.append(proc(v) if proc is not None and v is not None else v)
        return tuple(out)


def _busy(error: sqlite3.OperationalError) -> bool:
    text = str(error)
    return "locked" in text or "busy" in text


def _begin(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN IMMEDIATE")


def _begin_patiently(conn: sqlite3.Connection) -> None:
    """In aiosqlite's thread: wait up to the busy timeout for the write lock."""
    conn.execute(f"PRAGMA busy_timeout={PATIENT_MS}")
    try:
        conn.execute("BEGIN IMMEDIATE")
    finally:
        conn.execute("PRAGMA busy_timeout=0")


class Checkout:
    """The pool's connection, held for one load or one save (``async with``)."""

    __slots__ = ("_pool", "_waiting", "adapted", "conn", "fairy", "statements")

    def __init__(self, pool: Any, statements: Statements):
        self._pool = pool
        self.statements = statements
        self.fairy: Any = None
        self._waiting: asyncio.Future[Any] | None = None

    async def __aenter__(self) -> Self:
        queue = self._pool._pool
        if queue.qsize() and not getattr(queue, "_waiters", None):
            self.fairy = self._pool.connect()          # free now: no wait, no greenlet
        else:
            self.fairy = await greenlet_spawn(self._pool.connect)   # wait in line (or open the connection)
        self.adapted = self.fairy.dbapi_connection
        self.conn = self.adapted._connection._conn
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._waiting is not None and not self._waiting.done():
            # cancelled while waiting for the write lock: the thread may still take it, so the connection goes
            # back only after it finished, without a transaction
            with contextlib.suppress(Exception):
                await asyncio.shield(self._waiting)
            self.rollback()
        fairy, self.fairy = self.fairy, None
        self.adapted._in_tx = self.conn.in_transaction
        fairy.close()   # back to the pool; its reset skips the rollback when no transaction is open

    async def begin(self) -> None:
        """``BEGIN IMMEDIATE``: inline, or waiting in aiosqlite's thread when another process writes."""
        try:
            _begin(self.conn)
        except sqlite3.OperationalError as error:
            if not _busy(error):
                raise
            self._waiting = asyncio.ensure_future(self.adapted._connection._execute(_begin_patiently, self.conn))
            await asyncio.shield(self._waiting)
        self.adapted._in_tx = True

    def commit(self) -> None:
        self.conn.commit()
        self.adapted._in_tx = False

    def rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.rollback()
        self.adapted._in_tx = False

    def run(self, stmt: Any, values: Mapping[str, Any]) -> sqlite3.Cursor:
        p = self.statements(stmt, values)
        return self.conn.execute(p.sql, p.params(values))

    def run_many(self, stmt: Any, rows: Sequence[Mapping[str, Any]]) -> None:
        """One statement for rows that carry the same keys (as a turn's rows of one table do)."""
        p = self.statements(stmt, rows[0])
        self.conn.executemany(p.sql, [p.params(r) for r in rows])


def supported(engine: AsyncEngine) -> bool:
    """Whether ``engine`` is SQLite on the inline adapter with the one-connection pool (`db.create_engine`)."""
    from bot.storage.fairpool import FairPool
    from bot.storage.sqlite_onehop import OneHopDBAPI

    sync = engine.sync_engine
    dbapi = getattr(sync.dialect, "dbapi", None) or getattr(sync.dialect, "loaded_dbapi", None)
    return sync.dialect.name == "sqlite" and isinstance(sync.pool, FairPool) and isinstance(dbapi, OneHopDBAPI) \
        and getattr(dbapi, "_inline", False)


class Statements:
    """Core statements compiled for SQLite on first use, once per statement and set of parameter names (an insert's
    columns are the keys its rows carry), so the SQL run here is the very statement the Core path runs."""

    def __init__(self, dialect: Dialect):
        self.dialect = dialect
        self._compiled: dict[tuple[int, tuple[str, ...]], Prepared] = {}
        self._readers: dict[int, Callable[[Any], Any]] = {}

    def __call__(self, stmt: Any, values: Mapping[str, Any]) -> Prepared:
        key = (id(stmt), tuple(values))   # by identity: the statements live as long as the module defining them
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = Prepared.of(stmt, self.dialect, key[1])
        return found

    def reader(self, column: Any) -> Callable[[Any], Any]:
        """How a stored value of ``column`` reads back (a JSON column's text as its Python value)."""
        found = self._readers.get(id(column))   # a Column's == builds an expression: key by identity
        if found is None:
            proc = column.type.dialect_impl(self.dialect).result_processor(self.dialect, None)
            found = self._readers[id(column)] = proc if proc is not None else (lambda v: v)
        return found


def _bind_processor(type_: Any, dialect: Dialect) -> Processor:
    proc = type_.dialect_impl(dialect).bind_processor(dialect)
    if proc is None or not isinstance(type_, DateTime):
        return proc
    # A turn stamps every row with the same moment: format it once, not once per row (~1 % of a turn's CPU).
    last: list[Any] = [None, None]

    def once(value: Any) -> Any:
        if value is not last[0]:
            last[1] = proc(value)
            last[0] = value
        return last[1]

    return once


__all__ = ["Checkout", "Prepared", "Statements", "supported"]
