"""`SqlKudosStore`: kudos, their running totals, awards and badges, in SQL.

Giving re-checks the allowance in the transaction that records the gift.
On SQLite every writer begins IMMEDIATE, so writers are serial anyway; on
PostgreSQL a transaction-scoped advisory lock on the giver is taken before
counting, so two gifts from one giver queue while other givers do not wait.
Totals are updated in user-id order, so two transactions that touch the same
members lock their rows in the same order and cannot deadlock.

Reading (boards, ranks, stats, facts) lives in `storage.kudos_reading`.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
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
from storage.base import dialect_insert, reading, writing
from storage.kudos_rows import (
    NOT_REVERSED,
    KudosAwardRow,
    KudosBadgeRow,
    KudosRow,
    KudosTotalRow,
    award_of,
    in_workspace,
    join_values,
    kudos_of,
)

__all__ = ["SqlKudosStore"]

#: The first key of the advisory locks this store takes on PostgreSQL, so
#: they cannot collide with another store's locks.
GIVER_LOCK_SPACE: Final = 0x4B55  # "KU"


class SqlKudosStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    # --- giving and taking back ------------------------------------------------

    async def give(self, gift: Gift, *, limit: int, period_start: datetime) -> Given | None:
        value_list = join_values(gift.values)
        receivers = tuple(dict.fromkeys(gift.receivers))
        workspace = gift.workspace
        async with writing(self._sessions) as session:
            await _serialise_giver(session, workspace.member(gift.giver))
            recorded = set(
                await session.scalars(
                    select(KudosRow.receiver).where(
                        *in_workspace(KudosRow, workspace), KudosRow.gift_id == gift.id
                    )
                )
            )
            used = await reads.given_since(
                session, workspace.member(gift.giver), since=period_start
            )
            new = [receiver for receiver in receivers if receiver not in recorded]
            if not new:
                return Given(used=used, stored=0, totals={})  # a replay: already recorded
            if used + len(new) > limit:
                return None
            rows = [
                {
                    "platform": workspace.platform.value,
                    "workspace_id": workspace.workspace_id,
                    "gift_id": gift.id,
                    "giver": gift.giver,
                    "receiver": receiver,
                    "reason": gift.reason,
                    "value_list": value_list,
                    "badge": gift.badge,
                    "channel": gift.channel,
                    "source": gift.source.value,
                    "source_ref": gift.source_ref,
                    "private": gift.private,
                    "given_at": gift.given_at,
                }
                for receiver in new
            ]
            insert = (
                dialect_insert(session, KudosRow)
                .values(rows)
                .on_conflict_do_nothing(
                    index_elements=[
                        KudosRow.platform,
                        KudosRow.workspace_id,
                        KudosRow.gift_id,
                        KudosRow.receiver,
                    ]
                )
                .returning(KudosRow.receiver)
            )
            stored = list(await session.scalars(insert))
            moves = _moves(((gift.giver, receiver) for receiver in stored), sign=1)
            totals = await _add_to_totals(session, workspace, moves=moves)
            return Given(used=used + len(stored), stored=len(stored), totals=totals)

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
            moves = _moves(((row.giver, row.receiver) for row in rows), sign=-1)
            await _add_to_totals(session, workspace, moves=moves)
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

    async def board(self, workspace: WorkspaceRef, *, since: datetime | None, limit: int) -> Board:
        async with reading(self._sessions) as session:
            return Board(
                receivers=await reads.top(
                    session, workspace, side=reads.RECEIVERS, since=since, limit=limit
                ),
                givers=await reads.top(
                    session, workspace, side=reads.GIVERS, since=since, limit=limit
                ),
            )

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
            insert = (
                dialect_insert(session, KudosAwardRow)
                .values(
                    platform=workspace.platform.value,
                    workspace_id=workspace.workspace_id,
                    user_id=member.user_id,
                    milestone=award.milestone.value,
                    detail=award.detail,
                    awarded_at=award.awarded_at,
                )
                .on_conflict_do_nothing()
                .returning(KudosAwardRow.user_id)
            )
            return (await session.execute(insert)).first() is not None

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


async def _serialise_giver(session: AsyncSession, giver: MemberRef) -> None:
    """Make a second gift from the same giver wait until this transaction ends.

    SQLite needs nothing: its writers begin IMMEDIATE and so run one at a time.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    name = f"{giver.workspace.platform.value}:{giver.workspace.workspace_id}:{giver.user_id}"
    # A stable 32-bit key: Python's hash() differs between processes.
    digest = hashlib.blake2b(name.encode(), digest_size=4).digest()
    key = int.from_bytes(digest, "big", signed=True)
    await session.execute(select(func.pg_advisory_xact_lock(GIVER_LOCK_SPACE, key)))


def _moves(gifts: Iterable[tuple[str, str]], *, sign: int) -> dict[str, tuple[int, int]]:
    """How (giver, receiver) pairs move the totals: user_id -> (received, given)."""
    received: Counter[str] = Counter()
    given: Counter[str] = Counter()
    for giver, receiver in gifts:
        given[giver] += sign
        received[receiver] += sign
    members = received.keys() | given.keys()  # not `received | given`: it drops negatives
    return {user_id: (received[user_id], given[user_id]) for user_id in members}


async def _add_to_totals(
    session: AsyncSession, workspace: WorkspaceRef, *, moves: Mapping[str, tuple[int, int]]
) -> dict[str, tuple[int, int]]:
    """Apply the moves; the members' (received, given) totals after them."""
    if not moves:
        return {}
    insert = dialect_insert(session, KudosTotalRow).values(
        [
            {
                "platform": workspace.platform.value,
                "workspace_id": workspace.workspace_id,
                "user_id": user_id,
                "received": received,
                "given": given,
            }
            # Rows are locked in the order given: one order for every writer.
            for user_id, (received, given) in sorted(moves.items())
        ]
    )
    result = await session.execute(
        insert.on_conflict_do_update(
            index_elements=[
                KudosTotalRow.platform,
                KudosTotalRow.workspace_id,
                KudosTotalRow.user_id,
            ],
            set_={
                "received": KudosTotalRow.received + insert.excluded.received,
                "given": KudosTotalRow.given + insert.excluded.given,
            },
        ).returning(KudosTotalRow.user_id, KudosTotalRow.received, KudosTotalRow.given)
    )
    return {user_id: (received, given) for user_id, received, given in result}


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
