"""The spotlight rotation: fair over a year of joins, departures, opt-outs and absences."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.chat import Member, Platform, WorkspaceRef
from bot.rituals.records import Person, Turn, TurnStatus
from bot.rituals.rotation import (
    OPT_OUT_ALL,
    OPT_OUT_SPOTLIGHT,
    eligible,
    pick,
    queue,
    ritual_opt_out,
)

WORKSPACE = WorkspaceRef(Platform.LOCAL, "T1")
FIRST_FRIDAY = datetime(2027, 1, 1, 15, 30, tzinfo=UTC)
WEEK = timedelta(days=7)
NEWCOMER_DAYS = 14


def member(name: str, **changes: object) -> Member:
    return replace(Member(WORKSPACE.member(name), name), **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("who", "person", "can"),
    [
        (member("ana"), None, True),
        (member("bot", is_bot=True), None, False),
        (member("gone", left_at=FIRST_FRIDAY - WEEK), None, False),
        (member("leaving", left_at=FIRST_FRIDAY + WEEK), None, True),
        (member("no", opt_outs=frozenset({OPT_OUT_SPOTLIGHT})), None, False),
        (member("none", opt_outs=frozenset({OPT_OUT_ALL})), None, False),
        (member("not-this", opt_outs=frozenset({ritual_opt_out(7)})), None, False),
        (member("not-that", opt_outs=frozenset({ritual_opt_out(8)})), None, True),
        (member("new", joined_at=FIRST_FRIDAY - timedelta(days=13)), None, False),
        (member("settled", joined_at=FIRST_FRIDAY - timedelta(days=14)), None, True),
        (member("away"), Person("away", away_until=date(2027, 1, 1)), False),
        (member("back"), Person("back", away_until=date(2026, 12, 31)), True),
    ],
)
def test_who_may_hold_the_spotlight(who: Member, person: Person | None, can: bool) -> None:
    assert (
        eligible(
            who,
            ritual_id=7,
            at=FIRST_FRIDAY,
            today=FIRST_FRIDAY.date(),
            newcomer_days=NEWCOMER_DAYS,
            person=person,
        )
        is can
    )


def test_those_who_never_spoke_come_first_then_the_longest_waiting() -> None:
    turns = [
        Turn(FIRST_FRIDAY, "ana", TurnStatus.SPOKE),
        Turn(FIRST_FRIDAY + WEEK, "bob", TurnStatus.SPOKE),
        Turn(FIRST_FRIDAY + 2 * WEEK, "ana", TurnStatus.SWAPPED),
    ]

    order = queue(["ana", "bob", "li"], turns, salt="1")

    assert order == ["li", "ana", "bob"]


def test_a_swapped_turn_is_not_a_turn() -> None:
    turns = [
        Turn(FIRST_FRIDAY, "ana", TurnStatus.SPOKE),
        Turn(FIRST_FRIDAY + WEEK, "bob", TurnStatus.SWAPPED),
        Turn(FIRST_FRIDAY + WEEK, "ana", TurnStatus.SPOKE),
    ]

    assert pick(["ana", "bob"], turns, salt="1") == "bob"


# --- a year of Fridays -------------------------------------------------------------------


@dataclass
class Team:
    """A team changing week by week, and the rotation's record of it."""

    members: dict[str, Member] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    turns: list[Turn] = field(default_factory=list)

    def candidates(self, at: datetime) -> list[str]:
        return [
            name
            for name, m in self.members.items()
            if eligible(
                m,
                ritual_id=1,
                at=at,
                today=at.date(),
                newcomer_days=NEWCOMER_DAYS,
                person=self.people.get(name),
            )
        ]


Change = tuple[str, int]  # (what happens, to whom: an index into the names so far)
changes = st.lists(
    st.tuples(
        st.sampled_from(["join", "leave", "opt-out", "opt-in", "away", "swap", "nothing"]),
        st.integers(0, 40),
    ),
    max_size=3,
)


@settings(max_examples=150, deadline=None)
@given(
    founders=st.integers(1, 12),
    weeks=st.lists(changes, min_size=52, max_size=52),
)
def test_nobody_speaks_twice_while_someone_eligible_has_not_spoken(
    founders: int, weeks: list[list[Change]]
) -> None:
    team = Team()
    names = [f"m{n}" for n in range(founders)]
    for name in names:
        team.members[name] = member(name, joined_at=FIRST_FRIDAY - 100 * WEEK)
    spoken: dict[str, list[datetime]] = {}
    for week, happenings in enumerate(weeks):
        at = FIRST_FRIDAY + week * WEEK
        swaps: set[str] = set()
        for what, index in happenings:
            if what == "join":
                name = f"m{len(names)}"
                names.append(name)
                team.members[name] = member(name, joined_at=at - timedelta(days=index))
                continue
            name = names[index % len(names)]
            current = team.members[name]
            if what == "leave" and current.left_at is None:
                team.members[name] = replace(current, left_at=at - timedelta(hours=1))
            elif what == "opt-out":
                team.members[name] = replace(current, opt_outs=frozenset({OPT_OUT_SPOTLIGHT}))
            elif what == "opt-in":
                team.members[name] = replace(current, opt_outs=frozenset())
            elif what == "away":
                team.people[name] = Person(name, away_until=(at + index % 3 * WEEK).date())
            elif what == "swap":
                swaps.add(name)
        eligible_now = team.candidates(at)
        chosen = pick(eligible_now, team.turns, salt="1")
        while chosen is not None and chosen in swaps:  # they hand their week on
            team.turns.append(Turn(at, chosen, TurnStatus.SWAPPED))
            chosen = pick(eligible_now, team.turns, salt="1", exclude=swaps)
        if chosen is None:
            assert not [c for c in eligible_now if c not in swaps]
            continue
        team.turns.append(Turn(at, chosen, TurnStatus.SPOKE))
        # The rule itself: a second turn only once every eligible person had one.
        if spoken.get(chosen):
            silent = [c for c in eligible_now if c not in swaps and not spoken.get(c)]
            assert silent == [], f"week {week}: {chosen} again before {silent}"
        # Stronger: anyone who could speak this week has spoken since the chosen one did.
        previous = spoken.get(chosen, [])
        if previous:
            for other in eligible_now:
                if other not in swaps and other != chosen:
                    since = spoken.get(other, [])
                    assert since, f"week {week}: {chosen} again before {other} ever spoke"
                    assert since[-1] > previous[-1], f"week {week}: {other} waited longer"
        spoken.setdefault(chosen, []).append(at)
