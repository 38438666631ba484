"""A newcomer's first day in a Discord server, end to end: a member joins, gets a
welcome thread and a DM that asks their time zone, and introduces themselves
through a modal."""

from __future__ import annotations

from typing import Any

from tests.platforms.discord.conftest import (
    ANA,
    DANA,
    GENERAL,
    GUILD,
    WORKSPACE,
    Running,
    answers_to,
    dms_to,
    eventually,
    posts_in,
    text_of,
)
from tests.platforms.discord.emulator import DiscordEmulator
from tests.platforms.discord.interactions import Option

WELCOME = 4400
Json = dict[str, Any]


async def welcome_channel(fake: DiscordEmulator) -> None:
    fake.add_channel(GUILD, WELCOME, "welcome")
    setting = [Option.string("key", "onboarding.channel"), Option.string("value", f"<#{WELCOME}>")]
    changed = fake.command_interaction(
        "hearth set", channel_id=GENERAL, user_id=ANA, options=setting
    )
    await fake.dispatch("INTERACTION_CREATE", changed)
    await eventually(lambda: len(answers_to(fake, changed)) == 1)


async def test_a_member_who_joins_gets_a_welcome_thread_that_pings_only_them(
    discord_server: DiscordEmulator, hearth: Running
) -> None:
    await welcome_channel(discord_server)
    await discord_server.member_joins(GUILD, DANA, "dana")

    await eventually(lambda: len(posts_in(discord_server, WELCOME)) == 1)
    [root] = discord_server.messages_in(WELCOME)
    assert f"<@{DANA}>" in root["content"]
    thread = int(root["id"])  # a thread started from the welcome post takes its id
    await eventually(
        lambda: (
            thread in discord_server.world.channels and len(posts_in(discord_server, thread)) == 1
        )
    )
    assert "say hello" in posts_in(discord_server, thread)[0]
    for sent in discord_server.requests_to("POST", f"/channels/{WELCOME}/messages"):
        assert sent.json["allowed_mentions"]["parse"] == []
        assert sent.json["allowed_mentions"]["users"] == [DANA]

    await eventually(lambda: any("Welcome, " in t for t in dms_to(discord_server, DANA)))
    hello = next(t for t in dms_to(discord_server, DANA) if "Welcome, " in t)
    assert "I do not know your time zone yet" in hello  # Discord never tells it


async def test_the_introduction_modal_sets_the_time_zone_and_fills_the_welcome_thread(
    discord_server: DiscordEmulator, hearth: Running
) -> None:
    await welcome_channel(discord_server)
    await discord_server.member_joins(GUILD, DANA, "dana")
    dm = discord_server.world.dm_with(DANA).id
    await eventually(lambda: any("Welcome, " in t for t in dms_to(discord_server, DANA)))
    hello = next(m for m in discord_server.messages_in(dm) if "Welcome, " in text_of(m))
    buttons = [b for row in hello["components"] for b in row["components"]]
    [introduce] = [b for b in buttons if b["label"] == "Introduce myself"]

    click = discord_server.component_interaction(
        introduce["custom_id"], channel_id=dm, user_id=DANA, message_id=int(hello["id"])
    )
    await discord_server.dispatch("INTERACTION_CREATE", click)
    modal = await discord_server.wait_for_callback(int(click["id"]))
    assert modal.type == 9
    fields = [c["component"]["custom_id"] for c in modal.data["components"]]
    assert all(not c["label"].endswith("…") for c in modal.data["components"])
    assert fields == ["interests", "hobbies", "photo", "timezone", "about"]
    submit = discord_server.modal_submit_interaction(
        modal.data["custom_id"],
        {
            "interests": "maps @everyone",
            "hobbies": "climbing",
            "photo": "https://example.org/dana.jpg",
            "timezone": "Asia/Kolkata",
            "about": "",
        },
        channel_id=dm,
        user_id=DANA,
    )
    await discord_server.dispatch("INTERACTION_CREATE", submit)

    await eventually(lambda: len(discord_server.messages_in(WELCOME)) == 1)
    thread = int(discord_server.messages_in(WELCOME)[0]["id"])
    await eventually(
        lambda: (
            thread in discord_server.world.channels and len(posts_in(discord_server, thread)) == 2
        )
    )
    intro = posts_in(discord_server, thread)[1]
    assert "introduces themselves" in intro
    assert "**Interests:** maps @\u200beveryone" in intro  # text: it pings nobody
    [sent] = [
        r
        for r in discord_server.requests_to("POST", f"/channels/{thread}/messages")
        if "introduces" in (r.json.get("content") or "")
    ]
    assert sent.json["allowed_mentions"]["parse"] == []
    assert sent.json["allowed_mentions"]["users"] == [DANA]
    dana = await hearth.hearth.roster.member(WORKSPACE.member(str(DANA)))
    assert dana is not None
    assert dana.timezone == "Asia/Kolkata"
