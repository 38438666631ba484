"""A newcomer's first day in Slack, end to end: `team_join` to a welcome thread, a DM,
an introduction through a modal, and the App Home's progress."""

from __future__ import annotations

import json
from typing import Any

from bot.chat import Platform, WorkspaceRef
from tests.platforms.slack.conftest import ANA, GENERAL, TEAM, Running, eventually
from tests.platforms.slack.emulator import SlackEmulator
from tests.platforms.slack.test_slack_http import dms_to, posts_in, responses

WORKSPACE = WorkspaceRef(Platform.SLACK, TEAM)
WELCOME = "C0WELCOME"
LEA = "U0LEA"


def blocks_of(call_args: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = call_args.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else list(blocks)


async def welcome_channel(slack: SlackEmulator, hearth: Running) -> None:
    slack.add_channel(TEAM, WELCOME, "welcome", members=[ANA])
    await hearth.driver.command(
        TEAM,
        ANA,
        "/hearth",
        f"set onboarding.channel <#{WELCOME}|welcome>",
        channel=GENERAL,
        response_url=slack.response_url(),
    )
    await eventually(lambda: any("onboarding.channel" in r for r in responses(slack)))


async def test_team_join_opens_a_welcome_thread_and_dms_the_newcomer_in_their_language(
    slack: SlackEmulator, hearth: Running
) -> None:
    await welcome_channel(slack, hearth)
    user = slack.add_user(TEAM, LEA, name="lea", tz="Asia/Tokyo", locale="fr-FR")
    await hearth.driver.event(TEAM, {"type": "team_join", "user": user})

    await eventually(lambda: len(posts_in(slack, WELCOME)) == 2)
    root, reply = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == WELCOME]
    assert "thread_ts" not in root.args or not root.args["thread_ts"]
    posted = slack.history(WELCOME)
    assert reply.args["thread_ts"] == posted[0]["ts"], "the hello thread hangs under the welcome"
    welcome, thread = posts_in(slack, WELCOME)
    assert f"<@{LEA}>" in welcome  # the workspace speaks English: the channel reads English
    assert "Please welcome" in welcome
    assert "say hello" in thread

    await eventually(lambda: any("Bienvenue" in t for t in dms_to(slack, LEA)))
    hello = next(t for t in dms_to(slack, LEA) if "Bienvenue" in t)
    assert "Semaine 1 sur 4" in hello  # lea reads French
    lea = await hearth.hearth.roster.member(WORKSPACE.member(LEA))
    assert lea is not None
    assert (lea.name, lea.timezone, lea.locale) == ("lea", "Asia/Tokyo", "fr")


async def test_the_introduction_is_a_modal_whose_answers_go_into_the_welcome_thread(
    slack: SlackEmulator, hearth: Running
) -> None:
    await welcome_channel(slack, hearth)
    user = slack.add_user(TEAM, LEA, name="lea", tz="Europe/Paris", locale="en-US")
    await hearth.driver.event(TEAM, {"type": "team_join", "user": user})
    dm = slack.dm_channel(TEAM, LEA)
    await eventually(lambda: any("Welcome, " in t for t in posts_in(slack, dm)))
    hello = next(m for m in slack.history(dm) if "Welcome, " in str(m.get("text")))
    buttons = [
        element
        for block in hello.get("blocks", [])
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    assert [b["action_id"] for b in buttons] == ["onboarding.intro", "onboarding.checklist"]

    await hearth.driver.press(
        TEAM, LEA, action_id="onboarding.intro", channel=dm, message_ts=hello["ts"]
    )
    await eventually(lambda: len(slack.calls_to("views.open")) == 1)
    view = slack.calls_to("views.open")[0].args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert [b["block_id"] for b in view["blocks"]] == [
        "interests",
        "hobbies",
        "photo",
        "timezone",
        "about",
    ]
    await hearth.driver.submit(
        TEAM,
        LEA,
        view,
        values={
            "interests": "maps <!channel>",
            "hobbies": "climbing",
            "photo": "https://example.org/lea.jpg",
            "timezone": "America/Montreal",
            "about": "",
        },
    )

    await eventually(lambda: len(posts_in(slack, WELCOME)) == 3)
    calls = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == WELCOME]
    assert calls[2].args["thread_ts"] == slack.history(WELCOME)[0]["ts"]
    intro = posts_in(slack, WELCOME)[2]
    assert f"<@{LEA}>" in intro
    assert "*Interests:* maps" in intro
    assert "<!channel>" not in intro
    assert "&lt;!channel&gt;" in intro
    assert "https://example.org/lea.jpg" in intro
    lea = await hearth.hearth.roster.member(WORKSPACE.member(LEA))
    assert lea is not None
    assert lea.timezone == "America/Montreal"


async def test_the_app_home_shows_the_newcomers_first_month(
    slack: SlackEmulator, hearth: Running
) -> None:
    user = slack.add_user(TEAM, LEA, name="lea", tz="Europe/Paris", locale="en-US")
    await hearth.driver.event(TEAM, {"type": "team_join", "user": user})
    await eventually(lambda: any("Welcome, " in t for t in dms_to(slack, LEA)))
    await hearth.driver.event(TEAM, {"type": "app_home_opened", "user": LEA, "tab": "home"})

    await eventually(lambda: len(slack.calls_to("views.publish")) == 1)
    published = slack.calls_to("views.publish")[0].args
    assert published["user_id"] == LEA
    view = published["view"]
    view = json.loads(view) if isinstance(view, str) else view
    text = "\n".join(b["text"]["text"] for b in view["blocks"] if b.get("type") == "section")
    assert "Your first month" in text
    assert "Week 1 of 4: 0 of 12 steps done." in text
    assert "Set up your accounts" in text
