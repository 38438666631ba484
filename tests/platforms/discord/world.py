"""What the emulated Discord knows: one application, its guilds, channels, roles and members.

Both the gateway and the REST API read this one model, so what a client is told
at startup (GUILD_CREATE) and what it is allowed to do later (a 403 on a channel
it cannot post in) never disagree. Permissions follow Discord's documented
algorithm: @everyone, then roles, then channel overwrites.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000


class Intent(enum.IntFlag):
    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_PRESENCES = 1 << 8
    GUILD_MESSAGES = 1 << 9
    GUILD_MESSAGE_REACTIONS = 1 << 10
    DIRECT_MESSAGES = 1 << 12
    DIRECT_MESSAGE_REACTIONS = 1 << 13
    MESSAGE_CONTENT = 1 << 15


# Names as discord.py's Intents spells them; the application flag is the "limited"
# one Discord sets for an unverified app whose owner switched the intent on.
PRIVILEGED: dict[str, tuple[Intent, int]] = {
    "members": (Intent.GUILD_MEMBERS, 1 << 15),
    "presences": (Intent.GUILD_PRESENCES, 1 << 13),
    "message_content": (Intent.MESSAGE_CONTENT, 1 << 19),
}


class Permission(enum.IntFlag):
    CREATE_INSTANT_INVITE = 1 << 0
    ADMINISTRATOR = 1 << 3
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    SEND_MESSAGES_IN_THREADS = 1 << 38


ALL_PERMISSIONS = (1 << 51) - 1
EVERYONE_DEFAULT = (
    Permission.CREATE_INSTANT_INVITE
    | Permission.ADD_REACTIONS
    | Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.EMBED_LINKS
    | Permission.ATTACH_FILES
    | Permission.READ_MESSAGE_HISTORY
    | Permission.USE_EXTERNAL_EMOJIS
    | Permission.USE_APPLICATION_COMMANDS
    | Permission.CREATE_PUBLIC_THREADS
    | Permission.SEND_MESSAGES_IN_THREADS
)
BOT_ROLE_DEFAULT = EVERYONE_DEFAULT | Permission.MANAGE_MESSAGES | Permission.MANAGE_THREADS


class ChannelType(enum.IntEnum):
    GUILD_TEXT = 0
    DM = 1
    PUBLIC_THREAD = 11
    PRIVATE_THREAD = 12


THREAD_TYPES = frozenset({ChannelType.PUBLIC_THREAD, ChannelType.PRIVATE_THREAD})


class Snowflakes:
    """Ids shaped like Discord's (milliseconds since 2015 in the top bits) that only grow."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        stamp = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(stamp, self._last + 1)
        return self._last


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class User:
    id: int
    name: str
    bot: bool = False
    accepts_dms: bool = True


@dataclass
class Role:
    id: int
    name: str
    permissions: int
    position: int = 0
    mentionable: bool = False
    bot_id: int | None = None

    @property
    def managed(self) -> bool:
        return self.bot_id is not None


@dataclass(frozen=True)
class Overwrite:
    id: int
    type: int  # 0: role, 1: member
    allow: int = 0
    deny: int = 0


@dataclass
class Channel:
    id: int
    name: str
    type: ChannelType
    guild_id: int | None = None
    position: int = 0
    parent_id: int | None = None
    owner_id: int | None = None
    overwrites: list[Overwrite] = field(default_factory=list)
    recipient_ids: list[int] = field(default_factory=list)
    last_message_id: int | None = None


@dataclass
class Member:
    user_id: int
    roles: list[int]
    nick: str | None = None
    joined_at: str = field(default_factory=now_iso)


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    locale: str = "en-US"
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    channel_ids: list[int] = field(default_factory=list)
    joined_at: str = field(default_factory=now_iso)


class World:
    """The seeded state, mutated by REST calls and by the events tests make happen."""

    def __init__(
        self, *, application_id: int, bot: User, application_name: str, privileged: frozenset[str]
    ) -> None:
        unknown = privileged - PRIVILEGED.keys()
        if unknown:
            raise ValueError(f"unknown privileged intents: {sorted(unknown)}")
        self.ids = Snowflakes()
        self.application_id = application_id
        self.application_name = application_name
        self.bot = bot
        self.privileged = privileged
        self.users: dict[int, User] = {bot.id: bot}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        # channel id -> message id -> message object as REST returns it
        self.messages: dict[int, dict[int, dict[str, Any]]] = {}

    @property
    def granted_intents(self) -> int:
        return sum(PRIVILEGED[name][0] for name in self.privileged)

    @property
    def application_flags(self) -> int:
        return sum(PRIVILEGED[name][1] for name in self.privileged)

    def add_guild(self, guild_id: int, name: str, *, owner_id: int, locale: str) -> Guild:
        guild = Guild(guild_id, name, owner_id, locale)
        guild.roles[guild_id] = Role(guild_id, "@everyone", int(EVERYONE_DEFAULT))
        bot_role = Role(
            self.ids.next(), self.bot.name, int(BOT_ROLE_DEFAULT), 1, bot_id=self.bot.id
        )
        guild.roles[bot_role.id] = bot_role
        guild.members[self.bot.id] = Member(self.bot.id, [bot_role.id])
        self.guilds[guild_id] = guild
        return guild

    def add_channel(self, channel: Channel) -> Channel:
        self.channels[channel.id] = channel
        self.messages.setdefault(channel.id, {})
        if channel.guild_id is not None and channel.type not in THREAD_TYPES:
            self.guilds[channel.guild_id].channel_ids.append(channel.id)
        return channel

    def guild_of(self, channel: Channel) -> Guild | None:
        return None if channel.guild_id is None else self.guilds.get(channel.guild_id)

    def dm_with(self, user_id: int) -> Channel:
        for channel in self.channels.values():
            if channel.type is ChannelType.DM and channel.recipient_ids == [user_id]:
                return channel
        return self.add_channel(
            Channel(self.ids.next(), "", ChannelType.DM, recipient_ids=[user_id])
        )

    def base_permissions(self, guild: Guild, user_id: int) -> int:
        if user_id == guild.owner_id:
            return ALL_PERMISSIONS
        member = guild.members.get(user_id)
        if member is None:
            return 0
        permissions = guild.roles[guild.id].permissions
        for role_id in member.roles:
            permissions |= guild.roles[role_id].permissions
        return ALL_PERMISSIONS if permissions & Permission.ADMINISTRATOR else permissions

    def permissions_in(self, channel: Channel, user_id: int) -> int:
        guild = self.guild_of(channel)
        if guild is None:
            return int(EVERYONE_DEFAULT)
        permissions = self.base_permissions(guild, user_id)
        if permissions == ALL_PERMISSIONS:
            return permissions
        parent = channel.parent_id
        source = (
            self.channels[parent]
            if parent is not None and channel.type in THREAD_TYPES
            else channel
        )
        member = guild.members[user_id]
        overwrites = {(o.type, o.id): o for o in source.overwrites}
        everyone = overwrites.get((0, guild.id))
        if everyone is not None:
            permissions = (permissions & ~everyone.deny) | everyone.allow
        allow = deny = 0
        for role_id in member.roles:
            overwrite = overwrites.get((0, role_id))
            if overwrite is not None:
                allow, deny = allow | overwrite.allow, deny | overwrite.deny
        permissions = (permissions & ~deny) | allow
        own = overwrites.get((1, user_id))
        if own is not None:
            permissions = (permissions & ~own.deny) | own.allow
        return permissions if permissions & Permission.VIEW_CHANNEL else 0
