"""Cron expressions in the schedule language: `cron 30 9 * * 1-5`.

Five crontab fields, read as cron reads them: days of the week count from
Sunday (0 or 7), names work too (`mon-fri`, `jan`), and when both the day
of the month and the day of the week are restricted, either one matching
is enough. APScheduler counts weekdays from Monday and needs both day
fields to match, so the expression is translated for it here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.features import AnyOf, Cron, Recurrence

_APSCHEDULER_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# (lowest, highest, names numbered from `lowest`) per field
_FIELDS: tuple[tuple[int, int, tuple[str, ...]], ...] = (
    (0, 59, ()),
    (0, 23, ()),
    (1, 31, ()),
    (1, 12, _MONTHS),
    (0, 7, _CRON_DAYS),
)


def _cron_number(text: str, low: int, names: tuple[str, ...]) -> int | None:
    if text.isascii() and text.isdecimal():
        return int(text)
    return names.index(text) + low if text in names else None


def _cron_values(field: str, low: int, high: int, names: tuple[str, ...]) -> set[int] | None:
    """Every value the field allows, or None when it is not a cron field."""
    values: set[int] = set()
    for item in field.split(","):
        base, _, step_text = item.partition("/")
        step = int(step_text) if step_text.isascii() and step_text.isdecimal() else None
        if step_text and not step:
            return None
        if base == "*":
            first, last = low, high
        else:
            left, dash, right = base.partition("-")
            first_value = _cron_number(left, low, names)
            last_value = _cron_number(right, low, names) if dash else first_value
            if first_value is None or last_value is None:
                return None
            first, last = first_value, last_value
            if step and not dash:
                last = high
        if not low <= first <= last <= high:
            return None
        values |= set(range(first, last + 1, step or 1))
    return values


def _cron_weekdays(field: str) -> str:
    """A cron weekday field (Sunday 0 or 7) as APScheduler's names (Monday first)."""
    if field == "*":
        return "*"
    values = _cron_values(field, 0, 7, _CRON_DAYS) or set()
    days = {(v - 1) % 7 for v in values}  # cron 1 (Monday) is APScheduler's 0
    return ",".join(_APSCHEDULER_DAYS[d] for d in sorted(days))


def _cron_months(field: str) -> str:
    if field == "*":
        return "*"
    values = _cron_values(field, 1, 12, _MONTHS) or set()
    return ",".join(str(v) for v in sorted(values))


def first_bad_field(fields: Sequence[str]) -> int | None:
    """The index of the first of five fields that is not a cron field, if any."""
    for offset, (field, (low, high, names)) in enumerate(zip(fields, _FIELDS, strict=True)):
        if _cron_values(field, low, high, names) is None:
            return offset
    return None


@dataclass(frozen=True, slots=True)
class CronExpression:
    """Five crontab fields; days of the week numbered from Sunday (0 or 7), as cron does."""

    minute: str
    hour: str
    day: str
    month: str
    day_of_week: str  # as written

    @property
    def text(self) -> str:
        return f"cron {self.minute} {self.hour} {self.day} {self.month} {self.day_of_week}"

    def recurrence(self, timezone: str, anchor: datetime) -> Recurrence:
        weekdays = _cron_weekdays(self.day_of_week)
        month = _cron_months(self.month)

        def cron(day: str, day_of_week: str) -> Cron:
            return Cron(
                timezone=timezone,
                minute=self.minute,
                hour=self.hour,
                day=day,
                month=month,
                day_of_week=day_of_week,
            )

        if self.day != "*" and self.day_of_week != "*":
            # Cron fires when either day field matches; APScheduler needs both to.
            return AnyOf((cron(self.day, "*"), cron("*", weekdays)))
        return cron(self.day, weekdays)
