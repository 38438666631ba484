"""`SqlDepartureStore`: offboardings, and what each one gathered.

A member has at most one open offboarding (a partial unique index over the
open rows); a cancelled or finished one stays, with its note for future
projects. The parts (handover, note, alumni, recommendation, feedback) are
one JSON object per offboarding: a handful of short texts, read whole.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy import (
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from bot.chat import Platform, WorkspaceRef
from bot.onboarding.leaving import Departure, Part
from storage.base import Base, UtcDateTime, dialect_insert, reading, writing
from storage.scoping import scoped

__all__ = ["SqlDepartureStore"]

OPEN, CANCELLED, CLOSED = "open", "cancelled", "closed"


class DepartureRow(Base):
    __tablename__ = "offboardings"
    __table_args__ = (
        ForeignKeyConstraint(
            ["platform", "workspace_id"],
            ["workspaces.platform", "workspaces.workspace_id"],
            ondelete="CASCADE",
        ),
        Index(
            "uq_offboardings_open_member",
            "platform",
            "workspace_id",
            "user_id",
            unique=True,
            sqlite_where=text("state = 'open'"),
            postgresql_where=text("state = 'open'"),
        ),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String)
    user_id: Mapped[str] = mapped_column(String)
    manager: Mapped[str] = mapped_column(String)
    last_day: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(16))
    parts: Mapped[str] = mapped_column(Text)  # JSON: part -> object of strings


def _departure(row: DepartureRow) -> Departure:
    parts = {
        Part(k): {str(a): str(b) for a, b in v.items()} for k, v in json.loads(row.parts).items()
    }
    return Departure(
        user_id=row.user_id,
        manager=row.manager,
        last_day=row.last_day,
        started_at=row.started_at,
        parts=parts,
        open=row.state == OPEN,
    )


class SqlDepartureStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def start(
        self,
        workspace: WorkspaceRef,
        user_id: str,
        *,
        manager: str,
        last_day: date,
        at: datetime,
    ) -> bool:
        async with writing(self._sessions) as session:
            created = await session.execute(
                dialect_insert(session, DepartureRow)
                .values(
                    platform=workspace.platform.value,
                    workspace_id=workspace.workspace_id,
                    user_id=user_id,
                    manager=manager,
                    last_day=last_day,
                    started_at=at,
                    state=OPEN,
                    parts="{}",
                )
                .on_conflict_do_nothing(
                    index_elements=["platform", "workspace_id", "user_id"],
                    index_where=DepartureRow.state == OPEN,
                )
                .returning(DepartureRow.id)
            )
            if created.first() is not None:
                return True
            await session.execute(
                update(DepartureRow)
                .where(
                    *scoped(DepartureRow, workspace),
                    DepartureRow.user_id == user_id,
                    DepartureRow.state == OPEN,
                )
                .values(last_day=last_day)
            )
            return False

    async def departure(self, workspace: WorkspaceRef, user_id: str) -> Departure | None:
        query = (
            select(DepartureRow)
            .where(*scoped(DepartureRow, workspace), DepartureRow.user_id == user_id)
            .order_by((DepartureRow.state == OPEN).desc(), DepartureRow.id.desc())
            .limit(1)
        )
        async with reading(self._sessions) as session:
            row = await session.scalar(query)
            return None if row is None else _departure(row)

    async def departures(self, workspace: WorkspaceRef) -> list[Departure]:
        query = (
            select(DepartureRow)
            .where(*scoped(DepartureRow, workspace), DepartureRow.state == OPEN)
            .order_by(DepartureRow.last_day, DepartureRow.user_id)
        )
        async with reading(self._sessions) as session:
            return [_departure(row) for row in await session.scalars(query)]

    async def keep(
        self, workspace: WorkspaceRef, user_id: str, part: Part, answers: Mapping[str, str]
    ) -> bool:
        async with writing(self._sessions) as session:
            row = await session.scalar(
                select(DepartureRow)
                .where(
                    *scoped(DepartureRow, workspace),
                    DepartureRow.user_id == user_id,
                    DepartureRow.state == OPEN,
                )
                .with_for_update()
            )
            if row is None:
                return False
            parts = json.loads(row.parts)
            parts[part.value] = dict(sorted(answers.items()))
            row.parts = json.dumps(parts, sort_keys=True)
            return True

    async def close(self, workspace: WorkspaceRef, user_id: str, *, cancelled: bool) -> bool:
        async with writing(self._sessions) as session:
            closed = await session.execute(
                update(DepartureRow)
                .where(
                    *scoped(DepartureRow, workspace),
                    DepartureRow.user_id == user_id,
                    DepartureRow.state == OPEN,
                )
                .values(state=CANCELLED if cancelled else CLOSED)
                .returning(DepartureRow.id)
            )
            return closed.first() is not None

    async def notes(self, workspace: WorkspaceRef) -> list[tuple[str, date, str]]:
        query = (
            select(DepartureRow)
            .where(*scoped(DepartureRow, workspace), DepartureRow.state != CANCELLED)
            .order_by(DepartureRow.last_day.desc(), DepartureRow.id.desc())
        )
        async with reading(self._sessions) as session:
            found = []
            for row in await session.scalars(query):
                note = json.loads(row.parts).get(Part.NOTE.value, {}).get("note", "")
                if note:
                    found.append((row.user_id, row.last_day, str(note)))
            return found

    async def workspaces_offboarding(self) -> list[WorkspaceRef]:
        query = (
            select(DepartureRow.platform, DepartureRow.workspace_id)
            .where(DepartureRow.state == OPEN)
            .distinct()
            .order_by(DepartureRow.platform, DepartureRow.workspace_id)
        )
        async with reading(self._sessions) as session:
            return [WorkspaceRef(Platform(p), w) for p, w in await session.execute(query)]
