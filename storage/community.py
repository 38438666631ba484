"""`SqlCommunityStore`: circles, anonymous questions, and pulse surveys kept anonymous.

What makes the anonymity real is the shape of the tables:

- `community_questions` has no author column: who asked is never written.
- a pulse answer is one more in `pulse_counts` (one row per pulse and
  value, incremented), so no row stands for one person's answer and no
  order of rows or ids can be matched against anything else;
- `pulse_answered` lists who answered a pulse, to ask nobody twice, with no
  value and no time: it cannot be joined to the counts.

The answer and the "answered" mark are written in one transaction, so a
member is counted once or not at all.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
    delete,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from bot.chat import Platform, WorkspaceRef
from bot.community.domain import Circle, Pulse
from storage.base import Base, UtcDateTime, dialect_insert, reading, writing
from storage.scoping import in_workspace, scoped

__all__ = ["SqlCommunityStore"]


class CircleRow(Base):
    __tablename__ = "community_circles"
    __table_args__ = (
        in_workspace(),
        UniqueConstraint("platform", "workspace_id", "name"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String)
    name: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    channel: Mapped[str | None] = mapped_column(String)
    created_by: Mapped[str] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CircleMemberRow(Base):
    __tablename__ = "community_circle_members"
    __table_args__ = (
        ForeignKeyConstraint(["circle_id"], ["community_circles.id"], ondelete="CASCADE"),
    )

    circle_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(String, primary_key=True)


class QuestionRow(Base):
    __tablename__ = "community_questions"
    __table_args__ = (in_workspace(), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String)
    text: Mapped[str] = mapped_column(Text)
    asked_on: Mapped[date] = mapped_column(Date)


class PulseRow(Base):
    __tablename__ = "pulses"
    __table_args__ = (in_workspace(), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String)
    question: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closes_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed: Mapped[bool] = mapped_column(Boolean)


class PulseCountRow(Base):
    __tablename__ = "pulse_counts"
    __table_args__ = (ForeignKeyConstraint(["pulse_id"], ["pulses.id"], ondelete="CASCADE"),)

    pulse_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[str] = mapped_column(String(8), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class PulseAnsweredRow(Base):
    __tablename__ = "pulse_answered"
    __table_args__ = (ForeignKeyConstraint(["pulse_id"], ["pulses.id"], ondelete="CASCADE"),)

    pulse_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(String, primary_key=True)


class SqlCommunityStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    # --- circles -------------------------------------------------------------------

    async def create_circle(
        self,
        workspace: WorkspaceRef,
        *,
        name: str,
        description: str,
        channel: str | None,
        created_by: str,
        at: datetime,
    ) -> Circle | None:
        async with writing(self._sessions) as session:
            created = await session.execute(
                dialect_insert(session, CircleRow)
                .values(
                    platform=workspace.platform.value,
                    workspace_id=workspace.workspace_id,
                    name=name,
                    description=description,
                    channel=channel,
                    created_by=created_by,
                    created_at=at,
                )
                .on_conflict_do_nothing()
                .returning(CircleRow.id)
            )
            circle_id = created.scalar()
            if circle_id is None:
                return None
            session.add(CircleMemberRow(circle_id=circle_id, user_id=created_by))
            return Circle(circle_id, name, description, channel, created_by, (created_by,))

    async def circles(self, workspace: WorkspaceRef) -> list[Circle]:
        query = select(CircleRow).where(*scoped(CircleRow, workspace)).order_by(CircleRow.name)
        async with reading(self._sessions) as session:
            rows = list(await session.scalars(query))
            members: dict[int, list[str]] = {}
            for circle_id, user_id in await session.execute(
                select(CircleMemberRow.circle_id, CircleMemberRow.user_id)
                .where(CircleMemberRow.circle_id.in_([r.id for r in rows]))
                .order_by(CircleMemberRow.user_id)
            ):
                members.setdefault(circle_id, []).append(user_id)
        return [
            Circle(
                r.id, r.name, r.description, r.channel, r.created_by, tuple(members.get(r.id, ()))
            )
            for r in rows
        ]

    async def circle(self, workspace: WorkspaceRef, name: str) -> Circle | None:
        return next((c for c in await self.circles(workspace) if c.name == name), None)

    async def join(self, workspace: WorkspaceRef, circle_id: int, user_id: str) -> bool:
        owned = select(CircleRow.id).where(*scoped(CircleRow, workspace), CircleRow.id == circle_id)
        async with writing(self._sessions) as session:
            if await session.scalar(owned) is None:
                return False
            added = await session.execute(
                dialect_insert(session, CircleMemberRow)
                .values(circle_id=circle_id, user_id=user_id)
                .on_conflict_do_nothing()
                .returning(CircleMemberRow.user_id)
            )
            return added.first() is not None

    async def leave(self, workspace: WorkspaceRef, circle_id: int, user_id: str) -> bool:
        owned = select(CircleRow.id).where(*scoped(CircleRow, workspace), CircleRow.id == circle_id)
        async with writing(self._sessions) as session:
            removed = await session.execute(
                delete(CircleMemberRow)
                .where(
                    CircleMemberRow.circle_id.in_(owned),
                    CircleMemberRow.user_id == user_id,
                )
                .returning(CircleMemberRow.user_id)
            )
            return removed.first() is not None

    async def remove_circle(self, workspace: WorkspaceRef, circle_id: int) -> bool:
        async with writing(self._sessions) as session:
            removed = await session.execute(
                delete(CircleRow)
                .where(*scoped(CircleRow, workspace), CircleRow.id == circle_id)
                .returning(CircleRow.id)
            )
            return removed.first() is not None

    # --- anonymous questions -----------------------------------------------------------

    async def ask(self, workspace: WorkspaceRef, text: str, *, day: date) -> int:
        row = QuestionRow(
            platform=workspace.platform.value,
            workspace_id=workspace.workspace_id,
            text=text,
            asked_on=day,
        )
        async with writing(self._sessions) as session:
            session.add(row)
            await session.flush()
            return row.id

    # --- pulses --------------------------------------------------------------------------

    async def open_pulse(
        self,
        workspace: WorkspaceRef,
        *,
        question: str,
        created_by: str,
        at: datetime,
        closes_at: datetime,
    ) -> Pulse:
        row = PulseRow(
            platform=workspace.platform.value,
            workspace_id=workspace.workspace_id,
            question=question,
            created_by=created_by,
            opened_at=at,
            closes_at=closes_at,
            closed=False,
        )
        async with writing(self._sessions) as session:
            session.add(row)
            await session.flush()
            return Pulse(row.id, question, created_by, at, closes_at)

    async def _read(self, session: AsyncSession, rows: list[PulseRow]) -> list[Pulse]:
        counts: dict[int, dict[str, int]] = {}
        for pulse_id, value, count in await session.execute(
            select(PulseCountRow.pulse_id, PulseCountRow.value, PulseCountRow.count).where(
                PulseCountRow.pulse_id.in_([r.id for r in rows])
            )
        ):
            counts.setdefault(pulse_id, {})[value] = count
        return [
            Pulse(
                r.id,
                r.question,
                r.created_by,
                r.opened_at,
                r.closes_at,
                counts.get(r.id, {}),
                r.closed,
            )
            for r in rows
        ]

    async def pulse(self, workspace: WorkspaceRef, pulse_id: int) -> Pulse | None:
        query = select(PulseRow).where(*scoped(PulseRow, workspace), PulseRow.id == pulse_id)
        async with reading(self._sessions) as session:
            found = await self._read(session, list(await session.scalars(query)))
        return found[0] if found else None

    async def pulses(self, workspace: WorkspaceRef, *, last: int) -> list[Pulse]:
        query = (
            select(PulseRow)
            .where(*scoped(PulseRow, workspace))
            .order_by(PulseRow.id.desc())
            .limit(last)
        )
        async with reading(self._sessions) as session:
            return await self._read(session, list(await session.scalars(query)))

    async def answer(
        self, workspace: WorkspaceRef, pulse_id: int, user_id: str, value: str
    ) -> bool:
        open_here = select(PulseRow.id).where(
            *scoped(PulseRow, workspace), PulseRow.id == pulse_id, PulseRow.closed.is_(False)
        )
        async with writing(self._sessions) as session:
            if await session.scalar(open_here) is None:
                return False
            marked = await session.execute(
                dialect_insert(session, PulseAnsweredRow)
                .values(pulse_id=pulse_id, user_id=user_id)
                .on_conflict_do_nothing()
                .returning(PulseAnsweredRow.user_id)
            )
            if marked.first() is None:
                return False
            counted = dialect_insert(session, PulseCountRow).values(
                pulse_id=pulse_id, value=value, count=1
            )
            await session.execute(
                counted.on_conflict_do_update(
                    index_elements=["pulse_id", "value"],
                    set_={"count": PulseCountRow.count + 1},
                )
            )
            return True

    async def answered(self, workspace: WorkspaceRef, pulse_id: int) -> frozenset[str]:
        here = select(PulseRow.id).where(*scoped(PulseRow, workspace), PulseRow.id == pulse_id)
        async with reading(self._sessions) as session:
            users = await session.scalars(
                select(PulseAnsweredRow.user_id).where(PulseAnsweredRow.pulse_id.in_(here))
            )
            return frozenset(users)

    async def close(self, workspace: WorkspaceRef, pulse_id: int) -> bool:
        async with writing(self._sessions) as session:
            closed = await session.execute(
                update(PulseRow)
                .where(
                    *scoped(PulseRow, workspace),
                    PulseRow.id == pulse_id,
                    PulseRow.closed.is_(False),
                )
                .values(closed=True)
                .returning(PulseRow.id)
            )
            return closed.first() is not None

    async def workspaces_polling(self) -> list[WorkspaceRef]:
        query = (
            select(PulseRow.platform, PulseRow.workspace_id)
            .where(PulseRow.closed.is_(False))
            .distinct()
            .order_by(PulseRow.platform, PulseRow.workspace_id)
        )
        async with reading(self._sessions) as session:
            return [WorkspaceRef(Platform(p), w) for p, w in await session.execute(query)]
