"""`SqlKudosStore`: kudos, their running totals, awards and badges, in SQL.

Giving re-checks the allowance in the transaction that records the gift
(`storage.kudos_giving`); giving and reversing move the totals and daily
tallies in the same transaction (`storage.kudos_counts`). Reading (boards,
ranks, stats, facts) lives in `storage.kudos_reading`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import ColumnElement, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.chat import MemberRef, WorkspaceRef
from bot.kudos.domain import (
    DEFAULT_CATALOGUE,
    Award,
    Badge,
    Board,
    Facts,
    Gift,
    Given,
    Kudos,
    Standing,
    Stats,
)
from storage import kudos_reading as reads
from storage.base import Base, Prepared, dialect_insert, reading, upsert, writing
from storage.kudos_counts import Share, move_counts
from storage.kudos_giving import record_gift
from storage.kudos_rows import (
    NOT_REVERSED,
    KudosAwardRow,
    KudosBadgeRow,
    KudosRow,
    award_of,
    in_workspace,
    kudos_of,
)
from storage.sqlite_driver import run

__all__ = ["SqlKudosStore"]

KUDOS_AWARDS: Final = Base.metadata.tables[KudosAwardRow.__tablename__]

# An award is inserted once: the second insert does nothing and returns no row.
_AWARD: Final = Prepared(
    lambda dialect: (
        upsert(dialect, KUDOS_AWARDS).on_conflict_do_nothing().returning(KUDOS_AWARDS.c.user_id)
    )
)


class SqlKudosStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    # --- giving and taking back ------------------------------------------------

    async def give(self, gift: Gift, *, limit: int, period_start: datetime) -> Given | None:
        async with writing(self._sessions) as session:
            return await record_gift(session, gift, limit=limit, period_start=period_start)

    async def used(self, giver: MemberRef, *, since: datetime) -> int:
        async with reading(self._sessions) as session:
            return await reads.given_since(session, giver, since=since)

    async def reverse_source(
        self, workspace: WorkspaceRef, source_ref: str, *, at: datetime
    ) -> list[Kudos]:
        return await self._reverse(workspace, KudosRow.source_ref == source_ref, at=at)

    async def reverse_gift(
        self, workspace: WorkspaceRef, gift_id: str, *, at: datetime
    ) -> list[Kudos]:
        return await self._reverse(workspace, KudosRow.gift_id == gift_id, at=at)

    async def _reverse(
        self, workspace: WorkspaceRef, match: ColumnElement[bool], *, at: datetime
    ) -> list[Kudos]:
        reverse = (
            update(KudosRow)
            .where(*in_workspace(KudosRow, workspace), match, KudosRow.reversed_at.is_(None))
            .values(reversed_at=at)
            .returning(KudosRow)
            .execution_options(synchronize_session=False)
        )
        async with writing(self._sessions) as session:
            rows = sorted(await session.scalars(reverse), key=lambda row: row.id)
            shares = [Share(row.giver, row.receiver, row.given_at) for row in rows]
            await move_counts(await session.connection(), workspace, shares, sign=-1)
            return [kudos_of(row) for row in rows]

    async def last_gift(self, giver: MemberRef, *, since: datetime) -> list[Kudos]:
        mine = (
            *in_workspace(KudosRow, giver.workspace),
            KudosRow.giver == giver.user_id,
            NOT_REVERSED,
        )
        latest = (
            select(KudosRow.gift_id)
            .where(*mine, KudosRow.given_at >= since)
            .order_by(KudosRow.given_at.desc(), KudosRow.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        query = select(KudosRow).where(*mine, KudosRow.gift_id == latest).order_by(KudosRow.id)
        async with reading(self._sessions) as session:
            return [kudos_of(row) for row in await session.scalars(query)]

    # --- reading ---------------------------------------------------------------

    async def board(
        self,
        workspace: WorkspaceRef,
        *,
        since: datetime | None,
        limit: int,
        viewer: MemberRef | None = None,
    ) -> Board:
        if viewer is not None and viewer.workspace != workspace:
            raise ValueError(f"{viewer} does not view the board of {workspace}")
        async with reading(self._sessions) as session:
            receivers, received = await reads.top(
                session, workspace, side=reads.RECEIVERS, since=since, limit=limit, viewer=viewer
            )
            givers, given = await reads.top(
                session, workspace, side=reads.GIVERS, since=since, limit=limit, viewer=viewer
            )
        return Board(receivers=receivers, givers=givers, viewer=(received, given))

    async def rank(
        self, member: MemberRef, *, since: datetime | None
    ) -> tuple[Standing | None, Standing | None]:
        async with reading(self._sessions) as session:
            return (
                await reads.standing(session, member, side=reads.RECEIVERS, since=since),
                await reads.standing(session, member, side=reads.GIVERS, since=since),
            )

    async def stats(self, member: MemberRef) -> Stats:
        async with reading(self._sessions) as session:
            return await reads.stats(session, member)

    async def facts(self, member: MemberRef, *, now: datetime, streak_window: timedelta) -> Facts:
        async with reading(self._sessions) as session:
            return await reads.facts(session, member, now=now, streak_window=streak_window)

    async def recent_counts(
        self, workspace: WorkspaceRef, *, since: datetime
    ) -> tuple[dict[str, int], set[str]]:
        async with reading(self._sessions) as session:
            received = await reads.counts(session, workspace, side=reads.RECEIVERS, since=since)
            givers = await reads.counts(session, workspace, side=reads.GIVERS, since=since)
            return received, set(givers)

    async def between(
        self, workspace: WorkspaceRef, *, start: datetime | None, end: datetime
    ) -> list[Kudos]:
        bounds = [KudosRow.given_at < end]
        if start is not None:
            bounds.append(KudosRow.given_at >= start)
        query = (
            select(KudosRow)
            .where(*in_workspace(KudosRow, workspace), *bounds, NOT_REVERSED)
            .order_by(KudosRow.given_at, KudosRow.id)
        )
        async with reading(self._sessions) as session:
            return [kudos_of(row) for row in await session.scalars(query)]

    async def first_time_receivers(
        self, workspace: WorkspaceRef, *, start: datetime, end: datetime
    ) -> list[str]:
        async with reading(self._sessions) as session:
            return await reads.first_time_receivers(session, workspace, start=start, end=end)

    # --- awards ----------------------------------------------------------------

    async def award(self, member: MemberRef, award: Award) -> bool:
        if award.member != member.user_id:
            raise ValueError(f"award for {award.member!r} recorded on member {member.user_id!r}")
        workspace = member.workspace
        async with writing(self._sessions) as session:
            connection = await session.connection()
            added = await run(
                connection,
                _AWARD.on(connection),
                {
                    "platform": workspace.platform.value,
                    "workspace_id": workspace.workspace_id,
                    "user_id": member.user_id,
                    "milestone": award.milestone.value,
                    "detail": award.detail,
                    "awarded_at": award.awarded_at,
                },
            )
            return bool(added)

    async def awards_between(
        self, workspace: WorkspaceRef, *, start: datetime, end: datetime
    ) -> list[Award]:
        query = select(KudosAwardRow).where(
            *in_workspace(KudosAwardRow, workspace),
            KudosAwardRow.awarded_at >= start,
            KudosAwardRow.awarded_at < end,
        )
        async with reading(self._sessions) as session:
            rows = await session.scalars(query)
            ordered = sorted(rows, key=lambda row: (row.awarded_at, row.user_id, row.milestone))
            return [award_of(row) for row in ordered]

    # --- the badge catalogue ---------------------------------------------------

    async def catalogue(self, workspace: WorkspaceRef) -> list[Badge]:
        query = select(KudosBadgeRow).where(*in_workspace(KudosBadgeRow, workspace))
        async with reading(self._sessions) as session:
            rows = list(await session.scalars(query))
        if not rows:
            return list(DEFAULT_CATALOGUE)
        ordered = sorted(rows, key=lambda row: (row.position, row.name))
        return [Badge(row.name, row.emoji, row.description) for row in ordered if not row.removed]

    async def save_badge(self, workspace: WorkspaceRef, badge: Badge) -> None:
        async with writing(self._sessions) as session:
            await _seed_catalogue(session, workspace)
            last = await session.scalar(
                select(func.max(KudosBadgeRow.position)).where(
                    *in_workspace(KudosBadgeRow, workspace)
                )
            )
            insert = dialect_insert(session, KudosBadgeRow).values(
                platform=workspace.platform.value,
                workspace_id=workspace.workspace_id,
                name=badge.name,
                emoji=badge.emoji,
                description=badge.description,
                position=(last or 0) + 1,
                removed=False,
            )
            # Editing a badge keeps its place; bringing a removed one back puts it last.
            await session.execute(
                insert.on_conflict_do_update(
                    index_elements=[
                        KudosBadgeRow.platform,
                        KudosBadgeRow.workspace_id,
                        KudosBadgeRow.name,
                    ],
                    set_={
                        "emoji": insert.excluded.emoji,
                        "description": insert.excluded.description,
                        "position": case(
                            (KudosBadgeRow.removed, insert.excluded.position),
                            else_=KudosBadgeRow.position,
                        ),
                        "removed": False,
                    },
                )
            )

    async def remove_badge(self, workspace: WorkspaceRef, name: str) -> bool:
        remove = (
            update(KudosBadgeRow)
            .where(
                *in_workspace(KudosBadgeRow, workspace),
                KudosBadgeRow.name == name,
                KudosBadgeRow.removed.is_(False),
            )
            .values(removed=True)
            .returning(KudosBadgeRow.name)
            .execution_options(synchronize_session=False)
        )
        async with writing(self._sessions) as session:
            await _seed_catalogue(session, workspace)
            return (await session.execute(remove)).first() is not None


async def _seed_catalogue(session: AsyncSession, workspace: WorkspaceRef) -> None:
    """Copy the default badges into a workspace's first edit of its catalogue."""
    seeded = await session.scalar(
        select(KudosBadgeRow.name).where(*in_workspace(KudosBadgeRow, workspace)).limit(1)
    )
    if seeded is not None:
        return
    insert = dialect_insert(session, KudosBadgeRow).values(
        [
            {
                "platform": workspace.platform.value,
                "workspace_id": workspace.workspace_id,
                "name": badge.name,
                "emoji": badge.emoji,
                "description": badge.description,
                "position": position,
                "removed": False,
            }
            for position, badge in enumerate(DEFAULT_CATALOGUE, start=1)
        ]
    )
    await session.execute(insert.on_conflict_do_nothing())
