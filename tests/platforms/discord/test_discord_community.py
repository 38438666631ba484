"""Community and learning in a Discord server, end to end: an anonymous question, a
circle, and a learning log entry, through app commands and the real discord.py client."""

from __future__ import annotations

from bot.platforms.discord_commands import TEXT_OPTION
from tests.platforms.discord.conftest import (
    ANA,
    CAROL,
    GENERAL,
    GUILD,
    Running,
    answers_to,
    eventually,
    posts_in,
)
from tests.platforms.discord.emulator import DiscordEmulator
from tests.platforms.discord.interactions import Option

ASK = 4500
Json = dict[str, object]


async def command(
    fake: DiscordEmulator, name: str, user: int, options: list[Option] | None = None
) -> Json:
    payload = fake.command_interaction(
        name, channel_id=GENERAL, user_id=user, options=options or []
    )
    await fake.dispatch("INTERACTION_CREATE", payload)
    return payload


async def test_an_anonymous_question_reaches_the_channel_without_its_author(
    discord_server: DiscordEmulator, hearth: Running
) -> None:
    discord_server.add_channel(GUILD, ASK, "ask")
    setting = [
        Option.string("key", "community.questions_channel"),
        Option.string("value", f"<#{ASK}>"),
    ]
    changed = await command(discord_server, "hearth set", ANA, setting)
    await eventually(lambda: len(answers_to(discord_server, changed)) == 1)

    asked = await command(
        discord_server, "ask", CAROL, [Option.string(TEXT_OPTION, "Why the new roadmap? @everyone")]
    )

    await eventually(
        lambda: ASK in discord_server.world.channels and len(posts_in(discord_server, ASK)) >= 1
    )
    [question] = [p for p in posts_in(discord_server, ASK) if "roadmap" in p]
    assert str(CAROL) not in question
    [sent] = [
        r
        for r in discord_server.requests_to("POST", f"/channels/{ASK}/messages")
        if "roadmap" in str(r.json.get("content") or r.json.get("embeds"))
    ]
    assert sent.json["allowed_mentions"]["parse"] == []
    assert not sent.json["allowed_mentions"].get("users")
    await eventually(
        lambda: any("without your name" in a for a in answers_to(discord_server, asked))
    )


async def test_a_circle_is_created_and_joined_with_typed_options(
    discord_server: DiscordEmulator, hearth: Running
) -> None:
    created = await command(
        discord_server,
        "circle create",
        ANA,
        [Option.string("name", "climbing"), Option.string("about", "bouldering on Thursdays")],
    )
    await eventually(lambda: any("is open" in a for a in answers_to(discord_server, created)))
    joined = await command(
        discord_server, "circle join", CAROL, [Option.string("name", "climbing")]
    )
    await eventually(
        lambda: any("Welcome to the circle" in a for a in answers_to(discord_server, joined))
    )
    listed = await command(discord_server, "circle list", ANA)
    await eventually(lambda: any("2 members" in a for a in answers_to(discord_server, listed)))


async def test_learning_is_logged_with_the_log_subcommand(
    discord_server: DiscordEmulator, hearth: Running
) -> None:
    logged = await command(
        discord_server, "learn log", CAROL, [Option.string("what", "how our deploys work #devops")]
    )
    await eventually(
        lambda: any("Logged (entry 1)" in a for a in answers_to(discord_server, logged))
    )
