"""Slack's side of HTTP mode: signed requests to a running Hearth.

`SlackDriver` posts what Slack posts to `/slack/events`, over real HTTP on
loopback: Events API envelopes as JSON, slash commands form-encoded,
interactions as a form field `payload` holding JSON, each signed with
`v0=` + HMAC-SHA256 of `v0:{timestamp}:{raw body}`. The payload builders
live in `payloads` and `events` and are importable from here too, so Socket
Mode tests push the same dictionaries through `SlackEmulator.socket_send`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import secrets
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

import aiohttp

from tests.platforms.slack.emulator import SlackEmulator

# The payload builders stay importable from here, where tests have always found them.
from tests.platforms.slack.events import *  # noqa: F403
from tests.platforms.slack.payloads import *  # noqa: F403
from tests.platforms.slack.payloads import (
    block_actions,
    command_form,
    envelope,
    new_trigger_id,
    view_submission,
)
from tests.platforms.slack.world import APP_ID, BOT_USER_ID

STALE_BY = 600  # seconds: Bolt refuses requests older than five minutes
FORM = "application/x-www-form-urlencoded"

_unbound = itertools.count(1)


class Sent(tuple[int, str]):
    """Hearth's answer: unpacks as `(status, body)`; `elapsed` (seconds) is for
    benchmarks, never for assertions."""

    elapsed: float

    def __new__(cls, status: int, body: str, elapsed: float) -> Sent:
        sent = super().__new__(cls, (status, body))
        sent.elapsed = elapsed
        return sent

    @property
    def status(self) -> int:
        return self[0]

    @property
    def body(self) -> str:
        return self[1]

    def json(self) -> Any:
        return json.loads(self.body)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackDriver:
    """Sends Slack's requests to a Hearth served at `base_url`.

    Bound to an emulator (`slack=`), it takes the app id from it and gives
    commands and message buttons response URLs the emulator records, as
    Slack always sends one.
    """

    def __init__(
        self,
        base_url: str,
        signing_secret: str,
        *,
        slack: SlackEmulator | None = None,
        path: str = "/slack/events",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.url = self.base_url + path
        self._secret = signing_secret
        self._slack = slack
        self._clock = clock
        self._session: aiohttp.ClientSession | None = None

    @property
    def app_id(self) -> str:
        return self._slack.app_id if self._slack else APP_ID

    @property
    def bot_user_id(self) -> str:
        return self._slack.bot_user_id if self._slack else BOT_USER_ID

    async def __aenter__(self) -> SlackDriver:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def wait_until_up(self, *, seconds: float = 10.0, path: str = "/healthz") -> None:
        """Wait until the server answers HTTP at all (any status)."""
        async with asyncio.timeout(seconds):
            while True:
                try:
                    async with self._client().get(self.base_url + path) as response:
                        await response.read()
                        return
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.02)

    # --- signing and sending -------------------------------------------------------

    def sign(
        self, body: bytes, *, timestamp: int | None = None, forge: bool = False, stale: bool = False
    ) -> dict[str, str]:
        """Slack's signature headers for `body`: `forge` signs with the wrong
        secret, `stale` dates the request ten minutes back."""
        moment = timestamp if timestamp is not None else int(self._clock())
        if stale:
            moment -= STALE_BY
        secret = "not-" + self._secret if forge else self._secret
        return {
            "X-Slack-Request-Timestamp": str(moment),
            "X-Slack-Signature": signature(secret, str(moment), body),
        }

    async def post(
        self,
        body: bytes,
        *,
        content_type: str,
        headers: Mapping[str, str] | None = None,
        timestamp: int | None = None,
        forge: bool = False,
        stale: bool = False,
    ) -> Sent:
        sent_headers = {
            "Content-Type": content_type,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            **self.sign(body, timestamp=timestamp, forge=forge, stale=stale),
            **(headers or {}),
        }
        started = time.perf_counter()
        async with self._client().post(self.url, data=body, headers=sent_headers) as response:
            text = await response.text()
        return Sent(response.status, text, time.perf_counter() - started)

    async def event(
        self,
        team_id: str,
        event: Mapping[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        timestamp: int | None = None,
        forge: bool = False,
        stale: bool = False,
    ) -> Sent:
        """Deliver one Events API callback; `retry_num` marks it as Slack's retry."""
        body = envelope(
            team_id, event, event_id=event_id, app_id=self.app_id, bot_user_id=self.bot_user_id
        )
        headers: dict[str, str] = {}
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
        raw = json.dumps(body).encode()
        return await self.post(
            raw,
            content_type="application/json",
            headers=headers,
            timestamp=timestamp,
            forge=forge,
            stale=stale,
        )

    async def url_verification(
        self, challenge: str = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", **how: Any
    ) -> Sent:
        body = {"token": "Jhj5dZrVaK7ZwHHjRyZWjbDl", "challenge": challenge}
        body["type"] = "url_verification"
        return await self.post(json.dumps(body).encode(), content_type="application/json", **how)

    async def command(
        self,
        team_id: str,
        user_id: str,
        command: str,
        text: str = "",
        *,
        channel: str | None = None,
        channel_name: str | None = None,
        user_name: str | None = None,
        response_url: str | None = None,
        trigger_id: str | None = None,
        timestamp: int | None = None,
        forge: bool = False,
        stale: bool = False,
    ) -> Sent:
        """Run a slash command, form-encoded as Slack posts it; in the app's DM
        with the user unless `channel` is given."""
        form = self.command_form(
            team_id,
            user_id,
            command,
            text,
            channel=channel,
            channel_name=channel_name,
            user_name=user_name,
            response_url=response_url,
            trigger_id=trigger_id,
        )
        raw = urlencode(form).encode()
        return await self.post(
            raw, content_type=FORM, timestamp=timestamp, forge=forge, stale=stale
        )

    def command_form(
        self,
        team_id: str,
        user_id: str,
        command: str,
        text: str = "",
        *,
        channel: str | None = None,
        channel_name: str | None = None,
        user_name: str | None = None,
        response_url: str | None = None,
        trigger_id: str | None = None,
    ) -> dict[str, str]:
        """A slash command's fields (also a Socket Mode `slash_commands` payload),
        with a response URL and a trigger id from the bound emulator."""
        if channel is None:
            channel = self._slack.dm_channel(team_id, user_id) if self._slack else f"D{user_id[1:]}"
            channel_name = channel_name or "directmessage"
        if response_url is None:
            response_url = self._response_url(team_id, channel=channel, user=user_id)
        return command_form(
            team_id,
            user_id,
            command,
            text,
            channel=channel,
            channel_name=channel_name or channel.lower(),
            user_name=user_name,
            response_url=response_url,
            trigger_id=trigger_id or self._trigger_id(),
            app_id=self.app_id,
        )

    async def press(
        self,
        team_id: str,
        user_id: str,
        *,
        action_id: str,
        value: str = "",
        channel: str | None = None,
        message_ts: str | None = None,
        ephemeral: bool = False,
        view: Mapping[str, Any] | None = None,
        block_id: str | None = None,
        response_url: str | None = None,
        **how: Any,
    ) -> Sent:
        """Press a button on the message `message_ts` in `channel` (found in the
        bound emulator's history, blocks and all), or in a `view`."""
        message = None
        if self._slack is not None and channel and message_ts and not ephemeral:
            message = next((m for m in self._slack.history(channel) if m["ts"] == message_ts), None)
        payload = block_actions(
            team_id,
            user_id,
            action_id,
            value,
            message=message,
            channel_id=channel,
            message_ts=message_ts,
            ephemeral=ephemeral,
            view=view,
            block_id=block_id,
            response_url=response_url,
            trigger_id=self._trigger_id(),
            app_id=self.app_id,
        )
        return await self.interactive(payload, **how)

    async def submit(
        self,
        team_id: str,
        user_id: str,
        view: Mapping[str, Any],
        *,
        values: Mapping[str, str | Mapping[str, Any]] | None = None,
        **how: Any,
    ) -> Sent:
        """Submit the modal `view` (as opened); `values` maps each input block id
        to what the member entered (see `view_submission`)."""
        payload = view_submission(
            team_id,
            user_id,
            view=view,
            values=values,
            trigger_id=self._trigger_id(),
            app_id=self.app_id,
        )
        return await self.interactive(payload, **how)

    async def interactive(
        self,
        payload: Mapping[str, Any],
        *,
        timestamp: int | None = None,
        forge: bool = False,
        stale: bool = False,
    ) -> Sent:
        """Post an interaction (`block_actions`, `view_submission`) as `payload=<json>`.

        A button on a message gets a response URL when it has none, as from Slack.
        """
        payload = dict(payload)
        container = payload.get("container") or {}
        if (
            payload.get("type") == "block_actions"
            and container.get("type") == "message"
            and not payload.get("response_url")
        ):
            payload["response_url"] = self._response_url(
                str(payload["team"]["id"]),
                channel=container.get("channel_id"),
                user=payload["user"]["id"],
                message_ts=None if container.get("is_ephemeral") else container.get("message_ts"),
            )
        raw = urlencode({"payload": json.dumps(payload)}).encode()
        return await self.post(
            raw, content_type=FORM, timestamp=timestamp, forge=forge, stale=stale
        )

    def _response_url(
        self, team_id: str, *, channel: str | None, user: str | None, message_ts: str | None = None
    ) -> str:
        if self._slack is not None:
            return self._slack.response_url(channel=channel, user=user, message_ts=message_ts)
        # Unbound, it goes nowhere (the discard port): bind an emulator to record responses.
        return f"http://127.0.0.1:9/commands/{team_id}/{next(_unbound)}/{secrets.token_hex(12)}"

    def _trigger_id(self) -> str:
        return self._slack.trigger_id() if self._slack else new_trigger_id()
