"""Running the Discord adapter: endpoints, the REST client, and one gateway session.

Discord allows one gateway session per bot (per shard), and every session
gets every event. With several Hearth processes on one database, only the
holder of the gateway lease (see `bot.lease`) connects; the others stand
by, renewing every quarter term, and one of them connects within about a
minute of the holder's death (at most a term and a half plus a check, with
40 s terms by default). Every process, connected or not, posts the outbox's
messages over REST.

`DISCORD_API_URL` and `DISCORD_GATEWAY_URL` point discord.py somewhere
else: a proxy, or the local Discord the tests run.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import discord
import yarl

from bot.app import Hearth
from bot.chat import Platform
from bot.lease import Lease
from bot.platforms.discord import GatewayTuning, HearthClient, application
from bot.platforms.discord_transport import DiscordTransport
from bot.settings import Settings, SettingsError

log = logging.getLogger(__name__)

GATEWAY_LEASE = "discord.gateway"


@contextmanager
def endpoints(settings: Settings) -> Iterator[None]:
    """Point discord.py at DISCORD_API_URL and DISCORD_GATEWAY_URL while inside.

    discord.py keeps both in class attributes shared by the whole process,
    so they are restored on the way out.
    """
    route, websocket = discord.http.Route, discord.gateway.DiscordWebSocket
    saved = route.BASE, websocket.DEFAULT_GATEWAY
    if settings.discord_api_url:
        route.BASE = settings.discord_api_url.rstrip("/")
    if settings.discord_gateway_url:
        websocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)
    try:
        yield
    finally:
        route.BASE, websocket.DEFAULT_GATEWAY = saved


def _token(settings: Settings) -> str:
    if not settings.discord_token:
        raise SettingsError("DISCORD_TOKEN is needed to connect to Discord")
    return settings.discord_token


async def rest_client(settings: Settings) -> discord.Client:
    """A client logged in for REST only: it never opens the gateway."""
    # Hearth has no voice: discord.py's warnings about voice libraries only confuse.
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
    client = discord.Client(
        intents=discord.Intents(guilds=True),  # never sent: this client does not connect
        allowed_mentions=discord.AllowedMentions.none(),
        **application(settings),
    )
    try:
        await client.login(_token(settings))
    except discord.LoginFailure as error:
        await client.close()
        raise SettingsError("Discord refused DISCORD_TOKEN") from error
    except BaseException:
        await client.close()
        raise
    return client


@asynccontextmanager
async def discord_rest(hearth: Hearth, settings: Settings) -> AsyncIterator[discord.Client]:
    """discord.py pointed at the configured endpoints, and the outbox sending to Discord."""
    with endpoints(settings):
        client = await rest_client(settings)
        try:
            hearth.connect(Platform.DISCORD, DiscordTransport(hearth, client))
            yield client
        finally:
            await client.close()


class DiscordGateway:
    """Connects a `HearthClient` while this process holds the gateway lease."""

    def __init__(
        self, hearth: Hearth, settings: Settings, *, tuning: GatewayTuning | None = None
    ) -> None:
        self._hearth = hearth
        self._settings = settings
        self._token = _token(settings)
        self._tuning = tuning or GatewayTuning()
        self.lease = Lease(
            hearth.storage.runs,
            key=GATEWAY_LEASE,
            owner=settings.instance,
            clock=hearth.clock,
            term=self._tuning.lease_term,
        )
        self.client: HearthClient | None = None

    async def hold_forever(self) -> bool:
        """Renew the lease every `check_every`: connect when it is ours, leave when it is not.

        Runs until cancelled; returns False (after closing the client) when
        Discord refuses the token or an intent, which no retry would change.
        """
        session: asyncio.Task[bool] | None = None
        try:
            while True:
                try:
                    held = await self.lease.renew()
                except Exception:
                    log.exception("renewing the Discord gateway lease failed")
                    held = self.lease.held
                if session is not None and session.done():
                    if not session.result():
                        return False
                    session = None  # the session ended: connect again below
                if held and session is None:
                    self.client = HearthClient(
                        self._hearth, settings=self._settings, tuning=self._tuning
                    )
                    session = asyncio.create_task(self._session(self.client), name="discord")
                elif not held and session is not None:
                    log.warning("another process holds the Discord gateway now: disconnecting")
                    await self._leave(session)
                    session = None
                await asyncio.sleep(self.lease.check_every.total_seconds())
        finally:
            if session is not None:
                await self._leave(session)

    async def _session(self, client: HearthClient) -> bool:
        """One client's life; False when Discord refused the token or an intent."""
        try:
            await client.start(self._token)
        except (discord.LoginFailure, discord.PrivilegedIntentsRequired):
            log.error("Discord refused Hearth's token or intents; see docs/discord.md")
            return False
        except Exception:
            log.exception("the Discord gateway session ended; connecting again")
        finally:
            if not client.is_closed():
                await client.close()
        return True

    async def _leave(self, session: asyncio.Task[bool]) -> None:
        client, self.client = self.client, None
        if client is not None:
            await client.close()
        session.cancel()
        await asyncio.gather(session, return_exceptions=True)


SCOPES = ("bot", "applications.commands")


def permissions() -> discord.Permissions:
    """Exactly what Hearth does in a server: read and post, in channels and threads,
    with embeds, files (exports) and reactions."""
    return discord.Permissions(
        view_channel=True,
        send_messages=True,
        send_messages_in_threads=True,
        create_public_threads=True,
        embed_links=True,
        attach_files=True,
        read_message_history=True,
        add_reactions=True,
    )


async def invite_url(settings: Settings) -> str:
    """The OAuth2 URL that adds Hearth to a server; the application id comes from
    DISCORD_APPLICATION_ID, or from Discord when only the token is set."""
    application_id = settings.discord_application_id
    if application_id is None and not settings.discord_token:
        raise SettingsError("set DISCORD_APPLICATION_ID, or DISCORD_TOKEN to ask Discord for it")
    if application_id is None:
        with endpoints(settings):
            client = await rest_client(settings)
            try:
                application_id = client.application_id
            finally:
                await client.close()
    if application_id is None:
        raise SettingsError("Discord did not say which application DISCORD_TOKEN belongs to")
    return discord.utils.oauth_url(application_id, permissions=permissions(), scopes=SCOPES)
