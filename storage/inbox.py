"""`SqlInbox`: each inbound delivery is recorded once, before it is acknowledged.

The primary key `(platform, workspace_id, delivery_id)` does the
deduplication: the claim is an INSERT that does nothing on conflict, so two
processes receiving the same retry cannot both win. The event is stored as
JSON so that one claimed before a crash can be handled after the restart, and
erased once processed: nothing keeps what a member said after it is handled.

A batch of events is claimed by one INSERT of many rows and marked done by
one UPDATE sent with many parameter sets, statements built once; a single
event goes the same way, as a batch of one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import Executable, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import codec
from bot.chat import Event
from storage.base import Base, Prepared, reading, upsert, writing
from storage.core import InboxRow

INBOX: Final = Base.metadata.tables[InboxRow.__tablename__]

Key = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class _Statements:
    claim: Executable
    done: Executable


def _build(dialect: str) -> _Statements:
    claim = (
        upsert(dialect, INBOX)
        .on_conflict_do_nothing()
        .returning(INBOX.c.platform, INBOX.c.workspace_id, INBOX.c.delivery_id)
    )
    done = (
        update(INBOX)
        .where(
            INBOX.c.platform == bindparam("key_platform"),
            INBOX.c.workspace_id == bindparam("key_workspace_id"),
            INBOX.c.delivery_id == bindparam("key_delivery_id"),
            INBOX.c.done_at.is_(None),
        )
        # What an event said is needed only to resume it: once processed it is
        # erased, so no record ties a member to what they asked anonymously.
        .values(done_at=bindparam("now"), payload="")
    )
    return _Statements(claim=claim, done=done)


_STATEMENTS: Final = Prepared(_build)


def _key(event: Event) -> Key:
    return (event.workspace.platform.value, event.workspace.workspace_id, event.delivery_id)


class SqlInbox:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def claim(self, event: Event, *, now: datetime) -> bool:
        [claimed] = await self.claim_many([event], now=now)
        return claimed

    async def claim_many(self, events: Sequence[Event], *, now: datetime) -> list[bool]:
        keys = [_key(event) for event in events]
        first: dict[Key, int] = {}
        for number, key in enumerate(keys):
            first.setdefault(key, number)  # the same delivery twice in a batch: once
        if not first:
            return []
        rows = [
            {
                "platform": key[0],
                "workspace_id": key[1],
                "delivery_id": key[2],
                "kind": type(events[number]).__name__,
                "payload": codec.dumps(events[number]),
                "claimed_at": now,
            }
            for key, number in first.items()
        ]
        async with writing(self._sessions) as session:
            connection = await session.connection()
            result = await connection.execute(_STATEMENTS.on(connection).claim, rows)
            claimed = {(platform, workspace, delivery) for platform, workspace, delivery in result}
        return [key in claimed and first[key] == number for number, key in enumerate(keys)]

    async def done(self, event: Event, *, now: datetime) -> None:
        await self.done_many([event], now=now)

    async def done_many(self, events: Sequence[Event], *, now: datetime) -> None:
        if not events:
            return
        marks = [
            {"key_platform": platform, "key_workspace_id": workspace, "key_delivery_id": delivery}
            for platform, workspace, delivery in map(_key, events)
        ]
        async with writing(self._sessions) as session:
            connection = await session.connection()
            statement = _STATEMENTS.on(connection).done
            await connection.execute(statement, [{**mark, "now": now} for mark in marks])

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
