"""The rules of giving: recipients, values, allowance periods, milestones, health."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.chat import Member, Platform, Role, WorkspaceRef
from bot.kudos.domain import (
    Allowance,
    Facts,
    Milestone,
    Period,
    Policy,
    Refusal,
    Thresholds,
    check_allowance,
    check_recipients,
    check_values,
    health,
    milestones,
    period_bounds,
)

ACME = WorkspaceRef(Platform.LOCAL, "acme")
ANA = Member(ACME.member("ana"), "ana")
BOB = Member(ACME.member("bob"), "bob")
BOT = Member(ACME.member("ci"), "ci", is_bot=True)
GONE = Member(ACME.member("zed"), "zed", left_at=datetime(2026, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("recipients", "refusal"),
    [
        ([], Refusal.NO_RECIPIENT),
        ([ANA], Refusal.SELF),
        ([BOB, ANA], Refusal.SELF),
        ([BOT], Refusal.BOT),
        ([GONE], Refusal.LEFT),
        (["nobody"], Refusal.UNKNOWN),
    ],
)
def test_each_bad_recipient_is_refused(recipients: list[Member | str], refusal: Refusal) -> None:
    kept, refused = check_recipients(ANA, recipients)
    assert kept == ()
    assert refused is not None
    assert refused.reason is refusal


def test_a_recipient_named_twice_is_kept_once() -> None:
    kept, refused = check_recipients(ANA, [BOB, BOB])
    assert (kept, refused) == ((BOB,), None)


@given(st.lists(st.sampled_from([ANA, BOB, BOT, GONE, "x"]), max_size=6))
def test_the_giver_is_never_among_the_recipients(recipients: list[Member | str]) -> None:
    kept, _ = check_recipients(ANA, recipients)
    assert ANA not in kept


@pytest.mark.parametrize(
    ("settings", "tags", "values", "refused"),
    [
        ({}, ("teamwork", "random"), ("teamwork",), None),
        ({}, (), (), None),
        ({"kudos.require_value": "yes"}, (), (), Refusal.VALUE_REQUIRED),
        ({"kudos.require_value": "yes"}, ("trust",), ("trust",), None),
        ({"kudos.values": "#craft, #care"}, ("care",), ("care",), None),
    ],
)
def test_values_are_the_workspaces_hashtags(
    settings: dict[str, str],
    tags: tuple[str, ...],
    values: tuple[str, ...],
    refused: Refusal | None,
) -> None:
    found, refusal = check_values(Policy.of(settings), tags)
    assert found == values
    assert (refusal.reason if refusal else None) is refused


@pytest.mark.parametrize(
    ("now", "zone", "period", "start", "end"),
    [
        # 23:30 in Paris is still Monday there; 00:30 UTC Tuesday.
        (
            datetime(2026, 12, 7, 22, 30, tzinfo=UTC),
            "Europe/Paris",
            Period.DAY,
            datetime(2026, 12, 6, 23, 0, tzinfo=UTC),
            datetime(2026, 12, 7, 23, 0, tzinfo=UTC),
        ),
        # Half an hour later it is a new day in Paris...
        (
            datetime(2026, 12, 7, 23, 30, tzinfo=UTC),
            "Europe/Paris",
            Period.DAY,
            datetime(2026, 12, 7, 23, 0, tzinfo=UTC),
            datetime(2026, 12, 8, 23, 0, tzinfo=UTC),
        ),
        # ...while in New York it is still the afternoon of the same day.
        (
            datetime(2026, 12, 7, 23, 30, tzinfo=UTC),
            "America/New_York",
            Period.DAY,
            datetime(2026, 12, 7, 5, 0, tzinfo=UTC),
            datetime(2026, 12, 8, 5, 0, tzinfo=UTC),
        ),
        # Weeks start on Monday at local midnight.
        (
            datetime(2026, 12, 10, 12, 0, tzinfo=UTC),
            "America/New_York",
            Period.WEEK,
            datetime(2026, 12, 7, 5, 0, tzinfo=UTC),
            datetime(2026, 12, 14, 5, 0, tzinfo=UTC),
        ),
        # A day that springs forward is 23 hours long.
        (
            datetime(2027, 3, 28, 12, 0, tzinfo=UTC),
            "Europe/Paris",
            Period.DAY,
            datetime(2027, 3, 27, 23, 0, tzinfo=UTC),
            datetime(2027, 3, 28, 22, 0, tzinfo=UTC),
        ),
    ],
)
def test_the_allowance_resets_at_midnight_in_the_givers_time_zone(
    now: datetime, zone: str, period: Period, start: datetime, end: datetime
) -> None:
    assert period_bounds(period, now, zone) == (start, end)


@pytest.mark.parametrize(
    ("limit", "used", "needed", "refused"),
    [(5, 0, 1, False), (5, 4, 1, False), (5, 5, 1, True), (5, 4, 2, True), (5, 0, 5, False)],
)
def test_a_gift_over_the_allowance_is_refused_whole(
    limit: int, used: int, needed: int, refused: bool
) -> None:
    reset = datetime(2026, 12, 8, tzinfo=UTC)
    result = check_allowance(Allowance(limit, used, reset), needed)
    assert (result is not None) is refused
    if result is not None:
        assert result.values == {"needed": needed, "left": limit - used, "reset": reset}


def test_managers_get_the_larger_allowance() -> None:
    policy = Policy.of({"kudos.allowance": "3", "kudos.manager_allowance": "8"})
    assert policy.allowance_for(BOB) == 3
    assert policy.allowance_for(Member(BOB.ref, "bob", role=Role.MANAGER)) == 8


def test_a_workspace_configures_its_kudos() -> None:
    policy = Policy.of(
        {"kudos.emoji": "taco, :tada:", "kudos.period": "week", "kudos.badge.rising_talent": "3"}
    )
    assert policy.emojis == {"taco", "tada"}
    assert policy.period is Period.WEEK
    assert policy.thresholds.rising_talent == 3


def facts(**changes: object) -> Facts:
    base: dict[str, object] = {
        "received_total": 0,
        "given_total": 0,
        "received_last_year": 0,
        "giving_days_in_window": 0,
        "distinct_receivers": 0,
        "top_value": None,
    }
    return Facts(**{**base, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("record", "earned"),
    [
        (facts(), set()),
        (facts(received_total=1, received_last_year=1), {Milestone.FIRST_RECEIVED}),
        (facts(given_total=1), {Milestone.FIRST_GIVEN}),
        (
            facts(received_total=30, received_last_year=25),
            {Milestone.FIRST_RECEIVED, Milestone.RISING_TALENT, Milestone.TOP_RATED},
        ),
        (
            facts(given_total=9, giving_days_in_window=5),
            {Milestone.FIRST_GIVEN, Milestone.GIVING_STREAK},
        ),
        (
            facts(given_total=10, distinct_receivers=10),
            {Milestone.FIRST_GIVEN, Milestone.GENEROUS_GIVER},
        ),
        (
            facts(received_total=10, top_value=("trust", 10)),
            {Milestone.FIRST_RECEIVED, Milestone.VALUES_CHAMPION},
        ),
    ],
)
def test_milestones_follow_the_record(record: Facts, earned: set[Milestone]) -> None:
    assert milestones(record, Thresholds()) == earned


def test_health_shows_who_is_missed_and_how_spread_thanks_are() -> None:
    team = [f"m{i}" for i in range(20)]
    received = {"m0": 10, "m1": 5, "m2": 5}
    found = health(team, received, givers={"m3", "m4", "outsider"})
    assert found.members == 20
    assert found.unrecognised == tuple(sorted(team[3:]))
    assert found.top_decile_share == 0.75  # the top 2 of 20 received 15 of 20
    assert found.giver_diversity == 0.1


@given(
    st.integers(0, 60),
    st.integers(0, 60),
    st.integers(0, 30),
    st.integers(0, 20),
    st.integers(0, 20),
    st.booleans(),
    st.integers(1, 40),
)
def test_the_facts_bound_never_misses_a_milestone_earned_since(
    received: int,
    given: int,
    days: int,
    more_received: int,
    more_given: int,
    same_day: bool,
    elapsed: int,
) -> None:
    from bot.kudos.domain import facts_bound

    before = facts(
        received_total=received,
        given_total=given,
        received_last_year=received,
        giving_days_in_window=min(days, given),
        distinct_receivers=given,
        top_value=("trust", received) if received else None,
    )
    # The most that can really have happened since: every new kudos counted everywhere.
    after = facts(
        received_total=received + more_received,
        given_total=given + more_given,
        received_last_year=received + more_received,
        giving_days_in_window=min(days, given) + (0 if same_day else min(elapsed, more_given)),
        distinct_receivers=given + more_given,
        top_value=("trust", received + more_received) if received + more_received else None,
    )
    bound = facts_bound(
        before,
        (received, given),
        (received + more_received, given + more_given),
        days=0 if same_day else elapsed,
    )
    assert milestones(after, Thresholds()) <= milestones(bound, Thresholds())
