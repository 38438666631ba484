"""The schedule language: every documented form, and errors that point at the bad word."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rituals.rhythms import DAY_NAMES, EveryWeeks, Monthly, Weekly, Yearly
from bot.rituals.schedules import (
    EXPECT_CRON,
    EXPECT_CRON_FIELD,
    EXPECT_DATE,
    EXPECT_DATE_COUNT,
    EXPECT_DAY,
    EXPECT_END,
    EXPECT_ORDINAL_DAY,
    EXPECT_START,
    EXPECT_TIME,
    EXPECT_WEEKS,
    EXPECT_WEEKS_WORD,
    EXPECT_YEAR,
    ScheduleError,
    parse,
)
from bot.schedule import fire_times

# A Tuesday morning in Paris; rituals are anchored (created) then.
CREATED = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))


def walls(text: str, zone: str = "Europe/Paris", count: int = 4) -> list[str]:
    """The next fire times of a schedule, as its zone's wall clock shows them."""
    recurrence = parse(text).recurrence(zone, CREATED)
    return [
        t.astimezone(ZoneInfo(zone)).strftime("%a %Y-%m-%d %H:%M")
        for t in fire_times(recurrence, CREATED, count)
    ]


@pytest.mark.parametrize(
    ("text", "canonical", "expected"),
    [
        (
            "every monday 16:00",
            "every monday 16:00",
            ["Mon 2026-12-07 16:00", "Mon 2026-12-14 16:00", "Mon 2026-12-21 16:00"],
        ),
        (
            "weekdays 09:30",
            "weekdays 09:30",
            ["Tue 2026-12-01 09:30", "Wed 2026-12-02 09:30", "Thu 2026-12-03 09:30"],
        ),
        (
            "every 2 weeks on friday 15:00",
            "every 2 weeks on friday 15:00",
            ["Fri 2026-12-04 15:00", "Fri 2026-12-18 15:00", "Fri 2027-01-01 15:00"],
        ),
        (
            "first tuesday and first thursday 10:00",
            "first tuesday and first thursday 10:00",
            ["Tue 2026-12-01 10:00", "Thu 2026-12-03 10:00", "Tue 2027-01-05 10:00"],
        ),
        (
            "twice a year on 2027-03-15 and 2027-09-15",
            "twice a year on 2027-03-15 and 2027-09-15 10:00",
            ["Mon 2027-03-15 10:00", "Wed 2027-09-15 10:00", "Wed 2028-03-15 10:00"],
        ),
        (
            "cron 30 9 * * 1-5",
            "cron 30 9 * * 1-5",
            ["Tue 2026-12-01 09:30", "Wed 2026-12-02 09:30", "Thu 2026-12-03 09:30"],
        ),
        (
            "0 18 * * 0",  # cron counts days from Sunday
            "cron 0 18 * * 0",
            ["Sun 2026-12-06 18:00", "Sun 2026-12-13 18:00", "Sun 2026-12-20 18:00"],
        ),
        (
            "cron 0 8 1 * 5",  # both day fields: either matches, as in cron
            "cron 0 8 1 * 5",
            ["Fri 2026-12-04 08:00", "Fri 2026-12-11 08:00", "Fri 2026-12-18 08:00"],
        ),
        (
            "Every Monday and Thursday at 9am",
            "every monday and thursday 09:00",
            ["Thu 2026-12-03 09:00", "Mon 2026-12-07 09:00", "Thu 2026-12-10 09:00"],
        ),
        (
            "every other week on tuesday 11:00",
            "every 2 weeks on tuesday 11:00",
            ["Tue 2026-12-01 11:00", "Tue 2026-12-15 11:00", "Tue 2026-12-29 11:00"],
        ),
        (
            "last friday 17:00",
            "last friday 17:00",
            ["Fri 2026-12-25 17:00", "Fri 2027-01-29 17:00", "Fri 2027-02-26 17:00"],
        ),
        ("on 2027-03-15 10:00", "on 2027-03-15 10:00", ["Mon 2027-03-15 10:00"]),
        (
            "daily 16h30",
            "every day 16:30",
            ["Tue 2026-12-01 16:30", "Wed 2026-12-02 16:30", "Thu 2026-12-03 16:30"],
        ),
        (
            "every day at noon",
            "every day 12:00",
            ["Tue 2026-12-01 12:00", "Wed 2026-12-02 12:00", "Thu 2026-12-03 12:00"],
        ),
        (
            "first monday of the month 9:00",
            "first monday 09:00",
            ["Mon 2026-12-07 09:00", "Mon 2027-01-04 09:00", "Mon 2027-02-01 09:00"],
        ),
    ],
)
def test_every_documented_form_reads_as_its_canonical_text_and_fires_on_time(
    text: str, canonical: str, expected: list[str]
) -> None:
    schedule = parse(text)

    assert schedule.text == canonical
    assert parse(schedule.text) == schedule
    assert walls(text, count=len(expected)) == expected


def test_a_schedule_follows_the_wall_clock_of_its_own_time_zone() -> None:
    assert walls("every friday 15:30", "America/New_York", 2) == [
        "Fri 2026-12-04 15:30",
        "Fri 2026-12-11 15:30",
    ]


