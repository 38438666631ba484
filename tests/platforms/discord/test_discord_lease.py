"""One gateway session however many Hearth processes share a database.

Two `hearth run`s on one database (a SQLite file, and PostgreSQL when
HEARTH_TEST_POSTGRES_URL is set): only the lease holder identifies on the
gateway; when it stops, the other connects within a term and a half of
the lease (terms of one second here, forty by default).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.settings import Settings
from tests.platforms.discord.conftest import (
    ANA,
    FAST,
    GENERAL,
    Connections,
    Starter,
    discord_settings,
    eventually,
    posts_in,
)
from tests.platforms.discord.emulator import DiscordEmulator
from tests.platforms.discord.interactions import Option
from tests.storage.conftest import POSTGRES_URL, fresh_postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def shared_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/shared.db"
        return
    server = os.environ.get(POSTGRES_URL)
    if not server:
        pytest.skip(f"set {POSTGRES_URL} to run the lease on PostgreSQL")
    async with fresh_postgres_database(server) as url:
        yield url


def instance(fake: DiscordEmulator, tmp_path: Path, database: str, name: str) -> Settings:
    return discord_settings(
        fake, tmp_path / name, HEARTH_DATABASE_URL=database, HEARTH_INSTANCE=name
    )


async def test_only_the_lease_holder_connects_and_another_takes_over_when_it_stops(
    discord_server: DiscordEmulator,
    start_hearth: Starter,
    connections: Connections,
    tmp_path: Path,
    shared_database: str,
) -> None:
    first = await start_hearth(settings=instance(discord_server, tmp_path, shared_database, "a"))
    await start_hearth(
        settings=instance(discord_server, tmp_path, shared_database, "b"), connect=False
    )
    # Nothing announces that a process stayed away: give the standby a few renewals.
    await asyncio.sleep(FAST.lease_term.total_seconds())
    assert len(discord_server.identify_payloads) == 1

    assert await first.stop() == 0

    await eventually(lambda: connections.count == 2)
    assert len(discord_server.identify_payloads) == 2
    invoked = discord_server.command_interaction(
        "probe", channel_id=GENERAL, user_id=ANA, options=[Option.string("text", "still here")]
    )
    await discord_server.dispatch("INTERACTION_CREATE", invoked)
    await eventually(lambda: "probe heard still here" in posts_in(discord_server, GENERAL))
