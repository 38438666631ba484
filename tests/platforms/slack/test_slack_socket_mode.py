"""Hearth over Socket Mode: envelopes in, acknowledgements by envelope id, no public URL."""

from __future__ import annotations

from tests.platforms.slack import driver
from tests.platforms.slack.conftest import ANA, BOB, GENERAL, TEAM, Starter, eventually
from tests.platforms.slack.emulator import SlackEmulator


def accepted_posts(slack: SlackEmulator, channel: str = GENERAL) -> list[str]:
    return [
        str(c.args.get("text", ""))
        for c in slack.calls_to("chat.postMessage")
        if c.ok and c.args["channel"] == channel
    ]


async def test_events_commands_and_buttons_arrive_over_the_socket_and_are_acknowledged(
    slack: SlackEmulator, start_hearth: Starter
) -> None:
    await start_hearth(socket_mode=True)
    await slack.socket_connected()

    kudos = driver.envelope(TEAM, driver.message(GENERAL, ANA, f"<@{BOB}>++ nice"), event_id="Ev1")
    first = await slack.socket_send("events_api", kudos)
    await slack.socket_ack(first)
    await eventually(lambda: any("@bob" in text for text in accepted_posts(slack)))

    command = driver.command_form(
        TEAM, ANA, "/probe", "ask", channel=GENERAL, response_url=slack.response_url()
    )
    ack = await slack.socket_ack(await slack.socket_send("slash_commands", command))
    assert ack.envelope_id
    await eventually(lambda: any("ready?" in text for text in accepted_posts(slack)))

    press = driver.block_actions(
        TEAM, BOB, "probe.done", "42", channel_id=GENERAL, message_ts=slack.last_ts(GENERAL)
    )
    await slack.socket_ack(await slack.socket_send("interactive", press))
    await eventually(lambda: any("pressed probe.done 42" in t for t in accepted_posts(slack)))


async def test_a_replayed_envelope_is_acknowledged_and_changes_nothing(
    slack: SlackEmulator, start_hearth: Starter
) -> None:
    await start_hearth(socket_mode=True)
    await slack.socket_connected()
    kudos = driver.envelope(TEAM, driver.message(GENERAL, ANA, f"<@{BOB}>++ again"), event_id="Ev2")

    envelopes = [await slack.socket_send("events_api", kudos)]
    for attempt in (1, 2, 3):
        envelopes.append(
            await slack.socket_send(
                "events_api", kudos, retry_attempt=attempt, retry_reason="timeout"
            )
        )
    for envelope_id in envelopes:
        await slack.socket_ack(envelope_id)
    me = driver.command_form(
        TEAM, BOB, "/kudos", "me", channel=GENERAL, response_url=slack.response_url()
    )
    await slack.socket_ack(await slack.socket_send("slash_commands", me))

    await eventually(lambda: any("Received: 1" in str(r.get("text")) for r in slack.responses))
    # The celebration goes through the outbox: it may still be on its way.
    await eventually(lambda: len([t for t in accepted_posts(slack) if "again" in t]) == 1)