@pytest.mark.parametrize(
    ("text", "position", "word", "expected"),
    [
        ("every fryday 16:00", 2, "fryday", EXPECT_DAY),
        ("every monday", 3, "", EXPECT_TIME),
        ("every monday 25:00", 3, "25:00", EXPECT_TIME),
        ("every monday 16", 3, "16", EXPECT_TIME),
        ("every monday 16:00 sharp", 4, "sharp", EXPECT_END),
        ("every 2 wekes on friday 15:00", 3, "wekes", EXPECT_WEEKS_WORD),
        ("every 0 weeks on friday 15:00", 2, "0", EXPECT_WEEKS),
        ("weekdays at half past nine", 3, "half", EXPECT_TIME),
        ("first tuesday and first thurzday 10:00", 5, "thurzday", EXPECT_DAY),
        ("first and last friday 10:00", 2, "and", EXPECT_DAY),
        ("twice yearly on 2027-03-15", 2, "yearly", EXPECT_YEAR),
        ("twice a year on 2027-03-15", 6, "", EXPECT_DATE_COUNT),
        (
            "twice a year on 2027-03-15 and 2027-09-15 and 2027-10-01",
            9,
            "2027-10-01",
            EXPECT_DATE_COUNT,
        ),
        ("twice a year on 2027-02-30 and 2027-09-15", 5, "2027-02-30", EXPECT_DATE),
        ("on march 15", 2, "march", EXPECT_DATE),
        ("cron 0 25 * * *", 3, "25", EXPECT_CRON_FIELD),
        ("cron 0 9 * * mon-funday", 6, "mon-funday", EXPECT_CRON_FIELD),
        ("cron 0 9 * *", 6, "", EXPECT_CRON),
        ("cron 0 9 * * * *", 7, "*", EXPECT_CRON),
        ("second-ish monday 10:00", 1, "second-ish", EXPECT_START),
        ("sometimes", 1, "sometimes", EXPECT_START),
        ("", 1, "", EXPECT_START),
        ("monthly on the 1st", 1, "monthly", EXPECT_START),
        ("every month on tuesday 10:00", 4, "tuesday", EXPECT_ORDINAL_DAY),
    ],
)
def test_a_mistake_points_at_the_word_that_does_not_fit(
    text: str, position: int, word: str, expected: str
) -> None:
    with pytest.raises(ScheduleError) as raised:
        parse(text)

    assert (raised.value.position, raised.value.word, raised.value.expected) == (
        position,
        word,
        expected,
    )


times = st.builds(time, st.integers(0, 23), st.integers(0, 59))
days = st.lists(st.sampled_from(DAY_NAMES), min_size=1, max_size=7, unique=True).map(
    lambda found: tuple(d for d in DAY_NAMES if d in found)
)
ordinals = st.sampled_from(["1st", "2nd", "3rd", "4th", "5th", "last"])
schedules = st.one_of(
    st.builds(Weekly, days, times),
    st.builds(EveryWeeks, st.integers(2, 52), days, times),
    st.builds(
        Monthly,
        st.lists(
            st.tuples(ordinals, st.sampled_from(DAY_NAMES)), min_size=1, max_size=3, unique=True
        ).map(tuple),
        times,
    ),
    st.builds(
        Yearly,
        st.lists(
            st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)),
            min_size=1,
            max_size=3,
            unique=True,
        ).map(lambda d: tuple(sorted(d))),
        times,
    ),
)


@given(schedules)
def test_the_canonical_text_reads_back_as_the_same_schedule(schedule: object) -> None:
    assert isinstance(schedule, Weekly | EveryWeeks | Monthly | Yearly)
    assert parse(schedule.text) == schedule


def _exists(day: date, at: time, zone: ZoneInfo) -> bool:
    wall = datetime.combine(day, at, tzinfo=zone)
    return wall.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall.replace(tzinfo=None)


@given(schedules, st.sampled_from(["Europe/Paris", "America/New_York", "Asia/Tokyo"]))
def test_every_fire_time_is_on_an_allowed_day_at_the_schedules_time(
    schedule: object, zone_name: str
) -> None:
    assert isinstance(schedule, Weekly | EveryWeeks | Monthly | Yearly)
    zone = ZoneInfo(zone_name)
    after = datetime(2026, 6, 1, tzinfo=UTC)
    for moment in fire_times(schedule.recurrence(zone_name, after), after, 6):
        local = moment.astimezone(zone)
        if _exists(local.date(), schedule.at, zone):
            assert local.time() == schedule.at
        else:  # inside the spring-forward gap: at its end, the same day
            assert local.time() > schedule.at
        match schedule:
            case Weekly(days=allowed) | EveryWeeks(days=allowed):
                assert DAY_NAMES[local.weekday()] in allowed
            case Monthly(days=ranked):
                assert DAY_NAMES[local.weekday()] in {d for _, d in ranked}
            case Yearly(dates=dates):
                assert (local.month, local.day) in {(d.month, d.day) for d in dates}
