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

The hottest statements (recording a gift, queueing, leasing and marking
outbox messages, a milestone's facts) skip SQLAlchemy's execution machinery
too: `run` compiles a statement built once (`storage.base.Prepared`) a
single time, then hands its SQL and parameters straight to the sqlite3
connection, in the caller's transaction and savepoint, with the same trip
rules as any statement. Parameters and results still go through their
columns' types, so the rows are the ones SQLAlchemy writes and reads, and
errors are raised as SQLAlchemy raises them; on PostgreSQL `run` is
`connection.execute`. SQLAlchemy spent 30-40 microseconds on each such
statement, several times what SQLite spends on it.

Connections keep their temporary storage in memory (`temp_store`): a
handler's savepoint journals the pages it changes, and in a temporary file
every first change of a page was a write call.

It leans on two internals, aiosqlite's `Connection._execute` (queue a
function on the worker thread) and SQLAlchemy's adapted-cursor hooks, so
both libraries are pinned to ranges the storage contract suite has passed on.
"""

from __future__ import annotations

import collections
import re
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter
from typing import Any, Final, TypeVar

from sqlalchemy import ClauseElement, ColumnElement, Executable
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import ReturnsRows
from sqlalchemy.util.concurrency import await_

Outcome = tuple[Any, int, int | None, list[Any]]
T = TypeVar("T")

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
        adapted = OneHopConnection(self, await_(connection))
        # A handler's savepoint keeps the pages it changes in a sub-journal;
        # in a temporary file (the default) every first change of a page in a
        # savepoint was a write call: ~30 us of a kudos's ~150 us of SQLite
        # writes. In memory it costs what the batch's transaction touches.
        adapted._connection._conn.execute("PRAGMA temp_store=MEMORY")
        return adapted


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


# --- hot statements straight to sqlite3 ------------------------------------------


@dataclass(frozen=True, slots=True)
class Raw:
    """A Core statement compiled once for SQLite, to run on the sqlite3 connection.

    Each parameter goes through its own type's bind processor and each
    result column through its type's result processor, as SQLAlchemy would
    do them (an instant is stored as the naive UTC text `UtcDateTime` writes
    and comes back aware), so rows written and read this way are the rows
    SQLAlchemy writes and reads.
    """

    sql: str
    names: tuple[str, ...]
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]  # (position, processor)
    defaults: Mapping[str, Any]
    results: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column, processor)
    returns_rows: bool
    pick: Callable[[Mapping[str, Any]], Any]  # the named values, in order (`itemgetter`)

    @classmethod
    def of(cls, statement: Executable, dialect: Dialect, keys: Sequence[str] = ()) -> Raw | None:
        """None for a statement this cannot run (list or post-compile parameters)."""
        assert isinstance(statement, ClauseElement)
        compiled = statement.compile(dialect=dialect, column_keys=sorted(keys))
        assert isinstance(compiled, SQLCompiler)
        names = tuple(compiled.positiontup or ())
        binds = [compiled.binds[name] for name in names]
        if "POSTCOMPILE" in compiled.string or any(
            bind.expanding or bind.literal_execute for bind in binds
        ):
            return None
        returned: Sequence[ColumnElement[Any]] = (
            list(statement.exported_columns) if isinstance(statement, ReturnsRows) else []
        )
        processors = [bind.type.dialect_impl(dialect).bind_processor(dialect) for bind in binds]
        results = [
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in returned
        ]
        return cls(
            sql=compiled.string,
            names=names,
            processors=tuple((i, p) for i, p in enumerate(processors) if p is not None),
            defaults={
                name: bind.value
                for name, bind in zip(names, binds, strict=True)
                if not bind.required
            },
            results=tuple((i, p) for i, p in enumerate(results) if p is not None),
            returns_rows=bool(returned),
            pick=_picker(names),
        )

    def values(self, named: Mapping[str, Any], seen: dict[Any, Any]) -> list[Any]:
        """The positional parameters; `seen` remembers instants already
        processed for this statement's rows (a batch shares its `now`)."""
        try:
            values = list(self.pick(named))
        except KeyError:
            defaults = self.defaults
            values = [named[name] if name in named else defaults[name] for name in self.names]
        for position, process in self.processors:
            value = values[position]
            if value is None:
                continue
            if type(value) in _INSTANTS:
                key = (position, value)
                done = seen.get(key)
                if done is None:
                    done = seen[key] = process(value)
                values[position] = done
            else:
                values[position] = process(value)
        return values

    def rows(self, found: list[Any]) -> list[Any]:
        if not self.results or not found:
            return found
        seen: dict[tuple[int, str], Any] = {}  # text read back into an instant, once a batch
        processed = []
        for row in found:
            values = list(row)
            for position, process in self.results:
                value = values[position]
                if value is None:
                    continue
                if type(value) is str:
                    key = (position, value)
                    done = seen.get(key)
                    if done is None:
                        done = seen[key] = process(value)
                    values[position] = done
                else:
                    values[position] = process(value)
            processed.append(tuple(values))
        return processed


