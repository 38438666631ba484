"""One Hearth process for the multi-process ritual tests: `python -m tests.rituals.worker`.

It opens the shared database, runs the real scheduler over every ritual
there on a fast clock that all workers share (virtual time = base + real
seconds since `wall0` times `speed`), delivers what it queues through a
transport that appends one line per sent message to a shared file, and
stops once virtual time passes `until`. With `--linger-in-run N` it stops
inside its N-th ritual run, after the run is claimed and its messages
queued but before that transaction commits, prints `in-run <key>` and
waits there to be killed. With `--join-after M` it starts firing only M
virtual minutes after `base`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from bot.app import open_hearth
from bot.chat import Message, Platform, WorkspaceRef
from bot.dialects import PLAIN
from bot.features import Job
from bot.outbox import Posted
from bot.settings import Settings

REFRESH_EVERY = 1.0  # real seconds between reloads of the rituals


class FastClock:
    def __init__(self, base: datetime, wall0: float, speed: float) -> None:
        self._base, self._wall0, self._speed = base, wall0, speed

    def now(self) -> datetime:
        elapsed = max(0.0, time.time() - self._wall0)
        return self._base + timedelta(seconds=elapsed * self._speed)

    def real_seconds_until(self, moment: datetime) -> float:
        wall = self._wall0 + (moment - self._base).total_seconds() / self._speed
        return max(0.0, wall - time.time())


class RecordingTransport:
    """Sends by appending `<worker>\\t<message key>` to a file all workers share."""

    def __init__(self, path: Path, name: str, render: object) -> None:
        self._path = path
        self._name = name
        self._render = render

    async def send(
        self, workspace: WorkspaceRef, message: Message, *, thread: Posted | None
    ) -> Posted:
        self._render(message)  # type: ignore[operator]
        line = f"{self._name}\t{message.key}\n".encode()
        descriptor = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(descriptor, line)  # one write with O_APPEND: lines never interleave
        finally:
            os.close(descriptor)
        return Posted(channel=message.channel or "dm", message_id=uuid.uuid4().hex)


async def work(arguments: argparse.Namespace) -> int:
    clock = FastClock(
        datetime.fromisoformat(arguments.base), float(arguments.wall0), float(arguments.speed)
    )
    until = datetime.fromisoformat(arguments.until)
    settings = Settings.from_env(
        {
            "HEARTH_DATABASE_URL": arguments.database,
            "HEARTH_DATA_DIR": arguments.data_dir,
            "HEARTH_INSTANCE": arguments.name,
            "HEARTH_LOG_LEVEL": "WARNING",
        }
    )
    async with open_hearth(settings, clock=clock, migrate=False) as hearth:

        def render(message: Message) -> None:
            hearth.renderer.render(message, dialect=PLAIN, locale="en", timezone="UTC")

        hearth.connect(
            Platform.LOCAL, RecordingTransport(Path(arguments.sent), arguments.name, render)
        )
        if arguments.linger_in_run:
            runs = 0
            run_job = hearth.run_job

            async def lingering(job: Job, scheduled_for: datetime) -> None:
                nonlocal runs
                await run_job(job, scheduled_for)
                runs += 1
                if runs == arguments.linger_in_run:
                    print(f"in-run {job.key} {scheduled_for.isoformat()}", flush=True)
                    await asyncio.sleep(60)  # killed here, its transaction open

            hearth.run_job = lingering  # type: ignore[method-assign]
        await hearth.scheduler.refresh()
        print("ready", flush=True)
        refreshed = time.monotonic()
        begin = datetime.fromisoformat(arguments.base) + timedelta(minutes=arguments.join_after)
        await asyncio.sleep(clock.real_seconds_until(begin))
        while clock.now() <= until:
            if time.monotonic() - refreshed > REFRESH_EVERY:
                await hearth.scheduler.refresh()
                refreshed = time.monotonic()
            await hearth.scheduler.run_due()
            await hearth.deliver()
            await asyncio.sleep(0.01)
        await hearth.scheduler.run_due()  # the slots due at `until` itself
        await hearth.deliver()
    print("done", flush=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    for name in ("database", "data-dir", "name", "base", "wall0", "speed", "until", "sent"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--linger-in-run", type=int, default=0)
    parser.add_argument("--join-after", type=float, default=0.0, help="virtual minutes")
    return asyncio.run(work(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
