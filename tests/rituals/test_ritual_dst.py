"""Rituals across daylight saving time: once on the night the clocks change, on time.

A ritual at 02:30 on a spring-forward night (the wall clock jumps from 02:00
to 03:00) fires once, at 03:00; on a fall-back night (the hour before 03:00,
or before 02:00 in New York, happens twice) it fires once, at the first
02:30 (01:30).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

import pytest

from bot.chat import Directory, Platform, WorkspaceRef
from bot.features import Job
from bot.rituals.domain import Kind, NoRecognitions, Ritual, RitualStore, State
from bot.rituals.firing import Firing
from bot.schedule import Scheduler, SimulatedClock, fire_times
from tests.conftest import Player
from tests.fakes import FakeRunStore


def ritual(schedule: str, zone: str, created: datetime) -> Ritual:
    return Ritual(
        id=1,
        workspace=WorkspaceRef(Platform.LOCAL, "T1"),
        kind=Kind.CUSTOM,
        schedule=schedule,
        timezone=zone,
        channel="team",
        state=State.ACTIVE,
        created_by="U1",
        created_at=created,
        active_since=created,
        options={"text": "Hello"},
    )


def jobs_of(found: Ritual) -> list[Job]:
    unused = cast(RitualStore, None)
    firing = Firing(
        store=unused,
        directory=cast(Directory, None),
        fire_times=fire_times,
        recognitions=NoRecognitions(),
    )
    return firing.jobs_of(found)


NIGHTS = [
    # zone, schedule, the night's local date, the wall times it fires at that night
    pytest.param(
        "Europe/Paris",
        "every sunday 02:30",
        datetime(2027, 3, 28),
        ["03:00 +0200"],
        id="paris-spring",
    ),
    pytest.param(
        "Europe/Paris",
        "every sunday 02:30",
        datetime(2027, 10, 31),
        ["02:30 +0200"],
        id="paris-fall",
    ),
    pytest.param(
        "America/New_York",
        "every sunday 02:30",
        datetime(2027, 3, 14),
        ["03:00 -0400"],
        id="new-york-spring",
    ),
    pytest.param(
        "America/New_York",
        "every sunday 01:30",
        datetime(2027, 11, 7),
        ["01:30 -0400"],
        id="new-york-fall",
    ),
    pytest.param(
        "America/New_York",
        "weekdays 02:30",
        datetime(2027, 3, 15),
        ["02:30 -0400"],
        id="new-york-after",
    ),
]


@pytest.mark.parametrize(("zone", "schedule", "night", "expected"), NIGHTS)
async def test_a_scheduler_ticking_through_the_night_fires_the_ritual_once_on_time(
    zone: str, schedule: str, night: datetime, expected: list[str]
) -> None:
    local = ZoneInfo(zone)
    start = (night.replace(tzinfo=local) - timedelta(days=1)).astimezone(UTC)
    found = ritual(schedule, zone, start)
    clock = SimulatedClock(start)
    fired: Counter[tuple[str, datetime]] = Counter()

    async def execute(job: Job, scheduled_for: datetime) -> None:
        fired[job.key, scheduled_for] += 1

    async def source() -> list[Job]:
        return jobs_of(found)

    scheduler = Scheduler(
        runs=FakeRunStore(), clock=clock, sources=[source], execute=execute, owner="test"
    )
    await scheduler.refresh()
    for minutes in range(0, 2 * 24 * 60, 5):  # two days, a tick every five minutes
        clock.set(start + timedelta(minutes=minutes))
        await scheduler.run_due()

    assert set(fired.values()) == {1}
    that_night = [
        moment.astimezone(local).strftime("%H:%M %z")
        for _, moment in fired
        if moment.astimezone(local).date() == night.date()
    ]
    assert that_night == expected


DST_SCRIPT = """
workspace {name} tz={zone} locale=en
member bob role=manager
clock {start}
in #team
bob: /ritual add custom {schedule} in #team text=Hello, {name}!
wait 15d
"""


@pytest.mark.parametrize(
    ("zone", "schedule", "start", "stamps"),
    [
        pytest.param(
            "Europe/Paris",
            "every sunday 02:30",
            "2027-03-20 09:00",
            ["2027-03-21 02:30", "2027-03-28 03:00", "2027-04-04 02:30"],
            id="paris-spring",
        ),
        pytest.param(
            "Europe/Paris",
            "every sunday 02:30",
            "2027-10-23 09:00",
            ["2027-10-24 02:30", "2027-10-31 02:30", "2027-11-07 02:30"],
            id="paris-fall",
        ),
        pytest.param(
            "America/New_York",
            "every sunday 02:30",
            "2027-03-06 09:00",
            ["2027-03-07 02:30", "2027-03-14 03:00", "2027-03-21 02:30"],
            id="new-york-spring",
        ),
        pytest.param(
            "America/New_York",
            "every sunday 01:30",
            "2027-10-30 09:00",
            ["2027-10-31 01:30", "2027-11-07 01:30", "2027-11-14 01:30"],
            id="new-york-fall",
        ),
    ],
)
async def test_a_weekly_ritual_posts_once_on_each_dst_sunday(
    player: Player, zone: str, schedule: str, start: str, stamps: list[str]
) -> None:
    run = await player(
        DST_SCRIPT.format(name="team", zone=zone, start=start, schedule=schedule),
        start=datetime(2026, 12, 1, tzinfo=UTC),
    )

    assert run.code == 0, run.text
    assert [line[:16] for line in run.lines if "[#team] hearth: Hello" in line] == stamps
