"""The queries behind `SqlKudosStore`'s boards, ranks, stats and facts.

Each function runs inside the caller's read transaction, so one store call
that asks several questions sees one snapshot.

All-time boards and ranks read `kudos_totals`. Windowed ones add up
`kudos_tallies` for the whole weeks and UTC days after the window's first
day, and count raw rows for the rest of that first day: a window starts at
any instant (`now` minus 30 days), so its first day is partial and only
the rows can say which of that day's kudos fall inside. Every part counts
the same kudos, not reversed, and no kudos in two parts, so the sums are
exactly the row counts. The raw part is a plain range on `ix_kudos_window`
with nothing grouped in it, so SQLite cannot trade it for a walk of
`ix_kudos_receiver` (which after ANALYZE it did for a "GROUP BY receiver"
over raw rows, 3 to 5 times slower). Members whose sum is zero (every
kudos reversed) are left out, as they were when rows were counted.

Boards use competition ranking ("1, 2, 2, 4"): members with equal counts
share a rank and the next rank counts everyone ahead. Ties are listed by
user id in byte order on both databases (PostgreSQL's default collation may
be linguistic, so its comparisons are made in the "C" collation).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Final

from sqlalchemy import (
    ColumnElement,
    Executable,
    Select,
    String,
    bindparam,
    cast,
    func,
    literal,
    null,
    select,
    text,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from bot.chat import MemberRef, WorkspaceRef
from bot.kudos.domain import Facts, Standing, Stats
from storage.base import Prepared
from storage.kudos_counts import DAY, GIVEN, RECEIVED, WEEK, utc_day, week_of
from storage.kudos_rows import (
    KUDOS,
    KUDOS_TOTALS,
    NOT_REVERSED,
    KudosAwardRow,
    KudosRow,
    KudosTallyRow,
    KudosTotalRow,
    award_of,
    in_workspace,
    split_values,
)
from storage.sqlite_driver import run

YEAR: Final = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class Side:
    """Receiving or giving: the member column of a kudos, its running total
    and its tallies."""

    member: InstrumentedAttribute[str]
    total: InstrumentedAttribute[int]
    tally: str


RECEIVERS: Final = Side(KudosRow.receiver, KudosTotalRow.received, RECEIVED)
GIVERS: Final = Side(KudosRow.giver, KudosTotalRow.given, GIVEN)


async def given_since(session: AsyncSession, giver: MemberRef, *, since: datetime) -> int:
    return await _count(
        session, giver.workspace, KudosRow.giver == giver.user_id, KudosRow.given_at >= since
    )


async def top(
    session: AsyncSession,
    workspace: WorkspaceRef,
    *,
    side: Side,
    since: datetime | None,
    limit: int,
    viewer: MemberRef | None = None,
) -> tuple[tuple[Standing, ...], Standing | None]:
    """The first `limit` members on one side, and the viewer's own standing there.

    In a window both come from one summing of the tallies, kept
    (MATERIALIZED) and read twice: for the leaders and for how many members
    are ahead of the viewer.
    """
    if since is None:
        query = (
            select(KudosTotalRow.user_id, side.total)
            .where(*in_workspace(KudosTotalRow, workspace), side.total > 0)
            .order_by(side.total.desc(), _bytewise(session, KudosTotalRow.user_id))
            .limit(limit)
        )
        leaders = _ranked(await session.execute(query))
        if viewer is None:
            return leaders, None
        return leaders, await standing(session, viewer, side=side, since=None)
    mine = 0 if viewer is None else await _count_of(session, viewer, side=side, since=since)
    await _serial_plans(session)
    tally = _tally(workspace, side=side, since=since).cte("tally")
    if mine:
        tally = tally.prefix_with("MATERIALIZED")  # read twice, summed once
    first = (
        select(tally.c.user_id, tally.c.count)
        .order_by(tally.c.count.desc(), _bytewise(session, tally.c.user_id))
        .limit(limit)
    )
    if not mine:
        return _ranked(await session.execute(first)), None
    assert viewer is not None
    leading = first.subquery("leading")
    ahead = select(cast(null(), String), func.count()).where(tally.c.count > mine)
    both = union_all(select(leading.c.user_id, leading.c.count), ahead)
    rows = (await session.execute(both)).all()
    ahead_count = next(count for user_id, count in rows if user_id is None)
    ordered = sorted(
        ((user_id, count) for user_id, count in rows if user_id is not None),
        key=lambda row: (-row[1], row[0].encode()),  # UNION ALL promises no order
    )
    return _ranked(ordered), Standing(viewer.user_id, mine, ahead_count + 1)


async def standing(
    session: AsyncSession, member: MemberRef, *, side: Side, since: datetime | None
) -> Standing | None:
    workspace = member.workspace
    if since is None:
        mine = await session.scalar(
            select(side.total).where(
                *in_workspace(KudosTotalRow, workspace), KudosTotalRow.user_id == member.user_id
            )
        )
        if not mine:
            return None
        ahead = await session.scalar(
            select(func.count())
            .select_from(KudosTotalRow)
            .where(*in_workspace(KudosTotalRow, workspace), side.total > mine)
        )
    else:
        mine = await _count_of(session, member, side=side, since=since)
        if not mine:
            return None
        await _serial_plans(session)
        tally = _tally(workspace, side=side, since=since).subquery("tally")
        ahead = await session.scalar(
            select(func.count()).select_from(tally).where(tally.c.count > mine)
        )
    return Standing(member.user_id, mine, (ahead or 0) + 1)


async def counts(
    session: AsyncSession, workspace: WorkspaceRef, *, side: Side, since: datetime
) -> dict[str, int]:
    await _serial_plans(session)
    tally = _tally(workspace, side=side, since=since)
    return {user_id: count for user_id, count in await session.execute(tally)}


async def stats(session: AsyncSession, member: MemberRef) -> Stats:
    received, given = await _totals(session, member)
    badges = (
        await session.execute(
            select(KudosRow.badge, func.count())
            .where(*_received_by(member), KudosRow.badge.is_not(None))
            .group_by(KudosRow.badge)
        )
    ).all()
    awards = await session.scalars(
        select(KudosAwardRow).where(
            *in_workspace(KudosAwardRow, member.workspace),
            KudosAwardRow.user_id == member.user_id,
        )
    )
    return Stats(
        received=received,
        given=given,
        values=await _values_received(session, member),
        peer_badges=_by_count((badge, n) for badge, n in badges if badge is not None),
        awards=tuple(
            award_of(row) for row in sorted(awards, key=lambda row: (row.awarded_at, row.milestone))
        ),
    )


@dataclass(frozen=True, slots=True)
class _FactStatements:
    counts: Executable  # totals, received in the last year, distinct receivers
    giving_times: Executable  # when the member gave, since the streak window began
    value_lists: Executable  # the value lists of the member's received kudos


def _build_facts(dialect: str) -> _FactStatements:
    in_scope = (
        KUDOS.c.platform == bindparam("platform"),
        KUDOS.c.workspace_id == bindparam("workspace_id"),
        KUDOS.c.reversed_at.is_(None),
    )
    received_by = (*in_scope, KUDOS.c.receiver == bindparam("user_id"))
    given_by = (*in_scope, KUDOS.c.giver == bindparam("user_id"))
    counted = (
        select(func.count())
        .select_from(KUDOS)
        .where(*received_by, KUDOS.c.given_at >= bindparam("year_start"))
        .scalar_subquery()
    )
    receivers = select(func.count(KUDOS.c.receiver.distinct())).where(*given_by).scalar_subquery()
    total = (
        KUDOS_TOTALS.c.platform == bindparam("platform"),
        KUDOS_TOTALS.c.workspace_id == bindparam("workspace_id"),
        KUDOS_TOTALS.c.user_id == bindparam("user_id"),
    )
    received = select(KUDOS_TOTALS.c.received).where(*total).scalar_subquery()
    given = select(KUDOS_TOTALS.c.given).where(*total).scalar_subquery()
    return _FactStatements(
        # The counts in one statement: facts are read on the hot path of giving.
        counts=select(received, given, counted, receivers),
        giving_times=select(KUDOS.c.given_at)
        .distinct()
        .where(*given_by, KUDOS.c.given_at >= bindparam("streak_start")),
        value_lists=select(KUDOS.c.value_list).where(*received_by, KUDOS.c.value_list != ""),
    )


_FACTS: Final = Prepared(_build_facts)


async def facts(
    session: AsyncSession, member: MemberRef, *, now: datetime, streak_window: timedelta
) -> Facts:
    """Windows are measured back from `now`; totals count everything recorded.

    A giving day is a UTC date, because the port passes no time zone: a
    member far from UTC who gives in the morning and in the evening of one
    local day may be counted two giving days.
    """
    connection = await session.connection()
    statements = _FACTS.on(connection)
    workspace = member.workspace
    who = {
        "platform": workspace.platform.value,
        "workspace_id": workspace.workspace_id,
        "user_id": member.user_id,
    }
    [row] = await run(connection, statements.counts, {**who, "year_start": now - YEAR})
    given_times = await run(
        connection, statements.giving_times, {**who, "streak_start": now - streak_window}
    )
    values = _by_count(
        _values_of(listed for (listed,) in await run(connection, statements.value_lists, who))
    )
    return Facts(
        received_total=row[0] or 0,
        given_total=row[1] or 0,
        received_last_year=row[2] or 0,
        giving_days_in_window=len({at.astimezone(UTC).date() for (at,) in given_times}),
        distinct_receivers=row[3] or 0,
        top_value=values[0] if values else None,
    )


async def first_time_receivers(
    session: AsyncSession, workspace: WorkspaceRef, *, start: datetime, end: datetime
) -> list[str]:
    """Members whose earliest kudos not reversed is in [start, end), earliest first."""
    before = aliased(KudosRow, name="before")
    earlier = (
        select(before.id)
        .where(
            before.platform == KudosRow.platform,
            before.workspace_id == KudosRow.workspace_id,
            before.receiver == KudosRow.receiver,
            before.given_at < start,
            before.reversed_at.is_(None),
        )
        .exists()
    )
    query = (
        select(KudosRow.receiver, func.min(KudosRow.given_at))
        .where(
            *in_workspace(KudosRow, workspace),
            KudosRow.given_at >= start,
            KudosRow.given_at < end,
            NOT_REVERSED,
            ~earlier,
        )
        .group_by(KudosRow.receiver)
    )
    rows = (await session.execute(query)).all()
    return [receiver for receiver, _ in sorted(rows, key=lambda row: (row[1], row[0]))]


# --- pieces ------------------------------------------------------------------------


def _tally(workspace: WorkspaceRef, *, side: Side, since: datetime) -> Select[str, int]:
    """(user_id, count) of the kudos not reversed since then, one row per member.

    Whole weeks from the first Monday after the window's first day, whole
    days before that week, and raw rows for the rest of the first day.
    """
    first_day = utc_day(since)
    whole_days = first_day + timedelta(days=1)
    whole_weeks = week_of(whole_days + timedelta(days=6))  # the first Monday from whole_days
    tallied = (
        *in_workspace(KudosTallyRow, workspace),
        KudosTallyRow.side == side.tally,
    )
    weeks = select(KudosTallyRow.user_id, KudosTallyRow.count.label("n")).where(
        *tallied, KudosTallyRow.span == WEEK, KudosTallyRow.day >= whole_weeks
    )
    days = select(KudosTallyRow.user_id, KudosTallyRow.count.label("n")).where(
        *tallied,
        KudosTallyRow.span == DAY,
        KudosTallyRow.day >= whole_days,
        KudosTallyRow.day < whole_weeks,
    )
    rest_of_first_day = select(side.member.label("user_id"), literal(1).label("n")).where(
        *in_workspace(KudosRow, workspace),
        KudosRow.given_at >= since,
        KudosRow.given_at < datetime.combine(whole_days, time(0), tzinfo=UTC),
        NOT_REVERSED,
    )
    counted = union_all(weeks, days, rest_of_first_day).subquery("counted")
    total = func.sum(counted.c.n)
    return (
        select(counted.c.user_id, total.label("count"))
        .group_by(counted.c.user_id)
        .having(total > 0)
    )


async def _count(
    session: AsyncSession, workspace: WorkspaceRef, *conditions: ColumnElement[bool]
) -> int:
    query = (
        select(func.count())
        .select_from(KudosRow)
        .where(*in_workspace(KudosRow, workspace), *conditions, NOT_REVERSED)
    )
    return await session.scalar(query) or 0


async def _count_of(
    session: AsyncSession, member: MemberRef, *, side: Side, since: datetime
) -> int:
    """The member's kudos on one side since then, from the rows."""
    return await _count(
        session, member.workspace, side.member == member.user_id, KudosRow.given_at >= since
    )


