"""`SqlOutbox`: messages wait in the database until a platform accepts them.

A row is pending until it is marked sent or dead. `take` leases due rows in
one statement, `UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED)`:
on PostgreSQL concurrent senders skip each other's locked rows instead of
queueing behind them, and SQLite (which drops FOR UPDATE) serialises the
statement with its IMMEDIATE transaction. Either way a leased row is not
handed out again before its lease ends, and a sender that dies mid-send
only delays its rows until then.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import codec
from bot.chat import Message, Platform, WorkspaceRef
from bot.outbox import Envelope, Posted
from storage.base import dialect_insert, reading, writing
from storage.core import OutboxRow

_PENDING = (OutboxRow.sent_at.is_(None), OutboxRow.dead_at.is_(None))


class SqlOutbox:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def put(
        self, workspace: WorkspaceRef, messages: Sequence[Message], *, now: datetime
    ) -> int:
        if not messages:
            return 0
        rows = [
            {
                "platform": workspace.platform.value,
                "workspace_id": workspace.workspace_id,
                "message_key": message.key,
                "payload": codec.dumps(message),
                "attempts": 0,
                "next_try": now,
                "created_at": now,
            }
            for message in messages
        ]
        async with writing(self._sessions) as session:
            insert = (
                dialect_insert(session, OutboxRow)
                .values(rows)
                .on_conflict_do_nothing(
                    index_elements=[
                        OutboxRow.platform,
                        OutboxRow.workspace_id,
                        OutboxRow.message_key,
                    ]
                )
                .returning(OutboxRow.id)
            )
            return len((await session.execute(insert)).all())

    async def take(self, *, now: datetime, lease_until: datetime, limit: int) -> list[Envelope]:
        due = (
            select(OutboxRow.id)
            .where(
                *_PENDING,
                OutboxRow.next_try <= now,
                OutboxRow.lease_until.is_(None) | (OutboxRow.lease_until <= now),
            )
            # Ordered as ix_outbox_due is, so the partial index answers it
            # without scanning the history of sent rows (ORDER BY id alone did).
            .order_by(OutboxRow.next_try, OutboxRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        lease = (
            update(OutboxRow)
            .where(OutboxRow.id.in_(due.scalar_subquery()))
            .values(lease_until=lease_until)
            .returning(OutboxRow)
            .execution_options(synchronize_session=False)
        )
        async with writing(self._sessions) as session:
            rows = (await session.scalars(lease)).all()
            return [_envelope(row) for row in sorted(rows, key=lambda row: row.id)]

    async def sent(self, envelope_id: int, *, channel: str, message_id: str, now: datetime) -> None:
        await self._update(
            envelope_id, sent_at=now, channel=channel, message_id=message_id, lease_until=None
        )

    async def retry(self, envelope_id: int, *, at: datetime, error: str) -> None:
        await self._update(
            envelope_id,
            attempts=OutboxRow.attempts + 1,
            next_try=at,
            last_error=error,
            lease_until=None,
        )

    async def postpone(self, envelope_id: int, *, at: datetime) -> None:
        await self._update(envelope_id, next_try=at, lease_until=None)

    async def dead(self, envelope_id: int, *, error: str, now: datetime) -> None:
        await self._update(envelope_id, dead_at=now, last_error=error, lease_until=None)

    async def posted(self, workspace: WorkspaceRef, key: str) -> Posted | None:
        query = select(OutboxRow.channel, OutboxRow.message_id).where(
            OutboxRow.platform == workspace.platform.value,
            OutboxRow.workspace_id == workspace.workspace_id,
            OutboxRow.message_key == key,
            OutboxRow.sent_at.is_not(None),
        )
        async with reading(self._sessions) as session:
            row = (await session.execute(query)).first()
        if row is None or row.channel is None or row.message_id is None:
            return None
        return Posted(channel=row.channel, message_id=row.message_id)

    async def pending_count(self) -> int:
        async with reading(self._sessions) as session:
            count = await session.scalar(
                select(func.count()).select_from(OutboxRow).where(*_PENDING)
            )
            return count or 0

    async def _update(self, envelope_id: int, **values: object) -> None:
        async with writing(self._sessions) as session:
            await session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == envelope_id, *_PENDING)  # sent and dead are final
                .values(**values)
                .execution_options(synchronize_session=False)
            )


def _envelope(row: OutboxRow) -> Envelope:
    return Envelope(
        id=row.id,
        workspace=WorkspaceRef(Platform(row.platform), row.workspace_id),
        message=codec.load_message(row.payload),
        attempts=row.attempts,
        next_try=row.next_try,
        created_at=row.created_at,
    )
