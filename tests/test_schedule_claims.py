"""Several processes on one database fire each slot exactly once.

Each scheduler here has a `Storage` of its own (its own engine and
connections), as a separate process would, and they race on the real run
table. SQLite always; PostgreSQL too when HEARTH_TEST_POSTGRES_URL names a
server (each test then gets a fresh database of its own).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.chat import Platform, WorkspaceRef
from bot.features import Cron, Every, Job, Once, Recurrence, Response, Tick
from bot.runs import RunStatus, RunStore
from bot.schedule import (
    Clock,
    LiveScheduler,
    Scheduler,
    SimulatedClock,
    SystemClock,
    fire_times,
)
from storage import Storage, open_storage, upgrade
from tests.fakes import FakeRunStore

POSTGRES_URL = "HEARTH_TEST_POSTGRES_URL"
WORKSPACE = WorkspaceRef(Platform.LOCAL, "T1")
START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
PATIENCE = 10.0  # seconds a test waits for the real scheduler, at most (a busy CI machine)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/hearth.db"
        await upgrade(url)
        yield url
        return
    server = os.environ.get(POSTGRES_URL)
    if not server:
        pytest.skip(f"set {POSTGRES_URL} to race the schedulers on PostgreSQL")
    name = f"hearth_claims_{uuid.uuid4().hex[:12]}"
    base = make_url(server).set(drivername="postgresql")
    admin = await asyncpg.connect(base.set(database="postgres").render_as_string(False))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = base.set(database=name).render_as_string(False)
        await upgrade(url)
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def storages(database_url: str) -> AsyncIterator[tuple[Storage, Storage]]:
    """Two processes' worth of storage on one database."""
    async with (
        await open_storage(database_url) as one,
        await open_storage(database_url) as other,
    ):
        yield one, other


async def nothing(tick: Tick) -> Response:
    return None


def job(key: str, recurrence: Recurrence) -> Job:
    return Job(key, WORKSPACE, recurrence, nothing, grace=timedelta(minutes=10))


Executions = Counter[tuple[str, datetime]]


def scheduler(
    runs: RunStore,
    clock: Clock,
    jobs: Callable[[], Sequence[Job]],
    executions: Executions,
    *,
    owner: str,
    fired: asyncio.Event | None = None,
) -> Scheduler:
    async def source() -> Sequence[Job]:
        return jobs()

    async def execute(job: Job, scheduled_for: datetime) -> None:
        executions[job.key, scheduled_for] += 1
        await asyncio.sleep(0)  # let the other process run mid-job
        if fired is not None:
            fired.set()

    return Scheduler(runs=runs, clock=clock, sources=[source], execute=execute, owner=owner)


# --- two schedulers, one database, simulated time ------------------------------------

RACED = [
    job("every-minute", Cron(timezone="Europe/Paris", minute="*")),
    job("quarter-hours", Cron(timezone="America/New_York", minute="*/15")),
    job("every-seven-minutes", Every(timedelta(minutes=7), START, "UTC")),
    job("once", Once(tuple(START + timedelta(minutes=m) for m in (3, 3, 17, 58)))),
]


async def test_two_schedulers_on_one_database_fire_every_slot_exactly_once(
    storages: tuple[Storage, Storage],
) -> None:
    clock = SimulatedClock(START)
    executions: Executions = Counter()
    racers = [
        scheduler(storage.runs, clock, lambda: RACED, executions, owner=f"process-{n}")
        for n, storage in enumerate(storages)
    ]
    await asyncio.gather(*(r.refresh() for r in racers))
    end = START + timedelta(hours=1)

    fired = 0
    for minute in range(1, 61):
        clock.set(START + timedelta(minutes=minute))
        fired += sum(await asyncio.gather(*(r.run_due() for r in racers)))

    expected = {
        (j.key, slot): 1
        for j in RACED
        for slot in fire_times(j.recurrence, START, 100)
        if slot <= end
    }
    assert dict(executions) == expected
    assert fired == len(expected) == 60 + 4 + 8 + 3


async def test_two_schedulers_catching_up_after_downtime_fire_the_latest_slot_once(
    storages: tuple[Storage, Storage],
) -> None:
    clock = SimulatedClock(START)
    executions: Executions = Counter()
    hourly = [job("hourly", Cron(timezone="UTC", minute="0"))]
    racers = [
        scheduler(storage.runs, clock, lambda: hourly, executions, owner=f"process-{n}")
        for n, storage in enumerate(storages)
    ]
    await asyncio.gather(*(r.refresh() for r in racers))

    clock.set(START + timedelta(hours=5, minutes=5))  # both were down
    fired = await asyncio.gather(*(r.run_due() for r in racers))

    assert sorted(fired) == [0, 1]
    assert executions == Counter({("hourly", START + timedelta(hours=5)): 1})
    for storage in storages:
        assert await storage.runs.last_slot("hourly") == START + timedelta(hours=5)


