"""Discord API v10 objects built from the emulated world, shaped as Discord documents them.

discord.py indexes some keys without a default (a member's `flags`, a text
channel's `position`, a thread's `thread_metadata`, an application's
`verify_key`), so every object here carries the full documented set, not the
few fields a test happens to read.
"""

from __future__ import annotations

from typing import Any

from tests.platforms.discord.world import (
    THREAD_TYPES,
    Channel,
    ChannelType,
    Guild,
    Member,
    Role,
    User,
    World,
    now_iso,
)

Json = dict[str, Any]


def user(u: User) -> Json:
    return {
        "id": str(u.id),
        "username": u.name,
        "discriminator": "0",
        "global_name": None if u.bot else u.name,
        "avatar": None,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
        "primary_guild": None,
        "collectibles": None,
        "bot": u.bot,
        "system": False,
        "public_flags": 0,
    }


def current_user(u: User) -> Json:
    return user(u) | {"verified": True, "mfa_enabled": False, "flags": 0, "locale": "en-US"}


def role(r: Role) -> Json:
    payload: Json = {
        "id": str(r.id),
        "name": r.name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": r.position,
        "permissions": str(r.permissions),
        "managed": r.managed,
        "mentionable": r.mentionable,
        "flags": 0,
    }
    if r.bot_id is not None:
        payload["tags"] = {"bot_id": str(r.bot_id)}
    return payload


def member(
    world: World, guild: Guild, m: Member, *, with_user: bool = True, permissions: int | None = None
) -> Json:
    payload: Json = {
        "roles": [str(r) for r in m.roles],
        "nick": m.nick,
        "avatar": None,
        "banner": None,
        "joined_at": m.joined_at,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
        "avatar_decoration_data": None,
    }
    if with_user:
        payload["user"] = user(world.users[m.user_id])
    if permissions is not None:
        payload["permissions"] = str(permissions)
    return payload


def overwrites(c: Channel) -> list[Json]:
    return [
        {"id": str(o.id), "type": o.type, "allow": str(o.allow), "deny": str(o.deny)}
        for o in c.overwrites
    ]


def channel(world: World, c: Channel) -> Json:
    last = None if c.last_message_id is None else str(c.last_message_id)
    if c.type is ChannelType.DM:
        recipients = [user(world.users[u]) for u in c.recipient_ids]
        return {
            "id": str(c.id),
            "type": int(c.type),
            "last_message_id": last,
            "flags": 0,
            "recipients": recipients,
        }
    payload: Json = {
        "id": str(c.id),
        "type": int(c.type),
        "guild_id": str(c.guild_id),
        "name": c.name,
        "position": c.position,
        "parent_id": None if c.parent_id is None else str(c.parent_id),
        "permission_overwrites": overwrites(c),
        "topic": None,
        "nsfw": False,
        "last_message_id": last,
        "rate_limit_per_user": 0,
        "flags": 0,
    }
    if c.type in THREAD_TYPES:
        payload |= {
            "owner_id": str(c.owner_id),
            "message_count": len(world.messages[c.id]),
            "total_message_sent": len(world.messages[c.id]),
            "member_count": 1,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": now_iso(),
                "locked": False,
                "invitable": c.type is ChannelType.PRIVATE_THREAD,
                "create_timestamp": now_iso(),
            },
        }
        del payload["permission_overwrites"]
    return payload


def guild_create(world: World, g: Guild, *, large_threshold: int) -> Json:
    """A guild as the gateway announces it: members beyond the bot come from chunking."""
    return {
        "id": str(g.id),
        "name": g.name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": str(g.owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "premium_progress_bar_enabled": False,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "vanity_url_code": None,
        "preferred_locale": g.locale,
        "features": [],
        "max_members": 500000,
        "max_video_channel_users": 25,
        "max_stage_video_channel_users": 50,
        "application_id": None,
        "incidents_data": None,
        "roles": [role(r) for r in g.roles.values()],
        "emojis": [],
        "stickers": [],
        "joined_at": g.joined_at,
        "large": len(g.members) > large_threshold,
        "unavailable": False,
        "member_count": len(g.members),
        "voice_states": [],
        "members": [member(world, g, g.members[world.bot.id])],
        "channels": [channel(world, world.channels[c]) for c in g.channel_ids],
        "threads": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }


def ready(world: World, *, session_id: str, resume_url: str, shard: list[int] | None) -> Json:
    payload: Json = {
        "v": 10,
        "user": current_user(world.bot),
        "user_settings": {},
        "guilds": [{"id": str(g), "unavailable": True} for g in world.guilds],
        "private_channels": [],
        "relationships": [],
        "presences": [],
        "guild_join_requests": [],
        "geo_ordered_rtc_regions": ["local"],
        "session_id": session_id,
        "session_type": "normal",
        "resume_gateway_url": resume_url,
        "application": {"id": str(world.application_id), "flags": world.application_flags},
        "auth": {},
        "_trace": ['["hearth-emulator",{"micros":0}]'],
    }
    if shard is not None:
        payload["shard"] = shard
    return payload


def application(world: World) -> Json:
    """The app as its owner sees it; the owner is the first guild's owner, the admin who
    installed a self-hosted Hearth (so `Bot.is_owner` means something)."""
    owner = next(iter(world.guilds.values()), None)
    owner_user = world.users.get(owner.owner_id) if owner else None
    return {
        "id": str(world.application_id),
        "name": world.application_name,
        "icon": None,
        "description": "",
        "summary": "",
        "type": None,
        "bot_public": False,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "owner": user(owner_user or world.bot),
        "team": None,
        "flags": world.application_flags,
        "bot": user(world.bot),
        "hook": True,
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "approximate_guild_count": len(world.guilds),
        "integration_types_config": {"0": {}},
    }


def gateway_message(world: World, message: Json) -> Json:
    """A REST message object as MESSAGE_CREATE carries it: with guild_id and the author's member."""
    c = world.channels[int(message["channel_id"])]
    guild = world.guild_of(c)
    if guild is None:
        return message
    author = guild.members.get(int(message["author"]["id"]))
    payload = message | {"guild_id": str(guild.id)}
    if author is not None and "webhook_id" not in message:
        payload["member"] = member(world, guild, author, with_user=False)
    return payload
