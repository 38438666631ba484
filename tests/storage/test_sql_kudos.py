"""Giving and taking back kudos, on every database the storage suite runs on.

Reading (boards, stats, facts, the catalogue) is in test_sql_kudos_reading.py,
which borrows the builders defined here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from bot.chat import Platform, Workspace, WorkspaceRef
from bot.kudos.domain import Gift, Given, Kudos, Source, Standing
from storage import SqlKudosStore, Storage

NOW = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
TODAY = datetime(2025, 3, 4, tzinfo=UTC)  # the allowance period in these tests
ACME = WorkspaceRef(Platform.SLACK, "T1")
GLOBEX = WorkspaceRef(Platform.SLACK, "T2")


def gift(
    gift_id: str,
    giver: str,
    *,
    to: Sequence[str],
    at: datetime = NOW,
    workspace: WorkspaceRef = ACME,
    values: tuple[str, ...] = (),
    badge: str | None = None,
    source: Source = Source.COMMAND,
    source_ref: str | None = None,
    private: bool = False,
) -> Gift:
    return Gift(
        id=gift_id,
        workspace=workspace,
        giver=giver,
        receivers=tuple(to),
        reason=f"thanks ({gift_id})",
        values=values,
        badge=badge,
        channel=None if private else "C1",
        source=source,
        source_ref=source_ref or f"message:{gift_id}",
        private=private,
        given_at=at,
    )


async def open_workspaces(storage: Storage) -> SqlKudosStore:
    for ref in (ACME, GLOBEX):
        await storage.roster.save_workspace(Workspace(ref, ref.workspace_id))
    return storage.kudos


async def used(giving: Awaitable[Given | None]) -> int | None:
    """The allowance used after a gift (None when it was refused)."""
    given = await giving
    return None if given is None else given.used


async def give_all(kudos: SqlKudosStore, *gifts: Gift) -> None:
    for given in gifts:
        assert await kudos.give(given, limit=100, period_start=given.given_at) is not None


def shares(found: Sequence[Kudos]) -> list[tuple[str, str]]:
    return [(k.gift_id, k.receiver) for k in found]


@pytest.fixture
async def kudos(storage: Storage) -> SqlKudosStore:
    return await open_workspaces(storage)


async def test_a_gift_is_stored_as_one_kudos_per_receiver_with_every_field(
    kudos: SqlKudosStore,
) -> None:
    given = gift("g1", "ana", to=["bob", "cy"], values=("teamwork", "trust"), badge="mentor")

    assert await used(kudos.give(given, limit=5, period_start=TODAY)) == 2

    found = await kudos.between(ACME, start=None, end=NOW + timedelta(seconds=1))
    assert [k.receiver for k in found] == ["bob", "cy"]
    assert found[0] == Kudos(
        id=found[0].id,
        gift_id="g1",
        workspace=ACME,
        giver="ana",
        receiver="bob",
        reason="thanks (g1)",
        values=("teamwork", "trust"),
        badge="mentor",
        channel="C1",
        source=Source.COMMAND,
        private=False,
        given_at=NOW,
        reversed_at=None,
    )


async def test_a_private_gift_without_values_reads_back_as_given(kudos: SqlKudosStore) -> None:
    await kudos.give(
        gift("g1", "ana", to=["bob"], private=True, source=Source.REACTION),
        limit=5,
        period_start=TODAY,
    )

    [found] = await kudos.between(ACME, start=None, end=NOW + timedelta(seconds=1))
    assert (found.values, found.channel, found.private, found.badge) == ((), None, True, None)
    assert found.source is Source.REACTION


async def test_give_returns_the_allowance_used_in_the_period_after_the_gift(
    kudos: SqlKudosStore,
) -> None:
    await give_all(kudos, gift("yesterday", "ana", to=["bob"], at=TODAY - timedelta(hours=1)))
    assert await used(kudos.give(gift("g1", "ana", to=["bob"]), limit=5, period_start=TODAY)) == 1

    after = await used(kudos.give(gift("g2", "ana", to=["cy", "dee"]), limit=5, period_start=TODAY))

    assert after == 3


async def test_a_gift_that_would_go_over_the_allowance_is_refused_and_nothing_is_stored(
    kudos: SqlKudosStore,
) -> None:
    await kudos.give(gift("g1", "ana", to=["bob", "cy"]), limit=3, period_start=TODAY)

    refused = await kudos.give(gift("g2", "ana", to=["dee", "eve"]), limit=3, period_start=TODAY)

    assert refused is None
    assert await kudos.used(ACME.member("ana"), since=TODAY) == 2
    assert shares(await kudos.between(ACME, start=None, end=NOW + timedelta(1))) == [
        ("g1", "bob"),
        ("g1", "cy"),
    ]
    assert (await kudos.stats(ACME.member("dee"))).received == 0


async def test_a_gift_that_uses_the_last_of_the_allowance_is_accepted(
    kudos: SqlKudosStore,
) -> None:
    await kudos.give(gift("g1", "ana", to=["bob", "cy"]), limit=3, period_start=TODAY)

    assert await used(kudos.give(gift("g2", "ana", to=["dee"]), limit=3, period_start=TODAY)) == 3


async def test_a_replayed_gift_is_stored_once_and_not_refused_at_the_limit(
    kudos: SqlKudosStore,
) -> None:
    given = gift("g1", "ana", to=["bob", "cy"])
    assert await used(kudos.give(given, limit=2, period_start=TODAY)) == 2

    assert await used(kudos.give(given, limit=2, period_start=TODAY)) == 2

    assert shares(await kudos.between(ACME, start=None, end=NOW + timedelta(1))) == [
        ("g1", "bob"),
        ("g1", "cy"),
    ]
    assert (await kudos.stats(ACME.member("ana"))).given == 2
    assert (await kudos.stats(ACME.member("bob"))).received == 1


async def test_a_receiver_named_twice_in_one_gift_gets_one_kudos(kudos: SqlKudosStore) -> None:
    assert (
        await used(kudos.give(gift("g1", "ana", to=["bob", "bob"]), limit=5, period_start=TODAY))
        == 1
    )


async def test_used_counts_the_givers_kudos_not_reversed_since_then(kudos: SqlKudosStore) -> None:
    await give_all(
        kudos,
        gift("old", "ana", to=["bob"], at=TODAY - timedelta(minutes=1)),
        gift("g1", "ana", to=["bob", "cy"], at=TODAY),
        gift("g2", "ana", to=["dee"]),
        gift("theirs", "bob", to=["ana"]),
    )
    await kudos.reverse_gift(ACME, "g2", at=NOW)

    assert await kudos.used(ACME.member("ana"), since=TODAY) == 2
    assert await kudos.used(ACME.member("eve"), since=TODAY) == 0


async def test_ten_gifts_racing_from_two_processes_store_exactly_the_allowance_of_five(
    kudos: SqlKudosStore, storage: Storage, other_storage: Storage
) -> None:
    results = await asyncio.gather(
        *(
            process.kudos.give(gift(f"g{i}", "ana", to=[f"u{i}"]), limit=5, period_start=TODAY)
            for i, process in enumerate([storage, other_storage] * 5)
        )
    )

    assert sorted(r.used for r in results if r is not None) == [1, 2, 3, 4, 5]
    assert results.count(None) == 5
    assert len(await kudos.between(ACME, start=None, end=NOW + timedelta(1))) == 5
    assert (await kudos.stats(ACME.member("ana"))).given == 5


async def test_givers_racing_to_thank_each_other_all_succeed(
    kudos: SqlKudosStore, storage: Storage, other_storage: Storage
) -> None:
    # Each gift updates both members' totals; opposite orders must not deadlock.
    results = await asyncio.gather(
        *(
            process.kudos.give(gift(f"g{i}", giver, to=[receiver]), limit=50, period_start=TODAY)
            for i, (process, giver, receiver) in enumerate(
                [(storage, "ana", "bob"), (other_storage, "bob", "ana")] * 10
            )
        )
    )

    assert None not in results
    board = await kudos.board(ACME, since=None, limit=5)
    assert board.receivers == (Standing("ana", 10, 1), Standing("bob", 10, 1))


async def test_reversing_a_source_reverses_every_kudos_it_gave_once(kudos: SqlKudosStore) -> None:
    later = NOW + timedelta(minutes=3)
    await give_all(
        kudos,
        gift("g1", "ana", to=["bob", "cy"], source=Source.MESSAGE, source_ref="m1"),
        gift("g2", "ana", to=["dee"], source_ref="m2"),
    )

    reversed_ = await kudos.reverse_source(ACME, "m1", at=later)

    assert shares(reversed_) == [("g1", "bob"), ("g1", "cy")]
    assert {k.reversed_at for k in reversed_} == {later}
    assert await kudos.reverse_source(ACME, "m1", at=later) == []
    assert shares(await kudos.between(ACME, start=None, end=later)) == [("g2", "dee")]


async def test_reversing_a_gift_takes_it_off_the_totals_and_the_boards(
    kudos: SqlKudosStore,
) -> None:
    await give_all(
        kudos,
        gift("g1", "ana", to=["bob", "cy"]),
        gift("g2", "dee", to=["bob"]),
    )

    reversed_ = await kudos.reverse_gift(ACME, "g1", at=NOW)

    assert shares(reversed_) == [("g1", "bob"), ("g1", "cy")]
    assert await kudos.reverse_gift(ACME, "g1", at=NOW) == []
    for since in (None, TODAY):
        board = await kudos.board(ACME, since=since, limit=10)
        assert board.receivers == (Standing("bob", 1, 1),)
        assert board.givers == (Standing("dee", 1, 1),)
    assert (await kudos.stats(ACME.member("ana"))).given == 0
    assert (await kudos.stats(ACME.member("bob"))).received == 1
    assert await kudos.rank(ACME.member("cy"), since=None) == (None, None)


async def test_a_reversed_gift_gives_its_allowance_back(kudos: SqlKudosStore) -> None:
    await kudos.give(gift("g1", "ana", to=["bob", "cy"]), limit=2, period_start=TODAY)
    await kudos.reverse_gift(ACME, "g1", at=NOW)

    assert (
        await used(kudos.give(gift("g2", "ana", to=["dee", "eve"]), limit=2, period_start=TODAY))
        == 2
    )


async def test_a_reversed_gift_replayed_stays_reversed(kudos: SqlKudosStore) -> None:
    given = gift("g1", "ana", to=["bob"])
    await kudos.give(given, limit=5, period_start=TODAY)
    await kudos.reverse_gift(ACME, "g1", at=NOW)

    assert await used(kudos.give(given, limit=5, period_start=TODAY)) == 0

    assert await kudos.between(ACME, start=None, end=NOW + timedelta(1)) == []


async def test_last_gift_is_the_givers_latest_gift_not_reversed_since_then(
    kudos: SqlKudosStore,
) -> None:
    await give_all(
        kudos,
        gift("g1", "ana", to=["bob"], at=NOW - timedelta(minutes=5)),
        gift("g2", "ana", to=["cy", "dee"], at=NOW - timedelta(minutes=2)),
        gift("theirs", "bob", to=["ana"], at=NOW),
    )
    ana = ACME.member("ana")

    assert shares(await kudos.last_gift(ana, since=NOW - timedelta(minutes=10))) == [
        ("g2", "cy"),
        ("g2", "dee"),
    ]
    await kudos.reverse_gift(ACME, "g2", at=NOW)
    assert shares(await kudos.last_gift(ana, since=NOW - timedelta(minutes=10))) == [("g1", "bob")]
    assert await kudos.last_gift(ana, since=NOW - timedelta(minutes=4)) == []


async def test_a_value_containing_a_comma_is_refused(kudos: SqlKudosStore) -> None:
    tagged = gift("g1", "ana", to=["bob"], values=("a,b",))

    with pytest.raises(ValueError, match="commas"):
        await kudos.give(tagged, limit=5, period_start=TODAY)


async def test_kudos_need_their_workspace_to_be_known(storage: Storage) -> None:
    with pytest.raises(IntegrityError):
        await storage.kudos.give(gift("g1", "ana", to=["bob"]), limit=5, period_start=TODAY)


async def test_the_same_gift_id_in_two_workspaces_is_two_gifts_kept_apart(
    kudos: SqlKudosStore,
) -> None:
    await kudos.give(gift("g1", "ana", to=["bob"]), limit=1, period_start=TODAY)

    elsewhere = gift("g1", "ana", to=["bob"], workspace=GLOBEX, source_ref="message:g1")
    assert await used(kudos.give(elsewhere, limit=1, period_start=TODAY)) == 1

    assert shares(await kudos.reverse_source(GLOBEX, "message:g1", at=NOW)) == [("g1", "bob")]
    assert await kudos.used(ACME.member("ana"), since=TODAY) == 1
    assert await kudos.last_gift(GLOBEX.member("ana"), since=TODAY) == []
    assert shares(await kudos.last_gift(ACME.member("ana"), since=TODAY)) == [("g1", "bob")]
