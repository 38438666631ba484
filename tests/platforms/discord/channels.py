"""Channel, message, reaction, thread, DM and member endpoints, held to the bot's permissions.

A channel the bot may see but not post in answers 403 with code 50013, one it
cannot see answers 50001, and a DM to someone who closed their DMs answers
50007, as Discord does; each success is echoed on the gateway.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from tests.platforms.discord import errors, payloads
from tests.platforms.discord.gateway import Gateway
from tests.platforms.discord.messages import Messages, check_not_empty
from tests.platforms.discord.rest import Call, Endpoint, Reply
from tests.platforms.discord.world import (
    THREAD_TYPES,
    Channel,
    ChannelType,
    Permission,
    User,
    World,
)

Json = dict[str, Any]
HAS_THREAD = 1 << 5


def emoji_of(text: str) -> Json:
    """`👍`, `name:123` or `<:name:123>` as Discord's partial emoji object."""
    parts = unquote(text).strip("<>").split(":")
    if len(parts) == 1:
        return {"id": None, "name": parts[0]}
    return {"id": parts[-1], "name": parts[-2], "animated": parts[0] == "a" and len(parts) == 3}


def emoji_key(emoji: Json) -> str:
    return str(emoji["id"] or emoji["name"])


class Channels:
    def __init__(self, world: World, gateway: Gateway, messages: Messages) -> None:
        self.world = world
        self.gateway = gateway
        self.messages = messages
        # (message id, emoji id or name) -> who reacted, in order
        self.reactors: dict[tuple[int, str], list[int]] = {}

    def endpoints(self) -> list[Endpoint]:
        messages = "/channels/{channel_id}/messages/{message_id}"
        return [
            Endpoint("GET", "/channels/{channel_id}", self.get_channel),
            Endpoint("POST", "/channels/{channel_id}/messages", self.post_message),
            Endpoint("GET", messages, self.get_message),
            Endpoint("PATCH", messages, self.edit_message),
            Endpoint("DELETE", messages, self.delete_message),
            Endpoint("PUT", messages + "/reactions/{emoji}/@me", self.react),
            Endpoint("DELETE", messages + "/reactions/{emoji}/@me", self.unreact),
            Endpoint("POST", messages + "/threads", self.thread_from_message),
            Endpoint("POST", "/channels/{channel_id}/threads", self.thread),
            Endpoint("POST", "/users/@me/channels", self.open_dm),
            Endpoint("GET", "/users/{user_id}", self.get_user),
            Endpoint("GET", "/guilds/{guild_id}", self.get_guild),
            Endpoint("GET", "/guilds/{guild_id}/channels", self.guild_channels),
            Endpoint("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member),
        ]

    def channel(self, call: Call, *, needs: int = 0) -> Channel:
        """The channel in the path, once the bot is known to see it and hold `needs`."""
        channel = self.world.channels.get(call.id("channel_id"))
        if channel is None:
            raise errors.unknown("Channel", errors.UNKNOWN_CHANNEL)
        if channel.type is ChannelType.DM:
            return channel
        granted = self.world.permissions_in(channel, self.world.bot.id)
        if not granted & Permission.VIEW_CHANNEL:
            raise errors.missing_access()
        if granted & needs != needs:
            raise errors.missing_permissions()
        return channel

    async def get_channel(self, call: Call) -> Reply:
        return Reply(body=payloads.channel(self.world, self.channel(call)))

    async def post_message(self, call: Call) -> Reply:
        channel = self.channel(call)
        if channel.type is ChannelType.DM:
            if not all(self.world.users[u].accepts_dms for u in channel.recipient_ids):
                raise errors.ApiError(403, 50007, "Cannot send messages to this user")
        else:
            in_thread = channel.type in THREAD_TYPES
            send = Permission.SEND_MESSAGES_IN_THREADS if in_thread else Permission.SEND_MESSAGES
            self.channel(call, needs=send)
        body = call.body or {}
        check_not_empty(body)
        return Reply(body=await self.messages.create(channel, self.world.bot, body))

    async def get_message(self, call: Call) -> Reply:
        channel = self.channel(call, needs=Permission.READ_MESSAGE_HISTORY)
        return Reply(body=self.messages.get(channel, call.id("message_id")))

    async def edit_message(self, call: Call) -> Reply:
        channel = self.channel(call)
        message = self.messages.get(channel, call.id("message_id"))
        if int(message["author"]["id"]) != self.world.bot.id:
            raise errors.ApiError(403, 50005, "Cannot edit a message authored by another user")
        return Reply(body=await self.messages.edit(channel, message, call.body or {}))

    async def delete_message(self, call: Call) -> Reply:
        channel = self.channel(call)
        message = self.messages.get(channel, call.id("message_id"))
        if int(message["author"]["id"]) != self.world.bot.id:
            self.channel(call, needs=Permission.MANAGE_MESSAGES)
        await self.messages.delete(channel, message)
        return Reply(204)

    async def react(self, call: Call) -> Reply:
        channel = self.channel(
            call, needs=Permission.ADD_REACTIONS | Permission.READ_MESSAGE_HISTORY
        )
        message = self.messages.get(channel, call.id("message_id"))
        await self.add_reaction(channel, message, self.world.bot, emoji_of(call.params["emoji"]))
        return Reply(204)

    async def unreact(self, call: Call) -> Reply:
        channel = self.channel(call)
        message = self.messages.get(channel, call.id("message_id"))
        await self.remove_reaction(channel, message, self.world.bot, emoji_of(call.params["emoji"]))
        return Reply(204)

    async def add_reaction(self, channel: Channel, message: Json, user: User, emoji: Json) -> None:
        reactors = self.reactors.setdefault((int(message["id"]), emoji_key(emoji)), [])
        if user.id in reactors:
            return
        reactors.append(user.id)
        self._count_reactions(message, emoji, reactors)
        event = self._reaction_event(channel, message, user, emoji)
        event["message_author_id"] = message["author"]["id"]
        guild = self.world.guild_of(channel)
        if guild is not None and user.id in guild.members:
            event["member"] = payloads.member(self.world, guild, guild.members[user.id])
        await self.gateway.dispatch("MESSAGE_REACTION_ADD", event)

    async def remove_reaction(
        self, channel: Channel, message: Json, user: User, emoji: Json
    ) -> None:
        reactors = self.reactors.get((int(message["id"]), emoji_key(emoji)), [])
        if user.id not in reactors:
            return
        reactors.remove(user.id)
        self._count_reactions(message, emoji, reactors)
        event = self._reaction_event(channel, message, user, emoji)
        await self.gateway.dispatch("MESSAGE_REACTION_REMOVE", event)

    def _count_reactions(self, message: Json, emoji: Json, reactors: list[int]) -> None:
        reactions: list[Json] = message.setdefault("reactions", [])
        at = next(
            (i for i, r in enumerate(reactions) if emoji_key(r["emoji"]) == emoji_key(emoji)), None
        )
        counted = {
            "emoji": emoji,
            "count": len(reactors),
            "count_details": {"burst": 0, "normal": len(reactors)},
            "me": self.world.bot.id in reactors,
            "me_burst": False,
            "burst_colors": [],
        }
        if at is None:
            reactions.append(counted)
        elif reactors:
            reactions[at] = counted
        else:
            del reactions[at]
        if not reactions:
            del message["reactions"]

    def _reaction_event(self, channel: Channel, message: Json, user: User, emoji: Json) -> Json:
        event: Json = {
            "user_id": str(user.id),
            "channel_id": str(channel.id),
            "message_id": message["id"],
            "emoji": emoji,
            "burst": False,
            "type": 0,
        }
        if channel.guild_id is not None:
            event["guild_id"] = str(channel.guild_id)
        return event

    async def thread_from_message(self, call: Call) -> Reply:
        parent = self.channel(call, needs=Permission.CREATE_PUBLIC_THREADS)
        message = self.messages.get(parent, call.id("message_id"))
        if "thread" in message:
            raise errors.ApiError(400, 160004, "A thread has already been created for this message")
        body = call.body or {}
        # A thread started from a message takes that message's id.
        thread = self._open_thread(parent, int(message["id"]), body, ChannelType.PUBLIC_THREAD)
        message["thread"] = payloads.channel(self.world, thread)
        message["flags"] |= HAS_THREAD
        return Reply(201, await self._announce(thread))

    async def thread(self, call: Call) -> Reply:
        kind = ChannelType((call.body or {}).get("type", ChannelType.PRIVATE_THREAD))
        needs = (
            Permission.CREATE_PUBLIC_THREADS
            if kind is ChannelType.PUBLIC_THREAD
            else Permission.CREATE_PRIVATE_THREADS
        )
        parent = self.channel(call, needs=needs)
        thread = self._open_thread(parent, self.world.ids.next(), call.body or {}, kind)
        return Reply(201, await self._announce(thread))

    def _open_thread(
        self, parent: Channel, thread_id: int, body: Json, kind: ChannelType
    ) -> Channel:
        name = str(body.get("name") or "")
        if not 1 <= len(name) <= 100:
            raise errors.invalid_form("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100.")
        owner = self.world.bot.id
        thread = Channel(
            thread_id, name, kind, parent.guild_id, parent_id=parent.id, owner_id=owner
        )
        return self.world.add_channel(thread)

    async def _announce(self, thread: Channel) -> Json:
        created = payloads.channel(self.world, thread)
        await self.gateway.dispatch("THREAD_CREATE", created | {"newly_created": True})
        return created

    async def open_dm(self, call: Call) -> Reply:
        recipient = int((call.body or {}).get("recipient_id", 0))
        if recipient not in self.world.users:
            raise errors.ApiError(400, 50033, "Invalid Recipient(s)")
        return Reply(body=payloads.channel(self.world, self.world.dm_with(recipient)))

    async def get_user(self, call: Call) -> Reply:
        user = self.world.users.get(call.id("user_id"))
        if user is None:
            raise errors.unknown("User", errors.UNKNOWN_USER)
        return Reply(body=payloads.user(user))

    async def get_guild(self, call: Call) -> Reply:
        guild = self.world.guilds.get(call.id("guild_id"))
        if guild is None:
            raise errors.unknown("Guild", errors.UNKNOWN_GUILD)
        body = payloads.guild_create(self.world, guild, large_threshold=250)
        kept = ("members", "channels", "threads", "voice_states", "presences", "joined_at")
        return Reply(body={k: v for k, v in body.items() if k not in kept})

    async def guild_channels(self, call: Call) -> Reply:
        guild = self.world.guilds.get(call.id("guild_id"))
        if guild is None:
            raise errors.unknown("Guild", errors.UNKNOWN_GUILD)
        channels = [self.world.channels[c] for c in guild.channel_ids]
        return Reply(body=[payloads.channel(self.world, c) for c in channels])

    async def get_member(self, call: Call) -> Reply:
        guild = self.world.guilds.get(call.id("guild_id"))
        if guild is None:
            raise errors.unknown("Guild", errors.UNKNOWN_GUILD)
        member = guild.members.get(call.id("user_id"))
        if member is None:
            raise errors.unknown("Member", errors.UNKNOWN_MEMBER)
        return Reply(body=payloads.member(self.world, guild, member))
