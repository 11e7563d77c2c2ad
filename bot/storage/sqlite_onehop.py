"""A leaner aiosqlite DBAPI adapter for SQLAlchemy: one thread hop per statement instead of three or four.

SQLAlchemy's aiosqlite adapter opens a cursor, executes, fetches and closes it, each as a separate trip to
aiosqlite's thread and back through the event loop. SQLite is used with one shared connection (one writer at
a time), so every trip lengthens the time a turn holds the connection while other turns queue behind it. Here a
statement runs cursor → execute → fetchall → close in the connection's thread as one call. Everything else
(connections, transactions, errors, server-side cursors) is SQLAlchemy's own adapter, unchanged.
"""
from __future__ import annotations

import collections
import sqlite3
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

_Result = tuple[Any, list[Any], int, int, bool]   # description, rows, rowcount, lastrowid, in a transaction


def _run(conn: sqlite3.Connection, many: bool, operation: str, parameters: Any) -> _Result:
    """In aiosqlite's thread: the whole statement, start to finish."""
    cur = conn.cursor()
    try:
        if many:
            cur.executemany(operation, parameters)
        elif parameters is None:
            cur.execute(operation)
        else:
            cur.execute(operation, parameters)
        desc = cur.description
        rows = cur.fetchall() if desc else []
        return desc, rows, cur.rowcount, cur.lastrowid or 0, conn.in_transaction
    finally:
        cur.close()


PATIENT_MS = 5000   # how long a statement waits for another process's write lock (aiosqlite's thread only)


def _patiently(fn: Any, conn: sqlite3.Connection, *args: Any) -> Any:
    """In aiosqlite's thread: ``fn`` with SQLite's busy timeout on, for a connection whose timeout is otherwise 0."""
    conn.execute(f"PRAGMA busy_timeout={PATIENT_MS}")
    try:
        return fn(conn, *args)
    finally:
        conn.execute("PRAGMA busy_timeout=0")


def _commit(conn: sqlite3.Connection) -> None:
    conn.commit()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A client-side cursor whose statements each cost one trip to the connection's thread."""

    __slots__ = ("_count", "_desc", "_lastid")

    def __init__(self, adapt_connection: Any):   # no aiosqlite cursor: the statement makes its own
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._desc: Any = None
        self._count = -1
        self._lastid = 0

    @property
    def description(self) -> Any:
        return self._desc

    @property
    def rowcount(self) -> int:
        return self._count

    @property
    def lastrowid(self) -> int:
        return self._lastid

    async def _async_soft_close(self) -> None:   # nothing is left open in the thread
        return None

    def close(self) -> None:
        self._rows.clear()

    async def _go(self, many: bool, operation: Any, parameters: Any) -> None:
        async with self._adapt_connection._execute_mutex:
            conn = self._connection
            desc, rows, self._count, self._lastid, in_tx = await conn._execute(_run, conn._conn, many, operation,
                                                                               parameters)
        self._adapt_connection._in_tx = in_tx  # type: ignore[attr-defined]
        self._desc = desc
        self._rows = collections.deque(rows)

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        try:
            return await_(self._go(False, operation, parameters))
        except Exception as error:  # noqa: BLE001 -- translated to DBAPI errors, as SQLAlchemy does
            self._adapt_connection._handle_exception(error)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        try:
            return await_(self._go(True, operation, seq_of_parameters))
        except Exception as error:  # noqa: BLE001 -- translated to DBAPI errors, as SQLAlchemy does
            self._adapt_connection._handle_exception(error)


async def _nothing() -> None:
    return None


class InlineCursor(OneHopCursor):
    """A statement run in the event loop's own thread: no trip at all (see `InlineConnection`)."""

    __slots__ = ()

    def _inline(self, many: bool, operation: Any, parameters: Any) -> Any:
        try:
            self._desc, rows, self._count, self._lastid, in_tx = _run(self._connection._conn, many, operation,
                                                                      parameters)
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                self._adapt_connection._handle_exception(error)
            # Another process holds the write lock: wait for it in aiosqlite's thread (busy timeout), not here.
            return self._wait(many, operation, parameters)
        except Exception as error:  # noqa: BLE001 -- translated to DBAPI errors, as SQLAlchemy does
            self._adapt_connection._handle_exception(error)
        self._adapt_connection._in_tx = in_tx  # type: ignore[attr-defined]
        self._rows = collections.deque(rows)
        # SQLAlchemy's AsyncConnection.execute insists that a statement awaited something (a guard against sync
        # drivers in async code); awaiting a finished coroutine costs two greenlet switches, no loop iteration.
        return await_(_nothing())

    def _wait(self, many: bool, operation: Any, parameters: Any) -> None:
        conn = self._connection
        try:
            self._desc, rows, self._count, self._lastid, in_tx = await_(conn._execute(
                _patiently, _run, conn._conn, many, operation, parameters))
        except Exception as error:  # noqa: BLE001 -- translated to DBAPI errors, as SQLAlchemy does
            self._adapt_connection._handle_exception(error)
        self._adapt_connection._in_tx = in_tx  # type: ignore[attr-defined]
        self._rows = collections.deque(rows)

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        return self._inline(False, operation, parameters)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        return self._inline(True, operation, seq_of_parameters)


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    """Also skips the trip for a commit or rollback when SQLite has no transaction open (a read, or the
    pool's reset after a commit): the last statement reported whether one was."""

    __slots__ = ("_in_tx",)
    _cursor_cls = OneHopCursor

    def __init__(self, dbapi: Any, connection: Any):
        super().__init__(dbapi, connection)
        self._in_tx = True   # unknown until the first statement: do not skip

    def rollback(self) -> None:
        if self._in_tx:
            super().rollback()
            self._in_tx = False

    def commit(self) -> None:
        if self._in_tx:
            super().commit()
            self._in_tx = False


class InlineConnection(OneHopConnection):
    """Statements, commits and rollbacks run in the event loop's thread, skipping aiosqlite's thread altogether.

    A turn's statements take tens of microseconds in SQLite (WAL, synchronous=NORMAL: a commit does not wait for
    the disk), less than one trip to another thread and back (queue, GIL hand-over, loop wake-up). The one case
    where SQLite would wait is another process holding the write lock: this connection's busy timeout is zero, so
    the statement fails at once and is run again in aiosqlite's thread, which waits there (busy timeout 5 s)."""

    __slots__ = ()
    _cursor_cls = InlineCursor
    busy_timeout_ms = 0

    def rollback(self) -> None:
        if self._in_tx:
            self._connection._conn.rollback()
            self._in_tx = False

    def commit(self) -> None:
        if self._in_tx:
            try:
                self._connection._conn.commit()
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    self._handle_exception(error)
                try:   # wait for the other process in aiosqlite's thread
                    await_(self._connection._execute(_patiently, _commit, self._connection._conn))
                except Exception as again:  # noqa: BLE001 -- translated to DBAPI errors, as SQLAlchemy does
                    self._handle_exception(again)
            self._in_tx = False


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """Pass as ``module=`` to `create_async_engine` for a ``sqlite+aiosqlite`` URL."""

    def __init__(self, aiosqlite: Any, sqlite: Any, *, inline: bool = False):
        super().__init__(aiosqlite, sqlite)
        self._inline = inline

    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        base = super().connect(*arg, **kw)
        cls = InlineConnection if self._inline else OneHopConnection
        return cls(self, base._connection)


def dbapi(*, inline: bool = False) -> OneHopDBAPI:
    import aiosqlite

    return OneHopDBAPI(aiosqlite, sqlite3, inline=inline)
