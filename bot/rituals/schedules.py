"""The schedule language managers write: "every monday 16:00", "weekdays 09:30".

A schedule is parsed once into a small value that knows its canonical text
(what `/ritual list` shows and the database keeps) and the neutral
`Recurrence` it stands for in a time zone. The forms, all case-insensitive:

    every monday 16:00                  every monday and thursday at 9am
    every day 08:00 / daily 08:00       weekdays 09:30 / every weekday 09:30
    every 2 weeks on friday 15:00       every other week on tuesday 11:00
    first tuesday and first thursday 10:00      last friday 17:00
    twice a year on 2027-03-15 and 2027-09-15 [at 10:00]
    every year on 2027-06-01 [at 10:00]         on 2027-03-15 10:00 (once)
    cron 30 9 * * 1-5                   (or the five fields alone)

A mistake raises `ScheduleError` naming the word that does not fit and
what was expected there.
"""

from __future__ import annotations

import re
from datetime import date, time

from bot.chat import N_
from bot.rituals.cron import CronExpression, first_bad_field
from bot.rituals.rhythms import (
    DAY_NAMES,
    FULL_DAY_NAMES,
    EveryWeeks,
    Monthly,
    OnDates,
    Weekly,
    Yearly,
)

_DAYS = {
    **{name: short for name, short in zip(FULL_DAY_NAMES, DAY_NAMES, strict=True)},
    **{f"{name}s": short for name, short in zip(FULL_DAY_NAMES, DAY_NAMES, strict=True)},
    **{short: short for short in DAY_NAMES},
    "tues": "tue",
    "thur": "thu",
    "thurs": "thu",
}
ORDINALS = {
    "first": "1st",
    "1st": "1st",
    "second": "2nd",
    "2nd": "2nd",
    "third": "3rd",
    "3rd": "3rd",
    "fourth": "4th",
    "4th": "4th",
    "fifth": "5th",
    "5th": "5th",
    "last": "last",
}
YEARLY_COUNTS = {"once": 1, "twice": 2, "thrice": 3}
DEFAULT_DATE_TIME = time(10, 0)  # a date with no time ("twice a year on ...") fires at 10:00

EXPECT_START = N_(
    "how often: every, weekdays, first, twice a year, on a date, or a cron expression"
)
EXPECT_DAY = N_("a day of the week, like monday")
EXPECT_TIME = N_("a time, like 16:00 or 9:30am")
EXPECT_WEEKS = N_("a number of weeks, like 2")
EXPECT_WEEKS_WORD = N_("the word weeks")
EXPECT_ORDINAL_DAY = N_("a day of the month, like first tuesday or last friday")
EXPECT_DATE = N_("a date, like 2027-03-15")
EXPECT_YEAR = N_("the words a year on, as in twice a year on")
EXPECT_DATE_COUNT = N_("as many dates as the schedule says (twice a year: two dates)")
EXPECT_END = N_("nothing more: the schedule ends with its time")
EXPECT_CRON = N_("five cron fields: minute hour day month weekday")
EXPECT_CRON_FIELD = N_("a cron field: *, a number, a range like 1-5, a list, or a step like */2")


class ScheduleError(ValueError):
    """A schedule that does not parse: `word` (the `position`-th, from 1) is
    where it goes wrong, `expected` (an English msgid) what would fit there."""

    def __init__(self, text: str, position: int, word: str, expected: str) -> None:
        super().__init__(f"{expected} at word {position} ({word!r}) of {text!r}")
        self.text = text
        self.position = position
        self.word = word
        self.expected = expected


Schedule = Weekly | EveryWeeks | Monthly | Yearly | OnDates | CronExpression


# --- parsing -------------------------------------------------------------------------

