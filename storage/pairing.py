"""`SqlPairingStore`: who takes part in the peer pairing rounds, and every round's groups.

A round is keyed by its slot per workspace, so recording a slot's round
twice keeps the first. Groups are rows of `(round, member)` with the
group's number and the member's answer to "did you meet?".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from itertools import groupby

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKeyConstraint,
    Integer,
    String,
    UniqueConstraint,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from bot.chat import Platform, WorkspaceRef
from bot.mentorship.matching import Group, Participant, Round
from storage.base import Base, UtcDateTime, dialect_insert, reading, writing
from storage.scoping import in_workspace, scoped

__all__ = ["SqlPairingStore"]


class PairingPersonRow(Base):
    __tablename__ = "pairing_people"
    __table_args__ = (in_workspace(),)

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String, primary_key=True)
    user_id: Mapped[str] = mapped_column(String, primary_key=True)
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime)
    away_until: Mapped[date | None] = mapped_column(Date)


class PairingRoundRow(Base):
    __tablename__ = "pairing_rounds"
    __table_args__ = (
        in_workspace(),
        UniqueConstraint("platform", "workspace_id", "slot"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String)
    slot: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PairingGroupRow(Base):
    __tablename__ = "pairing_groups"
    __table_args__ = (
        ForeignKeyConstraint(["round_id"], ["pairing_rounds.id"], ondelete="CASCADE"),
    )

    round_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(String, primary_key=True)
    group_number: Mapped[int] = mapped_column(Integer)
    met: Mapped[bool | None] = mapped_column(Boolean)


class SqlPairingStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def people(self, workspace: WorkspaceRef) -> list[Participant]:
        query = (
            select(PairingPersonRow)
            .where(*scoped(PairingPersonRow, workspace))
            .order_by(PairingPersonRow.user_id)
        )
        async with reading(self._sessions) as session:
            return [Participant(r.user_id, r.away_until) for r in await session.scalars(query)]

    async def join(self, workspace: WorkspaceRef, user_id: str, *, at: datetime) -> bool:
        async with writing(self._sessions) as session:
            statement = (
                dialect_insert(session, PairingPersonRow)
                .values(
                    platform=workspace.platform.value,
                    workspace_id=workspace.workspace_id,
                    user_id=user_id,
                    joined_at=at,
                )
                .on_conflict_do_nothing()
                .returning(PairingPersonRow.user_id)
            )
            return (await session.execute(statement)).first() is not None

    async def leave(self, workspace: WorkspaceRef, user_id: str) -> bool:
        async with writing(self._sessions) as session:
            removed = await session.execute(
                delete(PairingPersonRow)
                .where(*scoped(PairingPersonRow, workspace), PairingPersonRow.user_id == user_id)
                .returning(PairingPersonRow.user_id)
            )
            return removed.first() is not None

    async def away(self, workspace: WorkspaceRef, user_id: str, until: date | None) -> bool:
        async with writing(self._sessions) as session:
            changed = await session.execute(
                update(PairingPersonRow)
                .where(*scoped(PairingPersonRow, workspace), PairingPersonRow.user_id == user_id)
                .values(away_until=until)
                .returning(PairingPersonRow.user_id)
            )
            return changed.first() is not None

    async def record(
        self, workspace: WorkspaceRef, slot: datetime, groups: Sequence[Group], *, at: datetime
    ) -> int | None:
        async with writing(self._sessions) as session:
            created = await session.execute(
                dialect_insert(session, PairingRoundRow)
                .values(
                    platform=workspace.platform.value,
                    workspace_id=workspace.workspace_id,
                    slot=slot,
                    created_at=at,
                )
                .on_conflict_do_nothing()
                .returning(PairingRoundRow.id)
            )
            round_id = created.scalar()
            if round_id is None:
                return None
            rows = [
                {"round_id": round_id, "user_id": user, "group_number": number, "met": None}
                for number, group in enumerate(groups)
                for user in group
            ]
            if rows:
                await session.execute(insert(PairingGroupRow), rows)
            return int(round_id)

    async def rounds(self, workspace: WorkspaceRef, *, last: int) -> list[Round]:
        latest = (
            select(PairingRoundRow)
            .where(*scoped(PairingRoundRow, workspace))
            .order_by(PairingRoundRow.slot.desc(), PairingRoundRow.id.desc())
            .limit(last)
        )
        async with reading(self._sessions) as session:
            heads = list(await session.scalars(latest))
            members = await session.execute(
                select(PairingGroupRow)
                .where(PairingGroupRow.round_id.in_([h.id for h in heads]))
                .order_by(
                    PairingGroupRow.round_id, PairingGroupRow.group_number, PairingGroupRow.user_id
                )
            )
            by_round: dict[int, list[PairingGroupRow]] = {}
            for (row,) in members:
                by_round.setdefault(row.round_id, []).append(row)
        found: list[Round] = []
        for head in heads:
            rows = by_round.get(head.id, [])
            groups = tuple(
                tuple(r.user_id for r in group)
                for _, group in groupby(rows, key=lambda r: r.group_number)
            )
            met = {r.user_id: r.met for r in rows if r.met is not None}
            found.append(Round(head.id, head.slot, groups, met))
        return found

    async def met(self, workspace: WorkspaceRef, round_id: int, user_id: str, met: bool) -> bool:
        in_workspace = select(PairingRoundRow.id).where(
            *scoped(PairingRoundRow, workspace), PairingRoundRow.id == round_id
        )
        async with writing(self._sessions) as session:
            answered = await session.execute(
                update(PairingGroupRow)
                .where(
                    PairingGroupRow.round_id.in_(in_workspace),
                    PairingGroupRow.user_id == user_id,
                )
                .values(met=met)
                .returning(PairingGroupRow.user_id)
            )
            return answered.first() is not None

    async def workspaces_pairing(self) -> list[WorkspaceRef]:
        query = (
            select(PairingPersonRow.platform, PairingPersonRow.workspace_id)
            .distinct()
            .order_by(PairingPersonRow.platform, PairingPersonRow.workspace_id)
        )
        async with reading(self._sessions) as session:
            return [WorkspaceRef(Platform(p), w) for p, w in await session.execute(query)]
