"""Installing the app in another workspace works against the emulator as against Slack:
slack_sdk's oauth.v2.access and slack-bolt's whole OAuth flow, code to working token."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp, AsyncSay
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import FileInstallationStore
from slack_sdk.oauth.state_store import FileOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from tests.platforms.slack import events
from tests.platforms.slack.driver import SlackDriver
from tests.platforms.slack.emulator import SlackEmulator

ACME, GLOBEX = "T0ACME", "T0GLOBEX"
BOT_TOKEN = "xoxb-acme"
CLIENT_ID, CLIENT_SECRET = "1111.2222", "0123456789abcdef0123456789abcdef"
SIGNING_SECRET = "3c1f0d2a9e8b7c6d5e4f3a2b1c0d9e8f"
CARLA = "U0CARLA"  # a Globex member who installs the app
GLOBEX_GENERAL = "C0GLOBEX"

# slack_sdk 3.47 still sends the client credentials through aiohttp's BasicAuth,
# which aiohttp 3.14 deprecates; the header on the wire is the same.
pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")


@pytest.fixture
async def slack() -> AsyncIterator[SlackEmulator]:
    async with SlackEmulator(bot_token=BOT_TOKEN) as emulator:
        emulator.add_team(ACME, name="Acme")
        emulator.add_team(GLOBEX, name="Globex")  # no token until installed
        emulator.add_user(GLOBEX, CARLA, name="carla", is_admin=True)
        emulator.add_channel(GLOBEX, GLOBEX_GENERAL, "general", members=[CARLA])
        emulator.add_oauth_app(CLIENT_ID, CLIENT_SECRET)
        yield emulator


def anonymous(slack: SlackEmulator) -> AsyncWebClient:
    """The app's client before any install: no token, as slack-bolt's OAuth flow holds it."""
    return AsyncWebClient(base_url=slack.api_url)


async def test_oauth_v2_access_gives_a_bot_token_that_works_for_that_team(
    slack: SlackEmulator,
) -> None:
    code = slack.authorize_code(GLOBEX, CARLA, scopes=["commands", "chat:write"])
    installed = await anonymous(slack).oauth_v2_access(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code
    )
    token = installed["access_token"]
    globex = AsyncWebClient(token=token, base_url=slack.api_url)
    who = await globex.auth_test()
    await globex.chat_postMessage(channel=GLOBEX_GENERAL, text="hello Globex")

    assert token.startswith("xoxb-")
    assert token != BOT_TOKEN
    assert (installed["token_type"], installed["scope"]) == ("bot", "commands,chat:write")
    assert installed["team"] == {"id": GLOBEX, "name": "Globex"}
    assert (installed["app_id"], installed["bot_user_id"]) == (slack.app_id, slack.bot_user_id)
    assert installed["enterprise"] is None
    assert installed["authed_user"] == {"id": CARLA}
    assert (who["team_id"], who["user_id"], who["bot_id"]) == (
        GLOBEX,
        slack.bot_user_id,
        slack.bot_id,
    )
    assert [m["text"] for m in slack.history(GLOBEX_GENERAL)] == ["hello Globex"]
    assert slack.calls_to("oauth.v2.access")[0].token is None  # HTTP Basic, not a bearer


async def test_a_code_is_exchanged_once(slack: SlackEmulator) -> None:
    client = anonymous(slack)
    code = slack.authorize_code(GLOBEX, CARLA)
    await client.oauth_v2_access(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code)

    for reused in (code, "1700000000.1.not-a-code"):
        with pytest.raises(SlackApiError) as refused:
            await client.oauth_v2_access(
                client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=reused
            )
        assert refused.value.response["error"] == "invalid_code"


async def test_wrong_client_credentials_are_refused_and_leave_the_code_usable(
    slack: SlackEmulator,
) -> None:
    client = anonymous(slack)
    code = slack.authorize_code(GLOBEX, CARLA)
    for client_id, secret, error in [
        ("9999.9999", CLIENT_SECRET, "invalid_client_id"),
        (CLIENT_ID, "not-the-secret", "bad_client_secret"),
    ]:
        with pytest.raises(SlackApiError) as refused:
            await client.oauth_v2_access(client_id=client_id, client_secret=secret, code=code)
        assert refused.value.response["error"] == error

    installed = await client.oauth_v2_access(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code
    )
    assert installed["team"]["id"] == GLOBEX


async def test_client_credentials_may_come_as_form_fields(slack: SlackEmulator) -> None:
    code = slack.authorize_code(GLOBEX, CARLA)
    form = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "code": code}
    installed = await anonymous(slack).api_call("oauth.v2.access", data=form)
    assert installed["team"]["id"] == GLOBEX


async def test_a_redirect_uri_named_at_authorization_must_be_named_again(
    slack: SlackEmulator,
) -> None:
    client = anonymous(slack)
    redirect = "https://hearth.example/slack/oauth_redirect"
    code = slack.authorize_code(GLOBEX, CARLA, redirect_uri=redirect)
    credentials = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "code": code}
    with pytest.raises(SlackApiError, match="bad_redirect_uri"):
        await client.oauth_v2_access(**credentials, redirect_uri="https://elsewhere.example/")
    installed = await client.oauth_v2_access(**credentials, redirect_uri=redirect)
    assert installed["team"]["id"] == GLOBEX


async def test_bolts_oauth_flow_installs_a_workspace_whose_events_it_then_answers(
    slack: SlackEmulator, tmp_path: Path
) -> None:
    scopes = ["commands", "chat:write", "app_mentions:read"]
    installations = FileInstallationStore(base_dir=str(tmp_path / "installations"))
    settings = AsyncOAuthSettings(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        scopes=scopes,
        installation_store=installations,
        state_store=FileOAuthStateStore(expiration_seconds=600, base_dir=str(tmp_path / "state")),
    )
    app = AsyncApp(client=anonymous(slack), signing_secret=SIGNING_SECRET, oauth_settings=settings)

    @app.event("app_mention")
    async def greet(say: AsyncSay) -> None:
        await say("hello Globex")

    runner = web.AppRunner(app.web_app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    url = f"http://{host}:{port}"
    try:
        async with aiohttp.ClientSession() as browser:
            async with browser.get(f"{url}/slack/install") as page:
                install_page = await page.text()
                state = page.cookies["slack-app-oauth-state"].value
            code = slack.authorize_code(GLOBEX, CARLA, scopes=scopes)
            async with browser.get(
                f"{url}/slack/oauth_redirect",
                params={"code": code, "state": state},
                headers={"Cookie": f"slack-app-oauth-state={state}"},
            ) as redirected:
                finished = redirected.status
        installation = await installations.async_find_installation(
            enterprise_id=None, team_id=GLOBEX
        )
        async with SlackDriver(url, SIGNING_SECRET, slack=slack) as driver:
            mention = events.app_mention(GLOBEX_GENERAL, CARLA, f"<@{slack.bot_user_id}> hi")
            sent = await driver.event(GLOBEX, mention)
        posted = await slack.wait_for_call("chat.postMessage")
    finally:
        await runner.cleanup()
        await asyncio.sleep(0)

    assert f"client_id={CLIENT_ID}" in install_page
    assert finished == 200
    assert installation is not None
    assert (installation.team_id, installation.team_name) == (GLOBEX, "Globex")
    assert (installation.bot_user_id, installation.bot_id) == (slack.bot_user_id, slack.bot_id)
    assert installation.user_id == CARLA
    assert installation.bot_scopes == scopes
    assert sent.status == 200
    assert posted.token == installation.bot_token
    assert [m["text"] for m in slack.history(GLOBEX_GENERAL)] == ["hello Globex"]
