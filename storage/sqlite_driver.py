"""aiosqlite with at most one worker-thread round trip per statement.

SQLAlchemy's aiosqlite adapter makes four round trips to aiosqlite's worker
thread for each statement (open a cursor, execute, fetch, close), each a
queue hop of tens of microseconds; on the hot paths (claiming an event,
recording kudos, queueing messages) those hops, not SQLite, were the cost.
This adapter runs the whole statement (execute, fetch every row, close) as
one function on aiosqlite's own thread and connection. It is still aiosqlite
under SQLAlchemy's async engine: only the cursor changes. Storage URLs keep
saying `sqlite+aiosqlite`; `storage.engine` picks this dialect for them.

Statements whose outcome nobody reads (`BEGIN`, `SAVEPOINT`, `RELEASE`)
make no trip of their own: they wait on the connection and run on the
worker thread just before the next statement, in that statement's trip. A
transaction is then one trip per statement plus its COMMIT, and a savepoint
around a handler costs nothing until the handler sends a statement. Left
waiting at COMMIT or ROLLBACK they are dropped: COMMIT ends every savepoint
anyway, and a transaction whose BEGIN never ran has nothing to end, so it
makes no trip at all. A deferred statement that fails (`BEGIN IMMEDIATE`
after `busy_timeout`) raises from the statement it travelled with, inside
the same transaction attempt.

Inside a write transaction, once its `BEGIN IMMEDIATE` has run, statements
make no trip at all: they run on the event loop's thread. A trip costs
60-150 microseconds on these machines (two thread wake-ups), while the
statements of a write transaction (a claim, a gift, a queued message) take
SQLite a few microseconds; batched, a transaction sends hundreds of them.
What can wait stays on the worker thread, so the loop never waits on a
lock or a disk flush: `BEGIN IMMEDIATE` (it may wait `busy_timeout` for
another process's write lock), COMMIT (it may checkpoint the WAL and
fsync) and every statement of a read-only transaction. Once a write
transaction holds the lock, WAL mode lets nothing make its statements
wait; they cost the loop what SQLite spends on them, which for a read
inside a handler's transaction can be more than microseconds (a windowed
board of a 1,000,000-kudos workspace: ~20 ms). The sqlite3 connection is
then used from two threads, never at once (each statement holds the
connection's execute mutex and awaits the last), so it is opened with
`check_same_thread=False`.

It leans on two internals, aiosqlite's `Connection._execute` (queue a
function on the worker thread) and SQLAlchemy's adapted-cursor hooks, so
both libraries are pinned to ranges the storage contract suite has passed on.
"""

from __future__ import annotations

import collections
import re
import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)
from sqlalchemy.engine import Connection
from sqlalchemy.util.concurrency import await_

Outcome = tuple[Any, int, int | None, list[Any]]

#: Statements with no parameters and no outcome to read, sent with the next one.
_DEFERRABLE = re.compile(r"\s*(BEGIN|SAVEPOINT|RELEASE)\b", re.IGNORECASE)
_BEGIN = re.compile(r"\s*BEGIN\b", re.IGNORECASE)
_BEGIN_WRITING = re.compile(r"\s*BEGIN\s+IMMEDIATE\b", re.IGNORECASE)


def _run(
    connection: sqlite3.Connection,
    deferred: list[str],
    operation: str,
    parameters: Any,
    many: bool,
) -> Outcome:
    cursor = connection.cursor()
    try:
        for statement in deferred:
            cursor.execute(statement)
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ("_outcome",)
    _adapt_connection: OneHopConnection

    def __init__(self, adapt_connection: Any) -> None:
        self._outcome: Outcome = (None, -1, None, [])
        super().__init__(adapt_connection)

    def _make_new_cursor(self, connection: Any) -> Any:
        return None  # no aiosqlite cursor: statements run whole on the worker thread

    def _aenter_cursor(self, cursor: Any) -> Any:
        return None

    @property
    def description(self) -> Any:
        return self._outcome[0]

    @property
    def rowcount(self) -> int:
        return self._outcome[1]

    @property
    def lastrowid(self) -> int:
        return self._outcome[2] or 0

    async def _hop(self, operation: str, parameters: Any, many: bool) -> None:
        connection = self._connection
        adapted = self._adapt_connection
        deferred = adapted.take_deferred()
        if adapted.writing:  # SAVEPOINT and RELEASE never wait: only BEGIN might
            self._outcome = _run(connection._conn, deferred, operation, parameters, many)
        else:
            self._outcome = await connection._execute(
                _run, connection._conn, deferred, operation, parameters, many
            )
            if deferred and _BEGIN_WRITING.match(deferred[0]):
                adapted.writing = True  # the lock is held: the rest runs here
        self._rows = collections.deque(self._outcome[3])

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        if not parameters and _DEFERRABLE.match(operation):
            self._adapt_connection.defer(operation)
            self._outcome = (None, -1, None, [])
            self._rows = collections.deque()
            return
        async with self._adapt_connection._execute_mutex:
            await self._hop(operation, parameters, False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        async with self._adapt_connection._execute_mutex:
            await self._hop(operation, seq_of_parameters, True)

    async def _async_soft_close(self) -> None:
        return None

    def close(self) -> None:
        self._rows.clear()

    def nextset(self) -> None:
        return None


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("_deferred", "writing")
    _cursor_cls = OneHopCursor

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self._deferred: list[str] = []
        self.writing = False  # a write transaction holds the lock: statements run inline

    def defer(self, statement: str) -> None:
        self._deferred.append(statement)

    def take_deferred(self) -> list[str]:
        deferred, self._deferred = self._deferred, []
        return deferred

    def commit(self) -> None:
        self._end(commit=True)

    def rollback(self) -> None:
        self._end(commit=False)

    def _end(self, *, commit: bool) -> None:
        self.writing = False
        deferred = self.take_deferred()
        if deferred and _BEGIN.match(deferred[0]):
            return  # the transaction never sent a statement: there is nothing to end
        if commit:
            super().commit()
        else:
            super().rollback()


def _adapted(connection: Connection) -> OneHopConnection:
    adapted = connection.connection.dbapi_connection
    assert isinstance(adapted, OneHopConnection)
    return adapted


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        connection = self.aiosqlite.connect(*arg, **kw)
        connection._thread.daemon = True
        return OneHopConnection(self, await_(connection))


class OneHopSQLiteDialect(SQLiteDialect_aiosqlite):
    """`sqlite+aiosqlite`, one round trip per statement.

    Savepoints go to the connection as plain SQL: SQLAlchemy would compile
    and execute a clause for each (tens of microseconds), and a handler's
    savepoint is taken and released once per event.
    """

    supports_statement_cache = True
    supports_server_side_cursors = False

    def do_savepoint(self, connection: Connection, name: str) -> None:
        _adapted(connection).defer(f"SAVEPOINT {self.identifier_preparer.quote(name)}")

    def do_release_savepoint(self, connection: Connection, name: str) -> None:
        _adapted(connection).defer(f"RELEASE SAVEPOINT {self.identifier_preparer.quote(name)}")

    def do_rollback_to_savepoint(self, connection: Connection, name: str) -> None:
        cursor = _adapted(connection).cursor()
        try:
            cursor.execute(f"ROLLBACK TO SAVEPOINT {self.identifier_preparer.quote(name)}")
        finally:
            cursor.close()

    @classmethod
    def import_dbapi(cls) -> OneHopDBAPI:
        return OneHopDBAPI(__import__("aiosqlite"), __import__("sqlite3"))
