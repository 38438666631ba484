"""What every table and store in `storage` shares.

Constraint names come from one naming convention because SQLite cannot alter
a constraint in place: Alembic's batch mode rebuilds the table and has to
find each constraint again by name. Timestamps go through `UtcDateTime` so
that both databases hand back the same aware UTC values, and idempotent
writes go through `dialect_insert`, the one place that knows which dialect's
`INSERT ... ON CONFLICT` to build.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Final, Generic, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import DateTime, MetaData, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from storage.engine import READ_ONLY

S = TypeVar("S")

NAMING_CONVENTION: Final = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """An instant: `timestamptz` on PostgreSQL, naive UTC text on SQLite.

    A naive datetime is refused rather than guessed at: an instant without a
    zone is a bug in the caller, and storing it would shift it silently.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()}: pass an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def dialect_insert(session: AsyncSession, table: type[Base]) -> sqlite.Insert | postgresql.Insert:
    """An INSERT that accepts `on_conflict_do_nothing` / `on_conflict_do_update`."""
    name = session.get_bind().dialect.name
    if name == "sqlite":
        return sqlite.insert(table)
    if name == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"no upsert for the {name} dialect")


def upsert(dialect: str, table: Table) -> sqlite.Insert | postgresql.Insert:
    """`dialect_insert` for a dialect named in advance, on a Core table."""
    if dialect == "sqlite":
        return sqlite.insert(table)
    if dialect == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"no upsert for the {dialect} dialect")


class Prepared(Generic[S]):
    """Statements built once per dialect, on first use, then reused.

    A hot path that rebuilds its statements on every call pays for building
    them and for their cache keys each time; one built object is compiled
    once and found in SQLAlchemy's statement cache by identity afterwards.
    Hot paths run them on the session's Core connection (`session.connection()`
    once per call): the session's own `execute` looks its connection up
    again for every statement.
    """

    def __init__(self, build: Callable[[str], S]) -> None:
        self._build = build
        self._built: dict[str, S] = {}

    def on(self, connection: AsyncConnection) -> S:
        dialect = connection.dialect.name
        built = self._built.get(dialect)
        if built is None:
            built = self._built[dialect] = self._build(dialect)
        return built


# The unit of work in progress in this task, if any (see `unit_of_work`).
_AMBIENT: ContextVar[AsyncSession | None] = ContextVar("hearth_unit_of_work", default=None)


@asynccontextmanager
async def reading(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session whose transaction only reads, so SQLite need not queue it
    behind writers for the write lock. Inside a unit of work, that unit's
    session (which sees the unit's own writes)."""
    ambient = _AMBIENT.get()
    if ambient is not None:
        yield ambient
        return
    async with sessions() as session:
        await session.connection(execution_options=READ_ONLY)
        yield session


class WriteGate:
    """One SQLite writer at a time, queued in the event loop, short writes first.

    SQLite lets one transaction write; the others retry inside the driver
    with sleeps of up to 100 ms, in no order. Writers of one process queue
    here instead, and a short write (the inbox claim Slack waits for before
    its acknowledgement) goes ahead of whole units of work. Other processes
    still meet SQLite's own lock. PostgreSQL locks rows, so it has no gate.
    """

    def __init__(self) -> None:
        self._busy = False
        self._short: deque[asyncio.Future[None]] = deque()
        self._long: deque[asyncio.Future[None]] = deque()

    @asynccontextmanager
    async def hold(self, *, short: bool) -> AsyncIterator[None]:
        if self._busy or self._short or self._long:
            turn = asyncio.get_running_loop().create_future()
            (self._short if short else self._long).append(turn)
            try:
                await turn
            except asyncio.CancelledError:
                if turn.done() and not turn.cancelled():
                    self._hand_over()  # our turn came as we were cancelled: pass it on
                raise
        else:
            self._busy = True
        try:
            yield
        finally:
            self._hand_over()

    def _hand_over(self) -> None:
        for waiting in (self._short, self._long):
            while waiting:
                turn = waiting.popleft()
                if not turn.done():
                    turn.set_result(None)
                    return
        self._busy = False


_GATES: WeakKeyDictionary[object, WriteGate] = WeakKeyDictionary()


def _gate(sessions: async_sessionmaker[AsyncSession]) -> WriteGate | None:
    bind = sessions.kw.get("bind")
    if bind is None or bind.dialect.name != "sqlite":
        return None
    gate = _GATES.get(bind)
    if gate is None:
        gate = _GATES[bind] = WriteGate()
    return gate


@asynccontextmanager
async def _gated(sessions: async_sessionmaker[AsyncSession], *, short: bool) -> AsyncIterator[None]:
    gate = _gate(sessions)
    if gate is None:
        yield
        return
    async with gate.hold(short=short):
        yield


@asynccontextmanager
async def writing(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One short write transaction; inside a unit of work, a share of it."""
    ambient = _AMBIENT.get()
    if ambient is not None:
        yield ambient
        return
    async with _gated(sessions, short=True), sessions.begin() as session:
        yield session


@asynccontextmanager
async def unit_of_work(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[None]:
    """Make every store call in this task share one transaction.

    Handling an event reads and writes through several stores; in one unit
    the handler's writes, its queued messages and the inbox's "done" commit
    together or not at all, and cost one commit instead of a dozen. Nested,
    it is a savepoint: a part that fails rolls back alone. The session is
    held in a context variable, so a task spawned inside would share it:
    never spawn one there.
    """
    ambient = _AMBIENT.get()
    if ambient is not None:
        async with ambient.begin_nested():
            yield
        return
    async with _gated(sessions, short=False), sessions.begin() as session:
        token = _AMBIENT.set(session)
        try:
            yield
        finally:
            _AMBIENT.reset(token)
