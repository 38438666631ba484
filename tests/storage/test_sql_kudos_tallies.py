"""Windowed boards read daily tallies; they must say exactly what the rows say.

The oracle is the query the boards ran before the tallies existed: count
the kudos rows not reversed given since the window began, per member. Every
check below asks the store and the oracle the same question on the same
database and expects the same answer, for windows that start at midnight,
just before and after it, exactly on a gift, and anywhere in between.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from bot.chat import WorkspaceRef
from bot.kudos.domain import Board, Gift, Source, Standing
from storage import SqlKudosStore, Storage, open_storage, upgrade
from storage.base import Base
from tests.storage.test_sql_kudos import ACME, GLOBEX, NOW, gift, give_all, open_workspaces

DAY = timedelta(days=1)
MICROSECOND = timedelta(microseconds=1)
MIDNIGHT = datetime(2025, 3, 4, tzinfo=UTC)
SIDES = ("receiver", "giver")


@pytest.fixture
async def kudos(storage: Storage) -> SqlKudosStore:
    return await open_workspaces(storage)


# --- the oracle ------------------------------------------------------------------------


async def counted_from_rows(
    storage: Storage, workspace: WorkspaceRef, *, side: str, since: datetime | None
) -> dict[str, int]:
    """Per member, the kudos rows not reversed given since then: the raw-row query."""
    kudos = Base.metadata.tables["kudos"]
    member = kudos.c[side]
    query = (
        select(member, func.count())
        .where(
            kudos.c.platform == workspace.platform.value,
            kudos.c.workspace_id == workspace.workspace_id,
            kudos.c.reversed_at.is_(None),
        )
        .group_by(member)
    )
    if since is not None:
        query = query.where(kudos.c.given_at >= since)
    async with storage.engine.connect() as connection:
        return {user_id: count for user_id, count in await connection.execute(query)}


def top(counts: dict[str, int], limit: int) -> tuple[Standing, ...]:
    ordered = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0].encode()))[:limit]
    return tuple(standing(counts, user_id) for user_id, _ in ordered)


def standing(counts: dict[str, int], user_id: str) -> Standing:
    mine = counts[user_id]
    return Standing(user_id, mine, 1 + sum(1 for other in counts.values() if other > mine))


async def assert_matches_the_rows(
    storage: Storage, workspace: WorkspaceRef, since: datetime | None, *, limit: int = 5
) -> None:
    received = await counted_from_rows(storage, workspace, side="receiver", since=since)
    given = await counted_from_rows(storage, workspace, side="giver", since=since)
    board = await storage.kudos.board(workspace, since=since, limit=limit)
    assert board == Board(receivers=top(received, limit), givers=top(given, limit)), since
    for user_id in sorted(received.keys() | given.keys() | {"nobody"}):
        viewer = workspace.member(user_id)
        expected = (
            standing(received, user_id) if user_id in received else None,
            standing(given, user_id) if user_id in given else None,
        )
        assert await storage.kudos.rank(viewer, since=since) == expected
        seen = await storage.kudos.board(workspace, since=since, limit=limit, viewer=viewer)
        assert seen == Board(board.receivers, board.givers, viewer=expected)
    if since is not None:
        assert await storage.kudos.recent_counts(workspace, since=since) == (received, set(given))


def windows(moments: Sequence[datetime]) -> list[datetime | None]:
    """Window starts worth checking around these moments: on them, at their
    midnight, and at the Mondays that start their week and the next."""
    starts: set[datetime] = set()
    for moment in moments:
        midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        monday = midnight - timedelta(days=midnight.weekday())
        starts.update((moment, moment - MICROSECOND, moment + MICROSECOND))
        for edge in (midnight, monday, monday + 7 * DAY):
            starts.update((edge, edge - MICROSECOND))
    return [None, *sorted(starts)]


# --- boundaries, one at a time ----------------------------------------------------------


async def test_a_window_starting_at_midnight_counts_that_whole_day(
    kudos: SqlKudosStore, storage: Storage
) -> None:
    await give_all(
        kudos,
        gift("before", "ana", to=["bob"], at=MIDNIGHT - MICROSECOND),
        gift("at", "ana", to=["cy"], at=MIDNIGHT),
        gift("later", "dee", to=["cy"], at=MIDNIGHT + 5 * DAY),
    )

    board = await kudos.board(ACME, since=MIDNIGHT, limit=10)

    assert board.receivers == (Standing("cy", 2, 1),)
    await assert_matches_the_rows(storage, ACME, MIDNIGHT)


async def test_a_window_counts_whole_weeks_the_days_before_them_and_its_first_day(
    kudos: SqlKudosStore, storage: Storage
) -> None:
    # MIDNIGHT is a Tuesday; the window starts on the Thursday before, at noon.
    since = MIDNIGHT - 5 * DAY + timedelta(hours=12)
    await give_all(
        kudos,
        gift("thursday-morning", "ana", to=["bob"], at=since - timedelta(hours=1)),
        gift("thursday-evening", "ana", to=["bob"], at=since + timedelta(hours=1)),
        gift("saturday", "cy", to=["bob"], at=MIDNIGHT - 3 * DAY),
        gift("sunday-late", "cy", to=["dee"], at=MIDNIGHT - DAY - MICROSECOND),
        gift("monday", "dee", to=["bob"], at=MIDNIGHT - DAY),
        gift("tuesday", "dee", to=["cy"], at=MIDNIGHT + timedelta(hours=9)),
    )

    board = await kudos.board(ACME, since=since, limit=10)

    assert board.receivers == (Standing("bob", 3, 1), Standing("cy", 1, 2), Standing("dee", 1, 2))
    await assert_matches_the_rows(storage, ACME, since)


async def test_a_window_starting_mid_day_counts_only_the_rest_of_that_day(
    kudos: SqlKudosStore, storage: Storage
) -> None:
    since = MIDNIGHT + timedelta(hours=13, minutes=7)
    await give_all(
        kudos,
        gift("morning", "ana", to=["bob"], at=since - timedelta(hours=3)),
        gift("just-before", "ana", to=["bob"], at=since - MICROSECOND),
        gift("exactly", "ana", to=["cy"], at=since),
        gift("evening", "dee", to=["bob"], at=MIDNIGHT + DAY - MICROSECOND),
        gift("next-day", "dee", to=["cy"], at=MIDNIGHT + DAY),
    )

    board = await kudos.board(ACME, since=since, limit=10)

    assert board.receivers == (Standing("cy", 2, 1), Standing("bob", 1, 2))
    assert board.givers == (Standing("dee", 2, 1), Standing("ana", 1, 2))
    await assert_matches_the_rows(storage, ACME, since)


async def test_a_member_whose_kudos_were_all_reversed_is_neither_listed_nor_ranked(
    kudos: SqlKudosStore, storage: Storage
) -> None:
    since = MIDNIGHT - 3 * DAY + timedelta(hours=12)
    await give_all(
        kudos,
        gift("edge", "ana", to=["bob"], at=since + timedelta(hours=1)),  # the partial first day
        gift("whole", "ana", to=["bob"], at=MIDNIGHT),  # a whole day
        gift("kept", "cy", to=["dee"], at=MIDNIGHT),
    )
    await kudos.reverse_gift(ACME, "edge", at=NOW)
    await kudos.reverse_gift(ACME, "whole", at=NOW)

    assert (await kudos.board(ACME, since=since, limit=10)).receivers == (Standing("dee", 1, 1),)
    assert await kudos.rank(ACME.member("bob"), since=since) == (None, None)
    assert await kudos.rank(ACME.member("ana"), since=since) == (None, None)
    await assert_matches_the_rows(storage, ACME, since)


async def test_private_kudos_count_on_the_boards_as_before(
    kudos: SqlKudosStore, storage: Storage
) -> None:
    await give_all(
        kudos,
        gift("open", "ana", to=["bob"], at=MIDNIGHT - 2 * DAY),
        gift("quiet", "cy", to=["bob"], at=MIDNIGHT - 2 * DAY, private=True),
    )

    board = await kudos.board(ACME, since=MIDNIGHT - 7 * DAY, limit=10)

    assert board.receivers == (Standing("bob", 2, 1),)
    await assert_matches_the_rows(storage, ACME, MIDNIGHT - 7 * DAY)


async def test_a_replayed_gift_moves_no_tally(kudos: SqlKudosStore, storage: Storage) -> None:
    first = gift("g1", "ana", to=["bob", "cy"], at=MIDNIGHT - DAY)
    await give_all(kudos, first)
    given = await kudos.give(first, limit=100, period_start=first.given_at)

    assert given is not None
    assert given.stored == 0
    assert (await kudos.board(ACME, since=MIDNIGHT - 2 * DAY, limit=10)).givers == (
        Standing("ana", 2, 1),
    )


# --- give and reverse, in any order -----------------------------------------------------


@dataclass
class Script:
    """A seeded run of gifts, replays and reversals over a few days, in two workspaces."""

    seed: int

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.gifts: list[Gift] = []

    def moment(self) -> datetime:
        start = MIDNIGHT - 16 * DAY  # three weeks or so: whole weeks and odd days
        choice = self.rng.random()
        day = start + self.rng.randrange(20) * DAY
        if choice < 0.2:
            return day  # exactly midnight
        if choice < 0.3:
            return day - MICROSECOND
        return day + timedelta(
            seconds=self.rng.randrange(86_400), microseconds=self.rng.randrange(3)
        )

    def new_gift(self) -> Gift:
        workspace = ACME if self.rng.random() < 0.8 else GLOBEX
        people = ["ana", "bob", "cy", "dee", "Eve", "fay"]
        giver = self.rng.choice(people)
        others = [person for person in people if person != giver]
        receivers = self.rng.sample(others, self.rng.choice((1, 1, 1, 2, 3)))
        number = len(self.gifts)
        made = gift(
            f"g{number}",
            giver,
            to=receivers,
            at=self.moment(),
            workspace=workspace,
            private=self.rng.random() < 0.2,
            source=Source.REACTION if number % 3 == 0 else Source.COMMAND,
            source_ref=f"ref{number % 7}",  # some gifts share a source: one deletion takes several
        )
        self.gifts.append(made)
        return made


async def play(script: Script, kudos: SqlKudosStore, steps: int) -> list[datetime]:
    moments: list[datetime] = []
    for _ in range(steps):
        roll = script.rng.random()
        if roll < 0.6 or not script.gifts:
            made = script.new_gift()
            await give_all(kudos, made)
            moments.append(made.given_at)
        elif roll < 0.7:
            again = script.rng.choice(script.gifts)  # a replayed delivery
            await kudos.give(again, limit=100, period_start=again.given_at)
        elif roll < 0.85:
            gone = script.rng.choice(script.gifts)
            await kudos.reverse_gift(gone.workspace, gone.id, at=NOW)
        else:
            gone = script.rng.choice(script.gifts)
            await kudos.reverse_source(gone.workspace, gone.source_ref, at=NOW)
    return moments


@pytest.mark.parametrize("seed", range(4))
async def test_boards_and_ranks_match_the_rows_after_any_gifts_and_reversals(
    seed: int, kudos: SqlKudosStore, storage: Storage
) -> None:
    script = Script(seed)
    for _ in range(2):
        moments = await play(script, kudos, steps=25)
        picked = script.rng.sample(moments, min(3, len(moments)))
        for since in windows(picked):
            for workspace in (ACME, GLOBEX):
                await assert_matches_the_rows(storage, workspace, since)


# --- the migration ---------------------------------------------------------------------


async def test_upgrading_fills_the_tallies_from_the_kudos_already_given(
    database_url: str,
) -> None:
    await upgrade(database_url, "0002")
    rows = [
        (ACME, "ana", "bob", MIDNIGHT - DAY, None),
        (ACME, "ana", "cy", MIDNIGHT - MICROSECOND, None),
        (ACME, "cy", "bob", MIDNIGHT, None),
        (ACME, "cy", "dee", MIDNIGHT + DAY, NOW),  # reversed: never counted
        (GLOBEX, "bob", "ana", MIDNIGHT, None),
    ]
    async with await open_storage(database_url) as opened:
        await write_as_0002_did(opened, rows)

    await upgrade(database_url)

    async with await open_storage(database_url) as upgraded:
        for workspace in (ACME, GLOBEX):
            for since in windows([MIDNIGHT, MIDNIGHT + DAY]):
                await assert_matches_the_rows(upgraded, workspace, since)
        board = await upgraded.kudos.board(ACME, since=MIDNIGHT - 2 * DAY, limit=5)
        assert board.receivers == (Standing("bob", 2, 1), Standing("cy", 1, 2))
        # From here on, giving and reversing keep the filled tallies in step.
        await give_all(upgraded.kudos, gift("new", "dee", to=["cy"], at=MIDNIGHT + DAY))
        await upgraded.kudos.reverse_gift(ACME, "g0", at=NOW)
        for since in windows([MIDNIGHT - DAY, MIDNIGHT + DAY]):
            await assert_matches_the_rows(upgraded, ACME, since)


async def write_as_0002_did(
    storage: Storage,
    rows: Sequence[tuple[WorkspaceRef, str, str, datetime, datetime | None]],
) -> None:
    """Workspaces, kudos rows and their totals, as a database at revision 0002 holds them."""
    tables = Base.metadata.tables
    totals: dict[tuple[WorkspaceRef, str], list[int]] = {}
    for ref, giver, receiver, _, reversed_at in rows:
        kept = reversed_at is None
        totals.setdefault((ref, receiver), [0, 0])[0] += kept
        totals.setdefault((ref, giver), [0, 0])[1] += kept
    async with storage.engine.begin() as connection:
        await connection.execute(
            insert(tables["workspaces"]),
            [
                {
                    "platform": ref.platform.value,
                    "workspace_id": ref.workspace_id,
                    "name": ref.workspace_id,
                    "locale": "en",
                    "timezone": "UTC",
                    "settings": "{}",
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for ref in (ACME, GLOBEX)
            ],
        )
        await connection.execute(
            insert(tables["kudos"]),
            [
                {
                    "platform": ref.platform.value,
                    "workspace_id": ref.workspace_id,
                    "gift_id": f"g{number}",
                    "giver": giver,
                    "receiver": receiver,
                    "reason": "",
                    "value_list": "",
                    "badge": None,
                    "channel": None,
                    "source": Source.COMMAND.value,
                    "source_ref": f"m{number}",
                    "private": False,
                    "given_at": at,
                    "reversed_at": reversed_at,
                }
                for number, (ref, giver, receiver, at, reversed_at) in enumerate(rows)
            ],
        )
        await connection.execute(
            insert(tables["kudos_totals"]),
            [
                {
                    "platform": ref.platform.value,
                    "workspace_id": ref.workspace_id,
                    "user_id": user_id,
                    "received": received,
                    "given": given,
                }
                for (ref, user_id), (received, given) in totals.items()
            ],
        )
