"""Streaks, learning days and topics: the learning log's rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.learning.domain import DEFAULT_DAYS, Streak, learning_days, streak, topics_of

MON = date(2026, 11, 30)


def days(*offsets: int) -> list[date]:
    return [MON + timedelta(days=n) for n in offsets]


@pytest.mark.parametrize(
    ("logged", "today", "expected"),
    [
        ([], MON, Streak(0, 0)),
        (days(0), MON, Streak(1, 1)),
        (days(0, 1, 2), MON + timedelta(days=2), Streak(3, 3)),
        (days(0, 1, 2), MON + timedelta(days=3), Streak(3, 3)),  # today is still open
        (days(0, 1, 2), MON + timedelta(days=4), Streak(0, 3)),  # a working day passed empty
        (days(-3, 0), MON, Streak(2, 2)),  # Friday then Monday: the weekend never breaks
        (days(-3, -2, 0), MON, Streak(3, 3)),  # a Saturday entry counts
        (days(-3), MON, Streak(1, 1)),  # Friday, and Monday is still open
        (days(-3), MON + timedelta(days=1), Streak(0, 1)),
        (days(-10, -9, -8, 0, 1), MON + timedelta(days=1), Streak(2, 3)),
        (days(0, 5), MON, Streak(1, 1)),  # an entry in the future of `today` is not counted
    ],
)
def test_a_streak_counts_days_in_a_row_and_only_an_empty_working_day_breaks_it(
    logged: list[date], today: date, expected: Streak
) -> None:
    assert streak(logged, today) == expected


@given(st.sets(st.integers(min_value=-60, max_value=0)), st.integers(min_value=0, max_value=3))
def test_the_current_streak_never_beats_the_best_and_logging_today_extends_it(
    offsets: set[int], ahead: int
) -> None:
    today = MON + timedelta(days=ahead)
    logged = [today + timedelta(days=n) for n in offsets]
    before = streak(logged, today)
    assert 0 <= before.current <= before.best <= len(set(logged))
    after = streak([*logged, today], today)
    if today not in logged:
        assert after.current == before.current + 1


@pytest.mark.parametrize(
    ("value", "days"),
    [
        ("", DEFAULT_DAYS),
        ("1st tue,1st thu", "1st tue,1st thu"),
        ("  Last  FRI ", "last fri"),
        ("2nd mon, 4th mon", "2nd mon,4th mon"),
        ("every tuesday", DEFAULT_DAYS),
        ("1st tue,*", DEFAULT_DAYS),
    ],
)
def test_learning_days_read_as_cron_days_or_fall_back_to_the_default(value: str, days: str) -> None:
    assert learning_days(value) == days


def test_topics_are_hashtags_lower_cased_once_each() -> None:
    assert topics_of("rust #Rust lifetimes #rust #dev-ops c#sharp ##x #") == ("rust", "dev-ops")
