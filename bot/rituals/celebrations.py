"""Birthdays and work anniversaries: whose, and on which digest.

Only members who shared a date are celebrated, and never one who opted out
or left. A date on a weekend is celebrated on the Friday before, so that
nobody's birthday goes unnoticed because it fell on a Saturday.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.chat import Member
from bot.rituals.records import Person
from bot.rituals.rotation import OPT_OUT_ALL, OPT_OUT_CELEBRATIONS

SATURDAY = 5


class Occasion(StrEnum):
    BIRTHDAY = "birthday"
    ANNIVERSARY = "anniversary"


@dataclass(frozen=True, slots=True)
class Celebration:
    user_id: str
    occasion: Occasion
    on: date  # the date itself
    years: int = 0  # for an anniversary


def celebrated_on(day: date) -> date:
    """The day a date is celebrated: itself, or the Friday before a weekend."""
    return day - timedelta(days=day.weekday() - 4) if day.weekday() >= SATURDAY else day


def _in_year(month: int, day: int, year: int) -> date:
    """The date in `year`; a 29 February is the 28th in other years."""
    try:
        return date(year, month, day)
    except ValueError:
        return date(year, month, day - 1)


def birthday(text: str) -> tuple[int, int] | None:
    """`MM-DD` as (month, day), or None when it is not a date of the year."""
    month, _, day = text.strip().partition("-")
    if not (month.isascii() and month.isdecimal() and day.isascii() and day.isdecimal()):
        return None
    try:
        date(2000, int(month), int(day))  # a leap year: 02-29 is a birthday
    except ValueError:
        return None
    return int(month), int(day)


def celebrations(
    people: Sequence[Person], members: Mapping[str, Member], *, start: date, end: date
) -> list[Celebration]:
    """Birthdays and anniversaries celebrated on a day in [start, end), in date order."""
    found: list[Celebration] = []
    years = range(start.year - 1, end.year + 2)  # a Friday may celebrate next year's 1 January
    for person in people:
        member = members.get(person.user_id)
        if member is None or member.is_bot or not member.active:
            continue
        if {OPT_OUT_ALL, OPT_OUT_CELEBRATIONS} & member.opt_outs:
            continue
        born = birthday(person.birthday) if person.birthday else None
        for year in years:
            if born is not None:
                on = _in_year(*born, year)
                if start <= celebrated_on(on) < end:
                    found.append(Celebration(person.user_id, Occasion.BIRTHDAY, on))
            started = person.started_on
            if started is not None and year > started.year:
                on = _in_year(started.month, started.day, year)
                if start <= celebrated_on(on) < end:
                    found.append(
                        Celebration(person.user_id, Occasion.ANNIVERSARY, on, year - started.year)
                    )
    return sorted(found, key=lambda c: (c.on, c.occasion.value, c.user_id))
