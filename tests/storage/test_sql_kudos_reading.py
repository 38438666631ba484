"""Reading kudos back: boards, ranks, stats, facts, awards, exports, the catalogue."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.kudos.domain import DEFAULT_CATALOGUE, Award, Badge, Facts, Milestone, Standing, Stats
from storage import SqlKudosStore, Storage
from tests.storage.test_sql_kudos import (
    ACME,
    GLOBEX,
    NOW,
    TODAY,
    gift,
    give_all,
    open_workspaces,
    shares,
)

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
WEEK_AGO = NOW - timedelta(days=7)
STREAK = timedelta(days=30)


@pytest.fixture
async def kudos(storage: Storage) -> SqlKudosStore:
    return await open_workspaces(storage)


def award(member: str, milestone: Milestone, *, at: datetime = NOW, detail: str = "") -> Award:
    return Award(member, milestone, at, detail)


# --- boards and ranks ---------------------------------------------------------------


async def test_the_all_time_board_counts_every_kudos_not_reversed(kudos: SqlKudosStore) -> None:
    await give_all(
        kudos,
        gift("old", "ana", to=["bob", "cy"], at=NOW - 400 * DAY),
        gift("g1", "dee", to=["bob"]),
        gift("g2", "ana", to=["bob"]),
    )

    board = await kudos.board(ACME, since=None, limit=10)

    assert board.receivers == (Standing("bob", 3, 1), Standing("cy", 1, 2))
    assert board.givers == (Standing("ana", 3, 1), Standing("dee", 1, 2))


async def test_a_windowed_board_counts_only_kudos_since_then(kudos: SqlKudosStore) -> None:
    await give_all(
        kudos,
        gift("old", "ana", to=["cy", "dee"], at=WEEK_AGO - HOUR),
        gift("g1", "ana", to=["bob"], at=WEEK_AGO),
        gift("g2", "cy", to=["bob", "dee"]),
        gift("gone", "cy", to=["dee"]),
    )
    await kudos.reverse_gift(ACME, "gone", at=NOW)

    board = await kudos.board(ACME, since=WEEK_AGO, limit=10)

    assert board.receivers == (Standing("bob", 2, 1), Standing("dee", 1, 2))
    assert board.givers == (Standing("cy", 2, 1), Standing("ana", 1, 2))


async def test_ties_share_a_rank_and_are_listed_by_user_id_in_byte_order(
    kudos: SqlKudosStore,
) -> None:
    # Competition ranking: 1, 2, 2, 2, 5. Upper case sorts before lower case.
    await give_all(
        kudos,
        gift("g1", "x1", to=["top", "bob", "Zed", "ana", "low"]),
        gift("g2", "x2", to=["top", "bob", "Zed", "ana"]),
        gift("g3", "x3", to=["top"]),
    )
    expected = (
        Standing("top", 3, 1),
        Standing("Zed", 2, 2),
        Standing("ana", 2, 2),
        Standing("bob", 2, 2),
        Standing("low", 1, 5),
    )

    for since in (None, WEEK_AGO):
        board = await kudos.board(ACME, since=since, limit=10)
        assert board.receivers == expected
        assert (await kudos.board(ACME, since=since, limit=3)).receivers == expected[:3]


async def test_a_members_rank_counts_everyone_with_more_kudos(kudos: SqlKudosStore) -> None:
    await give_all(
        kudos,
        gift("old", "cy", to=["ana", "ana2"], at=WEEK_AGO - DAY),
        gift("g1", "cy", to=["bob", "ana", "dee"]),
        gift("g2", "eve", to=["bob", "dee"]),
        gift("g3", "eve", to=["bob"]),
    )

    assert await kudos.rank(ACME.member("ana"), since=None) == (Standing("ana", 2, 2), None)
    assert await kudos.rank(ACME.member("dee"), since=None) == (Standing("dee", 2, 2), None)
    assert await kudos.rank(ACME.member("ana"), since=WEEK_AGO) == (Standing("ana", 1, 3), None)
    assert await kudos.rank(ACME.member("eve"), since=None) == (None, Standing("eve", 3, 2))
    assert await kudos.rank(ACME.member("eve"), since=WEEK_AGO) == (None, Standing("eve", 3, 1))
    assert await kudos.rank(ACME.member("cy"), since=WEEK_AGO) == (None, Standing("cy", 3, 1))
    assert await kudos.rank(ACME.member("nobody"), since=None) == (None, None)
    assert await kudos.rank(ACME.member("ana2"), since=WEEK_AGO) == (None, None)


async def test_recent_counts_are_received_counts_and_the_givers_since_then(
    kudos: SqlKudosStore,
) -> None:
    await give_all(
        kudos,
        gift("old", "zoe", to=["ana"], at=WEEK_AGO - HOUR),
        gift("g1", "ana", to=["bob", "cy"]),
        gift("g2", "cy", to=["bob"]),
        gift("gone", "dee", to=["cy"]),
    )
    await kudos.reverse_gift(ACME, "gone", at=NOW)

    assert await kudos.recent_counts(ACME, since=WEEK_AGO) == ({"bob": 2, "cy": 1}, {"ana", "cy"})


# --- one member --------------------------------------------------------------------


async def test_stats_sum_up_what_a_member_received_and_gave(kudos: SqlKudosStore) -> None:
    await give_all(
        kudos,
        gift("g1", "cy", to=["ana"], values=("trust", "teamwork"), badge="mentor"),
        gift("g2", "dee", to=["ana", "bob"], values=("teamwork",), badge="helper"),
        gift("g3", "bob", to=["ana"], values=("learning",), badge="mentor"),
        gift("g4", "eve", to=["ana"]),
        gift("gone", "eve", to=["ana"], values=("trust",), badge="rockstar"),
        gift("g5", "ana", to=["cy"], values=("celebrate",)),
    )
    await kudos.reverse_gift(ACME, "gone", at=NOW)
    first = award("ana", Milestone.FIRST_RECEIVED, at=NOW - DAY)
    given = award("ana", Milestone.FIRST_GIVEN, at=NOW, detail="to cy")
    await kudos.award(ACME.member("ana"), given)
    await kudos.award(ACME.member("ana"), first)

    assert await kudos.stats(ACME.member("ana")) == Stats(
        received=4,
        given=1,
        values=(("teamwork", 2), ("learning", 1), ("trust", 1)),
        peer_badges=(("mentor", 2), ("helper", 1)),
        awards=(first, given),
    )


async def test_a_member_with_no_kudos_has_empty_stats(kudos: SqlKudosStore) -> None:
    assert await kudos.stats(ACME.member("ana")) == Stats(0, 0, (), (), ())


async def test_facts_count_a_members_record_for_milestones(kudos: SqlKudosStore) -> None:
    midnight = TODAY - 3 * DAY
    await give_all(
        kudos,
        # received: one over a year ago, three within the year (one reversed)
        gift("r0", "bob", to=["ana"], at=NOW - 366 * DAY, values=("trust",)),
        gift("r1", "bob", to=["ana"], at=NOW - 30 * DAY, values=("teamwork", "trust")),
        gift("r2", "cy", to=["ana"], at=NOW - DAY, values=("teamwork",)),
        gift("r3", "cy", to=["ana"], values=("teamwork",)),
        # given: two gifts on one UTC date, two either side of a UTC midnight,
        # one before the window and one reversed
        gift("g1", "ana", to=["bob", "cy"], at=NOW - 2 * HOUR),
        gift("g2", "ana", to=["bob"], at=NOW - HOUR),
        gift("g3", "ana", to=["dee"], at=midnight - timedelta(minutes=30)),
        gift("g4", "ana", to=["eve"], at=midnight + timedelta(minutes=30)),
        gift("g5", "ana", to=["fay"], at=NOW - STREAK - HOUR),
        gift("gone", "ana", to=["gus"], at=NOW - 10 * DAY),
    )
    await kudos.reverse_gift(ACME, "r3", at=NOW)
    await kudos.reverse_gift(ACME, "gone", at=NOW)

    assert await kudos.facts(ACME.member("ana"), now=NOW, streak_window=STREAK) == Facts(
        received_total=3,
        given_total=6,
        received_last_year=2,
        giving_days_in_window=3,
        distinct_receivers=5,
        top_value=("teamwork", 2),
    )


async def test_a_tie_for_the_top_value_goes_to_the_first_name(kudos: SqlKudosStore) -> None:
    await give_all(kudos, gift("g1", "bob", to=["ana"], values=("trust", "learning")))

    facts = await kudos.facts(ACME.member("ana"), now=NOW, streak_window=STREAK)

    assert facts.top_value == ("learning", 1)


async def test_a_member_with_no_kudos_has_no_top_value(kudos: SqlKudosStore) -> None:
    assert await kudos.facts(ACME.member("ana"), now=NOW, streak_window=STREAK) == Facts(
        0, 0, 0, 0, 0, None
    )


# --- awards ------------------------------------------------------------------------


async def test_a_milestone_is_awarded_once(kudos: SqlKudosStore) -> None:
    ana = ACME.member("ana")

    assert await kudos.award(ana, award("ana", Milestone.TOP_RATED)) is True
    assert await kudos.award(ana, award("ana", Milestone.TOP_RATED, at=NOW + DAY)) is False
    assert await kudos.award(GLOBEX.member("ana"), award("ana", Milestone.TOP_RATED)) is True

    assert (await kudos.stats(ana)).awards == (award("ana", Milestone.TOP_RATED),)


async def test_an_award_for_someone_else_is_refused(kudos: SqlKudosStore) -> None:
    with pytest.raises(ValueError, match="bob"):
        await kudos.award(ACME.member("bob"), award("ana", Milestone.TOP_RATED))


async def test_awards_between_lists_the_workspaces_awards_in_order(kudos: SqlKudosStore) -> None:
    early = award("bob", Milestone.FIRST_GIVEN, at=WEEK_AGO)
    ana = award("ana", Milestone.GIVING_STREAK, at=NOW, detail="5 days")
    bob = award("bob", Milestone.FIRST_RECEIVED, at=NOW)
    for given in (bob, ana, early, award("cy", Milestone.FIRST_GIVEN, at=NOW + HOUR)):
        await kudos.award(ACME.member(given.member), given)
    await kudos.award(GLOBEX.member("dee"), award("dee", Milestone.FIRST_GIVEN))

    assert await kudos.awards_between(ACME, start=WEEK_AGO, end=NOW + HOUR) == [early, ana, bob]


# --- the workspace's kudos ------------------------------------------------------------


async def test_between_lists_kudos_not_reversed_in_the_range_oldest_first(
    kudos: SqlKudosStore,
) -> None:
    await give_all(
        kudos,
        gift("later", "ana", to=["bob"], at=NOW),
        gift("start", "ana", to=["cy", "bob"], at=WEEK_AGO),
        gift("before", "ana", to=["bob"], at=WEEK_AGO - HOUR),
        gift("end", "ana", to=["bob"], at=NOW + HOUR),
        gift("gone", "ana", to=["bob"], at=NOW - HOUR),
    )
    await kudos.reverse_gift(ACME, "gone", at=NOW)

    assert shares(await kudos.between(ACME, start=WEEK_AGO, end=NOW + HOUR)) == [
        ("start", "cy"),
        ("start", "bob"),
        ("later", "bob"),
    ]
    assert len(await kudos.between(ACME, start=None, end=NOW + HOUR)) == 4


async def test_first_time_receivers_are_those_whose_first_kudos_came_in_the_range(
    kudos: SqlKudosStore,
) -> None:
    await give_all(
        kudos,
        gift("veteran", "zoe", to=["ana"], at=WEEK_AGO - DAY),
        gift("undone", "zoe", to=["cy"], at=WEEK_AGO - DAY),
        gift("g1", "zoe", to=["ana", "dee"], at=NOW - HOUR),
        gift("g2", "zoe", to=["cy", "bob", "dee"], at=NOW - 2 * HOUR),
        gift("late", "zoe", to=["eve"], at=NOW),
    )
    await kudos.reverse_gift(ACME, "undone", at=NOW)

    newcomers = await kudos.first_time_receivers(ACME, start=WEEK_AGO, end=NOW)

    assert newcomers == ["bob", "cy", "dee"]


async def test_another_workspaces_kudos_never_show(kudos: SqlKudosStore) -> None:
    await give_all(
        kudos,
        gift("g1", "ana", to=["bob"], values=("trust",), badge="mentor"),
        gift("g2", "cy", to=["bob", "ana"], workspace=GLOBEX, values=("learning",)),
    )
    await kudos.award(GLOBEX.member("bob"), award("bob", Milestone.FIRST_RECEIVED))
    bob = ACME.member("bob")

    board = await kudos.board(ACME, since=None, limit=10)
    assert (board.receivers, board.givers) == ((Standing("bob", 1, 1),), (Standing("ana", 1, 1),))
    assert (await kudos.board(ACME, since=WEEK_AGO, limit=10)) == board
    assert await kudos.stats(bob) == Stats(1, 0, (("trust", 1),), (("mentor", 1),), ())
    assert await kudos.rank(ACME.member("cy"), since=None) == (None, None)
    assert shares(await kudos.between(ACME, start=None, end=NOW + HOUR)) == [("g1", "bob")]
    assert await kudos.first_time_receivers(ACME, start=WEEK_AGO, end=NOW + HOUR) == ["bob"]
    assert await kudos.recent_counts(ACME, since=WEEK_AGO) == ({"bob": 1}, {"ana"})
    facts = await kudos.facts(ACME.member("ana"), now=NOW, streak_window=STREAK)
    assert (facts.received_total, facts.given_total) == (0, 1)


# --- the badge catalogue -------------------------------------------------------------


async def test_a_workspace_that_never_edited_its_badges_has_the_defaults(
    kudos: SqlKudosStore,
) -> None:
    assert await kudos.catalogue(ACME) == list(DEFAULT_CATALOGUE)


async def test_a_saved_badge_joins_the_defaults_at_the_end(kudos: SqlKudosStore) -> None:
    owl = Badge("night-owl", "🌙", "Stayed late for the release")

    await kudos.save_badge(ACME, owl)

    assert await kudos.catalogue(ACME) == [*DEFAULT_CATALOGUE, owl]
    assert await kudos.catalogue(GLOBEX) == list(DEFAULT_CATALOGUE)


async def test_editing_a_badge_keeps_its_place(kudos: SqlKudosStore) -> None:
    helper = Badge("helper", "🙌", "Always there")

    await kudos.save_badge(ACME, helper)

    assert [b.name for b in await kudos.catalogue(ACME)] == [b.name for b in DEFAULT_CATALOGUE]
    assert helper in await kudos.catalogue(ACME)


async def test_a_default_badge_can_be_removed(kudos: SqlKudosStore) -> None:
    assert await kudos.remove_badge(ACME, "mentor") is True
    assert await kudos.remove_badge(ACME, "mentor") is False
    assert await kudos.remove_badge(ACME, "unknown") is False

    assert await kudos.catalogue(ACME) == list(DEFAULT_CATALOGUE[1:])


async def test_a_workspace_that_removed_every_badge_has_none(kudos: SqlKudosStore) -> None:
    for badge in DEFAULT_CATALOGUE:
        await kudos.remove_badge(ACME, badge.name)

    assert await kudos.catalogue(ACME) == []


async def test_a_removed_badge_saved_again_comes_back_last(kudos: SqlKudosStore) -> None:
    mentor = Badge("mentor", "🧭", "Showed the way")
    await kudos.remove_badge(ACME, "mentor")

    await kudos.save_badge(ACME, mentor)

    assert await kudos.catalogue(ACME) == [*DEFAULT_CATALOGUE[1:], mentor]