async def _totals(session: AsyncSession, member: MemberRef) -> tuple[int, int]:
    row = await session.get(
        KudosTotalRow,
        (member.workspace.platform.value, member.workspace.workspace_id, member.user_id),
    )
    return (0, 0) if row is None else (row.received, row.given)


def _received_by(member: MemberRef) -> tuple[ColumnElement[bool], ...]:
    return (
        *in_workspace(KudosRow, member.workspace),
        KudosRow.receiver == member.user_id,
        NOT_REVERSED,
    )


async def _values_received(session: AsyncSession, member: MemberRef) -> tuple[tuple[str, int], ...]:
    lists = await session.scalars(
        select(KudosRow.value_list).where(*_received_by(member), KudosRow.value_list != "")
    )
    return _by_count(_values_of(lists))


def _values_of(lists: Iterable[str]) -> Iterable[tuple[str, int]]:
    return Counter(value for listed in lists for value in split_values(listed)).items()


def _by_count(pairs: Iterable[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(pairs, key=lambda pair: (-pair[1], pair[0])))


def _ranked(rows: Iterable[tuple[str, int]]) -> tuple[Standing, ...]:
    """Standings from rows sorted by count, highest first."""
    standings: list[Standing] = []
    for user_id, count in rows:
        tied = bool(standings) and standings[-1].count == count
        rank = standings[-1].rank if tied else len(standings) + 1
        standings.append(Standing(user_id, count, rank))
    return tuple(standings)


async def _serial_plans(session: AsyncSession) -> None:
    """Keep PostgreSQL from summing a window with parallel workers.

    It cannot estimate how many members a UNION of tallies and rows groups
    into, guesses 200, and then finds parallel workers worth starting: the
    sum took 36-39 ms that way and 13-16 ms without them (1,000,000 kudos,
    30 days). SET LOCAL lasts until the transaction ends.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))


def _bytewise(
    session: AsyncSession, column: ColumnElement[str] | InstrumentedAttribute[str]
) -> ColumnElement[str] | InstrumentedAttribute[str]:
    if session.get_bind().dialect.name == "postgresql":
        return column.collate("C")
    return column  # SQLite compares text as bytes already
