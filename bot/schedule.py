"""When jobs fire, and which process fires them.

APScheduler 3.11 computes cron fire times (its CronTrigger, with a ZoneInfo
per job; see "fire times" below for DST) and, in a running bot, wakes the
process up on time. It never decides *whether* a slot fires: the run table
does. Each fire is claimed as a unique `(job key, scheduled_for)` row, so
several processes sharing one database fire each slot exactly once, and a
slot missed while every process was down is caught up once within its grace
period.

The same `Scheduler` runs on a simulated clock in the local workspace, where
the composition root moves the clock from one due slot to the next.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import MAXYEAR, UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.features import AnyOf, Cron, Every, Job, JobSource, Once, Recurrence, Shifted
from bot.runs import RunStatus, RunStore

log = logging.getLogger(__name__)

_TICK = timedelta(microseconds=1)
MISSED_RECORD_LIMIT = 50
BATCH = 50  # due slots claimed and run in one transaction, each job in a savepoint
CRON_HORIZON_YEARS = 10  # a cron with no fire time that soon counts as over, for now


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
#
# Calendar schedules (Cron, and Every with a whole number of days) follow the
# wall clock of their time zone, so "09:00 in Paris" stays 09:00 across DST:
#
# - a wall time that does not exist (the spring-forward gap) fires at the end
#   of the gap, 03:00 for a 02:30 job;
# - a wall time that happens twice (the fall-back night) fires once, at its
#   first occurrence, unless the job fires every hour: an hourly or
#   every-30-minutes job follows real time and fires in both passes of the
#   repeated hour, as cron does for a wildcard hour.
#
# Periods that are not whole days (every 6 hours) are elapsed time.


_DAY = timedelta(days=1)


@functools.lru_cache(maxsize=1024)
def _cron_trigger(cron: Cron, *, on_wall_clock: bool, until_year: int) -> CronTrigger:
    """The job's trigger, or (`on_wall_clock`) one that lists its wall times.

    Evaluated in UTC, which has neither gaps nor repeated hours, a trigger
    without the job's start lists every wall time the fields match.
    Fields that can never match (the 31st of February) would send
    APScheduler through every year up to 9999, seconds of blocking work:
    the search stops at `until_year`.
    """
    horizon = datetime(until_year, 1, 1, tzinfo=UTC)
    end = horizon if on_wall_clock or cron.end is None else min(_utc(cron.end), horizon)
    return CronTrigger(
        year=cron.year,
        month=cron.month,
        day=cron.day,
        week=cron.week,
        day_of_week=cron.day_of_week,
        hour=cron.hour,
        minute=cron.minute,
        second=0,
        start_date=None if on_wall_clock else cron.start,
        end_date=end,
        timezone=UTC if on_wall_clock else ZoneInfo(cron.timezone),
    )


def _horizon(after: datetime) -> int:
    return after.year + 1 + CRON_HORIZON_YEARS


@functools.lru_cache(maxsize=1024)
def _fires_every_hour(cron: Cron) -> bool:
    trigger = _cron_trigger(cron, on_wall_clock=True, until_year=MAXYEAR)
    hour = trigger.fields[CronTrigger.FIELD_NAMES.index("hour")]
    return all(hour.get_next_value(datetime(2000, 1, 1, h)) == h for h in range(24))


def _end_of_gap(local: datetime) -> datetime:
    """The instant a wall time inside a DST gap fires at: the end of the gap.

    Read with the offset before the transition, the wall time lands after
    the transition; read with the offset after it, before: the transition
    lies between the two readings.
    """
    zone = local.tzinfo
    assert zone is not None
    readings = sorted(local.replace(fold=f).astimezone(UTC) for f in (0, 1))
    before = readings[0].astimezone(zone).utcoffset()
    low, high = readings
    while high - low > _TICK:
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    return high


def _normalise(local: datetime) -> datetime:
    """A wall time in its zone as a UTC instant, moving a gap's time to its end."""
    utc = local.astimezone(UTC)
    if utc.astimezone(local.tzinfo).replace(tzinfo=None) != local.replace(tzinfo=None):
        return _end_of_gap(local)
    return utc


