"""Hearth in Slack over HTTP: signed requests in, Web API calls out, end to end.

Every test runs a real `hearth run --http` server on loopback and a local
Slack Web API; requests are signed like Slack signs them, and every
assertion reads what Hearth sent to Slack.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

from bot.chat import Platform, WorkspaceRef
from bot.schedule import SystemClock
from tests.platforms.slack import driver
from tests.platforms.slack.conftest import (
    ANA,
    BOB,
    CAROL,
    GENERAL,
    SECRET,
    TEAM,
    Running,
    Starter,
    eventually,
)
from tests.platforms.slack.emulator import SlackEmulator

WORKSPACE = WorkspaceRef(Platform.SLACK, TEAM)


def texts(calls: list[Any]) -> list[str]:
    """Everything Hearth wrote in those calls: the blocks' mrkdwn and the fallback text."""
    found = []
    for call in calls:
        args = call.args
        blocks = args.get("blocks") or []
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        parts = [b["text"]["text"] for b in blocks if b.get("type") == "section"]
        found.append("\n".join(parts) or str(args.get("text", "")))
    return found


def posts_in(slack: SlackEmulator, channel: str) -> list[str]:
    """What Slack accepted in `channel` (refused calls are recorded too, apart)."""
    return texts(
        [c for c in slack.calls_to("chat.postMessage") if c.ok and c.args["channel"] == channel]
    )


def dms_to(slack: SlackEmulator, user: str) -> list[str]:
    channel = slack.dm_channel(TEAM, user)
    return posts_in(slack, channel)


def responses(slack: SlackEmulator) -> list[str]:
    found = []
    for body in slack.responses:
        blocks = body.get("blocks") or []
        parts = [b["text"]["text"] for b in blocks if b.get("type") == "section"]
        found.append("\n".join(parts) or str(body.get("text", "")))
    return found


def message(user: str, text: str, ts: str, channel: str = GENERAL) -> dict[str, Any]:
    return {
        "type": "message",
        "channel": channel,
        "channel_type": "channel",
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
    }


async def test_a_slash_command_gives_kudos_celebrated_in_the_channel_and_by_dm(
    slack: SlackEmulator, hearth: Running
) -> None:
    status, _ = await hearth.driver.command(
        TEAM,
        ANA,
        "/kudos",
        f"<@{BOB}|bob> for the review #teamwork",
        channel=GENERAL,
        response_url=slack.response_url(),
    )

    assert status == 200
    await eventually(lambda: len(posts_in(slack, GENERAL)) == 1 and len(dms_to(slack, BOB)) == 1)
    [celebration] = posts_in(slack, GENERAL)
    assert f"<@{BOB}>" in celebration
    assert "#teamwork" in celebration


async def test_plain_at_names_in_a_command_resolve_too(
    slack: SlackEmulator, hearth: Running
) -> None:
    await hearth.driver.command(TEAM, ANA, "/kudos", "@bob for the demo", channel=GENERAL)

    await eventually(lambda: len(posts_in(slack, GENERAL)) == 1)
    assert f"<@{BOB}>" in posts_in(slack, GENERAL)[0]


async def test_plus_plus_in_a_message_gives_kudos_and_deleting_it_takes_them_back(
    slack: SlackEmulator, hearth: Running
) -> None:
    await hearth.driver.event(TEAM, message(ANA, f"thanks <@{BOB}>++ for the fix", "100.0001"))
    await eventually(lambda: len(posts_in(slack, GENERAL)) == 1)

    await hearth.driver.event(
        TEAM,
        {
            "type": "message",
            "subtype": "message_deleted",
            "channel": GENERAL,
            "deleted_ts": "100.0001",
            "previous_message": {"user": ANA, "ts": "100.0001"},
            "ts": "101.0000",
        },
    )
    await hearth.driver.command(TEAM, BOB, "/kudos", "me", response_url=slack.response_url())

    await eventually(lambda: any("Received: 0" in r for r in responses(slack)))


async def test_an_edit_is_not_a_new_kudos(slack: SlackEmulator, hearth: Running) -> None:
    await hearth.driver.event(TEAM, message(ANA, f"<@{BOB}>++", "200.0001"))
    await eventually(lambda: len(posts_in(slack, GENERAL)) == 1)
    await hearth.driver.event(
        TEAM,
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": GENERAL,
            "message": {"user": ANA, "text": f"<@{BOB}>++ <@{CAROL}>++", "ts": "200.0001"},
            "ts": "200.0002",
        },
    )
    await hearth.driver.command(TEAM, BOB, "/kudos", "board", response_url=slack.response_url())

    await eventually(lambda: len(responses(slack)) == 1)
    assert len(posts_in(slack, GENERAL)) == 1
    assert f"<@{CAROL}>" not in responses(slack)[0]


