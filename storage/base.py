"""What every table and store in `storage` shares.

Constraint names come from one naming convention because SQLite cannot alter
a constraint in place: Alembic's batch mode rebuilds the table and has to
find each constraint again by name. Timestamps go through `UtcDateTime` so
that both databases hand back the same aware UTC values, and idempotent
writes go through `dialect_insert`, the one place that knows which dialect's
`INSERT ... ON CONFLICT` to build.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import DateTime, MetaData
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from storage.engine import READ_ONLY

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


@asynccontextmanager
async def writing(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One short write transaction; inside a unit of work, a share of it."""
    ambient = _AMBIENT.get()
    if ambient is not None:
        yield ambient
        return
    async with sessions.begin() as session:
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
    async with sessions.begin() as session:
        token = _AMBIENT.set(session)
        try:
            yield
        finally:
            _AMBIENT.reset(token)
