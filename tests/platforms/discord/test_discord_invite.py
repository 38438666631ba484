"""`hearth discord invite-url`: the OAuth2 URL with the scopes and permissions Hearth needs."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import discord
import pytest

from bot.cli import main
from tests.platforms.discord.emulator import APPLICATION_ID, DiscordEmulator

ROOT = Path(__file__).resolve().parents[3]
NEEDED = {
    "view_channel",
    "send_messages",
    "send_messages_in_threads",
    "create_public_threads",
    "embed_links",
    "attach_files",
    "read_message_history",
    "add_reactions",
}


def query_of(url: str) -> dict[str, list[str]]:
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "discord.com", "/oauth2/authorize")
    return parse_qs(parts.query)


def test_the_url_asks_for_the_bot_and_its_commands_and_exactly_eight_permissions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["discord", "invite-url"], environ={"DISCORD_APPLICATION_ID": "1234"})

    assert code == 0
    query = query_of(capsys.readouterr().out.strip())
    assert query["client_id"] == ["1234"]
    assert query["scope"] == ["bot applications.commands"]
    needed = discord.Permissions(**dict.fromkeys(NEEDED, True))
    assert int(query["permissions"][0]) == needed.value


async def test_without_an_application_id_it_asks_discord_with_the_token(tmp_path: Path) -> None:
    async with DiscordEmulator() as fake:
        environment = {
            **os.environ,
            "HEARTH_DATA_DIR": str(tmp_path),
            "DISCORD_TOKEN": fake.token,
            "DISCORD_API_URL": fake.api_url,
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "discord",
            "invite-url",
            cwd=ROOT,
            env=environment,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=60)

    assert process.returncode == 0, err.decode()
    assert query_of(out.decode().strip())["client_id"] == [str(APPLICATION_ID)]
    assert fake.requests_to("GET", "/oauth2/applications/@me")


def test_with_neither_it_says_what_to_set(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["discord", "invite-url"], environ={}) == 2
    assert "DISCORD_APPLICATION_ID" in capsys.readouterr().err
