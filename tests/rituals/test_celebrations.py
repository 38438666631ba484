"""Birthdays and anniversaries: shared ones only, weekend dates on the Friday before."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.chat import Member, Platform, WorkspaceRef
from bot.rituals.celebrations import Celebration, Occasion, birthday, celebrated_on, celebrations
from bot.rituals.records import Person
from bot.rituals.rotation import OPT_OUT_CELEBRATIONS

WORKSPACE = WorkspaceRef(Platform.LOCAL, "T1")


def members(*names: str, **extra: Member) -> dict[str, Member]:
    found = {n: Member(WORKSPACE.member(n), n) for n in names}
    return {**found, **extra}


@pytest.mark.parametrize(
    ("day", "shown"),
    [
        (date(2026, 12, 4), date(2026, 12, 4)),  # a Friday
        (date(2026, 12, 5), date(2026, 12, 4)),  # Saturday
        (date(2026, 12, 6), date(2026, 12, 4)),  # Sunday
        (date(2026, 12, 7), date(2026, 12, 7)),  # Monday
        (date(2027, 1, 2), date(2027, 1, 1)),  # across the new year
    ],
)
def test_weekend_dates_are_celebrated_the_friday_before(day: date, shown: date) -> None:
    assert celebrated_on(day) == shown


@pytest.mark.parametrize(
    ("text", "read"),
    [("03-14", (3, 14)), ("02-29", (2, 29)), ("3-4", (3, 4)), ("02-30", None), ("14/03", None)],
)
def test_a_birthday_is_a_month_and_a_day(text: str, read: tuple[int, int] | None) -> None:
    assert birthday(text) == read


def test_a_week_of_celebrations_lists_shared_dates_in_order() -> None:
    people = [
        Person("ana", birthday="12-05"),  # Saturday: shown Friday 4th
        Person("bob", started_on=date(2023, 12, 8)),
        Person("li", started_on=date(2026, 12, 7)),  # their first day, not an anniversary
        Person("kai"),
    ]

    found = celebrations(
        people, members("ana", "bob", "li", "kai"), start=date(2026, 12, 4), end=date(2026, 12, 11)
    )

    assert found == [
        Celebration("ana", Occasion.BIRTHDAY, date(2026, 12, 5)),
        Celebration("bob", Occasion.ANNIVERSARY, date(2026, 12, 8), 3),
    ]


def test_opted_out_departed_and_unknown_members_are_not_celebrated() -> None:
    quiet = Member(WORKSPACE.member("zoe"), "zoe", opt_outs=frozenset({OPT_OUT_CELEBRATIONS}))
    gone = Member(WORKSPACE.member("max"), "max", left_at=datetime(2026, 1, 1, tzinfo=UTC))
    people = [Person(n, birthday="12-07") for n in ("zoe", "max", "stranger", "ana")]

    found = celebrations(
        people, members("ana", zoe=quiet, max=gone), start=date(2026, 12, 7), end=date(2026, 12, 8)
    )

    assert [c.user_id for c in found] == ["ana"]


def test_a_leap_day_birthday_is_celebrated_on_the_28th_in_other_years() -> None:
    found = celebrations(
        [Person("ana", birthday="02-29")],
        members("ana"),
        start=date(2027, 2, 26),
        end=date(2027, 3, 1),
    )

    assert found == [Celebration("ana", Occasion.BIRTHDAY, date(2027, 2, 28))]  # a Sunday
    assert celebrated_on(found[0].on) == date(2027, 2, 26)