_WORD = re.compile(r"[^\s,]+")
_TIME = re.compile(r"^(\d{1,2})(?:[:h](\d{2}))?(am|pm|h)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _Words:
    """The schedule's words, read left to right, remembering where an error is."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.words = [w.lower() for w in _WORD.findall(text)]
        self.index = 0

    def peek(self, ahead: int = 0) -> str:
        at = self.index + ahead
        return self.words[at] if at < len(self.words) else ""

    def take(self) -> str:
        word = self.peek()
        self.index += 1
        return word

    def skip(self, *words: str) -> bool:
        if self.peek() in words:
            self.index += 1
            return True
        return False

    def fail(self, expected: str, *, at: int | None = None) -> ScheduleError:
        index = self.index if at is None else at
        word = self.words[index] if index < len(self.words) else ""
        return ScheduleError(self.text, index + 1, word, expected)

    def end(self) -> None:
        if self.index < len(self.words):
            raise self.fail(EXPECT_END)


def parse(text: str) -> Schedule:
    """The schedule `text` describes, or a `ScheduleError` at the first word that does not fit."""
    words = _Words(text)
    first = words.peek()
    if first == "cron" or (first[:1].isdigit() and not _DATE.match(first)) or first[:1] == "*":
        return _cron(words)
    schedule: Schedule
    if first in ("weekdays", "daily"):
        words.take()
        days = DAY_NAMES[:5] if first == "weekdays" else DAY_NAMES
        schedule = Weekly(days, _time(words))
    elif first in ("every", "each"):
        schedule = _every(words)
    elif first in ORDINALS:
        schedule = _monthly(words)
    elif first == "on" or _DATE.match(first) or (first == "once" and words.peek(1) == "on"):
        words.skip("once")
        words.skip("on")
        dates, _ = _dates(words)
        schedule = OnDates(dates, _time(words))
    elif first in YEARLY_COUNTS or first == "yearly":
        schedule = _yearly(words)
    else:
        raise words.fail(EXPECT_START)
    words.end()
    return schedule


def _every(words: _Words) -> Schedule:
    words.take()  # every
    word = words.peek()
    if word in ("day", "weekday"):
        words.take()
        return Weekly(DAY_NAMES if word == "day" else DAY_NAMES[:5], _time(words))
    if word in ("year", "yearly"):
        return _yearly(words, count=None)
    if word == "month":
        words.take()
        words.skip("on")
        words.skip("the")
        return _monthly(words)
    if word == "other" or word.isdecimal():
        words.take()
        weeks = 2 if word == "other" else int(word)
        if weeks < 1 or weeks > 52:
            raise words.fail(EXPECT_WEEKS, at=words.index - 1)
        if not words.skip("weeks", "week"):
            raise words.fail(EXPECT_WEEKS_WORD)
        words.skip("on")
        days = _days(words)
        at = _time(words)
        return Weekly(days, at) if weeks == 1 else EveryWeeks(weeks, days, at)
    if word not in _DAYS:
        raise words.fail(EXPECT_DAY)
    days = _days(words)
    return Weekly(days, _time(words))


def _monthly(words: _Words) -> Monthly:
    picked: list[tuple[str, str]] = []
    ordinal: str | None = None
    while True:
        if words.peek() in ORDINALS:
            ordinal = ORDINALS[words.take()]
        elif ordinal is None or words.peek() not in _DAYS:  # "first tuesday and thursday"
            raise words.fail(EXPECT_ORDINAL_DAY)
        day = _DAYS.get(words.peek())
        if day is None:
            raise words.fail(EXPECT_DAY)
        words.take()
        if (ordinal, day) not in picked:
            picked.append((ordinal, day))
        if not words.skip("and"):
            break
        words.skip("the")
    if words.skip("of"):
        words.skip("the", "every", "each")
        if not words.skip("month"):
            raise words.fail(EXPECT_TIME)
    return Monthly(tuple(picked), _time(words))


def _yearly(words: _Words, *, count: int | None = -1) -> Yearly:
    if count == -1:
        word = words.take()
        count = YEARLY_COUNTS.get(word)
        if word != "yearly" and not (words.skip("a") and words.skip("year")):
            raise words.fail(EXPECT_YEAR)
    else:
        words.take()  # year
    if not words.skip("on"):
        raise words.fail(EXPECT_DATE)
    dates, positions = _dates(words)
    if count is not None and len(positions) > count:
        raise words.fail(EXPECT_DATE_COUNT, at=positions[count])
    if count is not None and len(positions) < count:
        raise words.fail(EXPECT_DATE_COUNT)
    at = _time(words) if words.peek() else DEFAULT_DATE_TIME
    return Yearly(dates, at)


def _days(words: _Words) -> tuple[str, ...]:
    found: set[str] = set()
    while True:
        day = _DAYS.get(words.peek())
        if day is None:
            raise words.fail(EXPECT_DAY)
        words.take()
        found.add(day)
        if not words.skip("and") and words.peek() not in _DAYS:
            break
    return tuple(d for d in DAY_NAMES if d in found)


def _dates(words: _Words) -> tuple[tuple[date, ...], list[int]]:
    """The dates, in order and once each, and where each was written."""
    found: list[date] = []
    positions: list[int] = []
    while True:
        word = words.peek()
        try:
            if not _DATE.match(word):
                raise ValueError(word)
            found.append(date.fromisoformat(word))
        except ValueError:
            raise words.fail(EXPECT_DATE) from None
        positions.append(words.index)
        words.take()
        if not words.skip("and") and not _DATE.match(words.peek()):
            break
    return tuple(sorted(set(found))), positions


def _time(words: _Words) -> time:
    words.skip("at")
    word = words.peek()
    if word in ("noon", "midday"):
        words.take()
        return time(12, 0)
    if word == "midnight":
        words.take()
        return time(0, 0)
    match = _TIME.match(word)
    if match is None:
        raise words.fail(EXPECT_TIME)
    hour, minute = int(match[1]), int(match[2] or 0)
    suffix = match[3]
    if suffix in ("am", "pm"):
        if not 1 <= hour <= 12:
            raise words.fail(EXPECT_TIME)
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    elif match[2] is None and suffix != "h":
        raise words.fail(EXPECT_TIME)  # a bare "16" is more likely a slip than a time
    if hour > 23 or minute > 59:
        raise words.fail(EXPECT_TIME)
    words.take()
    return time(hour, minute)


def _cron(words: _Words) -> CronExpression:
    words.skip("cron")
    start = words.index
    fields = words.words[start:]
    if len(fields) != 5:
        raise words.fail(EXPECT_CRON, at=start + min(len(fields), 5))
    bad = first_bad_field(fields)
    if bad is not None:
        raise words.fail(EXPECT_CRON_FIELD, at=start + bad)
    words.index = len(words.words)
    return CronExpression(*fields)
