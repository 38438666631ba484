"""When jobs fire, and which process fires them.

APScheduler 3.11 computes fire times (its CronTrigger and IntervalTrigger,
with a ZoneInfo per job) and, in a running bot, wakes the process up on
time. It never decides *whether* a slot fires: the run table does. Each fire
is claimed as a unique `(job key, scheduled_for)` row, so several processes
sharing one database fire each slot exactly once, and a slot missed while
every process was down is caught up once within its grace period.

The same `Scheduler` runs on a simulated clock in the local workspace:
`advance(to)` runs everything due, in time order, as the clock moves.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.features import AnyOf, Cron, Every, Job, JobSource, Once, Recurrence
from bot.runs import RunStatus, RunStore

log = logging.getLogger(__name__)

_TICK = timedelta(microseconds=1)
MISSED_RECORD_LIMIT = 50


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class SimulatedClock:
    """A clock that only moves when told to: the local workspace's time."""

    def __init__(self, start: datetime) -> None:
        self._now = _utc(start)

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        moment = _utc(moment)
        if moment < self._now:
            raise ValueError("the simulated clock never goes back")
        self._now = moment


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous: pass an aware one")
    return moment.astimezone(UTC)


# --- fire times -------------------------------------------------------------


def _cron_trigger(cron: Cron) -> CronTrigger:
    return CronTrigger(
        year=cron.year,
        month=cron.month,
        day=cron.day,
        week=cron.week,
        day_of_week=cron.day_of_week,
        hour=cron.hour,
        minute=cron.minute,
        second=0,
        start_date=cron.start,
        end_date=cron.end,
        timezone=ZoneInfo(cron.timezone),
    )


def _first_valid_instant(local: datetime) -> datetime:
    """The instant a non-existent local time (a DST gap) should fire at.

    APScheduler returns e.g. 02:30 on the spring-forward night, a wall time
    that does not exist; the job fires at the end of the gap (03:00).
    """
    zone = local.tzinfo
    assert zone is not None
    utc = local.astimezone(UTC)
    after = utc.astimezone(zone).utcoffset()
    low, high = utc - timedelta(hours=3), utc
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == after:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def _normalise(local: datetime) -> datetime:
    utc = local.astimezone(UTC)
    if utc.astimezone(local.tzinfo).replace(tzinfo=None) != local.replace(tzinfo=None):
        return _first_valid_instant(local)
    return utc


def _next_from_trigger(trigger: BaseTrigger, after: datetime) -> datetime | None:
    zone = trigger.timezone  # type: ignore[attr-defined]
    start = (after + _TICK).astimezone(zone)
    previous_wall = after.astimezone(zone).replace(tzinfo=None)
    while True:
        local: datetime | None = trigger.get_next_fire_time(None, start)
        if local is None:
            return None
        if local.replace(tzinfo=None) == previous_wall and local.fold == 1:
            # The repeated hour of a fall-back night: the slot already fired.
            start = (local.astimezone(UTC) + _TICK).astimezone(zone)
            continue
        return _normalise(local)


def next_fire(recurrence: Recurrence, after: datetime) -> datetime | None:
    """The first fire time strictly after `after`, in UTC (None when over)."""
    after = _utc(after)
    match recurrence:
        case Cron():
            return _next_from_trigger(_cron_trigger(recurrence), after)
        case Every(interval=interval, start=start, timezone=tz):
            trigger = IntervalTrigger(
                seconds=int(interval.total_seconds()), start_date=start, timezone=ZoneInfo(tz)
            )
            return _next_from_trigger(trigger, after)
        case Once(moments=moments):
            later = [_utc(m) for m in moments if _utc(m) > after]
            return min(later, default=None)
        case AnyOf(parts=parts):
            candidates = [t for p in parts if (t := next_fire(p, after)) is not None]
            return min(candidates, default=None)
    raise TypeError(f"unknown recurrence {recurrence!r}")


def fire_times(recurrence: Recurrence, after: datetime, count: int) -> list[datetime]:
    """The next `count` fire times after `after` (for previews)."""
    times: list[datetime] = []
    cursor = after
    while len(times) < count and (moment := next_fire(recurrence, cursor)) is not None:
        times.append(moment)
        cursor = moment
    return times


class RecurrenceTrigger(BaseTrigger):  # type: ignore[misc]
    """Lets APScheduler wake the process exactly when a recurrence fires."""

    def __init__(self, recurrence: Recurrence) -> None:
        self.recurrence = recurrence
        self.timezone = UTC

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        floor = now - _TICK
        if previous_fire_time is not None:
            floor = max(floor, previous_fire_time)
        return next_fire(self.recurrence, floor)


# --- claiming and running ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Slot:
    job: Job
    scheduled_for: datetime


Execute = Callable[[Job, datetime], Awaitable[None]]