# --- on real time, through APScheduler ---------------------------------------------------


class RecordedRuns:
    """A run store that remembers each claim's answer, to wait for the losers too."""

    def __init__(self, runs: RunStore, claims: list[bool], enough: asyncio.Event) -> None:
        self._runs = runs
        self._claims = claims
        self._enough = enough

    async def claim(self, key: str, scheduled_for: datetime, *, owner: str, now: datetime) -> bool:
        won = await self._runs.claim(key, scheduled_for, owner=owner, now=now)
        self._claims.append(won)
        if len(self._claims) >= 2:
            self._enough.set()
        return won

    async def finish(
        self, key: str, scheduled_for: datetime, *, status: RunStatus, now: datetime
    ) -> None:
        await self._runs.finish(key, scheduled_for, status=status, now=now)

    async def record_missed(self, key: str, scheduled_for: datetime, *, now: datetime) -> bool:
        return await self._runs.record_missed(key, scheduled_for, now=now)

    async def last_slot(self, key: str) -> datetime | None:
        return await self._runs.last_slot(key)

    async def last_slots(self, keys: Sequence[str]) -> dict[str, datetime]:
        return await self._runs.last_slots(keys)


def soon_once() -> Callable[[], Sequence[Job]]:
    """A job due 0.3 s after its definition is first read, whoever reads it."""
    jobs: list[Job] = []

    def definitions() -> Sequence[Job]:
        if not jobs:
            moment = SystemClock().now() + timedelta(seconds=0.3)
            jobs.append(job("soon", Once((moment,))))
        return jobs

    return definitions


async def within(seconds: float, *waits: Awaitable[object]) -> None:
    async with asyncio.timeout(seconds):
        await asyncio.gather(*waits)


async def test_a_live_scheduler_fires_a_job_on_time() -> None:
    executions: Executions = Counter()
    fired = asyncio.Event()
    jobs = soon_once()
    runs = FakeRunStore()
    live = LiveScheduler(
        scheduler(runs, SystemClock(), jobs, executions, owner="live", fired=fired),
        reconcile_every=timedelta(hours=1),
    )

    await live.start()
    try:
        assert not fired.is_set()  # not caught up at start: APScheduler wakes it
        await within(PATIENCE, fired.wait())
    finally:
        await live.stop()

    assert list(executions.values()) == [1]
    assert list(runs.statuses("soon").values()) == [RunStatus.DONE]


async def test_two_live_schedulers_on_one_sqlite_file_fire_a_slot_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/hearth.db"
    await upgrade(url)
    executions: Executions = Counter()
    fired, both_claimed = asyncio.Event(), asyncio.Event()
    claims: list[bool] = []
    jobs = soon_once()
    async with await open_storage(url) as one, await open_storage(url) as other:
        lives = [
            LiveScheduler(
                scheduler(
                    RecordedRuns(storage.runs, claims, both_claimed),
                    SystemClock(),
                    jobs,
                    executions,
                    owner=f"process-{n}",
                    fired=fired,
                ),
                reconcile_every=timedelta(hours=1),
            )
            for n, storage in enumerate((one, other))
        ]
        for live in lives:
            await live.start()
        try:
            await within(PATIENCE, fired.wait(), both_claimed.wait())
        finally:
            for live in lives:
                await live.stop()

    assert sorted(claims) == [False, True]
    assert sum(executions.values()) == 1


async def test_stopping_a_live_scheduler_lets_the_slot_being_fired_finish() -> None:
    started, release = asyncio.Event(), asyncio.Event()
    runs = FakeRunStore()

    async def source() -> Sequence[Job]:
        return jobs()

    async def execute(job: Job, scheduled_for: datetime) -> None:
        started.set()
        await release.wait()

    jobs = soon_once()
    live = LiveScheduler(
        Scheduler(runs=runs, clock=SystemClock(), sources=[source], execute=execute, owner="a"),
        reconcile_every=timedelta(hours=1),
    )
    await live.start()
    await within(PATIENCE, started.wait())

    stopping = asyncio.create_task(live.stop())
    await asyncio.sleep(0)
    assert not stopping.done()
    release.set()
    await within(PATIENCE, stopping)

    assert list(runs.statuses("soon").values()) == [RunStatus.DONE]
