"""`SqlOutbox`: messages wait in the database until a platform accepts them.

A row is pending until it is marked sent or dead. `take` leases due rows in
one statement, `UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED)`:
on PostgreSQL concurrent senders skip each other's locked rows instead of
queueing behind them, and SQLite (which drops FOR UPDATE) serialises the
statement with its IMMEDIATE transaction. Either way a leased row is not
handed out again before its lease ends, and a sender that dies mid-send
only delays its rows until then.

Queueing, leasing and marking sent are the busy statements (every kudos
queues two messages): they are built once and sent as one statement per
batch, whatever its size (on SQLite straight to the sqlite3 connection,
`storage.sqlite_driver.run`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Executable, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import codec
from bot.chat import Message, Platform, WorkspaceRef
from bot.outbox import Envelope, Posted
from storage.base import Base, Prepared, reading, upsert, writing
from storage.core import OutboxRow
from storage.sqlite_driver import run

OUTBOX: Final = Base.metadata.tables[OutboxRow.__tablename__]

_PENDING = (OutboxRow.sent_at.is_(None), OutboxRow.dead_at.is_(None))
WRITTEN_KEPT = 10_000  # messages remembered by their payload until the courier takes them
_PENDING_ROW = (OUTBOX.c.sent_at.is_(None), OUTBOX.c.dead_at.is_(None))

Key = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class _Statements:
    put: Executable
    take: Executable
    sent: Executable


def _build(dialect: str) -> _Statements:
    put = (
        upsert(dialect, OUTBOX)
        .on_conflict_do_nothing(index_elements=["platform", "workspace_id", "message_key"])
        .returning(OUTBOX.c.platform, OUTBOX.c.workspace_id, OUTBOX.c.message_key)
    )
    now = bindparam("now", type_=OUTBOX.c.next_try.type)
    due = (
        select(OUTBOX.c.id)
        .where(
            *_PENDING_ROW,
            OUTBOX.c.next_try <= now,
            OUTBOX.c.lease_until.is_(None) | (OUTBOX.c.lease_until <= now),
        )
        # Ordered as ix_outbox_due is, so the partial index answers it
        # without scanning the history of sent rows (ORDER BY id alone did).
        .order_by(OUTBOX.c.next_try, OUTBOX.c.id)
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True)
    )
    take = (
        update(OUTBOX)
        .where(OUTBOX.c.id.in_(due.scalar_subquery()))
        .values(lease_until=bindparam("lease_until"))
        .returning(
            OUTBOX.c.id,
            OUTBOX.c.platform,
            OUTBOX.c.workspace_id,
            OUTBOX.c.payload,
            OUTBOX.c.attempts,
            OUTBOX.c.next_try,
            OUTBOX.c.created_at,
        )
    )
    sent = (
        update(OUTBOX)
        .where(OUTBOX.c.id == bindparam("envelope_id"), *_PENDING_ROW)  # sent and dead are final
        .values(
            sent_at=bindparam("now"),
            channel=bindparam("sent_channel"),
            message_id=bindparam("sent_message_id"),
            lease_until=None,
        )
    )
    return _Statements(put=put, take=take, sent=sent)


_STATEMENTS: Final = Prepared(_build)


class SqlOutbox:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._written: dict[str, Message] = {}  # payload text -> the message it encodes

    async def put(
        self, workspace: WorkspaceRef, messages: Sequence[Message], *, now: datetime
    ) -> int:
        [queued] = await self.put_many([(workspace, messages)], now=now)
        return queued

    async def put_many(
        self, batches: Sequence[tuple[WorkspaceRef, Sequence[Message]]], *, now: datetime
    ) -> list[int]:
        rows: list[dict[str, Any]] = [
            {
                "platform": workspace.platform.value,
                "workspace_id": workspace.workspace_id,
                "message_key": message.key,
                "payload": codec.dumps(message),
                "attempts": 0,
                "next_try": now,
                "created_at": now,
            }
            for workspace, messages in batches
            for message in messages
        ]
        if not rows:
            return [0] * len(batches)
        # This process's courier will most likely send these: it finds them by
        # their payload text when it takes them back, instead of decoding it.
        for row, message in zip(rows, (m for _, ms in batches for m in ms), strict=True):
            self._written[row["payload"]] = message
        while len(self._written) > WRITTEN_KEPT:
            del self._written[next(iter(self._written))]
        async with writing(self._sessions) as session:
            connection = await session.connection()
            result = await run(connection, _STATEMENTS.on(connection).put, rows)
            # Rows without a key never conflict; a keyed one came back unless
            # its key was queued already (by an earlier batch, or earlier here).
            keyed: set[Key] = {
                (platform, workspace, key) for platform, workspace, key in result if key is not None
            }
        counts: list[int] = []
        for workspace, messages in batches:
            queued = 0
            for message in messages:
                if message.key is None:
                    queued += 1
                    continue
                key = (workspace.platform.value, workspace.workspace_id, message.key)
                if key in keyed:
                    keyed.discard(key)  # a key repeated in this call was queued once
                    queued += 1
            counts.append(queued)
        return counts

    async def take(self, *, now: datetime, lease_until: datetime, limit: int) -> list[Envelope]:
        async with writing(self._sessions) as session:
            connection = await session.connection()
            rows = await run(
                connection,
                _STATEMENTS.on(connection).take,
                {"now": now, "lease_until": lease_until, "limit": limit},
            )
            return [
                _envelope(row, self._written.pop(row[3], None))
                for row in sorted(rows, key=lambda row: row[0])
            ]

    async def sent(self, envelope_id: int, *, channel: str, message_id: str, now: datetime) -> None:
        await self.sent_many([(envelope_id, Posted(channel, message_id))], now=now)

    async def sent_many(self, marks: Sequence[tuple[int, Posted]], *, now: datetime) -> None:
        if not marks:
            return
        parameters = [
            {
                "envelope_id": envelope_id,
                "now": now,
                "sent_channel": posted.channel,
                "sent_message_id": posted.message_id,
            }
            for envelope_id, posted in marks
        ]
        async with writing(self._sessions) as session:
            connection = await session.connection()
            await run(connection, _STATEMENTS.on(connection).sent, parameters)

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


def _envelope(row: Sequence[Any], known: Message | None = None) -> Envelope:
    """An outbox row as the courier takes it (the columns `take` returns, in
    order); `known` is its message when this process wrote the very same
    payload (an encoding is never reused for another message), so it need
    not be decoded again."""
    envelope_id, platform, workspace_id, payload, attempts, next_try, created_at = row
    return Envelope(
        id=envelope_id,
        workspace=WorkspaceRef(Platform(platform), workspace_id),
        message=known if known is not None else codec.load_message(payload),
        attempts=attempts,
        next_try=next_try,
        created_at=created_at,
    )
