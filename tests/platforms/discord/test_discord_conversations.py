"""Threads, direct messages, private answers and long forms, through a running Hearth."""

from __future__ import annotations

from bot.chat import Form, FormField, Message
from bot.features import Command, Feature, FormRoute, Invocation, Submission
from tests.platforms.discord.conftest import (
    CAROL,
    GENERAL,
    Running,
    Starter,
    answers_to,
    dms_to,
    eventually,
    posts_in,
)
from tests.platforms.discord.emulator import DiscordEmulator
from tests.platforms.discord.interactions import Option

FIELDS = tuple(FormField(f"q{n}", f"Question {n}", required=False) for n in range(1, 8))


async def probe(fake: DiscordEmulator, words: str, user: int = CAROL) -> dict[str, object]:
    invoked = fake.command_interaction(
        "probe", channel_id=GENERAL, user_id=user, options=[Option.string("text", words)]
    )
    await fake.dispatch("INTERACTION_CREATE", invoked)
    return invoked


async def test_a_thread_reply_goes_in_a_thread_under_its_root_message(
    discord_server: DiscordEmulator, hearth: Running
) -> None:
    await probe(discord_server, "thread")

    await eventually(lambda: "the root" in posts_in(discord_server, GENERAL))
    [root] = discord_server.messages_in(GENERAL)
    thread = int(root["id"])  # a thread started from a message takes its id
    await eventually(lambda: thread in discord_server.world.channels)
    await eventually(lambda: posts_in(discord_server, thread) == ["a reply"])
    assert discord_server.world.channels[thread].name == "a reply"


async def test_a_dm_goes_to_the_member_and_a_private_answer_only_they_see(
    discord_server: DiscordEmulator, hearth: Running
) -> None:
    await probe(discord_server, "dm")
    private = await probe(discord_server, "private")

    await eventually(lambda: dms_to(discord_server, CAROL) == ["psst"])
    await eventually(lambda: answers_to(discord_server, private) == ["only you"])
    assert posts_in(discord_server, GENERAL) == []


class Survey:
    """A form longer than a Discord modal holds."""

    async def ask(self, call: Invocation) -> Form:
        assert call.actor is not None
        return Form("survey.long", "A long survey", FIELDS, to=call.actor.ref.user_id, value="s1")

    async def answered(self, call: Submission) -> Message:
        fields = ",".join(f"{k}={v}" for k, v in sorted(call.event.fields.items()))
        return Message("probe/say", {"text": f"survey {call.event.value}: {fields}"})


def survey_feature() -> Feature:
    survey = Survey()
    return Feature(
        name="survey",
        commands=(Command("survey", survey.ask, description="A long survey"),),
        forms=(FormRoute("survey.", survey.answered),),
    )


async def test_a_form_of_seven_fields_is_two_modals_joined_by_a_continue_button(
    discord_server: DiscordEmulator, start_hearth: Starter
) -> None:
    await start_hearth(features=(survey_feature(),))
    invoked = discord_server.command_interaction("survey", channel_id=GENERAL, user_id=CAROL)
    await discord_server.dispatch("INTERACTION_CREATE", invoked)
    first = await discord_server.wait_for_callback(int(invoked["id"]))
    assert (first.type, first.data["title"]) == (9, "A long survey (1/2)")
    assert len(first.data["components"]) == 5

    answers = {f"q{n}": f"a{n}" for n in range(1, 6)}
    submit = discord_server.modal_submit_interaction(
        first.data["custom_id"], answers, channel_id=GENERAL, user_id=CAROL
    )
    await discord_server.dispatch("INTERACTION_CREATE", submit)
    offered = await discord_server.wait_for_callback(int(submit["id"]))
    [row] = offered.data["components"]
    [button] = row["components"]
    assert (offered.type, offered.data["flags"], button["label"]) == (4, 64, "Continue")

    click = discord_server.component_interaction(
        button["custom_id"], channel_id=GENERAL, user_id=CAROL
    )
    await discord_server.dispatch("INTERACTION_CREATE", click)
    second = await discord_server.wait_for_callback(int(click["id"]))
    assert (second.type, second.data["title"]) == (9, "A long survey (2/2)")
    last = discord_server.modal_submit_interaction(
        second.data["custom_id"], {"q6": "a6", "q7": "a7"}, channel_id=GENERAL, user_id=CAROL
    )
    await discord_server.dispatch("INTERACTION_CREATE", last)

    everything = ",".join(f"q{n}=a{n}" for n in range(1, 8))
    await eventually(lambda: f"survey s1: {everything}" in posts_in(discord_server, GENERAL))
