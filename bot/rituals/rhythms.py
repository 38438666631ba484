"""The rhythms a schedule can have, each with its canonical text and recurrence.

`bot.rituals.schedules` reads the schedule language into one of these (or a
`bot.rituals.cron.CronExpression`). Each knows the text `/ritual list`
shows and the database keeps, which reads back as the same value, and the
neutral `Recurrence` it stands for in a time zone, for a ritual added at
`anchor`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.features import AnyOf, Cron, Every, Once, Recurrence

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ORDINAL_WORDS = {"1st": "first", "2nd": "second", "3rd": "third", "4th": "fourth"}
_ORDINAL_WORDS |= {"5th": "fifth", "last": "last"}


def _clock(at: time) -> str:
    return f"{at.hour:02d}:{at.minute:02d}"


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone)


def _and(words: Sequence[str]) -> str:
    return " and ".join(words)


@dataclass(frozen=True, slots=True)
class Weekly:
    """Some days of every week at one time ("weekdays 09:30")."""

    days: tuple[str, ...]  # short names in week order
    at: time

    @property
    def text(self) -> str:
        if self.days == DAY_NAMES:
            return f"every day {_clock(self.at)}"
        if self.days == DAY_NAMES[:5]:
            return f"weekdays {_clock(self.at)}"
        names = [FULL_DAY_NAMES[DAY_NAMES.index(d)] for d in self.days]
        return f"every {_and(names)} {_clock(self.at)}"

    def recurrence(self, timezone: str, anchor: datetime) -> Recurrence:
        return Cron(
            timezone=timezone,
            day_of_week=",".join(self.days),
            hour=str(self.at.hour),
            minute=str(self.at.minute),
        )


@dataclass(frozen=True, slots=True)
class EveryWeeks:
    """Some days of every n-th week; which weeks counts from the ritual's creation."""

    weeks: int
    days: tuple[str, ...]
    at: time

    @property
    def text(self) -> str:
        names = [FULL_DAY_NAMES[DAY_NAMES.index(d)] for d in self.days]
        return f"every {self.weeks} weeks on {_and(names)} {_clock(self.at)}"

    def recurrence(self, timezone: str, anchor: datetime) -> Recurrence:
        """The first week is the one of the first listed day after `anchor`."""
        zone = ZoneInfo(timezone)
        local = anchor.astimezone(zone)
        firsts = []
        for short in self.days:
            ahead = (DAY_NAMES.index(short) - local.weekday()) % 7
            moment = _local(local.date() + timedelta(days=ahead), self.at, zone)
            firsts.append(moment if moment > local else moment + timedelta(days=7))
        first = min(firsts)
        monday = first.date() - timedelta(days=first.weekday())
        parts = tuple(
            Every(
                interval=timedelta(weeks=self.weeks),
                start=_local(monday + timedelta(days=DAY_NAMES.index(d)), self.at, zone),
                timezone=timezone,
            )
            for d in self.days
        )
        return parts[0] if len(parts) == 1 else AnyOf(parts)


@dataclass(frozen=True, slots=True)
class Monthly:
    """Weekdays of the month by rank ("first tuesday and first thursday 10:00")."""

    days: tuple[tuple[str, str], ...]  # (ordinal as APScheduler writes it, short day name)
    at: time

    @property
    def text(self) -> str:
        names = [f"{_ORDINAL_WORDS[o]} {FULL_DAY_NAMES[DAY_NAMES.index(d)]}" for o, d in self.days]
        return f"{_and(names)} {_clock(self.at)}"

    def recurrence(self, timezone: str, anchor: datetime) -> Recurrence:
        # `day` and `day_of_week` are ANDed in APScheduler: "1st tue" lives in `day`.
        return Cron(
            timezone=timezone,
            day=",".join(f"{o} {d}" for o, d in self.days),
            hour=str(self.at.hour),
            minute=str(self.at.minute),
        )


@dataclass(frozen=True, slots=True)
class Yearly:
    """The same dates every year, from the first one given."""

    dates: tuple[date, ...]
    at: time

    @property
    def text(self) -> str:
        days = _and([d.isoformat() for d in self.dates])
        how = {1: "once a year", 2: "twice a year"}.get(len(self.dates), "every year")
        return f"{how} on {days} {_clock(self.at)}"

    def recurrence(self, timezone: str, anchor: datetime) -> Recurrence:
        zone = ZoneInfo(timezone)
        parts = tuple(
            Cron(
                timezone=timezone,
                month=str(d.month),
                day=str(d.day),
                hour=str(self.at.hour),
                minute=str(self.at.minute),
                start=_local(d, time(0), zone),
            )
            for d in self.dates
        )
        return parts[0] if len(parts) == 1 else AnyOf(parts)


@dataclass(frozen=True, slots=True)
class OnDates:
    """Given dates only, once each."""

    dates: tuple[date, ...]
    at: time

    @property
    def text(self) -> str:
        return f"on {_and([d.isoformat() for d in self.dates])} {_clock(self.at)}"

    def recurrence(self, timezone: str, anchor: datetime) -> Recurrence:
        zone = ZoneInfo(timezone)
        return Once(tuple(_local(d, self.at, zone) for d in self.dates))
