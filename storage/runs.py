"""`SqlRunStore`: the database decides which process fires a scheduled slot.

Each fire is a row keyed by `(job_key, scheduled_for)`; claiming is an
INSERT that does nothing on conflict, so however many processes race for a
slot, exactly one insert lands and that process alone fires it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.runs import RunStatus
from storage.base import dialect_insert, reading, writing
from storage.core import RunRow


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
        async with writing(self._sessions) as session:
            await session.execute(
                update(RunRow)
                .where(RunRow.job_key == key, RunRow.scheduled_for == scheduled_for)
                .values(status=status.value, finished_at=now)
            )

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

    async def _insert(self, **values: object) -> bool:
        async with writing(self._sessions) as session:
            insert = (
                dialect_insert(session, RunRow)
                .values(**values)
                .on_conflict_do_nothing()
                .returning(RunRow.job_key)
            )
            return (await session.execute(insert)).first() is not None
