"""A local Discord and a running Hearth connected to it with the real discord.py client.

`discord_server` is the emulator seeded with one server (ana owns it, bob
and carol are members; #general, and #announcements where the bot may not
post); `start_hearth` runs `hearth run` in this process (the same
`bot.runner.run`) with DISCORD_API_URL and DISCORD_GATEWAY_URL pointed at
it, and the probe feature added.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import Hearth
from bot.chat import Platform, WorkspaceRef
from bot.features import Feature
from bot.platforms.discord import GatewayTuning
from bot.runner import run
from bot.schedule import Clock
from bot.settings import Settings
from tests.platforms.discord.client import GUILD_READY_TIMEOUT, pointed_at
from tests.platforms.discord.emulator import DiscordEmulator
from tests.probe import Probe, build

GUILD, GENERAL, ANNOUNCEMENTS, MENTORS = 4100, 4200, 4201, 4300
ANA, BOB, CAROL, DANA = 5100, 5101, 5102, 5103
WORKSPACE = WorkspaceRef(Platform.DISCORD, str(GUILD))
EPHEMERAL, LOADING = 1 << 6, 1 << 7
FAST = GatewayTuning(lease_term=timedelta(seconds=1), guild_ready_timeout=GUILD_READY_TIMEOUT)

Json = dict[str, Any]
ESCAPED = re.compile(r"\\(.)")


@pytest.fixture
async def discord_server() -> AsyncIterator[DiscordEmulator]:
    async with DiscordEmulator() as fake:
        fake.add_guild(GUILD, "Hearth HQ", owner_id=ANA)
        fake.add_role(GUILD, MENTORS, "mentors", mentionable=True)
        fake.add_member(GUILD, ANA, "ana")
        fake.add_member(GUILD, BOB, "bob", nick="Bobby")
        fake.add_member(GUILD, CAROL, "carol")
        fake.add_channel(GUILD, GENERAL, "general")
        fake.add_channel(GUILD, ANNOUNCEMENTS, "announcements", can_post=False)
        # Every Hearth started in a test points discord.py here and restores what it
        # found on the way out: what it finds is this, whatever order they stop in.
        with pointed_at(fake):
            yield fake


class Connections(logging.Handler):
    """Counts the times a Hearth finished connecting (its on_ready ran to the end)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("connected to Discord"):
            self.count += 1


@contextlib.contextmanager
def counted_connections() -> Iterator[Connections]:
    logger = logging.getLogger("bot.platforms.discord")
    handler, level = Connections(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def discord_settings(fake: DiscordEmulator, tmp_path: Path, **extra: str) -> Settings:
    return Settings.from_env(
        {
            "HEARTH_DATA_DIR": str(tmp_path),
            "HEARTH_INSTANCE": "discord-test",
            "DISCORD_TOKEN": fake.token,
            "DISCORD_API_URL": fake.api_url,
            "DISCORD_GATEWAY_URL": fake.gateway_url,
            **extra,
        }
    )


@dataclass
class Running:
    """One `hearth run` in this process, until `stop`."""

    hearth: Hearth
    probe: Probe
    task: asyncio.Task[int]
    stop_event: asyncio.Event
    stopped: bool = field(default=False)

    async def stop(self) -> int:
        if not self.stopped:
            self.stopped = True
            self.stop_event.set()
        return await asyncio.wait_for(self.task, timeout=30)


Starter = Callable[..., Awaitable[Running]]


@pytest.fixture
def connections() -> Iterator[Connections]:
    with counted_connections() as counted:
        yield counted


@pytest.fixture
async def start_hearth(
    tmp_path: Path, discord_server: DiscordEmulator, connections: Connections
) -> AsyncIterator[Starter]:
    runs: list[Running] = []

    async def start(
        *,
        clock: Clock | None = None,
        weekly: bool = False,
        connect: bool = True,
        settings: Settings | None = None,
        features: tuple[Feature, ...] = (),
    ) -> Running:
        chosen = settings or discord_settings(discord_server, tmp_path)
        probe = Probe(weekly_in=[WORKSPACE] if weekly else [])
        ready: asyncio.Future[Hearth] = asyncio.get_running_loop().create_future()
        stop = asyncio.Event()
        seen = connections.count

        async def on_ready(hearth: Hearth) -> None:
            ready.set_result(hearth)

        task = asyncio.create_task(
            run(
                chosen,
                http=False,
                ready=on_ready,
                stop=stop,
                clock=clock,
                extra_features=(build(probe), *features),
                discord=FAST,
            )
        )
        done, _ = await asyncio.wait([ready, task], timeout=30, return_when="FIRST_COMPLETED")
        if task in done:
            task.result()  # raises what stopped it
        running = Running(ready.result(), probe, task, stop)
        runs.append(running)
        if connect:
            await eventually(lambda: connections.count > seen)
        return running

    yield start
    for running in runs:
        with contextlib.suppress(Exception):
            await running.stop()


@pytest.fixture
async def hearth(start_hearth: Starter) -> Running:
    return await start_hearth()


async def eventually(check: Callable[[], bool], *, within: float = 15) -> None:
    """Wait until `check()` holds: Hearth answers Discord after it has claimed the event."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not check():
        if loop.time() > deadline:
            raise AssertionError("timed out waiting for Hearth")
        await asyncio.sleep(0.01)


def text_of(message: Json) -> str:
    """What a member reads in a message: its content and its embeds' descriptions,
    with Markdown escapes shown as the characters they escape."""
    parts = [str(message.get("content") or "")]
    parts += [str(e.get("description") or "") for e in message.get("embeds") or []]
    return ESCAPED.sub(r"\1", "\n".join(p for p in parts if p))


def posts_in(fake: DiscordEmulator, channel: int) -> list[str]:
    """Messages everyone in the channel sees, not the ephemeral ones."""
    return [text_of(m) for m in fake.messages_in(channel)]


def dms_to(fake: DiscordEmulator, user: int) -> list[str]:
    return posts_in(fake, fake.world.dm_with(user).id)


def answers_to(fake: DiscordEmulator, interaction: Json) -> list[str]:
    """What only the member who interacted saw in answer (filled in, not "thinking")."""
    channel = int(interaction["channel_id"])
    return [
        text_of(m)
        for m in fake.messages_in(channel, ephemeral=True)
        if (m.get("interaction_metadata") or {}).get("id") == interaction["id"]
        and m["flags"] & EPHEMERAL
        and not m["flags"] & LOADING
    ]
