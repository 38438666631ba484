"""Community and learning in Slack, end to end: an anonymous question, a pulse answered
with DM buttons, and a learning log entry, through a real `hearth run --http`."""

from __future__ import annotations

import json
from typing import Any

from tests.platforms.slack.conftest import ANA, BOB, CAROL, GENERAL, TEAM, Running, eventually
from tests.platforms.slack.emulator import SlackEmulator
from tests.platforms.slack.test_slack_http import dms_to, posts_in, responses

ASK = "C0ASK"


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = message.get("blocks") or []
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


async def test_an_anonymous_question_is_posted_without_its_author(
    slack: SlackEmulator, hearth: Running
) -> None:
    slack.add_channel(TEAM, ASK, "ask", members=[ANA])
    await hearth.driver.command(
        TEAM,
        ANA,
        "/hearth",
        f"set community.questions_channel <#{ASK}|ask>",
        channel=GENERAL,
        response_url=slack.response_url(),
    )
    await eventually(lambda: any("Workspace settings: community" in r for r in responses(slack)))

    await hearth.driver.command(
        TEAM,
        CAROL,
        "/ask",
        "Could we have a learning budget? <!channel>",
        channel=GENERAL,
        response_url=slack.response_url(),
    )

    await eventually(lambda: len(posts_in(slack, ASK)) == 2)
    question, thread = posts_in(slack, ASK)
    assert "Could we have a learning budget?" in question
    assert CAROL not in question
    assert "<!channel>" not in question
    assert "answer in this thread" in thread
    await eventually(
        lambda: any("sans votre nom" in r for r in responses(slack))
    )  # carol reads French


async def test_a_pulse_is_answered_with_a_button_in_a_dm_and_counted_once(
    slack: SlackEmulator, hearth: Running
) -> None:
    await hearth.driver.command(
        TEAM,
        ANA,
        "/pulse",
        "ask How was your week?",
        channel=GENERAL,
        response_url=slack.response_url(),
    )
    dm = slack.dm_channel(TEAM, BOB)
    await eventually(lambda: any("How was your week?" in t for t in dms_to(slack, BOB)))
    [asked] = [m for m in slack.history(dm) if "How was your week?" in str(m.get("blocks"))]
    assert [b["text"]["text"] for b in buttons(asked)] == ["1", "2", "3", "4", "5"]
    four = next(b for b in buttons(asked) if b["text"]["text"] == "4")

    for _ in range(2):
        await hearth.driver.press(
            TEAM,
            BOB,
            action_id=four["action_id"],
            value=four["value"],
            channel=dm,
            message_ts=asked["ts"],
        )
    await eventually(lambda: len([t for t in responses(slack) if "counted" in t]) == 2)
    answers = [t for t in responses(slack) if "counted" in t]
    assert "counted, anonymously" in answers[0]
    assert "counted already" in answers[1]

    await hearth.driver.command(
        TEAM, ANA, "/pulse", "results 1", channel=GENERAL, response_url=slack.response_url()
    )
    await eventually(lambda: any("1 answer so far" in r for r in responses(slack)))


async def test_learning_is_logged_with_a_slash_command(
    slack: SlackEmulator, hearth: Running
) -> None:
    await hearth.driver.command(
        TEAM,
        BOB,
        "/learn",
        "how our deploys work #devops",
        channel=GENERAL,
        response_url=slack.response_url(),
    )
    await eventually(lambda: any("Logged (entry 1)" in r for r in responses(slack)))
    assert any("Topics: devops" in r for r in responses(slack))