async def test_a_reaction_gives_kudos_to_the_author_and_removing_it_undoes_them(
    slack: SlackEmulator, hearth: Running
) -> None:
    item = {"type": "message", "channel": GENERAL, "ts": "300.0001"}
    reaction = {"user": ANA, "reaction": "tada", "item_user": BOB, "item": item}
    await hearth.driver.event(TEAM, {"type": "reaction_added", **reaction, "event_ts": "301.0"})
    await eventually(lambda: len(posts_in(slack, GENERAL)) == 1)
    assert f"<@{BOB}>" in posts_in(slack, GENERAL)[0]

    await hearth.driver.event(TEAM, {"type": "reaction_removed", **reaction, "event_ts": "302.0"})
    await hearth.driver.command(TEAM, BOB, "/kudos", "me", response_url=slack.response_url())

    await eventually(lambda: any("Received: 0" in r for r in responses(slack)))


async def test_an_event_delivered_four_times_changes_state_once(
    slack: SlackEmulator, hearth: Running
) -> None:
    event = message(ANA, f"<@{BOB}>++ great pairing", "400.0001")
    statuses = [(await hearth.driver.event(TEAM, event, event_id="Ev0DUP"))[0]]
    for attempt in (1, 2, 3):
        status, _ = await hearth.driver.event(
            TEAM, event, event_id="Ev0DUP", retry_num=attempt, retry_reason="http_timeout"
        )
        statuses.append(status)
    await hearth.driver.command(TEAM, BOB, "/kudos", "me", response_url=slack.response_url())

    assert statuses == [200, 200, 200, 200]
    await eventually(lambda: any("Received: 1" in r for r in responses(slack)))
    assert len(posts_in(slack, GENERAL)) == 1


async def test_forged_and_stale_requests_are_refused_and_not_processed(
    slack: SlackEmulator, hearth: Running
) -> None:
    forged, _ = await hearth.driver.event(TEAM, message(ANA, f"<@{BOB}>++", "500.1"), forge=True)
    stale, _ = await hearth.driver.event(TEAM, message(ANA, f"<@{BOB}>++", "500.2"), stale=True)
    await hearth.driver.command(TEAM, BOB, "/kudos", "me", response_url=slack.response_url())

    assert (forged, stale) == (401, 401)
    await eventually(lambda: any("Received: 0" in r for r in responses(slack)))
    assert posts_in(slack, GENERAL) == []


