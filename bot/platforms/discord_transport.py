"""Posting the outbox's Discord messages over REST.

Sending needs no gateway session, so every Hearth process drains the
outbox, not only the one holding the gateway: the transport owns a client
that is logged in but never connected. Channels are ids; a channel set by
name (`general`, `#general`) or as a mention (`<#123>`) is looked up in the
server. A thread reply goes in the public thread under its root message,
started on the first reply. Private messages outside an interaction, and
direct messages, go to the member's DMs.

A channel that answers 403 (or no longer exists) makes the message dead
and is remembered for an hour: Discord bans a bot for a while after 10,000
refused requests in 10 minutes, so Hearth never retries into it; the
courier reports it to the workspace's admins once. Rate limits are
discord.py's: it waits out a 429 and retries on its own.
"""

from __future__ import annotations

import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Final

import aiohttp
import discord

from bot.app import Hearth
from bot.chat import Message, Visibility, WorkspaceRef
from bot.delivery import DeliveryError
from bot.dialects import DISCORD, PLAIN
from bot.outbox import Posted
from bot.platforms import discord_render

log = logging.getLogger(__name__)

UNREACHABLE_FOR = 3600.0  # seconds a refusing channel is not tried again
CHANNELS_FOR = 300.0  # seconds a server's channel names are kept
THREAD_NAME_LIMIT = 100
THREAD_ARCHIVE_MINUTES: Final = 1440
KNOWN_THREADS = 10_000
THREAD_EXISTS = 160004  # "A thread has already been created for this message"
UNKNOWN_CHANNEL = 10003
_MENTION = re.compile(r"<#(\d+)>")


def delivery_error(error: discord.HTTPException) -> DeliveryError:
    """What Discord's refusal means for the outbox."""
    reason = f"{error.text or error.status} ({error.code})" if error.code else str(error.status)
    if error.status == 403 or (error.status == 404 and error.code == UNKNOWN_CHANNEL):
        return DeliveryError(reason, unreachable=True)
    if error.status == 429:
        return DeliveryError(reason, retry_after=60.0)
    if error.status >= 500:
        return DeliveryError(reason)
    return DeliveryError(reason, permanent=True)


class DiscordTransport:
    """The courier's way to Discord, through a REST-only client."""

    def __init__(
        self, hearth: Hearth, client: discord.Client, *, timer: Callable[[], float] = time.monotonic
    ) -> None:
        self._hearth = hearth
        self._client = client
        self._timer = timer
        self._refused: dict[tuple[WorkspaceRef, str], tuple[float, str]] = {}
        self._names: dict[WorkspaceRef, tuple[float, dict[str, int]]] = {}
        self._threads: OrderedDict[int, None] = OrderedDict()

    async def send(
        self, workspace: WorkspaceRef, message: Message, *, thread: Posted | None
    ) -> Posted:
        target = "?"
        try:
            target, where = await self._target(workspace, message, thread)
            refused = self._refused.get((workspace, target))
            if refused is not None and self._timer() < refused[0]:
                raise DeliveryError(refused[1], unreachable=True)
            out = await self._render(workspace, message)
            sent = await where.send(**out.options())
        except discord.HTTPException as error:
            failure = delivery_error(error)
            if failure.unreachable:
                self._refused[(workspace, target)] = (
                    self._timer() + UNREACHABLE_FOR,
                    failure.reason,
                )
            raise failure from error
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            raise DeliveryError(f"network: {error}") from error
        return Posted(channel=str(sent.channel.id), message_id=str(sent.id))

    async def _render(self, workspace: WorkspaceRef, message: Message) -> discord_render.Outgoing:
        personal = message.visibility in (Visibility.DM, Visibility.PRIVATE, Visibility.HOME)
        locale, zone = await self._hearth.reader(workspace, message.to if personal else None)
        rendered = self._hearth.renderer.render(
            message, dialect=DISCORD, locale=locale, timezone=zone
        )
        return discord_render.outgoing(rendered, workspace, attachments=message.attachments)

    async def _target(
        self, workspace: WorkspaceRef, message: Message, thread: Posted | None
    ) -> tuple[str, discord.abc.Messageable]:
        """Where the message goes: a refusal is remembered under the returned key."""
        if message.visibility in (Visibility.DM, Visibility.PRIVATE, Visibility.HOME):
            user = message.to or ""
            if not user.isdecimal():
                raise DeliveryError(f"not a Discord user: {user!r}", permanent=True)
            return f"dm:{user}", await self._client.create_dm(discord.Object(int(user)))
        if thread is not None:
            root = (int(thread.channel), int(thread.message_id))
        elif message.thread is not None and message.thread.isdecimal():
            root = (await self._channel(workspace, message.channel or ""), int(message.thread))
        else:
            channel = await self._channel(workspace, message.channel or "")
            return str(channel), self._client.get_partial_messageable(channel)
        in_thread = await self._thread(workspace, root, message)
        return str(root[0]), self._client.get_partial_messageable(in_thread)

    async def _channel(self, workspace: WorkspaceRef, channel: str) -> int:
        """A channel id from an id, a `<#id>` mention or a channel name in the server."""
        text = channel.strip()
        mentioned = _MENTION.fullmatch(text)
        if mentioned:
            return int(mentioned.group(1))
        if text.isdecimal():
            return int(text)
        name = text.lstrip("#").casefold()
        cached = self._names.get(workspace)
        if cached is None or self._timer() > cached[0] or name not in cached[1]:
            listed = await self._client.http.get_all_guild_channels(int(workspace.workspace_id))
            names = {str(c.get("name", "")).casefold(): int(c["id"]) for c in listed}
            self._names[workspace] = (self._timer() + CHANNELS_FOR, names)
            cached = self._names[workspace]
        if name not in cached[1]:
            raise DeliveryError(f"no channel named {channel!r}", permanent=True)
        return cached[1][name]

    async def _thread(
        self, workspace: WorkspaceRef, root: tuple[int, int], message: Message
    ) -> int:
        """The thread under the root message (a thread started from a message takes its id)."""
        channel, message_id = root
        if channel == message_id or message_id in self._threads:
            return message_id
        try:
            await self._client.http.start_thread_with_message(
                channel,
                message_id,
                name=await self._thread_name(workspace, message),
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                rate_limit_per_user=None,
            )
        except discord.HTTPException as error:
            if error.code != THREAD_EXISTS:
                raise
        self._threads[message_id] = None
        while len(self._threads) > KNOWN_THREADS:
            self._threads.popitem(last=False)
        return message_id

    async def _thread_name(self, workspace: WorkspaceRef, message: Message) -> str:
        locale, zone = await self._hearth.reader(workspace, None)
        plain = self._hearth.renderer.render(message, dialect=PLAIN, locale=locale, timezone=zone)
        first = next((line.strip() for line in plain.text.splitlines() if line.strip()), "")
        name = " ".join(first.split()) or "Hearth"
        return name if len(name) <= THREAD_NAME_LIMIT else name[: THREAD_NAME_LIMIT - 1] + "…"
