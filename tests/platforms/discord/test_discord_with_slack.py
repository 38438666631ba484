"""One `hearth run` serves Slack and Discord at once, each workspace on its own platform."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import Hearth
from bot.runner import run
from tests.platforms.discord.conftest import (
    ANA,
    FAST,
    GENERAL,
    Connections,
    discord_settings,
    eventually,
    posts_in,
)
from tests.platforms.discord.emulator import DiscordEmulator
from tests.platforms.discord.interactions import Option
from tests.platforms.slack.conftest import BOT_TOKEN, SIGNING_SECRET, free_port
from tests.platforms.slack.driver import SlackDriver
from tests.platforms.slack.emulator import SlackEmulator
from tests.probe import Probe, build

TEAM, SLACK_GENERAL, SLACK_ANA = "T0BOTH", "C0GENERAL", "U0ANA"


@pytest.fixture
async def slack() -> AsyncIterator[SlackEmulator]:
    async with SlackEmulator(bot_token=BOT_TOKEN) as emulator:
        emulator.add_team(TEAM, name="Acme")
        emulator.add_user(TEAM, SLACK_ANA, name="ana", tz="Europe/Paris", is_admin=True)
        emulator.add_channel(TEAM, SLACK_GENERAL, "general", members=[SLACK_ANA])
        yield emulator


async def test_slack_and_discord_are_served_by_one_process(
    discord_server: DiscordEmulator,
    slack: SlackEmulator,
    connections: Connections,
    tmp_path: Path,
) -> None:
    settings = discord_settings(
        discord_server,
        tmp_path,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.api_url,
    )
    port, stop = free_port(), asyncio.Event()
    ready: asyncio.Future[Hearth] = asyncio.get_running_loop().create_future()

    async def on_ready(hearth: Hearth) -> None:
        ready.set_result(hearth)

    serving = asyncio.create_task(
        run(
            settings,
            http=True,
            port=port,
            ready=on_ready,
            stop=stop,
            extra_features=(build(Probe(weekly_in=[])),),
            discord=FAST,
        )
    )
    async with SlackDriver(f"http://127.0.0.1:{port}", SIGNING_SECRET, slack=slack) as driver:
        try:
            await asyncio.wait_for(ready, 30)
            await driver.wait_until_up()
            await eventually(lambda: connections.count == 1)

            await driver.command(TEAM, SLACK_ANA, "/probe", "from slack", channel=SLACK_GENERAL)
            invoked = discord_server.command_interaction(
                "probe", channel_id=GENERAL, user_id=ANA, options=[Option.string("text", "x")]
            )
            await discord_server.dispatch("INTERACTION_CREATE", invoked)

            await eventually(lambda: posts_in(discord_server, GENERAL) == ["probe heard x"])
            await eventually(lambda: len(slack.calls_to("chat.postMessage")) == 1)
        finally:
            stop.set()
            assert await asyncio.wait_for(serving, 30) == 0
    [posted] = slack.calls_to("chat.postMessage")
    assert posted.args["channel"] == SLACK_GENERAL
    assert "probe heard from slack" in str(posted.args)
