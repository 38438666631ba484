"""Three real Hearth processes on one database fire every ritual slot exactly once.

Each worker (`tests/rituals/worker.py`, started with `sys.executable`) runs
the real scheduler, claims and outbox over the same rituals, on a fast
clock they all share (one real second is five minutes). One worker is
killed (SIGKILL) in the middle of a ritual run: after claiming the slot and
queueing its messages, before its transaction commits. The slot is then
fired by another worker, and every slot is posted exactly once, however the
other two race: on one
SQLite file, and on one PostgreSQL database when HEARTH_TEST_POSTGRES_URL
names a server.
"""

from __future__ import annotations

import asyncio
import os
import select
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select as query

from bot.chat import Member, Platform, Workspace, WorkspaceRef
from bot.rituals.domain import Draft, Kind, Ritual
from bot.rituals.moments import message_key
from bot.runs import RunStatus
from bot.schedule import fire_times
from storage import open_storage, upgrade
from storage.core import RunRow
from tests.storage.conftest import POSTGRES_URL, fresh_postgres_database

ROOT = Path(__file__).resolve().parents[2]
BASE = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
SPEED = 300.0  # virtual seconds per real second: a five-minute slot every second
SPAN = timedelta(minutes=20)
STARTUP = 3.0  # real seconds for the workers to import and connect before time starts
WORKSPACE = WorkspaceRef(Platform.LOCAL, "acme")
RITUALS = [
    (Kind.WATERCOOLER, "cron */5 * * * *", {}),
    (Kind.CUSTOM, "cron */5 * * * *", {"text": "tick"}),
    (Kind.SPOTLIGHT, "cron */10 * * * *", {"lead": "5m", "newcomers": "0"}),
    (Kind.CHECKIN, "cron */15 * * * *", {"summary": "5m", "text": "How is it going?"}),
    (Kind.CELEBRATION, "cron */10 * * * *", {}),
]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/hearth.db"
        return
    server = os.environ.get(POSTGRES_URL)
    if not server:
        pytest.skip(f"set {POSTGRES_URL} to race real processes on PostgreSQL")
    async with fresh_postgres_database(server) as url:
        yield url


async def prepare(url: str) -> list[Ritual]:
    await upgrade(url)
    async with await open_storage(url) as storage:
        await storage.roster.save_workspace(Workspace(ref=WORKSPACE, name="acme"))
        for name in ("ana", "bob", "li", "kai"):
            joined = BASE - timedelta(days=100)
            await storage.roster.save_member(Member(WORKSPACE.member(name), name, joined_at=joined))
        return [
            await storage.rituals.add(
                Draft(
                    workspace=WORKSPACE,
                    kind=kind,
                    schedule=schedule,
                    timezone="Europe/Paris",
                    channel="team",
                    created_by="ana",
                    created_at=BASE - timedelta(minutes=1),
                    options=options,
                )
            )
            for kind, schedule, options in RITUALS
        ]


@dataclass
class Worker:
    name: str
    process: subprocess.Popen[str]
    log: Path

    def wait_for(self, prefix: str, *, timeout: float) -> str:
        """The first line the worker prints that starts with `prefix`."""
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.process.stdout], [], [], left)
            if not ready:
                break
            line = self.process.stdout.readline()
            if not line:
                break
            if line.startswith(prefix):
                return line.strip()
        if self.process.poll() is not None:
            raise AssertionError(f"{self.name} stopped: {self.log.read_text()}")
        raise AssertionError(f"{self.name} never printed {prefix!r}")


def start(
    name: str, *, url: str, folder: Path, wall0: float, linger: int = 0, join_after: float = 0
) -> Worker:
    """A worker process; what it logs goes to `<name>.log` in `folder`."""
    command = [
        sys.executable,
        "-m",
        "tests.rituals.worker",
        f"--database={url}",
        f"--data-dir={folder}",
        f"--name={name}",
        f"--base={BASE.isoformat()}",
        f"--wall0={wall0}",
        f"--speed={SPEED}",
        f"--until={(BASE + SPAN).isoformat()}",
        f"--sent={folder / 'sent.log'}",
        f"--linger-in-run={linger}",
        f"--join-after={join_after}",
    ]
    with (folder / f"{name}.log").open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True)
    return Worker(name, process, folder / f"{name}.log")


async def runs_of(url: str) -> list[tuple[str, datetime, str, str | None]]:
    async with await open_storage(url) as storage, storage.session_factory() as session:
        rows = await session.execute(
            query(RunRow.job_key, RunRow.scheduled_for, RunRow.status, RunRow.owner)
        )
        return [(key, slot, status, owner) for key, slot, status, owner in rows]


async def test_three_processes_post_every_slot_once_though_one_is_killed_mid_run(
    database_url: str, tmp_path: Path
) -> None:
    rituals = await prepare(database_url)
    wall0 = time.time() + STARTUP
    # w0 fires alone for the first virtual minute, so it surely holds a run when it
    # dies; w1 and w2 join then, and race for every slot after.
    workers = [
        start("w0", url=database_url, folder=tmp_path, wall0=wall0, linger=1),
        *(
            start(f"w{n}", url=database_url, folder=tmp_path, wall0=wall0, join_after=1)
            for n in (1, 2)
        ),
    ]
    try:
        lingering = await asyncio.to_thread(workers[0].wait_for, "in-run", timeout=30)
        workers[0].process.kill()  # SIGKILL, its transaction open
        await asyncio.to_thread(workers[0].process.wait, 10)
        for worker in workers[1:]:
            code = await asyncio.to_thread(worker.process.wait, 60)
            assert code == 0, worker.log.read_text()
    finally:
        for worker in workers:
            if worker.process.poll() is None:
                worker.process.kill()
                worker.process.wait()
            if worker.process.stdout is not None:
                worker.process.stdout.close()

    sent = Counter(
        line.split("\t")[1]
        for line in (tmp_path / "sent.log").read_text(encoding="utf-8").splitlines()
    )
    assert sent, "nothing was posted"
    assert [key for key, count in sent.items() if count != 1] == []

    end = BASE + SPAN
    expected = [
        (ritual.key, message_key(ritual, "", slot), slot)
        for ritual in rituals
        for slot in fire_times(ritual.recurrence(), BASE - timedelta(minutes=1), 100)
        if slot <= end
    ]
    assert len(expected) == 5 + 5 + 3 + 2 + 3  # both ends included
    missing = [message for _, message, _ in expected if message not in sent]
    assert missing == []

    runs = await runs_of(database_url)
    done = {(key, slot) for key, slot, status, _ in runs if status == RunStatus.DONE}
    assert [(key, slot) for key, _, slot in expected if (key, slot) not in done] == []
    assert [row for row in runs if row[2] != RunStatus.DONE and row[1] <= end] == []
    _, key, slot = lingering.split()
    owners = {owner for k, s, _, owner in runs if k == key and s == datetime.fromisoformat(slot)}
    assert len(owners) == 1, "the slot the killed worker held was never fired"
    assert owners != {"w0"}
    assert {owner for *_, owner in runs} <= {"w0", "w1", "w2"}
