"""The program's rules: days and weeks in the newcomer's time zone, progress, numbering."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.onboarding.domain import (
    PROGRAM,
    CustomStep,
    Journey,
    day_of,
    numbered,
    program,
    progress,
    week_of,
)

JOINED = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # already Dec 2 in Paris, Dec 1 in New York


@pytest.mark.parametrize(
    ("now", "zone", "day"),
    [
        (datetime(2026, 12, 2, 8, 0, tzinfo=UTC), "Europe/Paris", 0),
        (datetime(2026, 12, 2, 8, 0, tzinfo=UTC), "America/New_York", 1),
        (datetime(2026, 12, 8, 22, 59, tzinfo=UTC), "Europe/Paris", 6),
        (datetime(2026, 12, 8, 23, 0, tzinfo=UTC), "Europe/Paris", 7),
        (datetime(2026, 12, 29, 12, 0, tzinfo=UTC), "UTC", 28),
    ],
)
def test_days_are_calendar_days_in_the_newcomers_time_zone(
    now: datetime, zone: str, day: int
) -> None:
    assert day_of(JOINED, now, zone) == day


@pytest.mark.parametrize(
    ("day", "week"), [(0, 1), (6, 1), (7, 2), (13, 2), (14, 3), (21, 4), (27, 4), (28, 5), (90, 5)]
)
def test_the_month_has_four_weeks_then_it_is_over(day: int, week: int) -> None:
    assert week_of(day) == week


def test_a_workspace_hides_shipped_steps_and_adds_its_own_within_their_week() -> None:
    steps = program(
        [
            CustomStep(1, 2, "Read the handbook"),
            CustomStep(2, 1, "", hides="platform.mentor"),
            CustomStep(3, 1, "Meet the design team"),
        ]
    )
    assert [s.id for s in steps if s.week <= 2] == [
        "platform.tools",
        "platform.intro",
        "c3",
        "mission.read",
        "mission.shadow",
        "mission.coffee",
        "c1",
    ]
    assert len(steps) == len(PROGRAM) + 1
    assert [s.week for s in steps] == sorted(s.week for s in steps)


def test_progress_counts_done_steps_and_flags_a_newcomer_two_steps_behind() -> None:
    steps = program([])
    journey = Journey("U1", JOINED, done=frozenset({"platform.tools", "platform.intro"}))
    first = progress(journey, steps, day=3)
    assert (first.week, first.done, first.total, first.overdue) == (1, 2, 12, ())
    assert [s.id for s in first.next] == ["platform.mentor"]
    one_behind = progress(journey, steps, day=8)
    assert len(one_behind.overdue) == 1
    assert not one_behind.needs_attention
    two_behind = progress(journey, steps, day=15)
    assert len(two_behind.overdue) == 4
    assert two_behind.needs_attention
    after = progress(journey, steps, day=40)
    assert after.week == 5
    assert {s.week for s in after.next} == {4}


@pytest.mark.parametrize(("text", "found"), [("1", "platform.tools"), ("#12", "first.feedback")])
def test_members_name_steps_by_their_number(text: str, found: str) -> None:
    step = numbered(program([]), text)
    assert step is not None
    assert step.id == found


@pytest.mark.parametrize("text", ["0", "13", "-1", "two", "", "１"])
def test_a_number_outside_the_program_names_no_step(text: str) -> None:
    assert numbered(program([]), text) is None
