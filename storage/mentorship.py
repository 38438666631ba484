"""`SqlMentorStore`: who volunteers to mentor, and who mentors whom.

A newcomer has at most one active mentorship: a partial unique index on
`(platform, workspace_id, newcomer)` where `ended_at IS NULL` makes `pair`
an idempotent insert even when two processes pair the same newcomer.
Ended mentorships stay, with the newcomer's feedback, for the managers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import (
    Index,
    Integer,
    String,
    Text,
    delete,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from bot.chat import Platform, WorkspaceRef
from bot.mentorship.domain import Pairing, Volunteer
from storage.base import Base, UtcDateTime, dialect_insert, reading, writing
from storage.scoping import in_workspace, scoped

__all__ = ["SqlMentorStore"]


class MentorRow(Base):
    __tablename__ = "mentors"
    __table_args__ = (in_workspace(),)

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String, primary_key=True)
    user_id: Mapped[str] = mapped_column(String, primary_key=True)
    since: Mapped[datetime] = mapped_column(UtcDateTime)


class MentorshipRow(Base):
    __tablename__ = "mentorships"
    __table_args__ = (
        in_workspace(),
        Index(
            "uq_mentorships_active_newcomer",
            "platform",
            "workspace_id",
            "newcomer",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index("ix_mentorships_workspace_started_at", "platform", "workspace_id", "started_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String)
    newcomer: Mapped[str] = mapped_column(String)
    mentor: Mapped[str] = mapped_column(String)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    feedback: Mapped[str | None] = mapped_column(Text)  # JSON object of strings


def _pairing(row: MentorshipRow) -> Pairing:
    feedback = json.loads(row.feedback) if row.feedback else {}
    return Pairing(
        newcomer=row.newcomer,
        mentor=row.mentor,
        started_at=row.started_at,
        ended_at=row.ended_at,
        feedback={str(k): str(v) for k, v in feedback.items()},
    )


class SqlMentorStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def volunteers(self, workspace: WorkspaceRef) -> list[Volunteer]:
        query = select(MentorRow).where(*scoped(MentorRow, workspace)).order_by(MentorRow.user_id)
        async with reading(self._sessions) as session:
            return [Volunteer(r.user_id, r.since) for r in await session.scalars(query)]

    async def volunteer(self, workspace: WorkspaceRef, user_id: str, *, at: datetime) -> bool:
        async with writing(self._sessions) as session:
            statement = (
                dialect_insert(session, MentorRow)
                .values(
                    platform=workspace.platform.value,
                    workspace_id=workspace.workspace_id,
                    user_id=user_id,
                    since=at,
                )
                .on_conflict_do_nothing()
                .returning(MentorRow.user_id)
            )
            return (await session.execute(statement)).first() is not None

    async def retire(self, workspace: WorkspaceRef, user_id: str) -> bool:
        async with writing(self._sessions) as session:
            removed = await session.execute(
                delete(MentorRow)
                .where(*scoped(MentorRow, workspace), MentorRow.user_id == user_id)
                .returning(MentorRow.user_id)
            )
            return removed.first() is not None

    async def pair(
        self, workspace: WorkspaceRef, newcomer: str, mentor: str, *, at: datetime
    ) -> bool:
        async with writing(self._sessions) as session:
            statement = (
                dialect_insert(session, MentorshipRow)
                .values(
                    platform=workspace.platform.value,
                    workspace_id=workspace.workspace_id,
                    newcomer=newcomer,
                    mentor=mentor,
                    started_at=at,
                )
                .on_conflict_do_nothing(
                    index_elements=["platform", "workspace_id", "newcomer"],
                    index_where=MentorshipRow.ended_at.is_(None),
                )
                .returning(MentorshipRow.id)
            )
            return (await session.execute(statement)).first() is not None

    async def pairings(self, workspace: WorkspaceRef, *, since: datetime) -> list[Pairing]:
        query = (
            select(MentorshipRow)
            .where(
                *scoped(MentorshipRow, workspace),
                MentorshipRow.ended_at.is_(None) | (MentorshipRow.ended_at >= since),
            )
            .order_by(MentorshipRow.started_at, MentorshipRow.id)
        )
        async with reading(self._sessions) as session:
            return [_pairing(row) for row in await session.scalars(query)]

    async def current(self, workspace: WorkspaceRef, newcomer: str) -> Pairing | None:
        query = (
            select(MentorshipRow)
            .where(*scoped(MentorshipRow, workspace), MentorshipRow.newcomer == newcomer)
            .order_by(MentorshipRow.ended_at.is_(None).desc(), MentorshipRow.id.desc())
            .limit(1)
        )
        async with reading(self._sessions) as session:
            row = await session.scalar(query)
            return None if row is None else _pairing(row)

    async def end(self, workspace: WorkspaceRef, newcomer: str, *, at: datetime) -> bool:
        async with writing(self._sessions) as session:
            ended = await session.execute(
                update(MentorshipRow)
                .where(
                    *scoped(MentorshipRow, workspace),
                    MentorshipRow.newcomer == newcomer,
                    MentorshipRow.ended_at.is_(None),
                )
                .values(ended_at=at)
                .returning(MentorshipRow.id)
            )
            return ended.first() is not None

    async def feedback(
        self, workspace: WorkspaceRef, newcomer: str, answers: Mapping[str, str]
    ) -> bool:
        latest = (
            select(MentorshipRow.id)
            .where(*scoped(MentorshipRow, workspace), MentorshipRow.newcomer == newcomer)
            .order_by(MentorshipRow.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        async with writing(self._sessions) as session:
            kept = await session.execute(
                update(MentorshipRow)
                .where(MentorshipRow.id == latest)
                .values(feedback=json.dumps(dict(sorted(answers.items()))))
                .returning(MentorshipRow.id)
            )
            return kept.first() is not None

    async def workspaces_mentoring(self) -> list[WorkspaceRef]:
        query = (
            select(MentorshipRow.platform, MentorshipRow.workspace_id)
            .where(MentorshipRow.ended_at.is_(None))
            .distinct()
            .order_by(MentorshipRow.platform, MentorshipRow.workspace_id)
        )
        async with reading(self._sessions) as session:
            return [WorkspaceRef(Platform(p), w) for p, w in await session.execute(query)]
