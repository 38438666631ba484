"""A local Slack and a running Hearth connected to it over real HTTP.

`slack` is the Web API emulator seeded with one team; `hearth` starts
`hearth run --http` in this process (the same `bot.runner.run`) on a free
loopback port, pointed at the emulator, and hands tests a driver that signs
its requests like Slack does.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.app import Hearth
from bot.features import Feature
from bot.runner import run
from bot.schedule import Clock
from bot.settings import Settings
from tests.platforms.slack.driver import SlackDriver
from tests.platforms.slack.emulator import SlackEmulator
from tests.probe import Probe, build

TEAM = "T0HEARTH"
BOT_TOKEN = "xoxb-hearth-test"
APP_TOKEN = "xapp-hearth-test"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
GENERAL = "C0GENERAL"
SECRET = "C0SECRET"  # the bot is not a member
ANA, BOB, CAROL = "U0ANA", "U0BOB", "U0CAROL"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def slack() -> AsyncIterator[SlackEmulator]:
    async with SlackEmulator(bot_token=BOT_TOKEN, app_token=APP_TOKEN) as emulator:
        emulator.add_team(TEAM, name="Acme")
        emulator.add_user(TEAM, ANA, name="ana", tz="Europe/Paris", locale="en-US", is_admin=True)
        emulator.add_user(TEAM, BOB, name="bob", tz="America/New_York", locale="en-US")
        emulator.add_user(TEAM, CAROL, name="carol", tz="Europe/Paris", locale="fr-FR")
        emulator.add_channel(TEAM, GENERAL, "general", members=[ANA, BOB, CAROL])
        emulator.add_channel(TEAM, SECRET, "secret", members=[ANA], bot_member=False)
        yield emulator


def slack_settings(tmp_path: Path, slack: SlackEmulator, **extra: str) -> Settings:
    return Settings.from_env(
        {
            "HEARTH_DATA_DIR": str(tmp_path),
            "HEARTH_INSTANCE": "slack-test",
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
            **extra,
        }
    )


@dataclass
class Running:
    """One `hearth run --http` in this process, until `stop`."""

    hearth: Hearth
    driver: SlackDriver
    probe: Probe
    task: asyncio.Task[int]
    stop_event: asyncio.Event
    stopped: bool = field(default=False)

    async def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            self.stop_event.set()
            await asyncio.wait_for(self.task, timeout=30)


Starter = Callable[..., Awaitable[Running]]


@pytest.fixture
async def start_hearth(tmp_path: Path, slack: SlackEmulator) -> AsyncIterator[Starter]:
    runs: list[Running] = []

    async def start(
        *,
        workers: int = 1,
        clock: Clock | None = None,
        features: tuple[Feature, ...] = (),
        socket_mode: bool = False,
    ) -> Running:
        port = free_port()
        settings = slack_settings(tmp_path, slack)
        if socket_mode:
            settings = slack_settings(tmp_path, slack, SLACK_APP_TOKEN=APP_TOKEN)
        probe = Probe(weekly_in=[])
        ready: asyncio.Future[Hearth] = asyncio.get_running_loop().create_future()
        stop = asyncio.Event()

        async def on_ready(hearth: Hearth) -> None:
            ready.set_result(hearth)

        task = asyncio.create_task(
            run(
                settings,
                http=not socket_mode,
                port=port,
                ready=on_ready,
                stop=stop,
                clock=clock,
                extra_features=(build(probe), *features),
                workers=workers,
            )
        )
        done, _ = await asyncio.wait([ready, task], timeout=30, return_when="FIRST_COMPLETED")
        if task in done:
            task.result()  # raises what stopped it
        hearth = ready.result()
        driver = SlackDriver(f"http://127.0.0.1:{port}", SIGNING_SECRET, slack=slack)
        if not socket_mode:
            await driver.wait_until_up()
        running = Running(hearth, driver, probe, task, stop)
        runs.append(running)
        return running

    yield start
    for running in runs:
        with contextlib.suppress(Exception):
            await running.stop()
        await running.driver.close()


@pytest.fixture
async def hearth(start_hearth: Starter) -> Running:
    return await start_hearth()


async def eventually(check: Callable[[], bool], *, within: float = 15) -> None:
    """Wait until `check()` holds: Hearth answers Slack after acknowledging it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not check():
        if loop.time() > deadline:
            raise AssertionError("timed out waiting for Hearth")
        await asyncio.sleep(0.02)
