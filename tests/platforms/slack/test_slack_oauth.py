"""Installing Hearth in another workspace over OAuth, then serving it with its own token."""

from __future__ import annotations

import asyncio
import contextlib
import html
import re
from pathlib import Path

import aiohttp
import pytest

from bot.app import Hearth
from bot.runner import run
from storage import installation_store
from tests.platforms.slack.conftest import (
    SIGNING_SECRET,
    eventually,
    free_port,
    slack_settings,
)
from tests.platforms.slack.driver import SlackDriver
from tests.platforms.slack.emulator import SlackEmulator

# slack_sdk 3.47 sends the client credentials through aiohttp's deprecated BasicAuth.
pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")

CLIENT_ID, CLIENT_SECRET = "1111.2222", "oauth-secret"
GLOBEX, LEA, TEAMROOM = "T0GLOBEX", "U0LEA", "C0TEAMROOM"


async def test_a_workspace_installs_hearth_and_is_served_with_its_own_token(
    tmp_path: Path, slack: SlackEmulator
) -> None:
    slack.add_oauth_app(CLIENT_ID, CLIENT_SECRET)
    slack.add_team(GLOBEX, name="Globex")
    slack.add_user(GLOBEX, LEA, name="lea", is_admin=True)
    slack.add_user(GLOBEX, "U0MAX", name="max")
    slack.add_channel(GLOBEX, TEAMROOM, "teamroom", members=[LEA, "U0MAX"])
    settings = slack_settings(
        tmp_path,
        slack,
        SLACK_BOT_TOKEN="",
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
    )
    port = free_port()
    ready: asyncio.Future[Hearth] = asyncio.get_running_loop().create_future()
    stop = asyncio.Event()

    async def on_ready(hearth: Hearth) -> None:
        ready.set_result(hearth)

    task = asyncio.create_task(run(settings, http=True, port=port, ready=on_ready, stop=stop))
    base = f"http://127.0.0.1:{port}"
    try:
        hearth = await asyncio.wait_for(asyncio.shield(ready), timeout=30)
        async with (
            aiohttp.ClientSession() as browser,
            SlackDriver(base, SIGNING_SECRET) as slack_side,
        ):
            await slack_side.wait_until_up()
            async with browser.get(f"{base}/slack/install") as page:
                assert page.status == 200
                assert "slack-app-oauth-state=" in page.headers.get("Set-Cookie", "")
                link = html.unescape(
                    re.search(r'href="(https://[^"]*/authorize[^"]*)"', await page.text())[1]
                )
            state = re.search(r"state=([^&]+)", link)[1]
            assert f"client_id={CLIENT_ID}" in link
            code = slack.authorize_code(GLOBEX, LEA, scopes=("commands", "chat:write"))
            cookie = f"slack-app-oauth-state={state}"  # Secure: a browser sends it over https
            async with browser.get(
                f"{base}/slack/oauth_redirect",
                params={"code": code, "state": state},
                headers={"Cookie": cookie},
            ) as finished:
                assert finished.status == 200

            await slack_side.event(
                GLOBEX,
                {
                    "type": "message",
                    "channel": TEAMROOM,
                    "channel_type": "channel",
                    "user": LEA,
                    "text": "<@U0MAX>++ for the onboarding doc",
                    "ts": "100.0001",
                },
            )
            await eventually(
                lambda: any(
                    c.ok and c.args.get("channel") == TEAMROOM
                    for c in slack.calls_to("chat.postMessage")
                )
            )
            [post] = [
                c for c in slack.calls_to("chat.postMessage") if c.args.get("channel") == TEAMROOM
            ]
            installed = [c for c in slack.calls_to("oauth.v2.access") if c.ok]
            assert len(installed) == 1
            assert post.token not in ("", None)
            assert post.token != "xoxb-hearth-test"  # the installed workspace's own token

            installations = installation_store(hearth.storage.engine, client_id=CLIENT_ID)
            assert await installations.async_find_bot(enterprise_id=None, team_id=GLOBEX)
            await slack_side.event(GLOBEX, {"type": "app_uninstalled"})
            for _ in range(200):
                if not await installations.async_find_bot(enterprise_id=None, team_id=GLOBEX):
                    break
                await asyncio.sleep(0.02)
            assert await installations.async_find_bot(enterprise_id=None, team_id=GLOBEX) is None
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, timeout=30)
