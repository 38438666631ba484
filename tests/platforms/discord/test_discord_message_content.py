"""Message-based kudos need the privileged message content intent, and only they do.

With DISCORD_MESSAGE_CONTENT on (and the intent switched on for the app),
`@someone++` in a message gives kudos and deleting the message takes them
back. Asking for an intent the app was not granted stops `hearth run`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.platforms.discord.client import pointed_at
from tests.platforms.discord.conftest import (
    ANA,
    BOB,
    GENERAL,
    GUILD,
    Starter,
    discord_settings,
    eventually,
    posts_in,
)
from tests.platforms.discord.emulator import DiscordEmulator
from tests.platforms.discord.interactions import Option

MESSAGE_CONTENT = 1 << 15


@pytest.fixture
async def discord_server() -> AsyncIterator[DiscordEmulator]:
    """The emulator, with message content switched on for the app."""
    async with DiscordEmulator(privileged_intents=("members", "message_content")) as fake:
        fake.add_guild(GUILD, "Hearth HQ", owner_id=ANA)
        fake.add_member(GUILD, ANA, "ana")
        fake.add_member(GUILD, BOB, "bob")
        fake.add_channel(GUILD, GENERAL, "general")
        with pointed_at(fake):
            yield fake


async def test_a_message_gives_kudos_and_deleting_it_takes_them_back(
    discord_server: DiscordEmulator, start_hearth: Starter, tmp_path: Path
) -> None:
    settings = discord_settings(discord_server, tmp_path, DISCORD_MESSAGE_CONTENT="yes")
    await start_hearth(settings=settings)
    assert discord_server.identify_payloads[0]["intents"] & MESSAGE_CONTENT

    posted = await discord_server.user_posts(GENERAL, ANA, f"<@{BOB}>++ for the fix")
    await eventually(lambda: any("gave kudos" in t for t in posts_in(discord_server, GENERAL)))
    await discord_server.user_deletes(GENERAL, int(posted["id"]))
    me = discord_server.command_interaction("kudos me", channel_id=GENERAL, user_id=BOB)
    await discord_server.dispatch("INTERACTION_CREATE", me)

    await eventually(
        lambda: any(
            "Received: 0" in str(m.get("content"))
            for m in discord_server.messages_in(GENERAL, ephemeral=True)
        )
    )


async def test_without_the_setting_hearth_does_not_ask_for_message_content(
    discord_server: DiscordEmulator, start_hearth: Starter
) -> None:
    await start_hearth()

    assert not discord_server.identify_payloads[0]["intents"] & MESSAGE_CONTENT
    await discord_server.user_posts(GENERAL, ANA, f"<@{BOB}>++ for the fix")
    kudos = discord_server.command_interaction(
        "kudos board", channel_id=GENERAL, user_id=BOB, options=[Option.string("period", "all")]
    )
    await discord_server.dispatch("INTERACTION_CREATE", kudos)
    await eventually(lambda: len(discord_server.callbacks_for(int(kudos["id"]))) == 1)
    assert not any("gave kudos" in t for t in posts_in(discord_server, GENERAL))


async def test_an_intent_the_app_was_not_granted_stops_the_run(
    start_hearth: Starter, tmp_path: Path
) -> None:
    async with DiscordEmulator(privileged_intents=("members",)) as fake:
        fake.add_guild(GUILD, "Hearth HQ", owner_id=ANA)
        fake.add_member(GUILD, ANA, "ana")
        with pointed_at(fake):
            settings = discord_settings(fake, tmp_path, DISCORD_MESSAGE_CONTENT="yes")
            running = await start_hearth(settings=settings, connect=False)

            assert await asyncio.wait_for(running.task, timeout=15) == 1
        assert fake.disconnections[0].code == 4014
