"""When jobs fire (fire times, DST), and which slots a scheduler fires or skips."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.chat import Platform, WorkspaceRef
from bot.features import AnyOf, Cron, Every, Job, Once, Recurrence, Response, Tick
from bot.runs import RunStatus
from bot.schedule import MISSED_RECORD_LIMIT, Scheduler, SimulatedClock, fire_times, next_fire
from tests.fakes import FakeRunStore

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
WORKSPACE = WorkspaceRef(Platform.LOCAL, "T1")


def local(zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def walls(times: Sequence[datetime], zone: str) -> list[str]:
    """Fire times as the wall clock of `zone` shows them, with the offset."""
    return [t.astimezone(ZoneInfo(zone)).strftime("%a %Y-%m-%d %H:%M %z") for t in times]


def fires_on(recurrence: Recurrence, zone: str, day: datetime) -> list[datetime]:
    """Every fire time within one local calendar day of `zone`."""
    start = day.replace(tzinfo=ZoneInfo(zone))
    end = (day + timedelta(days=1)).replace(tzinfo=ZoneInfo(zone))
    times: list[datetime] = []
    cursor = start - timedelta(microseconds=1)
    while (moment := next_fire(recurrence, cursor)) is not None and moment < end:
        times.append(moment)
        cursor = moment
    return times


# --- fire times -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("recurrence", "after", "expected"),
    [
        pytest.param(
            Cron(timezone="America/New_York", day_of_week="mon", hour="9"),
            utc(2027, 3, 1),
            [
                "Mon 2027-03-01 09:00 -0500",
                "Mon 2027-03-08 09:00 -0500",
                "Mon 2027-03-15 09:00 -0400",
                "Mon 2027-03-22 09:00 -0400",
            ],
            id="weekly on monday at nine, across the DST change",
        ),
        pytest.param(
            Cron(timezone="Europe/Paris", day="1st tue,1st thu", hour="10"),
            utc(2027, 1, 1),
            [
                "Tue 2027-01-05 10:00 +0100",
                "Thu 2027-01-07 10:00 +0100",
                "Tue 2027-02-02 10:00 +0100",
                "Thu 2027-02-04 10:00 +0100",
                "Tue 2027-03-02 10:00 +0100",
                "Thu 2027-03-04 10:00 +0100",
                "Thu 2027-04-01 10:00 +0200",
                "Tue 2027-04-06 10:00 +0200",
            ],
            id="first tuesday and first thursday at ten",
        ),
        pytest.param(
            Cron(timezone="Asia/Kolkata", day="last", hour="17", minute="30"),
            utc(2027, 1, 15),
            [
                "Sun 2027-01-31 17:30 +0530",
                "Sun 2027-02-28 17:30 +0530",
                "Wed 2027-03-31 17:30 +0530",
            ],
            id="last day of the month in a half-hour zone",
        ),
        pytest.param(
            Every(timedelta(weeks=2), local("Europe/Paris", 2027, 3, 1, 9), "Europe/Paris"),
            utc(2027, 2, 1),
            [
                "Mon 2027-03-01 09:00 +0100",
                "Mon 2027-03-15 09:00 +0100",
                "Mon 2027-03-29 09:00 +0200",
                "Mon 2027-04-12 09:00 +0200",
            ],
            id="every two weeks keeps nine o'clock across the DST change",
        ),
        pytest.param(
            Every(timedelta(weeks=2), local("Europe/Paris", 2027, 3, 1, 9), "Europe/Paris"),
            local("Europe/Paris", 2027, 3, 20),
            ["Mon 2027-03-29 09:00 +0200", "Mon 2027-04-12 09:00 +0200"],
            id="every two weeks, asked between two fires",
        ),
        pytest.param(
            Every(timedelta(hours=6), local("Europe/Paris", 2027, 3, 27, 12), "Europe/Paris"),
            local("Europe/Paris", 2027, 3, 27, 12),
            [
                "Sat 2027-03-27 18:00 +0100",
                "Sun 2027-03-28 00:00 +0100",
                "Sun 2027-03-28 07:00 +0200",
                "Sun 2027-03-28 13:00 +0200",
            ],
            id="every six hours is elapsed time, whatever the clocks do",
        ),
        pytest.param(
            Once((utc(2027, 5, 2, 12), local("Europe/Paris", 2027, 5, 1, 9), utc(2027, 4, 1))),
            utc(2027, 4, 30),
            ["Sat 2027-05-01 09:00 +0200", "Sun 2027-05-02 14:00 +0200"],
            id="once: the moments still ahead, in time order",
        ),
        pytest.param(
            AnyOf(
                (
                    Cron(timezone="Europe/Paris", day_of_week="fri", hour="16"),
                    Once((local("Europe/Paris", 2027, 5, 12, 11),)),
                    Once((local("Europe/Paris", 2027, 5, 14, 16),)),
                )
            ),
            utc(2027, 5, 6),
            [
                "Fri 2027-05-07 16:00 +0200",
                "Wed 2027-05-12 11:00 +0200",
                "Fri 2027-05-14 16:00 +0200",
                "Fri 2027-05-21 16:00 +0200",
            ],
            id="any of: every part, a moment two parts share only once",
        ),
    ],
)
def test_fire_times_follow_the_recurrence(
    recurrence: Recurrence, after: datetime, expected: list[str]
) -> None:
    zone = "Europe/Paris"
    if isinstance(recurrence, Cron | Every):
        zone = recurrence.timezone
    assert walls(fire_times(recurrence, after, len(expected)), zone) == expected


def test_first_tuesdays_and_thursdays_fall_in_the_first_week_of_each_month() -> None:
    rule = Cron(timezone="Europe/Paris", day="1st tue,1st thu", hour="10")
    times = [t.astimezone(PARIS) for t in fire_times(rule, utc(2027, 1, 1), 24)]

    assert {(t.year, t.month) for t in times} == {(2027, m) for m in range(1, 13)}
    assert all(t.day <= 7 and t.strftime("%a") in ("Tue", "Thu") for t in times)
    assert all((t.hour, t.minute) == (10, 0) for t in times)


@pytest.mark.parametrize(
    ("recurrence", "after"),
    [
        (Once((utc(2027, 1, 1),)), utc(2027, 1, 1)),
        (Cron(timezone="UTC", hour="9", end=utc(2027, 1, 1)), utc(2027, 1, 1)),
        (AnyOf((Once(()), Once((utc(2026, 1, 1),)))), utc(2027, 1, 1)),
        (Cron(timezone="Europe/Paris", day="31", month="2"), utc(2027, 1, 1)),
        (Cron(timezone="Europe/Paris", day="1st sun", day_of_week="mon-fri"), utc(2027, 1, 1)),
    ],
    ids=[
        "once, at its moment",
        "cron past its end",
        "any of parts that are all over",
        "the 31st of february",
        "a first sunday on a weekday",
    ],
)
def test_a_recurrence_that_is_over_fires_no_more(recurrence: Recurrence, after: datetime) -> None:
    assert next_fire(recurrence, after) is None
    assert fire_times(recurrence, after, 3) == []


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        next_fire(Cron(timezone="UTC"), datetime(2027, 1, 1))


# --- daylight saving time --------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "hour", "minute", "expected"),
    [
        pytest.param(
            "Europe/Paris", datetime(2027, 3, 28), 2, 30, "03:00 +0200", id="paris spring forward"
        ),
        pytest.param(
            "America/New_York",
            datetime(2027, 3, 14),
            2,
            30,
            "03:00 -0400",
            id="new york spring forward",
        ),
        pytest.param(
            "Europe/Paris", datetime(2027, 10, 31), 2, 30, "02:30 +0200", id="paris fall back"
        ),
        pytest.param(
            "America/New_York",
            datetime(2027, 11, 7),
            1,
            30,
            "01:30 -0400",
            id="new york fall back",
        ),
        pytest.param(
            "Australia/Lord_Howe",
            datetime(2027, 10, 3),
            2,
            15,
            "02:30 +1100",
            id="lord howe's half-hour spring forward",
        ),
        pytest.param(
            "America/Santiago",
            datetime(2027, 9, 5),
            0,
            0,
            "01:00 -0300",
            id="santiago's spring forward at midnight",
        ),
        pytest.param(
            "America/Santiago",
            datetime(2027, 4, 3),
            23,
            30,
            "23:30 -0300",
            id="santiago's fall back at midnight",
        ),
    ],
)
def test_a_daily_job_fires_exactly_once_on_a_dst_change_day(
    zone: str, day: datetime, hour: int, minute: int, expected: str
) -> None:
    daily = Cron(timezone=zone, hour=str(hour), minute=str(minute))

    times = fires_on(daily, zone, day)

    assert [t.astimezone(ZoneInfo(zone)).strftime("%H:%M %z") for t in times] == [expected]


@pytest.mark.parametrize(
    "after",
    [
        utc(2027, 10, 31, 0, 30),
        utc(2027, 10, 31, 0, 45),
        utc(2027, 10, 31, 1),
        utc(2027, 10, 31, 1, 29),
    ],
    ids=["at its first fire", "later in the first pass", "in the repeated hour", "just before"],
)
def test_a_daily_job_does_not_fire_again_in_the_repeated_hour(after: datetime) -> None:
    daily = Cron(timezone="Europe/Paris", hour="2", minute="30")

    assert next_fire(daily, after) == local("Europe/Paris", 2027, 11, 1, 2, 30)


def test_a_daily_job_beside_another_fires_once_on_the_fall_back_night() -> None:
    daily = Cron(timezone="Europe/Paris", hour="2", minute="30")
    nightly = Cron(timezone="UTC", hour="1", minute="0")

    times = fires_on(AnyOf((daily, nightly)), "Europe/Paris", datetime(2027, 10, 31))

    assert walls(times, "Europe/Paris") == [
        "Sun 2027-10-31 02:30 +0200",
        "Sun 2027-10-31 02:00 +0100",
    ]


@pytest.mark.parametrize(
    ("zone", "day", "repeated"),
    [
        (
            "Europe/Paris",
            datetime(2027, 10, 31),
            ["02:00 +0200", "02:30 +0200", "02:00 +0100", "02:30 +0100"],
        ),
        (
            "America/New_York",
            datetime(2027, 11, 7),
            ["01:00 -0400", "01:30 -0400", "01:00 -0500", "01:30 -0500"],
        ),
    ],
)
def test_a_half_hourly_job_keeps_both_real_instants_of_the_repeated_hour(
    zone: str, day: datetime, repeated: list[str]
) -> None:
    half_hourly = Cron(timezone=zone, hour="*", minute="*/30")

    times = fires_on(half_hourly, zone, day)

    shown = [t.astimezone(ZoneInfo(zone)).strftime("%H:%M %z") for t in times]
    assert len(times) == 50  # a 25-hour day
    assert [s for s in shown if s[:2] == repeated[0][:2]] == repeated
    assert all(b - a == timedelta(minutes=30) for a, b in itertools.pairwise(times))


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        ("Europe/Paris", datetime(2027, 3, 28), 23),
        ("Europe/Paris", datetime(2027, 10, 31), 25),
        ("America/New_York", datetime(2027, 3, 14), 23),
        ("America/New_York", datetime(2027, 11, 7), 25),
    ],
)
def test_an_hourly_job_fires_once_per_real_hour_of_the_day(
    zone: str, day: datetime, hours: int
) -> None:
    hourly = Cron(timezone=zone, hour="*", minute="0")

    assert len(fires_on(hourly, zone, day)) == hours


# --- properties ------------------------------------------------------------------

ZONES = [
    "UTC",
    "Europe/Paris",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "America/Santiago",
]
# Days around the DST changes of 2027 in those zones, where rules break first.
CHANGES = [
    utc(2027, 3, 14, 7),
    utc(2027, 3, 28, 1),
    utc(2027, 4, 3, 15),
    utc(2027, 4, 4, 3),
    utc(2027, 9, 5, 4),
    utc(2027, 10, 2, 15),
    utc(2027, 10, 31, 1),
    utc(2027, 11, 7, 6),
]

crons = st.builds(
    Cron,
    timezone=st.sampled_from(ZONES),
    minute=st.sampled_from(["0", "30", "*/15", "*/30", "59", "15,45"]),
    hour=st.sampled_from(["*", "0", "1", "2", "3", "1-3", "*/2", "9"]),
    day=st.sampled_from(["*", "*", "1st sun", "last"]),
    day_of_week=st.sampled_from(["*", "*", "sun", "mon-fri"]),
)
everies = st.builds(
    Every,
    interval=st.sampled_from(
        [timedelta(minutes=45), timedelta(hours=6), timedelta(days=1), timedelta(weeks=2)]
    ),
    start=st.sampled_from(CHANGES).map(lambda t: t - timedelta(days=3, minutes=30)),
    timezone=st.sampled_from(ZONES),
)
onces = st.builds(
    Once,
    st.lists(
        st.datetimes(
            min_value=datetime(2027, 1, 1),
            max_value=datetime(2028, 1, 1),
            timezones=st.sampled_from([UTC, PARIS, NEW_YORK]),
        ),
        max_size=5,
    ).map(tuple),
)
recurrences = st.recursive(
    st.one_of(crons, everies, onces),
    lambda parts: st.lists(parts, min_size=1, max_size=3).map(lambda p: AnyOf(tuple(p))),
    max_leaves=4,
)
moments_near_changes = st.builds(
    lambda change, offset: change + offset,
    st.sampled_from(CHANGES),
    st.timedeltas(min_value=timedelta(hours=-30), max_value=timedelta(hours=6)),
)


@settings(max_examples=300, deadline=None)
@given(recurrence=recurrences, after=moments_near_changes)
def test_fire_times_are_strictly_increasing_aware_utc_instants(
    recurrence: Recurrence, after: datetime
) -> None:
    times = fire_times(recurrence, after, 60)

    assert all(t.tzinfo is UTC for t in times)
    assert all(a < b for a, b in itertools.pairwise([after, *times]))


@settings(max_examples=200, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    hour=st.one_of(st.sampled_from([0, 1, 2, 3, 23]), st.integers(0, 23)),  # DST changes first
    minute=st.sampled_from([0, 1, 15, 29, 30, 45, 59]),
    change=st.sampled_from(CHANGES),
    days=st.integers(-1, 1),
)
def test_a_daily_job_fires_exactly_once_every_local_day(
    zone: str, hour: int, minute: int, change: datetime, days: int
) -> None:
    daily = Cron(timezone=zone, hour=str(hour), minute=str(minute))
    day = (change.astimezone(ZoneInfo(zone)) + timedelta(days=days)).replace(
        hour=0, minute=0, second=0, microsecond=0, tzinfo=None
    )

    assert len(fires_on(daily, zone, day)) == 1


# --- the scheduler ---------------------------------------------------------------

START = utc(2027, 6, 1, 8, 0)


@dataclass
class Desk:
    """A scheduler on a simulated clock and an in-memory run table."""

    jobs: list[Job]
    clock: SimulatedClock = field(default_factory=lambda: SimulatedClock(START))
    runs: FakeRunStore = field(default_factory=FakeRunStore)
    fired: list[tuple[str, datetime, datetime]] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.scheduler = self.new_scheduler()

    def new_scheduler(self, owner: str = "one") -> Scheduler:
        async def source() -> list[Job]:
            return list(self.jobs)

        async def execute(job: Job, scheduled_for: datetime) -> None:
            self.fired.append((job.key, scheduled_for, self.clock.now()))
            if job.key in self.failing:
                raise RuntimeError("the job broke")

        return Scheduler(
            runs=self.runs, clock=self.clock, sources=[source], execute=execute, owner=owner
        )

    async def at(self, moment: datetime) -> int:
        """Load the jobs, move the clock to `moment` and fire what is due then."""
        await self.scheduler.refresh()
        self.clock.set(moment)
        return await self.scheduler.run_due()

    def slots(self, key: str) -> list[datetime]:
        return [slot for k, slot, _ in self.fired if k == key]


async def nothing(tick: Tick) -> Response:
    return None


def job(
    key: str,
    recurrence: Recurrence,
    *,
    grace: timedelta = timedelta(hours=1),
    since: datetime | None = None,
) -> Job:
    return Job(key, WORKSPACE, recurrence, nothing, grace=grace, since=since)


def daily_at(hour: int, minute: int = 0) -> Cron:
    return Cron(timezone="UTC", hour=str(hour), minute=str(minute))


async def test_a_slot_fires_once_when_it_is_due() -> None:
    desk = Desk([job("standup", daily_at(9))])

    assert await desk.at(utc(2027, 6, 1, 8, 59)) == 0
    assert await desk.at(utc(2027, 6, 1, 9, 0)) == 1
    assert await desk.at(utc(2027, 6, 1, 9, 0)) == 0
    assert await desk.at(utc(2027, 6, 1, 9, 30)) == 0

    assert desk.fired == [("standup", utc(2027, 6, 1, 9), utc(2027, 6, 1, 9))]
    assert desk.runs.statuses("standup") == {utc(2027, 6, 1, 9): RunStatus.DONE}


async def test_a_scheduler_starts_from_the_moment_it_first_sees_a_job() -> None:
    desk = Desk([job("standup", daily_at(8))])

    await desk.at(START)  # 08:00: the job is first seen as its slot comes
    await desk.at(utc(2027, 6, 2, 8))

    assert desk.slots("standup") == [utc(2027, 6, 2, 8)]


async def test_a_job_never_fires_a_slot_before_its_since() -> None:
    since = utc(2027, 6, 1, 9, 30)
    desk = Desk([job("quarterly", Cron(timezone="UTC", minute="*/15"), since=since)])

    for minute in range(0, 60, 5):
        await desk.at(utc(2027, 6, 1, 9, minute))

    assert desk.slots("quarterly") == [since, utc(2027, 6, 1, 9, 45)]
    assert min(desk.runs.statuses("quarterly")) == since


async def test_slots_before_since_are_not_even_recorded_as_missed() -> None:
    since = utc(2027, 6, 1, 10, 0)
    desk = Desk([job("hourly", Cron(timezone="UTC", minute="0"), since=since)])

    await desk.at(utc(2027, 6, 1, 12, 10))

    assert desk.runs.statuses("hourly") == {
        utc(2027, 6, 1, 10): RunStatus.MISSED,
        utc(2027, 6, 1, 11): RunStatus.MISSED,
        utc(2027, 6, 1, 12): RunStatus.DONE,
    }


async def test_a_since_moved_later_holds_the_job_back_from_then() -> None:
    desk = Desk([job("hourly", Cron(timezone="UTC", minute="0"))])
    await desk.at(START)
    await desk.at(utc(2027, 6, 1, 9))
    desk.jobs = [job("hourly", Cron(timezone="UTC", minute="0"), since=utc(2027, 6, 1, 12))]

    for hour in range(10, 14):
        await desk.at(utc(2027, 6, 1, hour))

    assert desk.slots("hourly") == [utc(2027, 6, 1, 9), utc(2027, 6, 1, 12), utc(2027, 6, 1, 13)]


async def test_after_downtime_the_latest_slot_within_grace_fires_once_late() -> None:
    desk = Desk([job("hourly", Cron(timezone="UTC", minute="0"), grace=timedelta(hours=1))])
    await desk.at(utc(2027, 6, 1, 8, 30))

    assert await desk.at(utc(2027, 6, 1, 13, 20)) == 1  # down since 08:30
    assert await desk.at(utc(2027, 6, 1, 13, 40)) == 0

    assert desk.fired == [("hourly", utc(2027, 6, 1, 13), utc(2027, 6, 1, 13, 20))]
    assert desk.runs.statuses("hourly") == {
        utc(2027, 6, 1, 9): RunStatus.MISSED,
        utc(2027, 6, 1, 10): RunStatus.MISSED,
        utc(2027, 6, 1, 11): RunStatus.MISSED,
        utc(2027, 6, 1, 12): RunStatus.MISSED,
        utc(2027, 6, 1, 13): RunStatus.DONE,
    }


@pytest.mark.parametrize(
    ("grace", "back_at", "fired"),
    [
        (timedelta(minutes=10), utc(2027, 6, 1, 9, 10), [utc(2027, 6, 1, 9)]),
        (timedelta(minutes=10), utc(2027, 6, 1, 9, 11), []),
        (timedelta(0), utc(2027, 6, 1, 9), [utc(2027, 6, 1, 9)]),
        (timedelta(0), utc(2027, 6, 1, 9, 0, 1), []),
    ],
    ids=["just within grace", "just past grace", "no grace, on time", "no grace, a second late"],
)
async def test_a_slot_fires_late_only_within_its_grace(
    grace: timedelta, back_at: datetime, fired: list[datetime]
) -> None:
    desk = Desk([job("standup", daily_at(9), grace=grace)])

    await desk.at(back_at)

    assert desk.slots("standup") == fired
    status = RunStatus.DONE if fired else RunStatus.MISSED
    assert desk.runs.statuses("standup") == {utc(2027, 6, 1, 9): status}


async def test_a_long_downtime_records_only_the_latest_missed_slots() -> None:
    desk = Desk([job("minutely", Cron(timezone="UTC", minute="*"), grace=timedelta(0))])

    await desk.at(START + timedelta(days=2, seconds=30))

    statuses = desk.runs.statuses("minutely")
    assert len(statuses) == MISSED_RECORD_LIMIT
    assert max(statuses) == START + timedelta(days=2)
    assert desk.fired == []


async def test_a_restarted_scheduler_does_not_fire_a_slot_again() -> None:
    desk = Desk([job("standup", daily_at(9), grace=timedelta(hours=2))])
    await desk.at(utc(2027, 6, 1, 9, 5))

    desk.scheduler = desk.new_scheduler(owner="restarted")
    await desk.at(utc(2027, 6, 1, 9, 30))

    assert desk.slots("standup") == [utc(2027, 6, 1, 9)]


async def test_a_failing_job_is_recorded_failed_and_does_not_stop_the_others() -> None:
    desk = Desk([job("broken", daily_at(9)), job("fine", daily_at(9))], failing={"broken"})

    assert await desk.at(utc(2027, 6, 1, 9)) == 2
    await desk.at(utc(2027, 6, 2, 9))

    assert desk.runs.statuses("broken") == {
        utc(2027, 6, 1, 9): RunStatus.FAILED,
        utc(2027, 6, 2, 9): RunStatus.FAILED,
    }
    assert desk.runs.statuses("fine") == {
        utc(2027, 6, 1, 9): RunStatus.DONE,
        utc(2027, 6, 2, 9): RunStatus.DONE,
    }


async def test_due_slots_across_jobs_run_in_time_order() -> None:
    desk = Desk(
        [
            job("a-late", daily_at(9, 40)),
            job("b-early", daily_at(9, 10)),
            job("c-middle", daily_at(9, 20)),
        ]
    )

    assert await desk.at(utc(2027, 6, 1, 9, 50)) == 3

    assert [(key, slot.strftime("%H:%M")) for key, slot, _ in desk.fired] == [
        ("b-early", "09:10"),
        ("c-middle", "09:20"),
        ("a-late", "09:40"),
    ]


async def test_after_downtime_jobs_run_in_the_order_of_the_slots_they_fire() -> None:
    twice = Once((utc(2027, 6, 1, 9, 10), utc(2027, 6, 1, 9, 40)))  # fires its 09:40 slot
    desk = Desk([job("twice", twice), job("once", Once((utc(2027, 6, 1, 9, 20),)))])

    await desk.at(utc(2027, 6, 1, 9, 50))

    assert [(key, slot.strftime("%H:%M")) for key, slot, _ in desk.fired] == [
        ("once", "09:20"),
        ("twice", "09:40"),
    ]


async def test_next_due_is_the_earliest_upcoming_slot_of_any_job() -> None:
    desk = Desk([job("standup", daily_at(9)), job("retro", daily_at(8, 30))])
    await desk.at(START)

    assert desk.scheduler.next_due() == utc(2027, 6, 1, 8, 30)
    await desk.at(utc(2027, 6, 1, 8, 30))
    assert desk.scheduler.next_due() == utc(2027, 6, 1, 9)


async def test_a_removed_job_no_longer_fires() -> None:
    desk = Desk([job("standup", daily_at(9))])
    await desk.at(START)
    desk.jobs = []

    assert await desk.at(utc(2027, 6, 1, 9)) == 0
    assert desk.scheduler.next_due() is None
    assert desk.fired == []