async def test_a_button_press_reaches_the_feature_that_sent_it(
    slack: SlackEmulator, hearth: Running
) -> None:
    await hearth.driver.command(TEAM, ANA, "/probe", "ask", channel=GENERAL)
    await eventually(lambda: len(slack.calls_to("chat.postMessage")) == 1)
    [post] = slack.calls_to("chat.postMessage")
    blocks = post.args["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    [button] = next(b for b in blocks if b["type"] == "actions")["elements"]
    assert (button["action_id"], button["value"]) == ("probe.done", "42")

    await hearth.driver.press(
        TEAM,
        BOB,
        action_id="probe.done",
        value="42",
        channel=GENERAL,
        message_ts=slack.last_ts(GENERAL),
    )

    await eventually(
        lambda: any("pressed probe.done 42 by U0BOB" in t for t in posts_in(slack, GENERAL))
    )


async def test_a_form_opens_as_a_modal_and_its_submission_comes_back(
    slack: SlackEmulator, hearth: Running
) -> None:
    await hearth.driver.command(TEAM, CAROL, "/probe", "form", channel=GENERAL, trigger_id="T-FORM")
    await eventually(lambda: len(slack.calls_to("views.open")) == 1)
    [opened] = slack.calls_to("views.open")
    view = opened.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert opened.args["trigger_id"] == "T-FORM"
    assert [b["block_id"] for b in view["blocks"]] == ["hobbies", "photo"]
    assert view["close"]["text"] == "Annuler"  # carol reads French

    await hearth.driver.submit(
        TEAM, CAROL, view, values={"hobbies": "climbing", "photo": "https://example.org/p.jpg"}
    )

    await eventually(
        lambda: any(
            "form v1: hobbies=climbing, photo=https://example.org/p.jpg" in t
            for t in posts_in(slack, GENERAL)
        )
    )


async def test_opening_the_app_home_publishes_the_members_kudos(
    slack: SlackEmulator, hearth: Running
) -> None:
    await hearth.driver.command(TEAM, ANA, "/kudos", f"<@{BOB}> for the review", channel=GENERAL)
    await eventually(lambda: len(posts_in(slack, GENERAL)) == 1)

    await hearth.driver.event(
        TEAM,
        {
            "type": "app_home_opened",
            "user": BOB,
            "tab": "home",
            "channel": "D0BOB",
            "event_ts": "600.0",
        },
    )

    await eventually(lambda: len(slack.calls_to("views.publish")) == 1)
    [published] = slack.calls_to("views.publish")
    view = published.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert published.args["user_id"] == BOB
    assert view["type"] == "home"
    shown = "\n".join(b["text"]["text"] for b in view["blocks"] if b["type"] == "section")
    assert "Received: 1" in shown


async def test_hostile_text_never_pings_the_channel(slack: SlackEmulator, hearth: Running) -> None:
    await hearth.driver.command(
        TEAM,
        ANA,
        "/kudos",
        f"<@{BOB}> for <!channel> and <!here> and <!everyone> and <!subteam^S123|devs>",
        channel=GENERAL,
    )

    await eventually(lambda: len(posts_in(slack, GENERAL)) == 1)
    everything = json.dumps([c.args for c in slack.calls_to("chat.postMessage")])
    for ping in ("<!channel>", "<!here>", "<!everyone>", "<!subteam"):
        assert ping not in everything


async def test_a_429_storm_delivers_every_post_once(slack: SlackEmulator, hearth: Running) -> None:
    slack.fail("chat.postMessage", times=6, status=429, retry_after=1)
    for n in range(3):
        await hearth.driver.event(TEAM, message(ANA, f"<@{BOB}>++ thanks {n}", f"700.000{n}"))

    await eventually(lambda: len(posts_in(slack, GENERAL)) == 3, within=40)
    assert len(set(posts_in(slack, GENERAL))) == 3
    refused = [c for c in slack.calls_to("chat.postMessage") if c.error == "ratelimited"]
    assert len(refused) == 6


async def test_a_channel_the_bot_is_not_in_is_reported_to_admins_once(
    slack: SlackEmulator, hearth: Running
) -> None:
    for n in range(2):
        await hearth.driver.event(TEAM, message(BOB, f"<@{CAROL}>++ {n}", f"800.000{n}", SECRET))

    await eventually(lambda: len(dms_to(slack, ANA)) == 1)
    assert "cannot post in <#C0SECRET>" in dms_to(slack, ANA)[0]
    attempts = texts([c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == SECRET])
    assert len(attempts) == len(set(attempts))  # each message tried once, never retried


async def test_an_event_acknowledged_before_a_crash_is_processed_after_restart(
    slack: SlackEmulator, start_hearth: Starter
) -> None:
    crashing = await start_hearth(workers=0)  # acknowledges, never processes
    status, _ = await crashing.driver.event(TEAM, message(ANA, f"<@{BOB}>++ ship it", "900.1"))
    assert status == 200
    await crashing.stop()
    assert posts_in(slack, GENERAL) == []

    class Later(SystemClock):
        def now(self):  # type: ignore[no-untyped-def]
            return super().now() + timedelta(minutes=2)

    await start_hearth(clock=Later())

    await eventually(lambda: len(posts_in(slack, GENERAL)) == 1)
    assert f"<@{BOB}>" in posts_in(slack, GENERAL)[0]


async def test_a_profile_change_in_slack_updates_the_member(
    slack: SlackEmulator, hearth: Running
) -> None:
    moved = slack.add_user(TEAM, BOB, name="bob", tz="Asia/Tokyo", locale="fr-FR")
    await hearth.driver.event(TEAM, driver.user_change(moved))

    async def bob_moved() -> bool:
        bob = await hearth.hearth.storage.roster.member(WORKSPACE.member(BOB))
        return bob is not None and (bob.timezone, bob.locale) == ("Asia/Tokyo", "fr")

    for _ in range(500):
        if await bob_moved():
            break
        await asyncio.sleep(0.02)
    assert await bob_moved()


async def test_a_deactivated_account_has_left(slack: SlackEmulator, hearth: Running) -> None:
    gone = slack.add_user(TEAM, CAROL, name="carol", deleted=True)
    await hearth.driver.event(TEAM, driver.user_change(gone))
    for _ in range(500):
        carol = await hearth.hearth.storage.roster.member(WORKSPACE.member(CAROL))
        if carol is not None and not carol.active:
            break
        await asyncio.sleep(0.02)
    await hearth.driver.command(
        TEAM,
        ANA,
        "/kudos",
        f"<@{CAROL}> for everything",
        channel=GENERAL,
        response_url=slack.response_url(),
    )

    await eventually(lambda: len(responses(slack)) == 1)
    assert "carol" in responses(slack)[0]
    assert posts_in(slack, GENERAL) == []


async def test_a_manager_adds_a_ritual_through_a_slack_modal(
    slack: SlackEmulator, hearth: Running
) -> None:
    await hearth.driver.command(TEAM, ANA, "/ritual", "add", channel=GENERAL)
    await eventually(lambda: len(slack.calls_to("views.open")) == 1)
    [opened] = slack.calls_to("views.open")
    view = opened.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    fields = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert fields["kind"]["type"] == "static_select"
    assert {"schedule", "channel", "timezone", "text"} <= set(fields)

    await hearth.driver.submit(
        TEAM,
        ANA,
        view,
        values={
            "kind": "watercooler",
            "schedule": "every monday 16:00",
            "channel": GENERAL,
            "timezone": "Europe/Paris",
            "text": "",
        },
    )
    await hearth.driver.command(
        TEAM, ANA, "/ritual", "list", channel=GENERAL, response_url=slack.response_url()
    )

    await eventually(lambda: any("every monday 16:00" in r for r in responses(slack)))