def _picker(names: tuple[str, ...]) -> Callable[[Mapping[str, Any]], Any]:
    """A function taking the named values out of a mapping, in order, as a tuple."""
    if len(names) > 1:
        return itemgetter(*names)
    if names:
        [name] = names
        return lambda named: (named[name],)
    return lambda named: ()


#: Values whose processing is remembered within one statement's rows: equal
#: instants (the same UTC moment) and dates are always stored the same way.
_INSTANTS: Final = frozenset({datetime, date})

_COMPILED_KEPT = 256
_compiled: dict[tuple[Executable, tuple[str, ...]], Raw | None] = {}


def _raw_of(statement: Executable, dialect: Dialect, keys: tuple[str, ...]) -> Raw | None:
    found = _compiled.get((statement, keys), _compiled)
    if found is not _compiled:
        return found  # type: ignore[return-value]
    raw = Raw.of(statement, dialect, keys)
    if len(_compiled) < _COMPILED_KEPT:
        _compiled[(statement, keys)] = raw
    return raw


def _statement(
    connection: sqlite3.Connection, deferred: list[str], raw: Raw, parameters: list[list[Any]]
) -> list[Any]:
    for statement in deferred:
        connection.execute(statement)
    if len(parameters) == 1:
        return connection.execute(raw.sql, parameters[0]).fetchall()
    if not raw.returns_rows:
        connection.executemany(raw.sql, parameters)
        return []
    found: list[Any] = []
    for one in parameters:  # executemany returns no rows: one at a time
        found += connection.execute(raw.sql, one).fetchall()
    return found


async def run(
    connection: AsyncConnection,
    statement: Executable,
    parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
) -> Sequence[Any]:
    """Execute a statement built once; the rows it returns (as tuples).

    On this driver the statement is compiled once and sent straight to the
    sqlite3 connection, in the same transaction and order as
    `connection.execute` would send it, without SQLAlchemy's per-statement
    machinery (tens of microseconds, several times what SQLite takes for a
    hot path's statements). Anywhere else, and for a statement that needs
    SQLAlchemy's rendering at run time, it is `connection.execute`. Meant
    for statements built once (`storage.base.Prepared`): compiled forms are
    kept by statement. SQLAlchemy's statement events and SQL logging do not
    see what runs straight on sqlite3.
    """
    many = parameters is not None and not isinstance(parameters, Mapping)
    sets: list[Mapping[str, Any]] = (
        list(parameters)  # type: ignore[arg-type]
        if many
        else [parameters or {}]  # type: ignore[list-item]
    )
    dialect = connection.dialect
    if isinstance(dialect, OneHopSQLiteDialect) and sets:
        raw = _raw_of(statement, dialect, tuple(sets[0]))
        if raw is not None:
            seen: dict[Any, Any] = {}
            values = [raw.values(one, seen) for one in sets]
            adapted = _adapted(connection.sync_connection)  # type: ignore[arg-type]
            try:
                return raw.rows(await _send(adapted, _statement, raw, values))
            except sqlite3.Error as error:  # raised as SQLAlchemy raises it
                raise DBAPIError.instance(
                    raw.sql, values, error, sqlite3.Error, dialect=dialect
                ) from error
    result = await connection.execute(statement, sets if many else sets[0])
    return list(result) if result.returns_rows else []


async def _send(adapted: OneHopConnection, work: Callable[..., T], *arguments: Any) -> T:
    """`work(sqlite3 connection, deferred statements, *arguments)`, run as `_hop` runs."""
    async with adapted._execute_mutex:
        raw: sqlite3.Connection = adapted._connection._conn
        deferred = adapted.take_deferred()
        if adapted.writing:
            return work(raw, deferred, *arguments)
        result: T = await adapted._connection._execute(work, raw, deferred, *arguments)
        if deferred and _BEGIN_WRITING.match(deferred[0]):
            adapted.writing = True
        return result
