"""10,000 rituals across 500 workspaces: start-up, memory, and 1,000 rituals due at once.

The parent process builds a fresh database through the migrations and fills
it with Core bulk inserts: 500 workspaces with a few members each, 10,000
rituals of every kind on the documented schedule forms in several time
zones, 1,000 of them due in the same minute (a cron schedule for minute T,
in UTC). Then a child process, a Hearth like `hearth run` would start, is
measured:

- start-up: from opening storage to every ritual's jobs registered with
  APScheduler (`LiveScheduler.start`: the job source reads every active
  ritual, the scheduler learns each job's last run, APScheduler gets a
  trigger per job), and also from the child's first line of Python;
- memory: the child's resident set size (RSS) once started, and its peak;
- lag: for the 1,000 rituals due at T, the time from T to each slot's
  claim (`runs.claimed_at - scheduled_for`, both written by the real
  scheduler with the system clock), p50 / p99 / max.

At full scale the child waits for the real minute T (up to about a minute
and a half in all). `--smoke` (200 rituals, 50 due) starts the same way but
then moves a shifted clock to just before T and fires the due slots with
`Scheduler.run_due`, so the suite need not wait for a minute boundary;
its figures show the shape, not the machine's speed.

    python -m bench.rituals_schedule                  # a temporary SQLite file
    python -m bench.rituals_schedule --postgres       # a fresh database on 127.0.0.1:5432
    python -m bench.rituals_schedule --smoke

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from sqlalchemy import insert, select

from bench.databases import database
from bot.app import open_hearth
from bot.rituals.domain import Kind
from bot.settings import Settings
from storage import create_engine, upgrade
from storage.core import MemberRow, RunRow, WorkspaceRow
from storage.rituals_rows import RitualRow

DEFAULT_POSTGRES_SERVER: Final = "postgresql://postgres@127.0.0.1:5432/postgres"
TARGET_STARTUP_SECONDS: Final = 5.0
TARGET_RSS_MB: Final = 200.0
TARGET_P99_LAG_SECONDS: Final = 2.0
SCHEDULES: Final = (
    "every monday 16:00",
    "weekdays 09:30",
    "every 2 weeks on friday 15:00",
    "first tuesday and first thursday 10:00",
    "twice a year on 2027-03-15 and 2027-09-15 10:00",
    "cron 30 9 * * 1-5",
    "every day 12:00",
    "last friday 17:00",
)
ZONES: Final = ("Europe/Paris", "America/New_York", "Asia/Tokyo", "UTC", "Australia/Sydney")
DUE_KINDS: Final = (Kind.WATERCOOLER, Kind.CUSTOM, Kind.SPOTLIGHT, Kind.CELEBRATION, Kind.CHECKIN)
OPTIONS: Final = {
    Kind.CUSTOM: '{"text": "Demo time"}',
    Kind.CHECKIN: '{"text": "How is it going?"}',
    Kind.GATHERING: '{"text": "All-hands"}',
}


@dataclass(frozen=True, slots=True)
class Scale:
    rituals: int
    workspaces: int
    due: int
    members: int  # per workspace


FULL: Final = Scale(rituals=10_000, workspaces=500, due=1_000, members=6)
SMOKE: Final = Scale(rituals=200, workspaces=10, due=50, members=3)


# --- the parent: build the database, run the child ---------------------------------


async def load(url: str, scale: Scale, *, due_at: datetime, created_at: datetime) -> float:
    """Fill a migrated database; returns the seconds it took."""
    started = time.perf_counter()
    await upgrade(url)
    engine = create_engine(url)
    workspaces = [f"TBENCH{n:04d}" for n in range(scale.workspaces)]
    try:
        async with engine.begin() as connection:
            await connection.execute(
                insert(WorkspaceRow),
                [
                    {
                        "platform": "slack",
                        "workspace_id": w,
                        "name": w,
                        "locale": "fr" if n % 3 == 0 else "en",
                        "timezone": ZONES[n % len(ZONES)],
                        "settings": "{}",
                        "created_at": created_at,
                        "updated_at": created_at,
                    }
                    for n, w in enumerate(workspaces)
                ],
            )
            await connection.execute(
                insert(MemberRow),
                [
                    {
                        "platform": "slack",
                        "workspace_id": w,
                        "user_id": f"U{m:03d}",
                        "name": f"member{m}",
                        "name_key": f"member{m}",
                        "timezone": None,
                        "locale": None,
                        "role": "manager" if m == 0 else "member",
                        "is_bot": False,
                        "joined_at": created_at - timedelta(days=400),
                        "left_at": None,
                        "opt_outs": "[]",
                    }
                    for w in workspaces
                    for m in range(scale.members)
                ],
            )
            await connection.execute(
                insert(RitualRow), list(rituals(scale, workspaces, due_at, created_at))
            )
    finally:
        await engine.dispose()
    return time.perf_counter() - started


def rituals(
    scale: Scale, workspaces: Sequence[str], due_at: datetime, created_at: datetime
) -> Sequence[dict[str, Any]]:
    kinds = list(Kind)
    rows: list[dict[str, Any]] = []
    for n in range(scale.rituals):
        due = n % (scale.rituals // scale.due) == 0 and len(rows) < scale.rituals
        kind = DUE_KINDS[n % len(DUE_KINDS)] if due else kinds[n % len(kinds)]
        rows.append(
            {
                "platform": "slack",
                "workspace_id": workspaces[n % len(workspaces)],
                "kind": kind.value,
                "schedule": (
                    f"cron {due_at.minute} {due_at.hour} * * *"
                    if due
                    else SCHEDULES[n % len(SCHEDULES)]
                ),
                "timezone": "UTC" if due else ZONES[(n // 7) % len(ZONES)],
                "channel": f"C{n % 50:04d}",
                "state": "active",
                "options": OPTIONS.get(kind, "{}"),
                "created_by": "U000",
                "created_at": created_at,
                "active_since": created_at,
                "updated_at": created_at,
            }
        )
    return rows


def next_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0) + timedelta(minutes=1)


async def benchmark(args: argparse.Namespace) -> dict[str, Any]:
    scale = SMOKE if args.smoke else FULL
    async with database(args, name="rituals_schedule.db") as url:
        created_at = datetime.now(UTC)
        # Far enough ahead for loading and start-up; the smoke run shifts its clock instead.
        due_at = next_minute(created_at + timedelta(seconds=30 if args.smoke else 40))
        load_seconds = await load(url, scale, due_at=due_at, created_at=created_at)
        print(f"loaded {scale.rituals} rituals in {load_seconds:.1f} s; due at {due_at:%H:%M} UTC")
        command = [
            sys.executable,
            "-m",
            "bench.rituals_schedule",
            "--child",
            f"--database={url}",
            f"--due-at={due_at.isoformat()}",
            f"--spawned={time.time()}",
            *(["--smoke"] if args.smoke else []),
        ]
        process = await asyncio.create_subprocess_exec(
            *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=600)
        if process.returncode != 0:
            raise RuntimeError(f"the measured process failed:\n{err.decode()}")
        child = json.loads(out.decode().splitlines()[-1])
    figures = {
        "benchmark": "rituals_schedule",
        "smoke": bool(args.smoke),
        "database": "postgresql" if args.postgres or "postgres" in url else "sqlite",
        "rituals": scale.rituals,
        "workspaces": scale.workspaces,
        "due_together": scale.due,
        "load_seconds": round(load_seconds, 3),
        **child,
        "targets": {
            "startup_seconds": TARGET_STARTUP_SECONDS,
            "rss_mb": TARGET_RSS_MB,
            "lag_p99_seconds": TARGET_P99_LAG_SECONDS,
        },
    }
    figures["meets_targets"] = bool(
        figures["startup_seconds"] < TARGET_STARTUP_SECONDS
        and figures["rss_mb"] < TARGET_RSS_MB
        and figures["lag_p99_seconds"] < TARGET_P99_LAG_SECONDS
        and figures["claimed"] == scale.due
    )
    return figures


# --- the child: a Hearth starting up, then firing ------------------------------------


class ShiftedClock:
    """The system clock, moved by an offset (the smoke run's way to reach T at once)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


def rss_mb() -> tuple[float, float]:
    """The current and the peak resident set size of this process, in MB."""
    current = 0.0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            current = int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return current, peak


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    due_at = datetime.fromisoformat(args.due_at)
    scale = SMOKE if args.smoke else FULL
    clock = ShiftedClock()
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as folder:
        settings = Settings.from_env(
            {
                "HEARTH_DATABASE_URL": args.database,
                "HEARTH_DATA_DIR": folder,
                "HEARTH_INSTANCE": "bench",
                "HEARTH_LOG_LEVEL": "WARNING",
            }
        )
        started = time.perf_counter()
        async with open_hearth(settings, clock=clock, migrate=False) as hearth:
            live = hearth.live()
            await live.start()
            startup = time.perf_counter() - started
            process_startup = time.time() - float(args.spawned)
            current, peak = rss_mb()
            jobs = len(hearth.scheduler.jobs)
            late_start = clock.now() >= due_at
            if args.smoke:
                await live.stop()
                clock.offset = due_at - datetime.now(UTC) - timedelta(seconds=0.2)
                await asyncio.sleep(0.3)
                await hearth.scheduler.run_due()
            else:
                await wait_for_claims(hearth.storage, due_at, scale.due)
                await live.stop()
            lags = await claim_lags(hearth.storage, due_at)
    return {
        "jobs": jobs,
        "startup_seconds": round(startup, 3),
        "process_startup_seconds": round(process_startup, 3),
        "rss_mb": round(current, 1),
        "peak_rss_mb": round(peak, 1),
        "late_start": late_start,
        "claimed": len(lags),
        "lag_min_seconds": round(min(lags), 3) if lags else None,
        "lag_p50_seconds": round(statistics.median(lags), 3) if lags else None,
        "lag_p99_seconds": round(percentile(lags, 0.99), 3) if lags else None,
        "lag_max_seconds": round(max(lags), 3) if lags else None,
    }


async def wait_for_claims(storage: Any, due_at: datetime, count: int) -> None:
    """Wait for T, then until the due slots are claimed (or a minute has passed)."""
    await asyncio.sleep(max(0.0, (due_at - datetime.now(UTC)).total_seconds()))
    for _ in range(300):  # a minute at most
        if len(await claim_lags(storage, due_at)) >= count:
            return
        await asyncio.sleep(0.2)


async def claim_lags(storage: Any, due_at: datetime) -> list[float]:
    """Seconds from T to the claim of each ritual's own slot at T."""
    async with storage.session_factory() as session:
        rows = await session.execute(
            select(RunRow.claimed_at).where(
                RunRow.scheduled_for == due_at, RunRow.job_key.not_like("%:%:%")
            )
        )
        return [(claimed - due_at).total_seconds() for (claimed,) in rows]


# --- the command line ------------------------------------------------------------------


def report(figures: dict[str, Any]) -> None:
    print(
        f"{figures['rituals']} rituals in {figures['workspaces']} workspaces "
        f"({figures['jobs']} jobs) on {figures['database']}"
    )
    print(
        f"start-up: {figures['startup_seconds']} s until every job is scheduled "
        f"({figures['process_startup_seconds']} s from the process's start)"
    )
    print(f"memory: {figures['rss_mb']} MB resident once started, {figures['peak_rss_mb']} MB peak")
    print(
        f"{figures['claimed']} of {figures['due_together']} due at once claimed; lag to claim "
        f"min {figures['lag_min_seconds']} s, p50 {figures['lag_p50_seconds']} s, "
        f"p99 {figures['lag_p99_seconds']} s, "
        f"max {figures['lag_max_seconds']} s"
    )


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.rituals_schedule",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument("--smoke", action="store_true", help="200 rituals, for the tests")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database", metavar="URL", help="an empty database to build on")
    where.add_argument(
        "--postgres",
        nargs="?",
        const=DEFAULT_POSTGRES_SERVER,
        metavar="SERVER_URL",
        help=f"create a fresh database on this server and drop it after "
        f"(default {DEFAULT_POSTGRES_SERVER})",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--due-at", help=argparse.SUPPRESS)
    parser.add_argument("--spawned", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> int:
    if args.child:
        print(json.dumps(await measure(args)))
        return 0
    figures = await benchmark(args)
    report(figures)
    print(json.dumps(figures))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return asyncio.run(run(parse(argv)))


if __name__ == "__main__":
    sys.exit(main())
