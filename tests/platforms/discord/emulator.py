"""A local Discord that the real discord.py client talks to: a gateway websocket and REST API v10.

It runs an aiohttp server on 127.0.0.1 (a free port) for the length of an
`async with DiscordEmulator() as discord_fake:` block. A test seeds a world
(guilds, roles, text channels, members), points discord.py at `api_url` and
`gateway_url` (see `client.py`), makes things happen (a member joins, someone
reacts, a slash command or button interaction arrives), and reads back what the
bot did from the records: every REST request, channel history, interaction
callbacks, every gateway frame. Waits are awaitable, so no test polls a clock.

Faults are injected per route with `fail()` (429 with Retry-After, Via and
X-RateLimit-* headers; 403; 5xx) and on the gateway with `force_reconnect()`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from tests.platforms.discord import payloads
from tests.platforms.discord.applications import Applications
from tests.platforms.discord.channels import Channels, emoji_of
from tests.platforms.discord.gateway import Gateway, GatewayConnection
from tests.platforms.discord.interactions import Interactions, Option
from tests.platforms.discord.journal import (
    Disconnection,
    GatewayFrame,
    InteractionCallback,
    RecordedRequest,
)
from tests.platforms.discord.messages import EPHEMERAL, Messages
from tests.platforms.discord.responses import Responses
from tests.platforms.discord.rest import Failure, Rest
from tests.platforms.discord.world import (
    Channel,
    ChannelType,
    Member,
    Overwrite,
    Permission,
    Role,
    User,
    World,
)

Json = dict[str, Any]
APPLICATION_ID = 1_300_000_000_000_000_001
DEFAULT_TIMEOUT = 5.0


class DiscordEmulator:
    def __init__(
        self,
        *,
        token: str = "hearth-test-token",
        application_id: int = APPLICATION_ID,
        bot_id: int | None = None,
        bot_name: str = "Hearth",
        privileged_intents: Iterable[str] = ("members",),
        heartbeat_interval_ms: int = 41_250,
    ) -> None:
        """`privileged_intents` are those switched on for the app ("members", "presences",
        "message_content"); identifying with any other privileged intent is closed with 4014."""
        self.token = token
        bot = User(application_id if bot_id is None else bot_id, bot_name, bot=True)
        self.world = World(
            application_id=application_id,
            bot=bot,
            application_name=bot_name,
            privileged=frozenset(privileged_intents),
        )
        self.gateway = Gateway(self.world, token=token, heartbeat_interval_ms=heartbeat_interval_ms)
        self.messages = Messages(self.world, self.gateway)
        self.applications = Applications(self.world)
        self.channels = Channels(self.world, self.gateway, self.messages)
        self.responses = Responses(self.world, self.messages)
        self.interactions = Interactions(
            self.world, self.messages, self.applications, self.responses.callbacks
        )
        self.rest = Rest(token=token)
        self.rest.add(self.applications.endpoints())
        self.rest.add(self.channels.endpoints())
        self.rest.add(self.responses.endpoints())
        self.url = ""
        self._runner: web.AppRunner | None = None

    @property
    def application_id(self) -> int:
        return self.world.application_id

    @property
    def bot_id(self) -> int:
        return self.world.bot.id

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"{self.gateway.url}/gw"

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_get("/gw", self.gateway.handle)
        app.router.add_get("/gw/resume", self.gateway.handle)
        app.router.add_route("*", "/api/v10/{tail:.*}", self.rest.handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        self.gateway.url = f"ws://{host}:{port}"
        self.applications.gateway_url = self.gateway_url
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- the world ----------------------------------------------------------------

    def add_guild(self, guild_id: int, name: str, *, owner_id: int, locale: str = "en-US") -> None:
        """A guild the bot is in (with its managed role); add its owner with `add_member`."""
        self.world.add_guild(guild_id, name, owner_id=owner_id, locale=locale)

    def add_role(
        self,
        guild_id: int,
        role_id: int,
        name: str,
        *,
        permissions: int = 0,
        mentionable: bool = False,
    ) -> None:
        roles = self.world.guilds[guild_id].roles
        roles[role_id] = Role(role_id, name, permissions, len(roles), mentionable)

    def add_channel(
        self, guild_id: int, channel_id: int, name: str, *, can_post: bool = True
    ) -> None:
        """A text channel; `can_post=False` denies the bot SEND_MESSAGES there by an overwrite."""
        guild = self.world.guilds[guild_id]
        overwrites = []
        if not can_post:
            overwrites.append(Overwrite(self.bot_id, 1, deny=int(Permission.SEND_MESSAGES)))
        position = len(guild.channel_ids)
        channel = Channel(channel_id, name, ChannelType.GUILD_TEXT, guild_id, position)
        channel.overwrites = overwrites
        self.world.add_channel(channel)

    def add_member(
        self,
        guild_id: int,
        user_id: int,
        name: str,
        *,
        bot: bool = False,
        roles: Sequence[int] = (),
        nick: str | None = None,
        accepts_dms: bool = True,
    ) -> None:
        user = self.world.users.setdefault(user_id, User(user_id, name, bot, accepts_dms))
        self.world.guilds[guild_id].members[user_id] = Member(user.id, list(roles), nick)

    # -- things that happen ---------------------------------------------------------

    async def dispatch(self, event: str, data: Json) -> None:
        """Send `event` to every gateway session whose intents cover it."""
        if event == "INTERACTION_CREATE":
            self.responses.register(data)
        await self.gateway.dispatch(event, data)

    async def member_joins(
        self, guild_id: int, user_id: int, name: str, *, bot: bool = False, nick: str | None = None
    ) -> None:
        self.add_member(guild_id, user_id, name, bot=bot, nick=nick)
        guild = self.world.guilds[guild_id]
        member = payloads.member(self.world, guild, guild.members[user_id])
        await self.dispatch("GUILD_MEMBER_ADD", member | {"guild_id": str(guild_id)})

    async def member_leaves(self, guild_id: int, user_id: int) -> None:
        del self.world.guilds[guild_id].members[user_id]
        user = payloads.user(self.world.users[user_id])
        await self.dispatch("GUILD_MEMBER_REMOVE", {"guild_id": str(guild_id), "user": user})

    async def user_posts(self, channel_id: int, user_id: int, content: str) -> Json:
        """A message someone posts; returns it as the REST API would."""
        channel = self.world.channels[channel_id]
        author = self.world.users[user_id]
        return await self.messages.create(channel, author, {"content": content})

    async def user_deletes(self, channel_id: int, message_id: int) -> None:
        channel = self.world.channels[channel_id]
        await self.messages.delete(channel, self.messages.get(channel, message_id))

    async def user_reacts(
        self, channel_id: int, message_id: int, user_id: int, emoji: str = "👍"
    ) -> None:
        channel = self.world.channels[channel_id]
        message = self.messages.get(channel, message_id)
        user = self.world.users[user_id]
        await self.channels.add_reaction(channel, message, user, emoji_of(emoji))

    async def user_unreacts(
        self, channel_id: int, message_id: int, user_id: int, emoji: str = "👍"
    ) -> None:
        channel = self.world.channels[channel_id]
        message = self.messages.get(channel, message_id)
        user = self.world.users[user_id]
        await self.channels.remove_reaction(channel, message, user, emoji_of(emoji))

    def command_interaction(
        self,
        name: str,
        *,
        channel_id: int,
        user_id: int,
        options: Sequence[Option] = (),
        locale: str = "en-US",
    ) -> Json:
        """An INTERACTION_CREATE payload for a slash command (dispatch it to deliver it)."""
        return self.interactions.command(
            name, channel_id=channel_id, user_id=user_id, options=options, locale=locale
        )

    def component_interaction(
        self,
        custom_id: str,
        *,
        channel_id: int,
        user_id: int,
        message_id: int | None = None,
        values: Sequence[str] | None = None,
        locale: str = "en-US",
    ) -> Json:
        """A click on a button (or a select's `values`) of a message in the channel."""
        return self.interactions.component(
            custom_id,
            channel_id=channel_id,
            user_id=user_id,
            message_id=message_id,
            values=values,
            locale=locale,
        )

    def modal_submit_interaction(
        self,
        custom_id: str,
        values: Mapping[str, str | Sequence[str]],
        *,
        channel_id: int,
        user_id: int,
        locale: str = "en-US",
    ) -> Json:
        """The submit of the modal the bot last opened with `custom_id`, holding `values`."""
        return self.interactions.modal_submit(
            custom_id, values, channel_id=channel_id, user_id=user_id, locale=locale
        )

    def expire_interaction(self, interaction_id: int) -> None:
        """Past its window: callbacks answer 10062, webhooks 50027."""
        self.responses.expire(interaction_id)

    async def force_reconnect(self, *, code: int | None = 4000, forget: bool = False) -> None:
        """Drop every live gateway socket: close it with `code`, or send op 7 RECONNECT (None).

        With `forget` the sessions end too (as when one times out), so the client's RESUME
        is answered op 9 INVALID_SESSION and it has to IDENTIFY afresh."""
        await self.gateway.force_reconnect(code=code, forget=forget)

    @asynccontextmanager
    async def outage(self, *, code: int | None = 4000) -> AsyncIterator[None]:
        """Events made to happen inside the block are sequenced but lost in transit; the
        sockets then drop (as `force_reconnect`), so only a RESUME gets them replayed."""
        self.gateway.holding = True
        try:
            yield
        finally:
            self.gateway.holding = False
        await self.gateway.force_reconnect(code=code)

    # -- injected failures -----------------------------------------------------------

    def fail(
        self,
        route: str,
        *,
        times: int = 1,
        status: int = 429,
        retry_after: float = 0.05,
        global_: bool = False,
        via: bool = True,
        code: int | None = None,
        message: str | None = None,
    ) -> None:
        """Fail the next `times` calls to `route`, such as "POST /channels/{id}/messages"."""
        method, _, pattern = route.partition(" ")
        failure = Failure(
            method.upper(), pattern, times, status, retry_after, global_, via, code, message
        )
        self.rest.failures.append(failure)

    # -- records -------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        return list(self.rest.requests)

    def requests_to(self, method: str, pattern: str) -> list[RecordedRequest]:
        return [r for r in self.rest.requests if r.matches(method, pattern)]

    def messages_in(self, channel_id: int, *, ephemeral: bool = False) -> list[Json]:
        """The channel's history as members see it, oldest first; `ephemeral=True` adds the
        ephemeral interaction responses only their invoker saw."""
        history = self.world.messages[channel_id].values()
        return [m for m in history if ephemeral or not m["flags"] & EPHEMERAL]

    def callbacks_for(self, interaction_id: int) -> list[InteractionCallback]:
        return [c for c in self.responses.callbacks if c.interaction_id == interaction_id]

    def commands(self, guild_id: int | None = None) -> list[Json]:
        """Application commands as registered, globally or in one guild."""
        return self.applications.registered(guild_id)

    @property
    def frames(self) -> list[GatewayFrame]:
        """Every frame clients sent on the gateway."""
        return list(self.gateway.received)

    @property
    def identify_payloads(self) -> list[Json]:
        return [f.d for f in self.gateway.received if f.op == 2]

    @property
    def dispatches(self) -> list[Json]:
        """Every dispatch (op 0) frame sent to clients, with its `s`."""
        return [s.frame for s in self.gateway.sent if s.frame["op"] == 0]

    @property
    def connections(self) -> list[GatewayConnection]:
        """Every gateway websocket opened, in order, with the path it was opened on."""
        return list(self.gateway.connections)

    @property
    def disconnections(self) -> list[Disconnection]:
        return list(self.gateway.disconnections)

    def wait_for_request(
        self, predicate: Callable[[RecordedRequest], bool], *, timeout: float = DEFAULT_TIMEOUT
    ) -> Awaitable[RecordedRequest]:
        return self.rest.requests.wait_for(predicate, timeout=timeout)

    def wait_for_frame(
        self, predicate: Callable[[GatewayFrame], bool], *, timeout: float = DEFAULT_TIMEOUT
    ) -> Awaitable[GatewayFrame]:
        return self.gateway.received.wait_for(predicate, timeout=timeout)

    def wait_for_disconnection(
        self, predicate: Callable[[Disconnection], bool], *, timeout: float = DEFAULT_TIMEOUT
    ) -> Awaitable[Disconnection]:
        return self.gateway.disconnections.wait_for(predicate, timeout=timeout)

    def wait_for_message(
        self,
        channel_id: int,
        predicate: Callable[[Json], bool] = lambda _: True,
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> Awaitable[Json]:
        """The first message created in the channel matching `predicate`, past or future."""
        return self.messages.created.wait_for(
            lambda m: m["channel_id"] == str(channel_id) and predicate(m), timeout=timeout
        )

    def wait_for_callback(
        self, interaction_id: int, *, timeout: float = DEFAULT_TIMEOUT
    ) -> Awaitable[InteractionCallback]:
        return self.responses.callbacks.wait_for(
            lambda c: c.interaction_id == interaction_id, timeout=timeout
        )