def _next_cron(cron: Cron, after: datetime) -> datetime | None:
    if _fires_every_hour(cron):
        return _next_real_time(cron, after)
    return _next_wall_time(cron, after)


def _next_real_time(cron: Cron, after: datetime) -> datetime | None:
    """An hourly job: the next instant whose local time matches the fields."""
    trigger = _cron_trigger(cron, on_wall_clock=False, until_year=_horizon(after))
    zone = ZoneInfo(cron.timezone)
    start = after + _TICK
    while True:
        local: datetime | None = trigger.get_next_fire_time(None, start.astimezone(zone))
        if local is None:
            return None
        moment = _normalise(local)
        if moment > after:
            return moment
        start = max(moment, start) + _TICK


def _next_wall_time(cron: Cron, after: datetime) -> datetime | None:
    """The first instant after `after` of the next matching wall time.

    Each wall time fires at its first occurrence, or at the end of the gap
    when it does not exist; both keep wall times in order, so the first
    matching wall time that lands after `after` is the answer. Walls before
    `after`'s own wall time land before it: the search starts there.
    """
    walls = _cron_trigger(cron, on_wall_clock=True, until_year=_horizon(after))
    zone = ZoneInfo(cron.timezone)
    if cron.start is not None:
        after = max(after, _utc(cron.start) - _TICK)
    wall = after.astimezone(zone).replace(tzinfo=UTC)
    while True:
        wall = walls.get_next_fire_time(None, wall + _TICK)
        if wall is None:
            return None
        moment = _normalise(wall.replace(tzinfo=zone))
        if cron.end is not None and moment > _utc(cron.end):
            return None
        if moment > after:
            return moment


