"""`SqlRunStore`: the database decides which process fires a scheduled slot.

Each fire is a row keyed by `(job_key, scheduled_for)`; claiming is an
INSERT that does nothing on conflict, so however many processes race for a
slot, exactly one insert lands and that process alone fires it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import Executable, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.runs import RunStatus
from storage.base import Base, Prepared, reading, upsert, writing
from storage.core import RunRow

KEYS_PER_QUERY = 500  # well under SQLite's limit on bound parameters
RUNS: Final = Base.metadata.tables[RunRow.__tablename__]


@dataclass(frozen=True, slots=True)
class _Statements:
    insert: Executable
    finish: Executable


def _build(dialect: str) -> _Statements:
    # Built once: when many rituals are due in the same minute, every slot
    # claims and finishes a run, and rebuilding the statements showed.
    return _Statements(
        insert=upsert(dialect, RUNS).on_conflict_do_nothing().returning(RUNS.c.job_key),
        finish=update(RUNS)
        .where(
            RUNS.c.job_key == bindparam("key"),
            RUNS.c.scheduled_for == bindparam("slot", type_=RUNS.c.scheduled_for.type),
        )
        .values(status=bindparam("status"), finished_at=bindparam("finished_at")),
    )


_STATEMENTS: Final = Prepared(_build)


class SqlRunStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def claim(self, key: str, scheduled_for: datetime, *, owner: str, now: datetime) -> bool:
        return await self._insert(
            job_key=key,
            scheduled_for=scheduled_for,
            owner=owner,
            status=RunStatus.CLAIMED.value,
            claimed_at=now,
        )

    async def finish(
        self, key: str, scheduled_for: datetime, *, status: RunStatus, now: datetime
    ) -> None:
        values = {"key": key, "slot": scheduled_for, "status": status.value, "finished_at": now}
        async with writing(self._sessions) as session:
            connection = await session.connection()
            await connection.execute(_STATEMENTS.on(connection).finish, values)

    async def record_missed(self, key: str, scheduled_for: datetime, *, now: datetime) -> bool:
        return await self._insert(
            job_key=key,
            scheduled_for=scheduled_for,
            owner=None,
            status=RunStatus.MISSED.value,
            claimed_at=now,
            finished_at=now,
        )

    async def last_slot(self, key: str) -> datetime | None:
        query = select(func.max(RunRow.scheduled_for)).where(RunRow.job_key == key)
        async with reading(self._sessions) as session:
            return await session.scalar(query)

    async def last_slots(self, keys: Sequence[str]) -> dict[str, datetime]:
        found: dict[str, datetime] = {}
        async with reading(self._sessions) as session:
            for start in range(0, len(keys), KEYS_PER_QUERY):
                chunk = list(keys[start : start + KEYS_PER_QUERY])
                rows = await session.execute(
                    select(RunRow.job_key, func.max(RunRow.scheduled_for))
                    .where(RunRow.job_key.in_(chunk))
                    .group_by(RunRow.job_key)
                )
                found.update({key: last for key, last in rows if last is not None})
        return found

    async def forget(self, key: str, *, before: datetime) -> int:
        async with writing(self._sessions) as session:
            gone = await session.execute(
                delete(RunRow)
                .where(RunRow.job_key == key, RunRow.scheduled_for < before)
                .returning(RunRow.job_key)
            )
            return len(gone.all())

    async def _insert(self, **values: object) -> bool:
        row = {"owner": None, "finished_at": None, **values}
        async with writing(self._sessions) as session:
            connection = await session.connection()
            inserted = await connection.execute(_STATEMENTS.on(connection).insert, row)
            return inserted.first() is not None
