"""`SqlOnboardingStore`: newcomers' journeys, ticked steps, answers and program changes.

Migration 0006 creates exactly these rows. A journey is keyed by its
member, so a member is never onboarded twice and `start` is an idempotent
insert. Answers (an introduction, feedback) are one JSON object of short
strings per kind, read and written whole.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import (
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    delete,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from bot.chat import Platform, WorkspaceRef
from bot.onboarding.domain import Answers, CustomStep, Journey
from storage.base import Base, UtcDateTime, dialect_insert, reading, writing
from storage.scoping import scoped

__all__ = ["SqlOnboardingStore"]


class JourneyRow(Base):
    __tablename__ = "onboarding_journeys"
    __table_args__ = (
        ForeignKeyConstraint(
            ["platform", "workspace_id"],
            ["workspaces.platform", "workspaces.workspace_id"],
            ondelete="CASCADE",
        ),
    )

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String, primary_key=True)
    user_id: Mapped[str] = mapped_column(String, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    channel: Mapped[str | None] = mapped_column(String)
    intro: Mapped[str | None] = mapped_column(Text)  # JSON object of strings
    feedback: Mapped[str | None] = mapped_column(Text)  # JSON object of strings
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class TickRow(Base):
    __tablename__ = "onboarding_ticks"
    __table_args__ = (
        ForeignKeyConstraint(
            ["platform", "workspace_id", "user_id"],
            [
                "onboarding_journeys.platform",
                "onboarding_journeys.workspace_id",
                "onboarding_journeys.user_id",
            ],
            name="fk_onboarding_ticks_journeys",  # the convention's name passes 63 characters
            ondelete="CASCADE",
        ),
    )

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String, primary_key=True)
    user_id: Mapped[str] = mapped_column(String, primary_key=True)
    step: Mapped[str] = mapped_column(String(64), primary_key=True)
    done_at: Mapped[datetime] = mapped_column(UtcDateTime)


class StepRow(Base):
    __tablename__ = "onboarding_steps"
    __table_args__ = (
        ForeignKeyConstraint(
            ["platform", "workspace_id"],
            ["workspaces.platform", "workspaces.workspace_id"],
            ondelete="CASCADE",
        ),
        Index("ix_onboarding_steps_workspace", "platform", "workspace_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String)
    week: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    hides: Mapped[str | None] = mapped_column(String(64))  # a shipped step's id
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


def _answers(text: str | None) -> dict[str, str]:
    return {str(k): str(v) for k, v in json.loads(text).items()} if text else {}


def _journey(row: JourneyRow, done: frozenset[str]) -> Journey:
    return Journey(
        user_id=row.user_id,
        started_at=row.started_at,
        channel=row.channel,
        done=done,
        intro=_answers(row.intro),
        feedback=_answers(row.feedback),
        finished_at=row.finished_at,
        left_at=row.left_at,
    )


class SqlOnboardingStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def start(
        self, workspace: WorkspaceRef, user_id: str, *, at: datetime, channel: str | None
    ) -> bool:
        async with writing(self._sessions) as session:
            statement = (
                dialect_insert(session, JourneyRow)
                .values(
                    platform=workspace.platform.value,
                    workspace_id=workspace.workspace_id,
                    user_id=user_id,
                    started_at=at,
                    channel=channel,
                )
                .on_conflict_do_nothing()
                .returning(JourneyRow.user_id)
            )
            return (await session.execute(statement)).first() is not None

    async def journey(self, workspace: WorkspaceRef, user_id: str) -> Journey | None:
        async with reading(self._sessions) as session:
            row = await session.scalar(
                select(JourneyRow).where(
                    *scoped(JourneyRow, workspace), JourneyRow.user_id == user_id
                )
            )
            if row is None:
                return None
            steps = await session.scalars(
                select(TickRow.step).where(*scoped(TickRow, workspace), TickRow.user_id == user_id)
            )
            return _journey(row, frozenset(steps))

    async def journeys(self, workspace: WorkspaceRef, *, since: datetime) -> list[Journey]:
        ended_since = (JourneyRow.finished_at >= since) | (JourneyRow.left_at >= since)
        still = JourneyRow.finished_at.is_(None) & JourneyRow.left_at.is_(None)
        async with reading(self._sessions) as session:
            rows = list(
                await session.scalars(
                    select(JourneyRow)
                    .where(*scoped(JourneyRow, workspace), still | ended_since)
                    .order_by(JourneyRow.started_at, JourneyRow.user_id)
                )
            )
            ticks: dict[str, set[str]] = {}
            for user_id, step in await session.execute(
                select(TickRow.user_id, TickRow.step).where(
                    *scoped(TickRow, workspace), TickRow.user_id.in_([r.user_id for r in rows])
                )
            ):
                ticks.setdefault(user_id, set()).add(step)
            return [_journey(row, frozenset(ticks.get(row.user_id, ()))) for row in rows]

    async def workspaces_onboarding(self) -> list[WorkspaceRef]:
        query = (
            select(JourneyRow.platform, JourneyRow.workspace_id)
            .where(JourneyRow.finished_at.is_(None), JourneyRow.left_at.is_(None))
            .distinct()
            .order_by(JourneyRow.platform, JourneyRow.workspace_id)
        )
        async with reading(self._sessions) as session:
            return [WorkspaceRef(Platform(p), w) for p, w in await session.execute(query)]

    async def tick(self, workspace: WorkspaceRef, user_id: str, step: str, *, at: datetime) -> bool:
        async with writing(self._sessions) as session:
            statement = (
                dialect_insert(session, TickRow)
                .values(
                    platform=workspace.platform.value,
                    workspace_id=workspace.workspace_id,
                    user_id=user_id,
                    step=step,
                    done_at=at,
                )
                .on_conflict_do_nothing()
                .returning(TickRow.step)
            )
            return (await session.execute(statement)).first() is not None

    async def untick(self, workspace: WorkspaceRef, user_id: str, step: str) -> bool:
        async with writing(self._sessions) as session:
            removed = await session.execute(
                delete(TickRow)
                .where(
                    *scoped(TickRow, workspace), TickRow.user_id == user_id, TickRow.step == step
                )
                .returning(TickRow.step)
            )
            return removed.first() is not None

    async def answer(
        self,
        workspace: WorkspaceRef,
        user_id: str,
        kind: Answers,
        answers: Mapping[str, str],
        *,
        at: datetime,
    ) -> None:
        column = JourneyRow.intro if kind is Answers.INTRO else JourneyRow.feedback
        async with writing(self._sessions) as session:
            await session.execute(
                update(JourneyRow)
                .where(*scoped(JourneyRow, workspace), JourneyRow.user_id == user_id)
                .values({column: json.dumps(dict(sorted(answers.items())))})
            )

    async def end(self, workspace: WorkspaceRef, user_id: str, *, at: datetime, left: bool) -> bool:
        column = JourneyRow.left_at if left else JourneyRow.finished_at
        async with writing(self._sessions) as session:
            ended = await session.execute(
                update(JourneyRow)
                .where(
                    *scoped(JourneyRow, workspace),
                    JourneyRow.user_id == user_id,
                    JourneyRow.finished_at.is_(None),
                    JourneyRow.left_at.is_(None),
                )
                .values({column: at})
                .returning(JourneyRow.user_id)
            )
            return ended.first() is not None

    async def changes(self, workspace: WorkspaceRef) -> list[CustomStep]:
        async with reading(self._sessions) as session:
            rows = await session.scalars(
                select(StepRow).where(*scoped(StepRow, workspace)).order_by(StepRow.id)
            )
            return [CustomStep(r.id, r.week, r.text, r.hides) for r in rows]

    async def add_step(
        self, workspace: WorkspaceRef, *, week: int, text: str, hides: str | None, at: datetime
    ) -> int:
        row = StepRow(
            platform=workspace.platform.value,
            workspace_id=workspace.workspace_id,
            week=week,
            text=text,
            hides=hides,
            created_at=at,
        )
        async with writing(self._sessions) as session:
            session.add(row)
            await session.flush()
            return row.id

    async def remove_step(self, workspace: WorkspaceRef, step_id: int) -> bool:
        async with writing(self._sessions) as session:
            removed = await session.execute(
                delete(StepRow)
                .where(*scoped(StepRow, workspace), StepRow.id == step_id)
                .returning(StepRow.id)
            )
            return removed.first() is not None