def _next_every(every: Every, after: datetime) -> datetime:
    if every.interval <= timedelta(0):
        raise ValueError("an Every interval must be positive")
    start = _utc(every.start)
    if every.interval % _DAY:
        periods = max(0, -((start - after) // every.interval))
        moment = start + periods * every.interval
        return moment if moment > after else moment + every.interval
    zone = ZoneInfo(every.timezone)
    wall = every.start.astimezone(zone).replace(tzinfo=None)
    # DST moves a wall time by hours, never by a whole period: start one early.
    periods = max(0, (after - start) // every.interval - 1)
    while True:
        moment = _normalise((wall + periods * every.interval).replace(tzinfo=zone))
        if moment > after and moment >= start:
            return moment
        periods += 1


def next_fire(recurrence: Recurrence, after: datetime) -> datetime | None:
    """The first fire time strictly after `after`, in UTC (None when over)."""
    after = _utc(after)
    match recurrence:
        case Cron():
            return _next_cron(recurrence, after)
        case Every():
            return _next_every(recurrence, after)
        case Once(moments=moments):
            later = [_utc(m) for m in moments if _utc(m) > after]
            return min(later, default=None)
        case AnyOf(parts=parts):
            candidates = [t for p in parts if (t := next_fire(p, after)) is not None]
            return min(candidates, default=None)
        case Shifted(recurrence=inner, offset=offset):
            moment = next_fire(inner, after - offset)
            return None if moment is None else moment + offset
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
Atomic = Callable[[], contextlib.AbstractAsyncContextManager[object]]
"""Opens a transaction every store call inside shares; nested, a savepoint."""


def _no_transaction() -> contextlib.AbstractAsyncContextManager[object]:
    return contextlib.nullcontext()


class Scheduler:
    """Decides which slots are due and fires each one this process claims.

    A job's cursor is the latest slot this process settled for it: the
    latest slot any process recorded, or the job's `since`, or the moment
    this process first saw the job. Slots after the cursor and older than
    the job's grace are recorded as missed; of several slots within grace,
    only the latest fires (no pile-up after downtime).
    """

    def __init__(
        self,
        *,
        runs: RunStore,
        clock: Clock,
        sources: Sequence[JobSource],
        execute: Execute,
        owner: str,
        atomic: Atomic | None = None,
    ) -> None:
        self._atomic: Atomic = atomic or _no_transaction
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
        # One read for every job this process has not seen yet, not one each.
        lasts = await self._runs.last_slots([k for k in jobs if k not in self._cursors])
        for key, job in jobs.items():
            # A slot at exactly `since` may fire; none before it.
            floor = None if job.since is None else _utc(job.since) - _TICK
            if key not in self._cursors:
                last = lasts.get(key)
                self._cursors[key] = max(filter(None, (last, floor)), default=now)
            elif floor is not None and floor > self._cursors[key]:
                self._cursors[key] = floor
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
        """Slots in (cursor, now]: the latest few past grace, and the latest within it."""
        missed: deque[datetime] = deque(maxlen=MISSED_RECORD_LIMIT)
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
        return list(missed), latest

    async def _settle(self, job: Job, now: datetime) -> Slot | None:
        """Record the job's missed slots; return the slot it should fire now, if any."""
        missed, slot = self._due_slots(job, now)
        for moment in missed:
            if await self._runs.record_missed(job.key, moment, now=now):
                log.warning("job %s missed its %s slot", job.key, moment.isoformat())
        if missed:
            self._cursors[job.key] = missed[-1]
        return None if slot is None else Slot(job, slot)

    async def _fire_all(self, slots: Sequence[Slot]) -> int:
        """Claim and run slots, earliest first, `BATCH` of them per transaction
        (when `atomic` opens one); returns how many this process fired.

        A slot's claim, what its job queued and its run record commit with
        its batch or not at all: a process that dies mid-run leaves no claim
        behind, so another process (or a restart, within grace) fires the
        slot. Many slots due together share transactions, which keeps the
        last one's wait short; claims follow one order, so two processes
        racing for the same slots never wait on each other in a cycle.
        """
        ordered = sorted(slots, key=lambda s: (s.scheduled_for, s.job.key))
        fired = 0
        for start in range(0, len(ordered), BATCH):
            batch = ordered[start : start + BATCH]
            async with self._atomic():
                for slot in batch:
                    fired += await self._fire(slot)
            for slot in batch:  # settled either way: this process fired it, or another did
                key = slot.job.key
                self._cursors[key] = max(self._cursors[key], slot.scheduled_for)
        return fired

    async def _fire(self, slot: Slot) -> bool:
        job, moment = slot.job, slot.scheduled_for
        claimed = await self._runs.claim(job.key, moment, owner=self._owner, now=self._clock.now())
        if not claimed:
            return False
        status = RunStatus.DONE
        try:
            async with self._atomic():  # a job that fails rolls back alone
                await self._execute(job, moment)
        except Exception:
            log.exception("job %s failed for its %s slot", job.key, moment.isoformat())
            status = RunStatus.FAILED
        await self._runs.finish(job.key, moment, status=status, now=self._clock.now())
        return True

    async def run_job(self, key: str) -> bool:
        """Fire the job's due slot if this process claims it."""
        return await self.run_jobs([key]) > 0

    async def run_jobs(self, keys: Iterable[str]) -> int:
        """Fire the due slots of these jobs; returns how many this process fired."""
        now = self._clock.now()
        slots = [
            slot
            for key in keys
            if (job := self._jobs.get(key)) is not None
            and (slot := await self._settle(job, now)) is not None
        ]
        return await self._fire_all(slots)

    async def run_due(self) -> int:
        """Fire every due slot, earliest first; returns how many this process fired."""
        now = self._clock.now()
        slots = [s for job in self._jobs.values() if (s := await self._settle(job, now))]
        return await self._fire_all(slots)


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
        self._woken: set[str] = set()

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
        """Stop waking up, letting a slot being fired finish (and record its run)."""
        if not self._aps.running:
            return
        self._aps.pause()
        async with self._lock:
            # Fires still waiting for the lock are cancelled before they start.
            self._aps.shutdown(wait=False)

    async def _fire(self, key: str) -> None:
        # Jobs woken together (many rituals due in the same minute) queue on
        # the lock; whichever gets it next fires all of them at once.
        self._woken.add(key)
        async with self._lock:
            keys, self._woken = self._woken, set()
            if keys:
                await self._scheduler.run_jobs(keys)

    async def reconcile(self) -> None:
        async with self._lock:
            await self._scheduler.refresh()
            jobs = self._scheduler.jobs
            for key in set(self._triggers) - set(jobs):
                # APScheduler already dropped a job whose recurrence ended.
                with contextlib.suppress(JobLookupError):
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
