"""Hearth in Discord, end to end: the real discord.py client inside `hearth run`,
connected to a local Discord gateway and REST API.

Every assertion reads what Hearth did on the emulated Discord: the messages
in a channel, the answers only the member saw, the requests it recorded.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from bot.schedule import SimulatedClock
from tests.platforms.discord.conftest import (
    ANA,
    ANNOUNCEMENTS,
    BOB,
    CAROL,
    DANA,
    GENERAL,
    GUILD,
    MENTORS,
    WORKSPACE,
    Running,
    Starter,
    answers_to,
    dms_to,
    eventually,
    posts_in,
)
from tests.platforms.discord.emulator import DiscordEmulator
from tests.platforms.discord.interactions import Option

Json = dict[str, Any]
MONDAY_EARLY = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # 08:00 in Paris
MONDAY_LATE = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)  # the probe's 09:00 slot has passed


def kudos(who: int, why: str, *, value: str = "") -> list[Option]:
    options = [Option.user("who", who), Option.string("why", why)]
    return [*options, Option.string("value", value)] if value else options


async def interact(fake: DiscordEmulator, payload: Json) -> Json:
    await fake.dispatch("INTERACTION_CREATE", payload)
    return payload


async def command(
    fake: DiscordEmulator,
    name: str,
    user: int,
    options: list[Option] | None = None,
    *,
    channel: int = GENERAL,
    locale: str = "en-US",
) -> Json:
    payload = fake.command_interaction(
        name, channel_id=channel, user_id=user, options=options or [], locale=locale
    )
    return await interact(fake, payload)


def celebrations(fake: DiscordEmulator, channel: int = GENERAL) -> list[str]:
    return [text for text in posts_in(fake, channel) if "gave kudos" in text]


async def test_kudos_with_options_are_celebrated_in_the_channel_and_by_dm(
    discord_server: DiscordEmulator, hearth: Running
) -> None:
    invoked = await command(
        discord_server, "kudos give", ANA, kudos(BOB, "the review", value="teamwork")
    )

    await eventually(lambda: len(celebrations(discord_server)) == 1)
    await eventually(lambda: len(dms_to(discord_server, BOB)) >= 1)
    [celebration] = celebrations(discord_server)
    assert f"<@{BOB}>" in celebration
    assert "#teamwork" in celebration
    await eventually(lambda: len(answers_to(discord_server, invoked)) == 1)
    [callback] = discord_server.callbacks_for(int(invoked["id"]))
    assert callback.status == 200


async def test_a_member_who_joins_gets_a_welcome_dm_and_is_in_the_roster(
    discord_server: DiscordEmulator, hearth: Running
) -> None:
    await discord_server.member_joins(GUILD, DANA, "dana")

    await eventually(lambda: any("welcome" in t for t in dms_to(discord_server, DANA)))
    dana = await hearth.hearth.roster.member(WORKSPACE.member(str(DANA)))
    assert dana is not None
    assert (dana.name, dana.timezone, dana.active) == ("dana", None, True)


async def test_a_member_who_leaves_has_left(
    discord_server: DiscordEmulator, hearth: Running
) -> None:
    await discord_server.member_leaves(GUILD, CAROL)

    async def carol_left() -> bool:
        carol = await hearth.hearth.storage.roster.member(WORKSPACE.member(str(CAROL)))
        return carol is not None and not carol.active

    for _ in range(500):
        if await carol_left():
            break
        await hearth.hearth.storage.roster.members(WORKSPACE)  # yield to the loop
    assert await carol_left()


async def test_a_reaction_gives_kudos_and_taking_it_off_undoes_them(
    discord_server: DiscordEmulator, hearth: Running
) -> None:
    posted = await discord_server.user_posts(GENERAL, BOB, "Shipped the release")
    message = int(posted["id"])
    await discord_server.user_reacts(GENERAL, message, ANA, "🎉")
    await eventually(lambda: len(celebrations(discord_server)) == 1)
    assert f"<@{BOB}>" in celebrations(discord_server)[0]

    await discord_server.user_unreacts(GENERAL, message, ANA, "🎉")
    me = await command(discord_server, "kudos me", BOB)

    await eventually(lambda: any("Received: 0" in a for a in answers_to(discord_server, me)))


async def test_a_custom_emoji_set_as_a_kudos_emoji_counts_by_its_name(
    discord_server: DiscordEmulator, hearth: Running
) -> None:
    setting = [Option.string("key", "kudos.emoji"), Option.string("value", "tada,hearth_fire")]
    changed = await command(discord_server, "hearth set", ANA, setting)
    await eventually(lambda: len(answers_to(discord_server, changed)) == 1)
    posted = await discord_server.user_posts(GENERAL, BOB, "Fixed the flaky test")

    await discord_server.user_reacts(GENERAL, int(posted["id"]), CAROL, "<:hearth_fire:777>")

    await eventually(lambda: len(celebrations(discord_server)) == 1)
    assert f"<@{CAROL}> gave kudos to <@{BOB}>" in celebrations(discord_server)[0]


async def test_a_replayed_reaction_and_a_duplicate_interaction_change_state_once(
    discord_server: DiscordEmulator, hearth: Running
) -> None:
    posted = await discord_server.user_posts(GENERAL, BOB, "Wrote the docs")
    await discord_server.user_reacts(GENERAL, int(posted["id"]), ANA, "🎉")
    await eventually(lambda: len(celebrations(discord_server)) == 1)
    [reaction] = [d for d in discord_server.dispatches if d["t"] == "MESSAGE_REACTION_ADD"]
    await discord_server.dispatch("MESSAGE_REACTION_ADD", reaction["d"])  # a gateway replay
    invoked = await command(discord_server, "kudos give", CAROL, kudos(BOB, "the pairing"))
    await discord_server.dispatch("INTERACTION_CREATE", invoked)  # delivered twice
    await eventually(lambda: len(celebrations(discord_server)) == 2)
    me = await command(discord_server, "kudos me", BOB)

    await eventually(lambda: any("Received: 2" in a for a in answers_to(discord_server, me)))
    assert len(celebrations(discord_server)) == 2
    assert [c.status for c in discord_server.callbacks_for(int(invoked["id"]))] == [200]


async def test_events_lost_in_an_outage_are_replayed_on_resume_and_count_once(
    discord_server: DiscordEmulator, hearth: Running
) -> None:
    posted = await discord_server.user_posts(GENERAL, BOB, "Rolled back in time")
    async with discord_server.outage():
        await discord_server.user_reacts(GENERAL, int(posted["id"]), ANA, "🎉")
    await eventually(lambda: len(celebrations(discord_server)) == 1)
    me = await command(discord_server, "kudos me", BOB)

    await eventually(lambda: any("Received: 1" in a for a in answers_to(discord_server, me)))
    assert any(f.op == 6 for f in discord_server.frames)  # it resumed, it did not identify
    assert len(discord_server.identify_payloads) == 1


async def test_a_button_sent_before_a_restart_still_works_after_it(
    discord_server: DiscordEmulator, start_hearth: Starter
) -> None:
    first = await start_hearth()
    await command(discord_server, "probe", ANA, [Option.string("text", "ask")])
    await eventually(lambda: "ready?" in posts_in(discord_server, GENERAL))
    [asked] = discord_server.messages_in(GENERAL)
    [row] = asked["components"]
    [button] = row["components"]
    assert button["custom_id"] == f"h|{GUILD}|probe.done|42"
    assert button["label"] == "Done"
    await first.stop()

    await start_hearth()
    click = discord_server.component_interaction(
        button["custom_id"], channel_id=GENERAL, user_id=BOB
    )
    await interact(discord_server, click)

    await eventually(lambda: f"pressed probe.done 42 by {BOB}" in posts_in(discord_server, GENERAL))
    [answer] = discord_server.callbacks_for(int(click["id"]))
    assert (answer.type, answer.status) == (6, 200)  # acknowledged without a word
    synced = discord_server.requests_to("PUT", "/applications/{application_id}/commands")
    assert len(synced) == 1  # the commands did not change, so the restart did not sync them


async def test_a_form_opens_as_a_modal_and_its_submit_reaches_the_feature(
    discord_server: DiscordEmulator, hearth: Running
) -> None:
    invoked = await command(discord_server, "probe", CAROL, [Option.string("text", "form")])
    opened = await discord_server.wait_for_callback(int(invoked["id"]))
    assert opened.type == 9
    custom_id = opened.data["custom_id"]
    labels = [c["label"] for c in opened.data["components"]]
    assert labels == ["Hobbies", "Photo"]

    submit = discord_server.modal_submit_interaction(
        custom_id,
        {"hobbies": "climbing", "photo": "https://example.org/p.jpg"},
        channel_id=GENERAL,
        user_id=CAROL,
    )
    await interact(discord_server, submit)

    await eventually(
        lambda: (
            "form v1: hobbies=climbing, photo=https://example.org/p.jpg"
            in posts_in(discord_server, GENERAL)
        )
    )


async def test_private_answers_are_ephemeral_and_in_the_members_language(
    discord_server: DiscordEmulator, hearth: Running
) -> None:
    invoked = await command(
        discord_server, "kudos give", ANA, kudos(BOB, "the launch"), locale="fr"
    )

    await eventually(lambda: len(answers_to(discord_server, invoked)) == 1)
    ana = await hearth.hearth.roster.member(WORKSPACE.member(str(ANA)))
    assert ana is not None
    assert ana.locale == "fr"
    [answer] = answers_to(discord_server, invoked)
    assert f"Kudos envoyés à <@{BOB}>." in answer


async def test_a_scheduled_job_posts_in_the_channel_it_names(
    discord_server: DiscordEmulator, start_hearth: Starter
) -> None:
    clock = SimulatedClock(MONDAY_EARLY)
    running = await start_hearth(clock=clock, weekly=True)

    await running.hearth.advance(MONDAY_LATE)

    await eventually(
        lambda: "weekly 2026-03-02 08:00Z" in posts_in(discord_server, GENERAL), within=10
    )


async def test_a_hostile_reason_pings_nobody_but_the_people_thanked(
    discord_server: DiscordEmulator, hearth: Running
) -> None:
    # A typed @name is someone to thank; glued to a word it is only text, which Discord
    # would still read as @everyone without escaping and `allowed_mentions`.
    reason = f"warning all@everyone and all@here and <@&{MENTORS}>"
    await command(discord_server, "kudos give", ANA, kudos(BOB, reason))

    await eventually(lambda: len(celebrations(discord_server)) == 1)
    [post] = [
        r
        for r in discord_server.requests_to("POST", f"/channels/{GENERAL}/messages")
        if "gave kudos" in (r.json.get("content") or "")
    ]
    allowed = post.json["allowed_mentions"]
    assert allowed["parse"] == []
    assert sorted(allowed["users"]) == sorted([ANA, BOB])
    assert not allowed.get("roles")
    [stored] = [m for m in discord_server.messages_in(GENERAL) if "gave kudos" in m["content"]]
    assert stored["mention_everyone"] is False
    assert stored["mention_roles"] == []
    assert sorted(int(u["id"]) for u in stored["mentions"]) == sorted([ANA, BOB])
    sends = [r.json for r in discord_server.requests if r.method == "POST" and r.json]
    for sent in sends:
        if "content" in sent or "embeds" in sent:
            assert sent["allowed_mentions"]["parse"] == [], json.dumps(sent)


async def test_a_channel_the_bot_cannot_post_in_is_reported_to_the_admin_once(
    discord_server: DiscordEmulator, hearth: Running
) -> None:
    for who in (BOB, CAROL):
        invoked = await command(
            discord_server, "kudos give", ANA, kudos(who, "hi"), channel=ANNOUNCEMENTS
        )
        await eventually(lambda inv=invoked: len(answers_to(discord_server, inv)) == 1)

    await eventually(lambda: any("cannot post in" in t for t in dms_to(discord_server, ANA)))
    await eventually(lambda: len(dms_to(discord_server, CAROL)) >= 1)  # the later DM still went
    reports = [t for t in dms_to(discord_server, ANA) if "cannot post in" in t]
    assert len(reports) == 1
    assert f"<#{ANNOUNCEMENTS}>" in reports[0]
    tried = discord_server.requests_to("POST", f"/channels/{ANNOUNCEMENTS}/messages")
    assert [r.status for r in tried] == [403]  # refused once, then never tried again
