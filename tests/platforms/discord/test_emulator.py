"""The real discord.py client, pointed at the emulator, behaves as it would against Discord."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, TypeVar

import aiohttp
import discord
import pytest

from tests.platforms.discord.client import pointed_at, running
from tests.platforms.discord.emulator import DiscordEmulator
from tests.platforms.discord.interactions import Option
from tests.platforms.discord.sample_bot import Bot, French, ThankButton, Welcome

T = TypeVar("T")
GUILD, GENERAL, ANNOUNCEMENTS, MENTORS = 4100, 4200, 4201, 4300
ANA, BOB, CAROL = 5100, 5101, 5102
MEMBERS_INTENT = 1 << 1
WAIT = 5.0


@pytest.fixture
async def discord_fake() -> AsyncIterator[DiscordEmulator]:
    async with DiscordEmulator() as fake:
        fake.add_guild(GUILD, "Hearth HQ", owner_id=ANA, locale="fr")
        fake.add_role(GUILD, MENTORS, "mentors", mentionable=True)
        fake.add_member(GUILD, ANA, "ana", roles=[MENTORS])
        fake.add_member(GUILD, BOB, "bob", nick="Bobby")
        fake.add_member(GUILD, CAROL, "carol", accepts_dms=False)
        fake.add_channel(GUILD, GENERAL, "general")
        fake.add_channel(GUILD, ANNOUNCEMENTS, "announcements", can_post=False)
        with pointed_at(fake):
            yield fake


async def next_of(queue: asyncio.Queue[T]) -> T:
    return await asyncio.wait_for(queue.get(), WAIT)


def text_channel(bot: discord.Client, channel_id: int) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


# -- the gateway ----------------------------------------------------------------------


async def test_a_bot_with_the_members_intent_is_ready_once_its_member_chunk_arrives(
    discord_fake: DiscordEmulator,
) -> None:
    async with running(Bot(), discord_fake.token) as bot:
        guild = bot.get_guild(GUILD)
        assert guild is not None
        assert guild.chunked
        assert {m.display_name for m in guild.members} == {"Hearth", "ana", "Bobby", "carol"}
        assert bot.latency < float("inf")  # the heartbeat was acknowledged

    assert discord_fake.identify_payloads[0]["intents"] & MEMBERS_INTENT
    request = next(f for f in discord_fake.frames if f.op == 8)
    chunk = next(d for d in discord_fake.dispatches if d["t"] == "GUILD_MEMBERS_CHUNK")
    assert chunk["d"]["nonce"] == request.d["nonce"]
    assert (chunk["d"]["chunk_index"], chunk["d"]["chunk_count"]) == (0, 1)
    sequence = [d["s"] for d in discord_fake.dispatches]
    assert sequence == list(range(1, len(sequence) + 1))


async def test_a_privileged_intent_the_app_was_not_granted_is_refused_with_4014(
    discord_fake: DiscordEmulator,
) -> None:
    with pytest.raises(discord.PrivilegedIntentsRequired):
        async with running(Bot(message_content=True), discord_fake.token):
            pass

    assert discord_fake.disconnections[0].code == 4014


async def test_a_wrong_token_fails_the_login(discord_fake: DiscordEmulator) -> None:
    with pytest.raises(discord.LoginFailure):
        async with running(Bot(), "not-the-token"):
            pass


async def test_member_joins_and_reactions_reach_their_handlers(
    discord_fake: DiscordEmulator,
) -> None:
    async with running(Bot(), discord_fake.token) as bot:
        joined = bot.wait_for("member_join", timeout=WAIT)
        await discord_fake.member_joins(GUILD, 5200, "dana")
        member = await joined
        message = await discord_fake.user_posts(GENERAL, ANA, "Welcome dana!")
        added = bot.wait_for("raw_reaction_add", timeout=WAIT)
        await discord_fake.user_reacts(GENERAL, int(message["id"]), 5200, "👋")
        reaction = await added
        removed = bot.wait_for("raw_reaction_remove", timeout=WAIT)
        await discord_fake.user_unreacts(GENERAL, int(message["id"]), 5200, "👋")
        unreaction = await removed

    assert (member.guild.id, member.name) == (GUILD, "dana")
    assert (reaction.user_id, reaction.message_id, str(reaction.emoji)) == (
        5200,
        int(message["id"]),
        "👋",
    )
    assert reaction.member is not None
    assert reaction.member.name == "dana"
    assert (unreaction.user_id, str(unreaction.emoji)) == (5200, "👋")


async def test_message_content_is_blank_without_the_message_content_intent(
    discord_fake: DiscordEmulator,
) -> None:
    async with running(Bot(), discord_fake.token) as bot:
        posted = bot.wait_for("message", timeout=WAIT)
        await discord_fake.user_posts(GENERAL, ANA, "a secret plan")
        plain = await posted
        posted = bot.wait_for("message", timeout=WAIT)
        await discord_fake.user_posts(GENERAL, ANA, f"hello <@{discord_fake.bot_id}>")
        addressed = await posted

    assert plain.content == ""
    assert addressed.content == f"hello <@{discord_fake.bot_id}>"


@pytest.mark.parametrize("code", [4000, None], ids=["socket closed", "op 7 RECONNECT"])
async def test_a_dropped_connection_resumes_and_replays_each_missed_event_once(
    discord_fake: DiscordEmulator, code: int | None
) -> None:
    bot = Bot()

    async def on_add(event: discord.RawReactionActionEvent) -> None:
        bot.seen.put_nowait(("add", event.user_id, str(event.emoji)))

    async def on_remove(event: discord.RawReactionActionEvent) -> None:
        bot.seen.put_nowait(("remove", event.user_id, str(event.emoji)))

    bot.add_listener(on_add, "on_raw_reaction_add")
    bot.add_listener(on_remove, "on_raw_reaction_remove")
    reactions: list[tuple[str, int, str]] = []
    async with running(bot, discord_fake.token):
        message_id = int((await discord_fake.user_posts(GENERAL, ANA, "Shipped!"))["id"])
        await discord_fake.user_reacts(GENERAL, message_id, BOB, "👍")
        reactions.append(await next_of(bot.seen))
        seen_before = discord_fake.dispatches[-1]["s"]
        resumed = bot.wait_for("resumed", timeout=WAIT)
        async with discord_fake.outage(code=code):
            await discord_fake.user_reacts(GENERAL, message_id, CAROL, "🎉")
            await discord_fake.user_unreacts(GENERAL, message_id, BOB, "👍")
        await resumed
        await discord_fake.user_reacts(GENERAL, message_id, ANA, "🚀")
        while reactions[-1] != ("add", ANA, "🚀"):
            reactions.append(await next_of(bot.seen))

    resume = next(f for f in discord_fake.frames if f.op == 6)
    assert resume.d["seq"] == seen_before
    assert resume.d["session_id"] == discord_fake.dispatches[0]["d"]["session_id"]
    assert len(discord_fake.identify_payloads) == 1
    assert discord_fake.connections[1].path == "/gw/resume"
    assert reactions == [
        ("add", BOB, "👍"),
        ("add", CAROL, "🎉"),
        ("remove", BOB, "👍"),
        ("add", ANA, "🚀"),
    ]


async def test_a_forgotten_session_is_invalidated_and_the_client_identifies_afresh(
    discord_fake: DiscordEmulator,
) -> None:
    async with running(Bot(), discord_fake.token) as bot:
        ready_again = bot.wait_for("ready", timeout=WAIT)
        await discord_fake.force_reconnect(code=4009, forget=True)
        await ready_again
        joined = bot.wait_for("member_join", timeout=WAIT)
        await discord_fake.member_joins(GUILD, 5200, "dana")
        await joined

    resume = next(f for f in discord_fake.frames if f.op == 6)
    assert resume.connection == 2
    assert len(discord_fake.identify_payloads) == 2
    sessions = {d["d"]["session_id"] for d in discord_fake.dispatches if d["t"] == "READY"}
    assert len(sessions) == 2


# -- application commands and interactions -------------------------------------------


async def test_syncing_the_tree_registers_commands_with_options_and_localizations(
    discord_fake: DiscordEmulator,
) -> None:
    async with running(Bot(), discord_fake.token) as bot:
        await bot.tree.set_translator(French())
        synced = await bot.tree.sync()

    put = discord_fake.requests_to("PUT", "/applications/{application_id}/commands")[0]
    sent = {command["name"]: command for command in put.json}
    assert sorted(sent) == ["kudos", "learned"]
    assert sent["kudos"]["name_localizations"] == {"fr": "bravo"}
    assert sent["kudos"]["description_localizations"] == {"fr": "Remercier un collègue"}
    options = {o["name"]: o for o in sent["kudos"]["options"]}
    assert (options["to"]["type"], options["to"]["required"]) == (6, True)
    assert options["to"]["name_localizations"] == {"fr": "pour"}
    assert [c["value"] for c in options["tone"]["choices"]] == ["warm", "loud"]
    assert {c.name for c in synced} == {"kudos", "learned"}
    assert {c["name"] for c in discord_fake.commands()} == {"kudos", "learned"}


async def test_a_slash_command_gets_its_resolved_member_and_locale_then_defers_and_follows_up(
    discord_fake: DiscordEmulator,
) -> None:
    async with running(Bot(), discord_fake.token) as bot:
        await bot.tree.sync()
        options = [
            Option.user("to", BOB),
            Option.string("reason", "fixed the build"),
            Option.string("tone", "warm"),
        ]
        invoked = discord_fake.command_interaction(
            "kudos", channel_id=GENERAL, user_id=ANA, options=options, locale="fr"
        )
        await discord_fake.dispatch("INTERACTION_CREATE", invoked)
        to, reason, tone, locale, guild_locale = await next_of(bot.seen)
        followup = await discord_fake.wait_for_request(
            lambda r: r.matches("POST", "/webhooks/{application_id}/{token}")
        )

    assert (to.id, to.display_name, reason, tone.value) == (BOB, "Bobby", "fixed the build", "warm")
    assert (locale, guild_locale) == (discord.Locale.french, discord.Locale.french)
    [deferred] = discord_fake.callbacks_for(int(invoked["id"]))
    assert (deferred.type, deferred.status) == (5, 200)
    assert followup.query["wait"] == "1"
    assert followup.json["allowed_mentions"] == {"parse": []}
    [answer] = discord_fake.messages_in(GENERAL)
    assert answer["content"] == f"Kudos to <@{BOB}>: fixed the build"
    assert answer["mentions"] == []
    assert answer["interaction_metadata"]["name"] == "kudos"


async def test_a_second_response_to_an_interaction_is_refused_with_40060(
    discord_fake: DiscordEmulator,
) -> None:
    async with running(Bot(), discord_fake.token) as bot:
        invoked = discord_fake.command_interaction("learned", channel_id=GENERAL, user_id=ANA)
        await discord_fake.dispatch("INTERACTION_CREATE", invoked)
        await discord_fake.wait_for_callback(int(invoked["id"]))
        url = f"{discord_fake.api_url}/interactions/{invoked['id']}/{invoked['token']}/callback"
        async with aiohttp.ClientSession() as http, http.post(url, json={"type": 6}) as again:
            refused = (again.status, again.headers["Content-Type"], await again.json())
        assert bot.is_ready()

    assert refused == (
        400,
        "application/json",
        {"message": "Interaction has already been acknowledged.", "code": 40060},
    )
    assert [c.status for c in discord_fake.callbacks_for(int(invoked["id"]))] == [200, 400]


async def test_a_persistent_button_and_a_dynamic_item_answer_clicks_after_a_restart(
    discord_fake: DiscordEmulator,
) -> None:
    async with running(Bot(), discord_fake.token) as first:
        channel = text_channel(first, GENERAL)
        view = Welcome().add_item(ThankButton(BOB))
        await channel.send("Welcome, Bob!", view=view)
        click = discord_fake.component_interaction(
            "hearth:welcome:hi", channel_id=GENERAL, user_id=BOB
        )
        await discord_fake.dispatch("INTERACTION_CREATE", click)
        before_restart = await next_of(first.seen)

    async with running(Bot(), discord_fake.token) as second:
        clicks = [
            discord_fake.component_interaction(custom_id, channel_id=GENERAL, user_id=ANA)
            for custom_id in ("hearth:welcome:hi", f"hearth:thank:{BOB}")
        ]
        for click in clicks:
            await discord_fake.dispatch("INTERACTION_CREATE", click)
        after_restart = {await next_of(second.seen), await next_of(second.seen)}
        answers = [await discord_fake.wait_for_callback(int(c["id"])) for c in clicks]

    assert before_restart == ("hi", BOB)
    assert after_restart == {("hi", ANA), ("thank", BOB)}
    assert [(a.type, a.data and a.data["flags"]) for a in answers] == [(4, 64), (6, None)]


async def test_a_modal_submit_reaches_on_submit_with_the_text_input_values(
    discord_fake: DiscordEmulator,
) -> None:
    async with running(Bot(), discord_fake.token) as bot:
        invoked = discord_fake.command_interaction("learned", channel_id=GENERAL, user_id=ANA)
        await discord_fake.dispatch("INTERACTION_CREATE", invoked)
        opened = await discord_fake.wait_for_callback(int(invoked["id"]))
        submit = discord_fake.modal_submit_interaction(
            "hearth:learned",
            {"topic": "TaskGroups", "notes": "They cancel siblings."},
            channel_id=GENERAL,
            user_id=ANA,
        )
        await discord_fake.dispatch("INTERACTION_CREATE", submit)
        values = await next_of(bot.seen)
        thanked = await discord_fake.wait_for_callback(int(submit["id"]))

    assert (opened.type, opened.data["custom_id"]) == (9, "hearth:learned")
    assert values == ("TaskGroups", "They cancel siblings.")
    assert (thanked.type, thanked.data["content"]) == (4, "Noted!")


# -- REST ------------------------------------------------------------------------------


async def test_allowed_mentions_are_recorded_exactly_and_decide_who_is_mentioned(
    discord_fake: DiscordEmulator,
) -> None:
    async with running(Bot(), discord_fake.token) as bot:
        channel = text_channel(bot, GENERAL)
        only_bob = discord.AllowedMentions(everyone=False, roles=False, users=[discord.Object(BOB)])
        text = f"Welcome <@{BOB}> and <@{ANA}>, say hi @everyone and <@&{MENTORS}>"
        sent = await channel.send(text, allowed_mentions=only_bob)

    [posted] = discord_fake.requests_to("POST", "/channels/{channel_id}/messages")
    assert posted.json["allowed_mentions"] == {"parse": [], "users": [BOB], "replied_user": True}
    assert [m.id for m in sent.mentions] == [BOB]
    assert (sent.mention_everyone, sent.role_mentions) == (False, [])


async def test_a_rate_limited_post_is_retried_and_lands_once(discord_fake: DiscordEmulator) -> None:
    discord_fake.fail("POST /channels/{channel_id}/messages", times=1, status=429, retry_after=0.05)
    async with running(Bot(), discord_fake.token) as bot:
        channel = text_channel(bot, GENERAL)
        await channel.send("Happy Friday!")

    attempts = discord_fake.requests_to("POST", f"/channels/{GENERAL}/messages")
    assert [a.status for a in attempts] == [429, 200]
    assert [m["content"] for m in discord_fake.messages_in(GENERAL)] == ["Happy Friday!"]


@pytest.mark.parametrize(
    ("failure", "raised_as"),
    [
        ({"status": 429, "via": False}, discord.HTTPException),  # no Via: taken for a ban
        ({"status": 403}, discord.Forbidden),
        ({"status": 503}, discord.DiscordServerError),
    ],
    ids=["429 without Via", "403", "503"],
)
async def test_an_injected_failure_discord_py_does_not_retry_is_raised(
    discord_fake: DiscordEmulator, failure: dict[str, Any], raised_as: type[Exception]
) -> None:
    discord_fake.fail("POST /channels/{channel_id}/messages", **failure)
    async with running(Bot(), discord_fake.token) as bot:
        with pytest.raises(raised_as) as raised:
            await text_channel(bot, GENERAL).send("Happy Friday!")

    assert isinstance(raised.value, discord.HTTPException)
    assert raised.value.status == failure["status"]
    assert discord_fake.messages_in(GENERAL) == []


async def test_a_channel_the_bot_cannot_post_in_raises_forbidden(
    discord_fake: DiscordEmulator,
) -> None:
    async with running(Bot(), discord_fake.token) as bot:
        channel = text_channel(bot, ANNOUNCEMENTS)
        can_send = channel.permissions_for(channel.guild.me).send_messages
        with pytest.raises(discord.Forbidden) as raised:
            await channel.send("Hello?")
        carol = channel.guild.get_member(CAROL)
        assert carol is not None
        with pytest.raises(discord.Forbidden) as closed_dms:
            await carol.send("Hello?")

    assert can_send is False
    assert (raised.value.status, raised.value.code) == (403, 50013)
    assert closed_dms.value.code == 50007
    assert discord_fake.messages_in(ANNOUNCEMENTS) == []


async def test_dms_threads_reactions_edits_and_fetches_answer_like_discord(
    discord_fake: DiscordEmulator,
) -> None:
    async with running(Bot(), discord_fake.token) as bot:
        guild = bot.get_guild(GUILD)
        assert guild is not None
        bob = guild.get_member(BOB)
        assert bob is not None
        dm = await bob.send("Welcome aboard!")
        channel = await bot.fetch_channel(GENERAL)
        assert isinstance(channel, discord.TextChannel)
        board = await channel.send("Kudos board")
        thread = await board.create_thread(name="Kudos for Bob")
        in_thread = await thread.send("Bob fixed the build")
        await board.add_reaction("🎉")
        edited = await board.edit(content="Kudos board (week 48)")
        fetched = await guild.fetch_member(BOB)
        await in_thread.delete()

    assert isinstance(dm.channel, discord.DMChannel)
    assert dm.channel.recipient == bob
    assert (thread.id, thread.parent_id, thread.name) == (board.id, GENERAL, "Kudos for Bob")
    assert discord_fake.messages_in(thread.id) == []
    [stored] = discord_fake.messages_in(GENERAL)
    assert stored["reactions"][0]["emoji"]["name"] == "🎉"
    assert stored["reactions"][0]["me"] is True
    assert edited.content == "Kudos board (week 48)"
    assert fetched.nick == "Bobby"
