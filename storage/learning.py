"""`SqlLearningStore`: the learning log, and sessions proposed for learning days.

An entry keeps the day it was logged on in its author's time zone, so a
streak is read as a list of days without time zone arithmetic in SQL.
Topics are kept with the entry as one space-separated string: they are
always read with it and filtered in Python over a week of entries.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import (
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    delete,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from bot.chat import WorkspaceRef
from bot.learning.domain import Entry, Session
from storage.base import Base, UtcDateTime, dialect_insert, reading, writing
from storage.scoping import in_workspace, scoped

__all__ = ["SqlLearningStore"]


class LearningEntryRow(Base):
    __tablename__ = "learning_entries"
    __table_args__ = (
        in_workspace(),
        Index("ix_learning_entries_workspace_at", "platform", "workspace_id", "at"),
        Index("ix_learning_entries_member_day", "platform", "workspace_id", "user_id", "day"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String)
    user_id: Mapped[str] = mapped_column(String)
    text: Mapped[str] = mapped_column(Text)
    topics: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    day: Mapped[date] = mapped_column(Date)


class LearningSessionRow(Base):
    __tablename__ = "learning_sessions"
    __table_args__ = (
        in_workspace(),
        Index("ix_learning_sessions_workspace_day", "platform", "workspace_id", "day"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String)
    day: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(Text)
    presenter: Mapped[str] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LearningAttendeeRow(Base):
    __tablename__ = "learning_attendees"
    __table_args__ = (
        ForeignKeyConstraint(["session_id"], ["learning_sessions.id"], ondelete="CASCADE"),
    )

    session_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(String, primary_key=True)


def _entry(row: LearningEntryRow) -> Entry:
    return Entry(row.id, row.user_id, row.text, tuple(row.topics.split()), row.at, row.day)


class SqlLearningStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def log(
        self,
        workspace: WorkspaceRef,
        user_id: str,
        text: str,
        *,
        topics: Sequence[str],
        at: datetime,
        day: date,
    ) -> Entry:
        row = LearningEntryRow(
            platform=workspace.platform.value,
            workspace_id=workspace.workspace_id,
            user_id=user_id,
            text=text,
            topics=" ".join(topics),
            at=at,
            day=day,
        )
        async with writing(self._sessions) as session:
            session.add(row)
            await session.flush()
            return _entry(row)

    async def entries(
        self, workspace: WorkspaceRef, *, since: datetime, user_id: str | None = None
    ) -> list[Entry]:
        query = select(LearningEntryRow).where(
            *scoped(LearningEntryRow, workspace), LearningEntryRow.at >= since
        )
        if user_id is not None:
            query = query.where(LearningEntryRow.user_id == user_id)
        query = query.order_by(LearningEntryRow.at.desc(), LearningEntryRow.id.desc())
        async with reading(self._sessions) as session:
            return [_entry(row) for row in await session.scalars(query)]

    async def days(self, workspace: WorkspaceRef, user_id: str) -> list[date]:
        query = (
            select(LearningEntryRow.day)
            .where(*scoped(LearningEntryRow, workspace), LearningEntryRow.user_id == user_id)
            .distinct()
            .order_by(LearningEntryRow.day)
        )
        async with reading(self._sessions) as session:
            return list(await session.scalars(query))

    async def forget(self, workspace: WorkspaceRef, user_id: str, entry_id: int) -> bool:
        async with writing(self._sessions) as session:
            removed = await session.execute(
                delete(LearningEntryRow)
                .where(
                    *scoped(LearningEntryRow, workspace),
                    LearningEntryRow.user_id == user_id,
                    LearningEntryRow.id == entry_id,
                )
                .returning(LearningEntryRow.id)
            )
            return removed.first() is not None

    async def propose(
        self, workspace: WorkspaceRef, *, day: date, title: str, presenter: str, at: datetime
    ) -> Session:
        row = LearningSessionRow(
            platform=workspace.platform.value,
            workspace_id=workspace.workspace_id,
            day=day,
            title=title,
            presenter=presenter,
            created_at=at,
        )
        async with writing(self._sessions) as session:
            session.add(row)
            await session.flush()
            return Session(row.id, row.day, row.title, row.presenter)

    async def sessions(self, workspace: WorkspaceRef, *, since: date) -> list[Session]:
        query = (
            select(LearningSessionRow)
            .where(*scoped(LearningSessionRow, workspace), LearningSessionRow.day >= since)
            .order_by(LearningSessionRow.day, LearningSessionRow.id)
        )
        async with reading(self._sessions) as session:
            rows = list(await session.scalars(query))
            attending: dict[int, list[str]] = {}
            for session_id, user_id in await session.execute(
                select(LearningAttendeeRow.session_id, LearningAttendeeRow.user_id)
                .where(LearningAttendeeRow.session_id.in_([r.id for r in rows]))
                .order_by(LearningAttendeeRow.user_id)
            ):
                attending.setdefault(session_id, []).append(user_id)
        return [
            Session(r.id, r.day, r.title, r.presenter, tuple(attending.get(r.id, ()))) for r in rows
        ]

    async def attend(self, workspace: WorkspaceRef, session_id: int, user_id: str) -> bool:
        exists = select(LearningSessionRow.id).where(
            *scoped(LearningSessionRow, workspace), LearningSessionRow.id == session_id
        )
        async with writing(self._sessions) as session:
            if await session.scalar(exists) is None:
                return False
            added = await session.execute(
                dialect_insert(session, LearningAttendeeRow)
                .values(session_id=session_id, user_id=user_id)
                .on_conflict_do_nothing()
                .returning(LearningAttendeeRow.user_id)
            )
            return added.first() is not None
