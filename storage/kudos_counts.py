"""The counts kept in step with the kudos rows: all-time totals and daily tallies.

A gift adds its rows to both, a reversal takes them away, in the
transaction that writes or reverses the rows, so a reader never sees a
count that disagrees with the rows it summarises. Each is one statement
whatever the number of members: totals are upserted (and read back for the
milestone checks), then tallies. Rows are written in key order, totals
before tallies, so two transactions that touch the same members lock their
rows in the same order on PostgreSQL and cannot deadlock.

A tally's day is the UTC date of `given_at`, and its week starts on the
Monday on or before that day, the same on both databases and in the
migration that filled the table. Each share moves one daily and one weekly
tally per side, still in one statement.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import Executable
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.chat import WorkspaceRef
from storage.base import Prepared, upsert
from storage.kudos_rows import KUDOS_TALLIES, KUDOS_TOTALS
from storage.sqlite_driver import run

RECEIVED: Final = "received"
GIVEN: Final = "given"
DAY: Final = 1  # the spans of a tally, in days
WEEK: Final = 7


@dataclass(frozen=True, slots=True)
class Share:
    """One kudos row, as far as the counts are concerned."""

    giver: str
    receiver: str
    given_at: datetime


@dataclass(frozen=True, slots=True)
class _Statements:
    totals: Executable
    tallies: Executable


def _build(dialect: str) -> _Statements:
    totals = upsert(dialect, KUDOS_TOTALS)
    tallies = upsert(dialect, KUDOS_TALLIES)
    return _Statements(
        totals=totals.on_conflict_do_update(
            index_elements=["platform", "workspace_id", "user_id"],
            set_={
                "received": KUDOS_TOTALS.c.received + totals.excluded.received,
                "given": KUDOS_TOTALS.c.given + totals.excluded.given,
            },
        ).returning(KUDOS_TOTALS.c.user_id, KUDOS_TOTALS.c.received, KUDOS_TOTALS.c.given),
        tallies=tallies.on_conflict_do_update(
            index_elements=["platform", "workspace_id", "side", "span", "day", "user_id"],
            set_={"count": KUDOS_TALLIES.c["count"] + tallies.excluded["count"]},
        ),
    )


_STATEMENTS: Final = Prepared(_build)


def utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def week_of(day: date) -> date:
    """The Monday on or before `day`: where its week's tally starts."""
    return day - timedelta(days=day.weekday())


async def move_counts(
    connection: AsyncConnection, workspace: WorkspaceRef, shares: Iterable[Share], *, sign: int
) -> dict[str, tuple[int, int]]:
    """Add (sign 1) or take away (sign -1) the shares; the members' (received,
    given) totals after the move."""
    received: Counter[str] = Counter()
    given: Counter[str] = Counter()
    tallies: Counter[tuple[str, int, date, str]] = Counter()
    for share in shares:
        day = utc_day(share.given_at)
        week = week_of(day)
        received[share.receiver] += sign
        given[share.giver] += sign
        for span, first in ((DAY, day), (WEEK, week)):
            tallies[RECEIVED, span, first, share.receiver] += sign
            tallies[GIVEN, span, first, share.giver] += sign
    if not tallies:
        return {}
    statements = _STATEMENTS.on(connection)
    scope = {"platform": workspace.platform.value, "workspace_id": workspace.workspace_id}
    members = sorted(received.keys() | given.keys())  # not `received | given`: it drops negatives
    moved = await run(
        connection,
        statements.totals,
        [
            {**scope, "user_id": user_id, "received": received[user_id], "given": given[user_id]}
            for user_id in members
        ],
    )
    totals = {user_id: (received_now, given_now) for user_id, received_now, given_now in moved}
    await run(connection, statements.tallies, _tally_rows(scope, tallies))
    return totals


def _tally_rows(
    scope: Mapping[str, str], tallies: Mapping[tuple[str, int, date, str], int]
) -> list[dict[str, Any]]:
    return [
        {**scope, "side": side, "span": span, "day": day, "user_id": user_id, "count": count}
        for (side, span, day, user_id), count in sorted(tallies.items())
    ]