class Scheduler:
    """Decides which slots are due and fires each one this process claims.

    A job's cursor is the latest slot any process recorded for it (or the
    moment this process first saw the job), so slots are considered once.
    Slots older than the job's grace are recorded as missed; of several
    slots within grace, only the latest fires (no pile-up after downtime).
    """

    def __init__(
        self,
        *,
        runs: RunStore,
        clock: Clock,
        sources: Sequence[JobSource],
        execute: Execute,
        owner: str,
    ) -> None:
        self._runs = runs
        self._clock = clock
        self._sources = list(sources)
        self._execute = execute
        self._owner = owner
        self._jobs: dict[str, Job] = {}
        self._cursors: dict[str, datetime] = {}

    @property
    def jobs(self) -> dict[str, Job]:
        return dict(self._jobs)

    async def refresh(self) -> None:
        """Reload job definitions from the features (the database)."""
        now = self._clock.now()
        jobs: dict[str, Job] = {}
        for source in self._sources:
            for job in await source():
                jobs[job.key] = job
        for key, job in jobs.items():
            if key not in self._cursors:
                last = await self._runs.last_slot(key)
                self._cursors[key] = max(filter(None, (last, job.since)), default=now)
        for key in set(self._cursors) - set(jobs):
            del self._cursors[key]
        self._jobs = jobs

    def next_due(self) -> datetime | None:
        """The earliest upcoming slot across all jobs."""
        times = [
            t
            for key, job in self._jobs.items()
            if (t := next_fire(job.recurrence, self._cursors[key])) is not None
        ]
        return min(times, default=None)

    def _due_slots(self, job: Job, now: datetime) -> tuple[list[datetime], datetime | None]:
        """Slots in (cursor, now]: those past grace, and the latest within it."""
        missed: list[datetime] = []
        latest: datetime | None = None
        cursor = self._cursors[job.key]
        while (moment := next_fire(job.recurrence, cursor)) is not None and moment <= now:
            if latest is not None:
                missed.append(latest)
            latest = moment
            cursor = moment
        if latest is not None and now - latest > job.grace:
            missed.append(latest)
            latest = None
        return missed[-MISSED_RECORD_LIMIT:], latest

    async def run_job(self, key: str) -> bool:
        """Fire the job's due slot if this process claims it."""
        job = self._jobs.get(key)
        if job is None:
            return False
        now = self._clock.now()
        missed, slot = self._due_slots(job, now)
        for moment in missed:
            await self._runs.record_missed(job.key, moment, now=now)
            log.warning("job %s missed its %s slot", job.key, moment.isoformat())
        if missed:
            self._cursors[key] = max(missed)
        if slot is None:
            return False
        self._cursors[key] = slot
        if not await self._runs.claim(job.key, slot, owner=self._owner, now=now):
            return False
        status = RunStatus.DONE
        try:
            await self._execute(job, slot)
        except Exception:
            log.exception("job %s failed for its %s slot", job.key, slot.isoformat())
            status = RunStatus.FAILED
        await self._runs.finish(job.key, slot, status=status, now=self._clock.now())
        return True

    async def run_due(self) -> int:
        """Fire every job that has a due slot; returns how many this process fired."""
        now = self._clock.now()
        due = [
            (t, key)
            for key, job in self._jobs.items()
            if (t := next_fire(job.recurrence, self._cursors[key])) is not None and t <= now
        ]
        fired = 0
        for _, key in sorted(due):
            fired += await self.run_job(key)
        return fired


class LiveScheduler:
    """Drives a `Scheduler` on real time with APScheduler's AsyncIOScheduler.

    Each job gets an APScheduler job on a `RecurrenceTrigger` that wakes the
    process on time; a reconcile job reloads definitions (so an edit made by
    another process applies within `reconcile_every`) and catches up slots.
    """

    def __init__(self, scheduler: Scheduler, *, reconcile_every: timedelta) -> None:
        self._scheduler = scheduler
        self._reconcile_every = reconcile_every
        self._aps = AsyncIOScheduler(timezone=UTC)
        self._triggers: dict[str, tuple[object, timedelta]] = {}
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        await self.reconcile()
        self._aps.add_job(
            self.reconcile,
            trigger=IntervalTrigger(seconds=self._reconcile_every.total_seconds(), timezone=UTC),
            id="hearth.reconcile",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
        )
        self._aps.start()

    async def stop(self) -> None:
        if self._aps.running:
            self._aps.shutdown(wait=False)

    async def _fire(self, key: str) -> None:
        async with self._lock:
            await self._scheduler.run_job(key)

    async def reconcile(self) -> None:
        async with self._lock:
            await self._scheduler.refresh()
            jobs = self._scheduler.jobs
            for key in set(self._triggers) - set(jobs):
                self._aps.remove_job(key)
                del self._triggers[key]
            for key, job in jobs.items():
                if self._triggers.get(key) == (job.recurrence, job.grace):
                    continue
                self._aps.add_job(
                    self._fire,
                    trigger=RecurrenceTrigger(job.recurrence),
                    args=[key],
                    id=key,
                    replace_existing=True,
                    coalesce=True,
                    max_instances=1,
                    misfire_grace_time=int(job.grace.total_seconds()) or None,
                )
                self._triggers[key] = (job.recurrence, job.grace)
            await self._scheduler.run_due()
