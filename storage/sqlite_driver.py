"""aiosqlite with one worker-thread round trip per statement.

SQLAlchemy's aiosqlite adapter makes four round trips to aiosqlite's worker
thread for each statement (open a cursor, execute, fetch, close), each a
queue hop of tens of microseconds; on the hot paths (claiming an event,
recording kudos, queueing messages) those hops, not SQLite, were the cost.
This adapter runs the whole statement (execute, fetch every row, close) as
one function on aiosqlite's own thread and connection. It is still aiosqlite
under SQLAlchemy's async engine: only the cursor changes. Storage URLs keep
saying `sqlite+aiosqlite`; `storage.engine` picks this dialect for them.

It leans on two internals, aiosqlite's `Connection._execute` (queue a
function on the worker thread) and SQLAlchemy's adapted-cursor hooks, so
both libraries are pinned to ranges the storage contract suite has passed on.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)
from sqlalchemy.util.concurrency import await_

Outcome = tuple[Any, int, int | None, list[Any]]


def _run(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> Outcome:
    cursor = connection.cursor()
    try:
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
        self._outcome = await connection._execute(
            _run, connection._conn, operation, parameters, many
        )
        self._rows = collections.deque(self._outcome[3])

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
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
    __slots__ = ()
    _cursor_cls = OneHopCursor


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        connection = self.aiosqlite.connect(*arg, **kw)
        connection._thread.daemon = True
        return OneHopConnection(self, await_(connection))


class OneHopSQLiteDialect(SQLiteDialect_aiosqlite):
    """`sqlite+aiosqlite`, one round trip per statement."""

    supports_statement_cache = True
    supports_server_side_cursors = False

    @classmethod
    def import_dbapi(cls) -> OneHopDBAPI:
        return OneHopDBAPI(__import__("aiosqlite"), __import__("sqlite3"))
