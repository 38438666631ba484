"""Kudos per second through the whole local workspace pipeline.

Each command is typed as a script line and goes the way a real one does:
parsed, turned into an event, claimed in the inbox, checked against the
rules, recorded, celebrated through the outbox and rendered, on a SQLite
file. Lines are played `--batch` at a time through the local workspace's
`apply_many`, as an adapter would hand over the events that arrived
together: one inbox claim for the batch, one transaction with a savepoint
per handler, one delivery pass (`--batch 1` plays them one by one through
`apply`, the single-event path). The floor to compare with, in the same
run: the same number of rows inserted by plain sqlite3, one transaction
per row.

    python -m bench.kudos_throughput            # 10,000 kudos, 100 to a batch
    python -m bench.kudos_throughput --batch 1  # one event at a time
    python -m bench.kudos_throughput --smoke    # a few hundred, for the test suite

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bot.app import open_hearth
from bot.platforms import script
from bot.platforms.local import LocalWorkspace
from bot.schedule import SimulatedClock
from bot.settings import Settings

TARGET_PER_SECOND = 1000
MEMBERS = 100
BATCH = 100


def setup_lines() -> list[str]:
    lines = [
        "workspace bench tz=Europe/Paris kudos.allowance=1000000 kudos.manager_allowance=1000000",
        *(f"member m{i}" for i in range(MEMBERS)),
        "in #general",
    ]
    return lines


def kudos_lines(count: int, rng: random.Random) -> list[str]:
    lines = []
    for _ in range(count):
        giver, receiver = rng.sample(range(MEMBERS), 2)
        lines.append(f"m{giver}: /kudos @m{receiver} for the review #teamwork")
    return lines


async def pipeline(count: int, folder: Path, *, batch: int) -> dict[str, float]:
    settings = Settings.from_env(
        {"HEARTH_DATA_DIR": str(folder), "HEARTH_INSTANCE": "bench", "HEARTH_LOG_LEVEL": "ERROR"}
    )
    clock = SimulatedClock(datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
    rng = random.Random(7)
    steps = [script.parse_line(line, n) for n, line in enumerate(setup_lines(), start=1)]
    commands = kudos_lines(count, rng)
    written = 0

    def sink(line: str) -> None:
        nonlocal written
        written += 1

    async with open_hearth(settings, clock=clock, rng=rng) as hearth:
        local = LocalWorkspace(hearth, write=sink)
        for step in steps:
            assert step is not None
            await local.apply(step)
        started = time.perf_counter()
        for first in range(0, count, batch):
            lines = enumerate(commands[first : first + batch], start=first + 1)
            parsed = [script.parse_line(line, number) for number, line in lines]
            played = [step for step in parsed if step is not None]
            if batch == 1:
                await local.apply(played[0])
            else:
                await local.apply_many(played)
        elapsed = time.perf_counter() - started
        stored = len(
            await hearth.storage.kudos.between(
                local.workspace, start=None, end=datetime(9999, 1, 1, tzinfo=UTC)
            )
        )
    if stored != count:
        raise SystemExit(f"expected {count} kudos stored, found {stored}")
    return {"seconds": elapsed, "per_second": count / elapsed, "lines_printed": written}


def sqlite_floor(count: int, folder: Path) -> dict[str, float]:
    """The same rows, inserted by plain sqlite3 in one transaction each (WAL, NORMAL)."""
    connection = sqlite3.connect(folder / "floor.db", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(
        "CREATE TABLE kudos (id INTEGER PRIMARY KEY, workspace TEXT, giver TEXT, receiver TEXT,"
        " reason TEXT, given_at TEXT)"
    )
    started = time.perf_counter()
    for i in range(count):
        connection.execute("BEGIN")
        connection.execute(
            "INSERT INTO kudos (workspace, giver, receiver, reason, given_at) VALUES (?,?,?,?,?)",
            ("bench", f"m{i % MEMBERS}", f"m{(i + 1) % MEMBERS}", "for the review", "2026-12-01"),
        )
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return {"seconds": elapsed, "per_second": count / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--smoke", action="store_true", help="a few hundred kudos, for tests")
    parser.add_argument("--count", type=int, default=None)
    parser.add_argument("--batch", type=int, default=BATCH, help="lines handled together")
    args = parser.parse_args()
    count = args.count or (300 if args.smoke else 10_000)
    batch = max(args.batch, 1)
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as folder:
        measured = asyncio.run(pipeline(count, Path(folder), batch=batch))
        floor = sqlite_floor(count, Path(folder))
    print(
        f"{count} kudos through the local workspace pipeline, {batch} to a batch,"
        f" in {measured['seconds']:.2f} s"
    )
    print(f"  {measured['per_second']:.0f} kudos/s (target {TARGET_PER_SECOND}/s)")
    print(f"  plain sqlite3, one transaction per row: {floor['per_second']:.0f} rows/s")
    figures = {
        "benchmark": "kudos_throughput",
        "smoke": args.smoke,
        "kudos": count,
        "batch": batch,
        "pipeline_seconds": round(measured["seconds"], 3),
        "kudos_per_second": round(measured["per_second"], 1),
        "sqlite3_rows_per_second": round(floor["per_second"], 1),
        "lines_printed": measured["lines_printed"],
        "target_per_second": TARGET_PER_SECOND,
        "meets_target": measured["per_second"] >= TARGET_PER_SECOND,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
