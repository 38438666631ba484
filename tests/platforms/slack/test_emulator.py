"""The Slack emulator and driver are faithful: the real slack_sdk and slack-bolt
clients work against them as they work against Slack."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp, AsyncRespond
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import async_handler, builtin_async_handlers
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.platforms.slack import events as slack_events
from tests.platforms.slack.driver import SlackDriver
from tests.platforms.slack.emulator import SLACKBOT, SlackEmulator
from tests.platforms.slack.payloads import block_actions, envelope

TEAM = "T0ACME"
BOT_TOKEN = "xoxb-acme"
APP_TOKEN = "xapp-acme"
SECRET = "3c1f0d2a9e8b7c6d5e4f3a2b1c0d9e8f"
GENERAL, PRIVATE, HIDDEN, QUIET = "C0GENERAL", "G0PRIVATE", "G0HIDDEN", "C0QUIET"
ANA, BOB = "U0ANA", "U0BOB"
NOW = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC
KUDOS_FORM = [
    {
        "type": "input",
        "block_id": "why",
        "label": {"type": "plain_text", "text": "Why?"},
        "element": {"type": "plain_text_input", "action_id": "text"},
    },
    {
        "type": "input",
        "block_id": "value",
        "label": {"type": "plain_text", "text": "Value"},
        "element": {
            "type": "static_select",
            "action_id": "pick",
            "options": [{"text": {"type": "plain_text", "text": "Teamwork"}, "value": "teamwork"}],
        },
    },
]


@pytest.fixture
async def slack() -> AsyncIterator[SlackEmulator]:
    async with SlackEmulator(bot_token=BOT_TOKEN, app_token=APP_TOKEN, clock=lambda: NOW) as emu:
        emu.add_team(TEAM, name="Acme")
        emu.add_user(TEAM, ANA, name="ana", tz="Europe/Paris", locale="fr-FR", is_admin=True)
        emu.add_user(TEAM, BOB, name="bob", tz="America/New_York")
        emu.add_channel(TEAM, GENERAL, "general", members=[ANA, BOB])
        emu.add_channel(TEAM, PRIVATE, "leads", members=[ANA], is_private=True)
        emu.add_channel(TEAM, HIDDEN, "hr", members=[ANA], is_private=True, bot_member=False)
        emu.add_channel(TEAM, QUIET, "quiet", members=[BOB], bot_member=False)
        yield emu


def web_client(slack: SlackEmulator, **options: Any) -> AsyncWebClient:
    return AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url, **options)


class Naps:
    """Stands in for asyncio inside slack_sdk's retry handlers: records each
    back-off instead of sleeping through it."""

    def __init__(self) -> None:
        self.taken: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.taken.append(seconds)
        await asyncio.sleep(0)


@pytest.fixture
def naps(monkeypatch: pytest.MonkeyPatch) -> Naps:
    naps = Naps()
    monkeypatch.setattr(builtin_async_handlers, "asyncio", naps)
    monkeypatch.setattr(async_handler, "asyncio", naps)
    return naps


# --- Web API -----------------------------------------------------------------------


async def test_a_posted_message_gets_an_increasing_ts_and_lands_in_the_channel(
    slack: SlackEmulator,
) -> None:
    client = web_client(slack)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    first = await client.chat_postMessage(channel=GENERAL, text="hi", blocks=blocks)
    second = await client.chat_postMessage(channel=GENERAL, text="again", thread_ts=first["ts"])

    assert first["channel"] == GENERAL
    assert float(second["ts"]) > float(first["ts"])
    assert first["message"]["user"] == slack.bot_user_id
    assert first["message"]["bot_id"] == slack.bot_id
    assert [m["text"] for m in slack.history(GENERAL)] == ["hi", "again"]
    assert slack.history(GENERAL)[0]["reply_count"] == 1
    call = slack.calls_to("chat.postMessage")[0]
    assert call.token == BOT_TOKEN
    assert call.args["blocks"] == blocks


async def test_blocks_without_text_post_with_slacks_warning(slack: SlackEmulator) -> None:
    blocks = [{"type": "divider"}]
    with pytest.warns(UserWarning, match="`text` argument is missing"):  # slack_sdk's own
        answer = await web_client(slack).chat_postMessage(channel=GENERAL, blocks=blocks)
    assert answer["warning"] == "missing_text_or_fallback_or_attachments"


async def test_blocks_beyond_slacks_limits_are_refused_as_invalid_blocks(
    slack: SlackEmulator,
) -> None:
    long = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    with pytest.raises(SlackApiError) as refused:
        await web_client(slack).chat_postMessage(channel=GENERAL, text="x", blocks=long)
    assert refused.value.response["error"] == "invalid_blocks"
    assert refused.value.response["errors"] == [
        "must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
    ]


async def test_an_ephemeral_message_has_a_message_ts_and_stays_out_of_history(
    slack: SlackEmulator,
) -> None:
    client = web_client(slack)
    answer = await client.chat_postEphemeral(channel=GENERAL, user=ANA, text="only you")
    assert answer["message_ts"]
    assert slack.history(GENERAL) == []
    slack.add_user(TEAM, "U0EVE", name="eve")
    with pytest.raises(SlackApiError, match="user_not_in_channel"):
        await client.chat_postEphemeral(channel=GENERAL, user="U0EVE", text="only you")


async def test_posting_where_the_bot_cannot_post_raises_slacks_errors(
    slack: SlackEmulator,
) -> None:
    client = web_client(slack)
    for channel, error in [
        (QUIET, "not_in_channel"),
        (HIDDEN, "channel_not_found"),
        ("C0NOWHERE", "channel_not_found"),
    ]:
        with pytest.raises(SlackApiError) as refused:
            await client.chat_postMessage(channel=channel, text="hello")
        assert refused.value.response.status_code == 200
        assert refused.value.response["error"] == error
    await client.chat_postMessage(channel=PRIVATE, text="the bot is in this one")


async def test_a_dm_channel_is_stable_per_user(slack: SlackEmulator) -> None:
    client = web_client(slack)
    opened = await client.conversations_open(users=ANA)
    again = await client.conversations_open(users=ANA)
    posted = await client.chat_postMessage(channel=ANA, text="psst")

    dm = opened["channel"]["id"]
    assert dm.startswith("D")
    assert again["channel"]["id"] == dm
    assert again["already_open"] is True
    assert posted["channel"] == dm == slack.dm_channel(TEAM, ANA)
    assert dm != (await client.conversations_open(users=BOB))["channel"]["id"]
    with pytest.raises(SlackApiError, match="cannot_dm_bot"):
        await client.conversations_open(users=slack.bot_user_id)


async def test_users_list_pages_through_the_clients_cursor_iteration(
    slack: SlackEmulator,
) -> None:
    for number in range(5):
        slack.add_user(TEAM, f"U0N{number}", name=f"newcomer{number}")
    seen: list[str] = []
    async for page in await web_client(slack).users_list(limit=3, include_locale=True):
        seen += [member["id"] for member in page["members"]]
        assert all("locale" in member for member in page["members"])

    assert len(seen) == len(set(seen)) == 9  # ana, bob, five newcomers, the bot and Slackbot
    assert {ANA, slack.bot_user_id, SLACKBOT} <= set(seen)
    assert len(slack.calls_to("users.list")) == 3
    assert slack.calls_to("users.list")[1].args["cursor"]


async def test_users_info_gives_the_locale_only_when_asked(slack: SlackEmulator) -> None:
    client = web_client(slack)
    plain = (await client.users_info(user=ANA))["user"]
    localized = (await client.users_info(user=ANA, include_locale=True))["user"]

    assert "locale" not in plain
    assert localized["locale"] == "fr-FR"
    assert (localized["tz"], localized["tz_offset"]) == ("Europe/Paris", 3600)
    assert localized["is_admin"] is True
    assert localized["profile"]["display_name"] == "ana"
    with pytest.raises(SlackApiError, match="user_not_found"):
        await client.users_info(user="U0GHOST")


async def test_conversations_list_pages_and_hides_private_channels_the_bot_is_not_in(
    slack: SlackEmulator,
) -> None:
    client = web_client(slack)
    names: list[str] = []
    async for page in await client.conversations_list(
        types="public_channel,private_channel", limit=1
    ):
        names += [channel["name"] for channel in page["channels"]]
    info = await client.conversations_info(channel=QUIET, include_num_members=True)

    assert names == ["general", "leads", "quiet"]
    assert info["channel"]["is_member"] is False
    assert info["channel"]["num_members"] == 1


async def test_chat_update_and_delete_touch_only_the_bots_own_messages(
    slack: SlackEmulator,
) -> None:
    client = web_client(slack)
    posted = await client.chat_postMessage(channel=GENERAL, text="draft")
    theirs = slack.add_message(GENERAL, user=ANA, text="mine")

    await client.chat_update(channel=GENERAL, ts=posted["ts"], text="final")
    assert slack.history(GENERAL)[0]["text"] == "final"
    with pytest.raises(SlackApiError, match="cant_update_message"):
        await client.chat_update(channel=GENERAL, ts=theirs["ts"], text="hijacked")
    await client.chat_delete(channel=GENERAL, ts=posted["ts"])
    assert [m["text"] for m in slack.history(GENERAL)] == ["mine"]
    with pytest.raises(SlackApiError, match="message_not_found"):
        await client.chat_delete(channel=GENERAL, ts=posted["ts"])


async def test_a_reaction_is_added_once(slack: SlackEmulator) -> None:
    client = web_client(slack)
    theirs = slack.add_message(GENERAL, user=ANA, text="thanks @bob")
    await client.reactions_add(channel=GENERAL, timestamp=theirs["ts"], name="tada")

    assert slack.history(GENERAL)[0]["reactions"] == [
        {"name": "tada", "users": [slack.bot_user_id], "count": 1}
    ]
    with pytest.raises(SlackApiError, match="already_reacted"):
        await client.reactions_add(channel=GENERAL, timestamp=theirs["ts"], name="tada")


async def test_a_modal_needs_a_fresh_trigger_and_fits_slacks_limits(
    slack: SlackEmulator,
) -> None:
    client = web_client(slack)
    modal = {
        "type": "modal",
        "callback_id": "kudos.form",
        "title": {"type": "plain_text", "text": "Kudos"},
        "submit": {"type": "plain_text", "text": "Send"},
        "blocks": [
            {
                "type": "input",
                "block_id": "why",
                "label": {"type": "plain_text", "text": "Why?"},
                "element": {"type": "plain_text_input", "action_id": "text"},
            }
        ],
    }
    trigger = slack.trigger_id()
    opened = await client.views_open(trigger_id=trigger, view=modal)
    with pytest.raises(SlackApiError, match="exchanged_trigger_id"):
        await client.views_open(trigger_id=trigger, view=modal)
    with pytest.raises(SlackApiError, match="invalid_trigger_id"):
        await client.views_open(trigger_id="not-a-trigger", view=modal)
    too_long = {**modal, "title": {"type": "plain_text", "text": "A title far too long to fit"}}
    with pytest.raises(SlackApiError) as refused:
        await client.views_open(trigger_id=slack.trigger_id(), view=too_long)
    updated = await client.views_update(
        view_id=opened["view"]["id"], view={**modal, "private_metadata": "42"}
    )

    assert refused.value.response["error"] == "invalid_arguments"
    assert refused.value.response["response_metadata"]["messages"] == [
        "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"
    ]
    assert updated["view"]["id"] == opened["view"]["id"]
    assert [view["private_metadata"] for view in slack.modals()] == ["42"]


async def test_the_app_home_is_published_per_user(slack: SlackEmulator) -> None:
    client = web_client(slack)
    home = {
        "type": "home",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}],
    }
    first = await client.views_publish(user_id=ANA, view=home)
    second = await client.views_publish(user_id=ANA, view={**home, "private_metadata": "v2"})

    assert first["view"]["id"] == second["view"]["id"]
    assert slack.home(ANA) == second["view"]
    assert slack.home(BOB) is None
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await client.views_publish(user_id=ANA, view={**home, "type": "modal"})


async def test_files_upload_v2_goes_through_the_upload_url(slack: SlackEmulator) -> None:
    answer = await web_client(slack).files_upload_v2(
        channel=GENERAL, filename="kudos.csv", content="giver,receiver\nana,bob\n", title="Kudos"
    )

    shared = slack.files()
    assert [(f.filename, f.title, f.content, f.channels) for f in shared] == [
        ("kudos.csv", "Kudos", b"giver,receiver\nana,bob\n", (GENERAL,))
    ]
    assert answer["file"]["id"] == shared[0].id
    assert [c.method for c in slack.calls] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]
    assert slack.history(GENERAL)[0]["files"][0]["id"] == shared[0].id


async def test_a_429_storm_is_retried_after_the_retry_after_seconds(
    slack: SlackEmulator, naps: Naps
) -> None:
    slack.fail("chat.postMessage", times=2, retry_after=3)
    patient = web_client(slack, retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)])
    await patient.chat_postMessage(channel=GENERAL, text="at last")

    attempts = slack.calls_to("chat.postMessage")
    assert [call.error for call in attempts] == ["ratelimited", "ratelimited", None]
    assert len(naps.taken) == 2
    assert all(3 <= nap < 4 for nap in naps.taken)
    assert [m["text"] for m in slack.history(GENERAL)] == ["at last"]


async def test_a_429_without_a_retry_handler_raises_with_retry_after(
    slack: SlackEmulator,
) -> None:
    slack.fail("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as limited:
        await web_client(slack, retry_handlers=[]).chat_postMessage(channel=GENERAL, text="hi")
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["Retry-After"] == "7"
    assert limited.value.response["error"] == "ratelimited"


async def test_a_server_error_is_retried_by_the_server_error_handler(
    slack: SlackEmulator, naps: Naps
) -> None:
    slack.fail("users.info", status=503)
    client = web_client(slack, retry_handlers=[AsyncServerErrorRetryHandler()])
    found = await client.users_info(user=BOB)
    assert found["user"]["name"] == "bob"
    assert len(slack.calls_to("users.info")) == 2
    assert len(naps.taken) == 1


async def test_an_injected_error_answers_ok_false_once(slack: SlackEmulator) -> None:
    slack.fail("team.info", error="team_not_found")
    client = web_client(slack)
    with pytest.raises(SlackApiError, match="team_not_found"):
        await client.team_info()
    assert (await client.team_info())["team"]["name"] == "Acme"


async def test_a_rate_limit_counts_calls_per_channel(slack: SlackEmulator) -> None:
    slack.rate_limit("chat.postMessage", per_second=1, key="channel")
    client = web_client(slack, retry_handlers=[])
    await client.chat_postMessage(channel=GENERAL, text="one")
    await client.chat_postMessage(channel=PRIVATE, text="another channel")
    with pytest.raises(SlackApiError, match="ratelimited"):
        await client.chat_postMessage(channel=GENERAL, text="two")


async def test_tokens_are_checked_like_slack_checks_them(slack: SlackEmulator) -> None:
    for token, error in [
        ("xoxb-unknown", "invalid_auth"),
        (APP_TOKEN, "not_allowed_token_type"),
    ]:
        with pytest.raises(SlackApiError, match=error):
            await AsyncWebClient(token=token, base_url=slack.api_url).auth_test()
    with pytest.raises(SlackApiError, match="not_allowed_token_type"):
        await web_client(slack).apps_connections_open(app_token=BOT_TOKEN)
    who = await web_client(slack).auth_test()
    assert (who["team_id"], who["user_id"], who["bot_id"]) == (
        TEAM,
        slack.bot_user_id,
        slack.bot_id,
    )
    slack.revoke(BOT_TOKEN)
    with pytest.raises(SlackApiError, match="token_revoked"):
        await web_client(slack).auth_test()


async def test_response_urls_record_posts_and_act_on_the_channel(slack: SlackEmulator) -> None:
    url = slack.response_url(channel=GENERAL, user=ANA)
    webhook = AsyncWebhookClient(url)
    private = await webhook.send(text="just you")
    public = await webhook.send(text="everyone", response_type="in_channel")
    for _ in range(3):
        await webhook.send(text="more")
    used_up = await webhook.send(text="one too many")

    assert (private.status_code, public.status_code, used_up.status_code) == (200, 200, 404)
    assert [body.get("text") for body in slack.responses][:2] == ["just you", "everyone"]
    assert slack.responses[1]["response_type"] == "in_channel"
    assert [m["text"] for m in slack.history(GENERAL)] == ["everyone"]


# --- Socket Mode --------------------------------------------------------------------


@dataclass
class Socket:
    client: SocketModeClient
    requests: asyncio.Queue[SocketModeRequest] = field(default_factory=asyncio.Queue)
    messages: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)


@pytest.fixture
async def socket(slack: SlackEmulator) -> AsyncIterator[Socket]:
    client = SocketModeClient(
        app_token=APP_TOKEN, web_client=AsyncWebClient(base_url=slack.api_url)
    )
    socket = Socket(client)

    async def on_message(_: AsyncBaseSocketModeClient, message: dict[str, Any], __: Any) -> None:
        await socket.messages.put(message)

    async def on_request(client: AsyncBaseSocketModeClient, request: SocketModeRequest) -> None:
        await socket.requests.put(request)
        payload = {"text": "got it"} if request.accepts_response_payload else None
        await client.send_socket_mode_response(SocketModeResponse(request.envelope_id, payload))

    client.message_listeners.append(on_message)
    client.socket_mode_request_listeners.append(on_request)
    await client.connect()
    await slack.socket_connected()
    yield socket
    await client.close()
    await asyncio.sleep(0)


async def test_a_socket_mode_client_connects_with_the_app_token(
    slack: SlackEmulator, socket: Socket
) -> None:
    opened = slack.calls_to("apps.connections.open")
    assert [call.token for call in opened] == [APP_TOKEN]
    hello = await _first(socket, "hello")
    assert hello["connection_info"] == {"app_id": slack.app_id}


async def test_an_events_api_envelope_is_received_and_acknowledged(
    slack: SlackEmulator, socket: Socket
) -> None:
    event = slack_events.message(GENERAL, ANA, "hello")
    callback = envelope(TEAM, event, event_id="Ev0001")
    envelope_id = await slack.socket_send(
        "events_api", callback, retry_attempt=1, retry_reason="timeout"
    )
    received = await asyncio.wait_for(socket.requests.get(), 5)
    ack = await slack.socket_ack(envelope_id)

    assert (received.type, received.envelope_id) == ("events_api", envelope_id)
    assert received.payload["event_id"] == "Ev0001"
    assert received.payload["event"]["text"] == "hello"
    assert (received.retry_attempt, received.retry_reason) == (1, "timeout")
    assert received.accepts_response_payload is False
    assert ack.payload is None


async def test_a_slash_command_envelope_can_be_answered_in_its_ack(
    slack: SlackEmulator, socket: Socket
) -> None:
    driver = SlackDriver("http://127.0.0.1:9", SECRET, slack=slack)
    form = driver.command_form(TEAM, ANA, "kudos", "@bob thanks", channel=GENERAL)
    envelope_id = await slack.socket_send("slash_commands", form)
    received = await asyncio.wait_for(socket.requests.get(), 5)
    ack = await slack.socket_ack(envelope_id)

    assert received.payload["command"] == "/kudos"
    assert received.accepts_response_payload is True
    assert ack.payload == {"text": "got it"}


async def test_a_disconnect_message_makes_the_client_reconnect(
    slack: SlackEmulator, socket: Socket
) -> None:
    await slack.socket_disconnect("refresh_requested")
    await slack.socket_connected(count=2)
    envelope_id = await slack.socket_send(
        "events_api", envelope(TEAM, slack_events.app_uninstalled())
    )
    await slack.socket_ack(envelope_id)
    assert len(slack.calls_to("apps.connections.open")) == 2


async def test_bolts_socket_mode_handler_dispatches_envelopes_and_acks_them(
    slack: SlackEmulator,
) -> None:
    app = AsyncApp(client=web_client(slack))
    heard: asyncio.Queue[tuple[dict[str, Any], AsyncBoltRequest]] = asyncio.Queue()

    @app.event("app_mention")
    async def on_mention(event: dict[str, Any], request: AsyncBoltRequest) -> None:
        await heard.put((event, request))

    handler = AsyncSocketModeHandler(app, APP_TOKEN)
    await handler.connect_async()
    try:
        await slack.socket_connected()
        mention = slack_events.app_mention(GENERAL, ANA, f"<@{slack.bot_user_id}> hi")
        envelope_id = await slack.socket_send("events_api", envelope(TEAM, mention))
        ack = await slack.socket_ack(envelope_id)
        event, request = await asyncio.wait_for(heard.get(), 5)
    finally:
        await handler.close_async()
        await asyncio.sleep(0)

    assert ack.payload is None
    assert event["text"].endswith("hi")
    # Slack marks a first delivery retry_attempt 0, which Bolt forwards as a header.
    assert request.headers.get("x-slack-retry-num") == ["0"]


async def _first(socket: Socket, kind: str) -> dict[str, Any]:
    async with asyncio.timeout(5):
        while (message := await socket.messages.get()).get("type") != kind:
            pass
    return message


# --- the driver against slack-bolt ------------------------------------------------------


@dataclass
class Bolt:
    """A bare slack-bolt app served over HTTP: what it received and understood."""

    url: str
    raw: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    submitted: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
async def bolt(slack: SlackEmulator) -> AsyncIterator[Bolt]:
    app = AsyncApp(client=web_client(slack), signing_secret=SECRET, process_before_response=True)
    runner = web.AppRunner(web.Application(), access_log=None)
    seen = Bolt("")

    @app.event("message")
    async def on_message(event: dict[str, Any]) -> None:
        seen.events.append(event)

    @app.command("/kudos")
    async def on_kudos(
        ack: AsyncAck, respond: AsyncRespond, body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        await respond(text=f"thanks for {body['text']}")
        await client.views_open(
            trigger_id=body["trigger_id"],
            view={
                "type": "modal",
                "callback_id": "kudos.form",
                "private_metadata": body["channel_id"],
                "title": {"type": "plain_text", "text": "Kudos"},
                "submit": {"type": "plain_text", "text": "Send"},
                "blocks": KUDOS_FORM,
            },
        )

    @app.action("kudos.undo")
    async def on_undo(ack: AsyncAck, respond: AsyncRespond) -> None:
        await ack()
        await respond(replace_original=True, text="undone")

    @app.view("kudos.form")
    async def on_form(ack: AsyncAck, view: dict[str, Any]) -> None:
        await ack()
        seen.submitted.append(view)

    async def handle(request: web.Request) -> web.Response:
        raw = await request.read()
        headers = dict(request.headers)
        seen.raw.append((headers, raw))
        bolt_request = AsyncBoltRequest(body=raw.decode(), headers=headers)
        answer = await app.async_dispatch(bolt_request)
        return web.Response(status=answer.status, text=answer.body, headers=answer.first_headers())

    runner.app.router.add_post("/slack/events", handle)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    seen.url = f"http://{host}:{port}"
    yield seen
    await runner.cleanup()


@pytest.fixture
async def driver(slack: SlackEmulator, bolt: Bolt) -> AsyncIterator[SlackDriver]:
    async with SlackDriver(bolt.url, SECRET, slack=slack) as driver:
        await driver.wait_until_up(path="/slack/events")
        yield driver


def test_signatures_pass_slack_sdks_verifier_and_forgeries_fail_it() -> None:
    driver = SlackDriver("http://127.0.0.1:9", SECRET)
    body = b'{"type":"event_callback"}'
    verifier = SignatureVerifier(SECRET)

    assert verifier.is_valid_request(body, driver.sign(body))
    assert not verifier.is_valid_request(body, driver.sign(body, forge=True))
    assert not verifier.is_valid_request(body, driver.sign(body, stale=True))
    assert not verifier.is_valid_request(body + b" ", driver.sign(body))


async def test_an_event_is_signed_on_the_wire_and_understood_by_bolt(
    driver: SlackDriver, bolt: Bolt
) -> None:
    sent = await driver.event(TEAM, slack_events.message(GENERAL, ANA, "hello"), event_id="Ev1")
    retried = await driver.event(
        TEAM, slack_events.message(GENERAL, ANA, "hello"), event_id="Ev1", retry_num=1
    )

    assert (sent.status, retried.status) == (200, 200)
    assert [e["text"] for e in bolt.events] == ["hello", "hello"]
    headers, raw = bolt.raw[-1]
    assert SignatureVerifier(SECRET).is_valid_request(raw, headers)
    assert headers["X-Slack-Retry-Num"] == "1"
    assert headers["X-Slack-Retry-Reason"] == "http_timeout"
    assert json.loads(raw)["authorizations"][0]["user_id"] == driver.bot_user_id


async def test_forged_and_stale_requests_are_refused_by_bolt(
    driver: SlackDriver, bolt: Bolt
) -> None:
    event = slack_events.message(GENERAL, ANA, "hello")
    forged = await driver.event(TEAM, event, forge=True)
    stale = await driver.event(TEAM, event, stale=True)
    assert (forged.status, stale.status) == (401, 401)
    assert bolt.events == []


async def test_url_verification_is_answered_with_the_challenge(driver: SlackDriver) -> None:
    sent = await driver.url_verification("a-challenge")
    assert sent.status == 200
    assert sent.json() == {"challenge": "a-challenge"}


async def test_a_slash_command_responds_and_opens_a_modal_that_can_be_submitted(
    slack: SlackEmulator, driver: SlackDriver, bolt: Bolt
) -> None:
    sent = await driver.command(TEAM, ANA, "/kudos", "@bob for the demo", channel=GENERAL)
    modal = slack.modals()[-1]
    submitted = await driver.submit(
        TEAM, ANA, modal, values={"why": "for the demo", "value": "teamwork"}
    )

    assert sent.status == 200
    assert [body["text"] for body in slack.responses] == ["thanks for @bob for the demo"]
    assert (modal["callback_id"], modal["private_metadata"]) == ("kudos.form", GENERAL)
    assert submitted.status == 200
    state = bolt.submitted[0]["state"]["values"]
    assert state["why"]["text"] == {"type": "plain_text_input", "value": "for the demo"}
    assert state["value"]["pick"]["selected_option"] == {
        "text": {"type": "plain_text", "text": "Teamwork", "emoji": True},
        "value": "teamwork",
    }


async def test_a_command_without_a_channel_comes_from_the_apps_dm(
    slack: SlackEmulator, driver: SlackDriver, bolt: Bolt
) -> None:
    status, _ = await driver.command(TEAM, BOB, "kudos", "me")
    headers, raw = bolt.raw[-1]
    assert status == 200
    assert SignatureVerifier(SECRET).is_valid_request(raw, headers)
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert slack.modals()[-1]["private_metadata"] == slack.dm_channel(TEAM, BOB)


def undo_blocks() -> list[dict[str, Any]]:
    button = {"type": "button", "action_id": "kudos.undo"}
    button["text"] = {"type": "plain_text", "text": "Undo"}
    return [{"type": "actions", "block_id": "undo", "elements": [button]}]


async def test_a_button_on_a_message_replaces_it_through_its_response_url(
    slack: SlackEmulator, driver: SlackDriver
) -> None:
    client = web_client(slack)
    await client.chat_postMessage(channel=GENERAL, text="kudos sent", blocks=undo_blocks())
    last = slack.last_ts(GENERAL)
    sent = await driver.press(
        TEAM, BOB, action_id="kudos.undo", value="42", channel=GENERAL, message_ts=last
    )

    assert sent.status == 200
    assert slack.responses[0]["replace_original"] is True
    assert [m["text"] for m in slack.history(GENERAL)] == ["undone"]


def test_a_button_payload_names_the_block_holding_the_action() -> None:
    message = {"type": "message", "ts": "1.000001", "text": "", "blocks": undo_blocks()}
    pressed = block_actions(TEAM, BOB, "kudos.undo", "42", message=message, channel_id=GENERAL)
    assert pressed["actions"][0]["block_id"] == "undo"
    assert pressed["container"] == {
        "type": "message",
        "message_ts": "1.000001",
        "channel_id": GENERAL,
        "is_ephemeral": False,
    }
