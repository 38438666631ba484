"""A local Slack that speaks the wire protocol Hearth's Slack adapter uses.

The adapter talks to it with the real slack_sdk clients: the Web API at
`/api/<method>` (form, query or JSON arguments, `Authorization: Bearer`),
file uploads through the URL `files.getUploadURLExternal` hands out,
response URLs at `/respond/<id>`, Socket Mode over a websocket whose URL
`apps.connections.open` returns, and OAuth v2 installs through
`oauth.v2.access`. Everything is recorded in order so a test asserts on
what Slack would have seen, and the world (teams, users, channels,
messages, views) answers the way Slack does, refusals included:
`not_in_channel`, `channel_not_found`, `invalid_blocks`, a 429 storm.

`SlackEmulator` is the one object tests hold; the surfaces live beside it:
`world` (the data model), `webapi` (plumbing and failures), `directory`,
`messaging`, `views`, `files`, `socket_mode`, `oauth` and `blockkit`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any

from aiohttp import web

from tests.platforms.slack.changes import Changes
from tests.platforms.slack.directory import Directory
from tests.platforms.slack.files import Files, SharedFile
from tests.platforms.slack.messaging import Messaging
from tests.platforms.slack.oauth import BOT_SCOPES, OAuth
from tests.platforms.slack.socket_mode import Ack, SocketMode
from tests.platforms.slack.views import Views
from tests.platforms.slack.webapi import Call, WebApi
from tests.platforms.slack.world import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    SLACKBOT,
    Args,
    SlackError,
    World,
)

__all__ = [
    "APP_ID",
    "BOT_ID",
    "BOT_USER_ID",
    "SLACKBOT",
    "Ack",
    "Call",
    "SharedFile",
    "SlackEmulator",
    "SlackError",
]


class SlackEmulator:
    """Slack's Web API, response URLs, Socket Mode and OAuth on 127.0.0.1.

    `async with SlackEmulator(bot_token=..., app_token=...) as slack:` then
    seed it (`add_team`, `add_user`, `add_channel`), point a client at
    `slack.api_url` and assert on `calls`, `history`, `responses`, `acks`.
    """

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-emulator",
        app_token: str = "xapp-emulator",
        app_id: str = APP_ID,
        bot_user_id: str = BOT_USER_ID,
        bot_id: str = BOT_ID,
        clock: Callable[[], float] = time.time,
        port: int = 0,
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.app_id = app_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self._port = port
        self._world = World(
            bot_token=bot_token, app_id=app_id, bot_user_id=bot_user_id, bot_id=bot_id, clock=clock
        )
        self._changes = Changes()
        self._directory = Directory(self._world)
        self._messaging = Messaging(self._world, self._changes)
        self._views = Views(self._world)
        self._files = Files(self._world, self._changes)
        self._socket_mode = SocketMode(self._world, self._changes)
        self._oauth = OAuth(self._world)
        self._webapi = WebApi(self._world, self._changes, app_token=app_token)
        for group in (
            self._directory,
            self._messaging,
            self._views,
            self._files,
            self._socket_mode,
            self._oauth,
        ):
            self._webapi.add(group.methods())
        self._runner: web.AppRunner | None = None

    # --- lifecycle -------------------------------------------------------------

    async def __aenter__(self) -> SlackEmulator:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._webapi.handle)
        app.router.add_post("/upload/v1/{file_id}", self._files.upload)
        app.router.add_post("/respond/{id}", self._messaging.respond)
        app.router.add_get("/socket-mode/link/", self._socket_mode.connect)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self._port).start()
        host, port = self._runner.addresses[0][:2]
        self._world.base_url = f"http://{host}:{port}"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._socket_mode.close_all()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return self._world.base_url

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    # --- seeding the world -----------------------------------------------------

    def add_team(
        self,
        team_id: str,
        *,
        name: str,
        domain: str | None = None,
        bot_token: str | None = None,
        bot_user_id: str | None = None,
        bot_id: str | None = None,
    ) -> None:
        """A workspace with the app installed, its bot user and Slackbot.

        The constructor's bot token belongs to the first team added without
        a token of its own; a later one has none until `bot_token=` or an
        OAuth install (`authorize_code`) gives it one.
        """
        self._world.add_team(
            team_id,
            name=name,
            domain=domain,
            bot_token=bot_token,
            bot_user_id=bot_user_id,
            bot_id=bot_id,
        )

    def add_user(
        self,
        team_id: str,
        user_id: str,
        *,
        name: str,
        real_name: str | None = None,
        display_name: str | None = None,
        tz: str = "UTC",
        locale: str = "en-US",
        is_admin: bool = False,
        is_owner: bool = False,
        is_bot: bool = False,
        deleted: bool = False,
        email: str | None = None,
    ) -> Args:
        """Add (or replace) a member; returns the user object events carry."""
        user = self._world.add_user(
            team_id,
            user_id,
            name=name,
            real_name=real_name,
            display_name=display_name,
            tz=tz,
            locale=locale,
            is_admin=is_admin,
            is_owner=is_owner,
            is_bot=is_bot,
            deleted=deleted,
            email=email,
        )
        return self._directory.user_object(user)

    def add_channel(
        self,
        team_id: str,
        channel_id: str,
        name: str,
        *,
        members: Iterable[str] = (),
        bot_member: bool = True,
        is_private: bool = False,
        is_archived: bool = False,
    ) -> None:
        """`bot_member=False` on a public channel refuses posts, as without chat:write.public."""
        self._world.add_channel(
            team_id,
            channel_id,
            name,
            members=members,
            bot_member=bot_member,
            is_private=is_private,
            is_archived=is_archived,
        )

    def add_message(
        self, channel_id: str, *, user: str, text: str, thread_ts: str | None = None
    ) -> Args:
        """A message a member posted (so the bot can react to it); returns it with its ts."""
        return self._world.add_message(channel_id, user=user, text=text, thread_ts=thread_ts)

    def revoke(self, token: str, *, error: str = "token_revoked") -> None:
        """Later calls with `token` answer `error` (`token_revoked`, `account_inactive`)."""
        self._world.revoked[token] = error

    def dm_channel(self, team_id: str, user_id: str) -> str:
        """The id of the app's DM with `user_id`, the one conversations.open returns."""
        return self._world.open_dm(self._world.team(team_id), user_id)[0].id

    def user_object(self, team_id: str, user_id: str, *, include_locale: bool = False) -> Args:
        user = self._world.team(team_id).users[user_id]
        return self._directory.user_object(user, include_locale=include_locale)

    # --- OAuth -----------------------------------------------------------------

    def add_oauth_app(self, client_id: str, client_secret: str) -> None:
        """Credentials oauth.v2.access accepts for this app."""
        self._oauth.add_app(client_id, client_secret)

    def authorize_code(
        self,
        team_id: str,
        user_id: str,
        *,
        scopes: Sequence[str] = BOT_SCOPES,
        redirect_uri: str | None = None,
    ) -> str:
        """The code Slack sends to the redirect URL once member `user_id` allows
        the install in `team_id`: oauth.v2.access exchanges it, once, for a new
        bot token of that team. With `redirect_uri`, the exchange must name it."""
        return self._oauth.authorize_code(
            team_id, user_id, scopes=scopes, redirect_uri=redirect_uri
        )

    # --- failures --------------------------------------------------------------

    def fail(
        self,
        method: str,
        *,
        times: int = 1,
        error: str | None = None,
        status: int | None = None,
        retry_after: int | None = 1,
    ) -> None:
        """The next `times` calls to `method` fail.

        Defaults to a 429 `ratelimited` with `Retry-After`; `status=500/503`
        for a server error; `error="..."` alone for an `ok: false` answer.
        """
        self._webapi.fail(method, times=times, error=error, status=status, retry_after=retry_after)

    def rate_limit(self, method: str, *, per_second: float, key: str | None = None) -> None:
        """Answer 429 (`Retry-After: 1`) beyond `per_second` calls in any second,
        counted per value of argument `key` when given (e.g. "channel")."""
        self._webapi.rate_limit(method, per_second=per_second, key=key)

    # --- what happened -----------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        return self._webapi.calls

    @property
    def responses(self) -> list[Args]:
        """JSON bodies posted to response URLs, in order."""
        return self._messaging.responses

    @property
    def acks(self) -> list[Ack]:
        return self._socket_mode.acks

    def calls_to(self, method: str) -> list[Call]:
        return self._webapi.calls_to(method)

    def history(self, channel_id: str) -> list[Args]:
        """The channel's messages (thread replies included), oldest first, as they are now."""
        return [dict(m) for m in self._world.channel_anywhere(channel_id).messages]

    def last_ts(self, channel_id: str) -> str:
        """The ts of the channel's newest message (what a test presses a button on)."""
        messages = self._world.channel_anywhere(channel_id).messages
        if not messages:
            raise LookupError(f"no message in {channel_id}")
        return str(messages[-1]["ts"])

    def home(self, user_id: str) -> Args | None:
        """The App Home view last published for `user_id`."""
        return self._views.home(user_id)

    def modals(self) -> list[Args]:
        """Every modal opened or pushed, in order, as last updated."""
        return self._views.modals()

    def files(self) -> list[SharedFile]:
        return list(self._files.shared)

    def next_ts(self) -> str:
        """A message timestamp: the clock's seconds, unique and increasing."""
        return self._world.next_ts()

    def trigger_id(self) -> str:
        """A trigger id that views.open accepts once."""
        return self._views.trigger_id()

    def response_url(
        self, *, channel: str | None = None, user: str | None = None, message_ts: str | None = None
    ) -> str:
        """A fresh response URL; posts to it land in `responses` and act on `channel`."""
        return self._messaging.response_url(channel=channel, user=user, message_ts=message_ts)

    async def wait_for_call(self, method: str, *, count: int = 1, timeout: float = 5.0) -> Call:  # noqa: ASYNC109
        """The `count`-th call to `method`, once it has arrived."""

        def found() -> Call | None:
            calls = self.calls_to(method)
            return calls[count - 1] if len(calls) >= count else None

        return await self._changes.until(found, timeout, f"{count} call(s) to {method}")

    async def wait_for_response(self, *, count: int = 1, timeout: float = 5.0) -> Args:  # noqa: ASYNC109
        def found() -> Args | None:
            return self.responses[count - 1] if len(self.responses) >= count else None

        return await self._changes.until(found, timeout, f"{count} response URL post(s)")

    # --- Socket Mode -------------------------------------------------------------

    async def socket_connected(self, timeout: float = 5.0, *, count: int = 1) -> None:  # noqa: ASYNC109
        """Wait until `count` connections were made in all and one is open."""
        await self._socket_mode.connected(timeout, count=count)

    async def socket_send(
        self,
        envelope_type: str,
        payload: Mapping[str, Any],
        *,
        retry_attempt: int = 0,
        retry_reason: str = "",
        accepts_response_payload: bool | None = None,
        envelope_id: str | None = None,
    ) -> str:
        """Push an envelope (`events_api`, `slash_commands`, `interactive`) to the
        newest open connection; returns its envelope id."""
        return await self._socket_mode.send(
            envelope_type,
            payload,
            retry_attempt=retry_attempt,
            retry_reason=retry_reason,
            accepts_response_payload=accepts_response_payload,
            envelope_id=envelope_id,
        )

    async def socket_ack(self, envelope_id: str, timeout: float = 5.0) -> Ack:  # noqa: ASYNC109
        return await self._socket_mode.ack(envelope_id, timeout)

    async def socket_disconnect(
        self, reason: str = "refresh_requested", *, close: bool = False
    ) -> None:
        """Ask the newest client to reconnect, as Slack does every few hours;
        `close` also drops the socket, as Slack does a little later."""
        await self._socket_mode.disconnect(reason, close=close)
