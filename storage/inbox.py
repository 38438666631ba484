"""`SqlInbox`: each inbound delivery is recorded once, before it is acknowledged.

The primary key `(platform, workspace_id, delivery_id)` does the
deduplication: the claim is an INSERT that does nothing on conflict, so two
processes receiving the same retry cannot both win. The event is stored as
JSON so that one claimed before a crash can be handled after the restart.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import codec
from bot.chat import Event
from storage.base import dialect_insert, reading, writing
from storage.core import InboxRow


class SqlInbox:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def claim(self, event: Event, *, now: datetime) -> bool:
        async with writing(self._sessions) as session:
            insert = (
                dialect_insert(session, InboxRow)
                .values(
                    platform=event.workspace.platform.value,
                    workspace_id=event.workspace.workspace_id,
                    delivery_id=event.delivery_id,
                    kind=type(event).__name__,
                    payload=codec.dumps(event),
                    claimed_at=now,
                )
                .on_conflict_do_nothing()
                .returning(InboxRow.delivery_id)
            )
            return (await session.execute(insert)).first() is not None

    async def done(self, event: Event, *, now: datetime) -> None:
        async with writing(self._sessions) as session:
            await session.execute(
                update(InboxRow)
                .where(
                    InboxRow.platform == event.workspace.platform.value,
                    InboxRow.workspace_id == event.workspace.workspace_id,
                    InboxRow.delivery_id == event.delivery_id,
                    InboxRow.done_at.is_(None),
                )
                .values(done_at=now)
            )

    async def unfinished(self, *, claimed_before: datetime, limit: int = 100) -> list[Event]:
        query = (
            select(InboxRow.payload)
            .where(InboxRow.done_at.is_(None), InboxRow.claimed_at < claimed_before)
            .order_by(
                InboxRow.claimed_at,
                InboxRow.platform,
                InboxRow.workspace_id,
                InboxRow.delivery_id,
            )
            .limit(limit)
        )
        async with reading(self._sessions) as session:
            return [codec.load_event(payload) for payload in await session.scalars(query)]
