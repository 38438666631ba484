"""Messages as Discord stores them: ids, mentions resolved under `allowed_mentions`, gateway echoes.

Every message, whoever posts it (the bot over REST, an interaction response, a
user in a test), is created here, so channel history, the `mentions` Discord
computes and the MESSAGE_CREATE the gateway sends always agree.
"""

from __future__ import annotations

import re
from typing import Any

from tests.platforms.discord import errors, payloads
from tests.platforms.discord.gateway import Gateway
from tests.platforms.discord.journal import Journal
from tests.platforms.discord.world import Channel, ChannelType, Permission, User, World, now_iso

Json = dict[str, Any]
USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")
EVERYONE_MENTION = re.compile(r"@(everyone|here)\b")
EPHEMERAL = 1 << 6
MESSAGE_TYPE_DEFAULT, MESSAGE_TYPE_REPLY, MESSAGE_TYPE_CHAT_INPUT = 0, 19, 20


def check_allowed_mentions(body: Json) -> None:
    allowed = body.get("allowed_mentions")
    if allowed is None:
        return
    parse = allowed.get("parse", [])
    for kind in ("users", "roles"):
        if kind in parse and kind in allowed:
            raise errors.invalid_form(
                "allowed_mentions",
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
            )


def check_not_empty(body: Json) -> None:
    keys = ("content", "embeds", "components", "sticker_ids", "poll", "attachments")
    if not any(body.get(key) for key in keys):
        raise errors.ApiError(400, 50006, "Cannot send an empty message")


def numbered(components: list[Json]) -> list[Json]:
    """Components with the sequential `id` Discord gives any component sent without one."""
    counter = 0

    def walk(component: Json) -> Json:
        nonlocal counter
        counter += 1
        copy: Json = {"id": counter} | component
        for key in ("components", "accessory", "component"):
            if isinstance(copy.get(key), list):
                copy[key] = [walk(c) for c in copy[key]]
            elif isinstance(copy.get(key), dict):
                copy[key] = walk(copy[key])
        return copy

    return [walk(c) for c in components]


class Messages:
    def __init__(self, world: World, gateway: Gateway) -> None:
        self.world = world
        self.gateway = gateway
        self.created: Journal[Json] = Journal("message")

    def get(self, channel: Channel, message_id: int) -> Json:
        message = self.world.messages[channel.id].get(message_id)
        if message is None:
            raise errors.unknown("Message", errors.UNKNOWN_MESSAGE)
        return message

    async def create(
        self,
        channel: Channel,
        author: User,
        body: Json,
        *,
        webhook_id: int | None = None,
        interaction: Json | None = None,
    ) -> Json:
        check_allowed_mentions(body)
        message_id = self.world.ids.next()
        reference = body.get("message_reference")
        referenced = None
        if reference is not None:
            referenced = self.get(channel, int(reference["message_id"]))
        message: Json = {
            "id": str(message_id),
            "channel_id": str(channel.id),
            "author": payloads.user(author),
            "content": body.get("content") or "",
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "attachments": [],
            "embeds": [{"type": "rich"} | e for e in body.get("embeds") or []],
            "components": numbered(body.get("components") or []),
            "pinned": False,
            "type": MESSAGE_TYPE_DEFAULT,
            "flags": int(body.get("flags") or 0),
        }
        message |= self._mentions(channel, author, body, referenced)
        if body.get("nonce") is not None:
            message["nonce"] = body["nonce"]
        if referenced is not None:
            message["type"] = MESSAGE_TYPE_REPLY
            message["message_reference"] = {
                "type": 0,
                "channel_id": str(channel.id),
                "message_id": referenced["id"],
            }
            message["referenced_message"] = referenced
        if webhook_id is not None:
            message["webhook_id"] = str(webhook_id)
            message["application_id"] = str(self.world.application_id)
        if interaction is not None:
            message["interaction_metadata"] = interaction
            if interaction["type"] == 2:
                message["type"] = MESSAGE_TYPE_CHAT_INPUT
        self.world.messages[channel.id][message_id] = message
        channel.last_message_id = message_id
        self.created.append(message)
        if not message["flags"] & EPHEMERAL:
            gateway_form = payloads.gateway_message(self.world, message)
            await self.gateway.dispatch("MESSAGE_CREATE", gateway_form)
        return message

    async def edit(self, channel: Channel, message: Json, body: Json) -> Json:
        check_allowed_mentions(body)
        for key in ("content", "flags"):
            if key in body and body[key] is not None:
                message[key] = body[key]
        if "embeds" in body:
            message["embeds"] = [{"type": "rich"} | e for e in body["embeds"] or []]
        if "components" in body:
            message["components"] = numbered(body["components"] or [])
        author = self.world.users[int(message["author"]["id"])]
        message |= self._mentions(channel, author, message | body, None)
        message["edited_timestamp"] = now_iso()
        if not message["flags"] & EPHEMERAL:
            gateway_form = payloads.gateway_message(self.world, message)
            await self.gateway.dispatch("MESSAGE_UPDATE", gateway_form)
        return message

    async def delete(self, channel: Channel, message: Json) -> None:
        del self.world.messages[channel.id][int(message["id"])]
        event: Json = {"id": message["id"], "channel_id": str(channel.id)}
        if channel.guild_id is not None:
            event["guild_id"] = str(channel.guild_id)
        await self.gateway.dispatch("MESSAGE_DELETE", event)

    def _mentions(self, channel: Channel, author: User, body: Json, replied: Json | None) -> Json:
        """What Discord pings: mentions in the content, filtered by `allowed_mentions`."""
        content = str(body.get("content") or "")
        allowed = body.get("allowed_mentions")
        parse = {"users", "roles", "everyone"} if allowed is None else set(allowed.get("parse", []))
        listed_users = {int(u) for u in (allowed or {}).get("users", [])}
        listed_roles = {int(r) for r in (allowed or {}).get("roles", [])}
        user_ids = [
            int(u)
            for u in dict.fromkeys(USER_MENTION.findall(content))
            if int(u) in self.world.users and ("users" in parse or int(u) in listed_users)
        ]
        if replied is not None and (allowed is None or allowed.get("replied_user")):
            user_ids.append(int(replied["author"]["id"]))
        guild = self.world.guild_of(channel)
        role_ids = [
            r
            for r in dict.fromkeys(ROLE_MENTION.findall(content))
            if guild is not None
            and int(r) in guild.roles
            and ("roles" in parse or int(r) in listed_roles)
        ]
        may_ping_everyone = channel.type is ChannelType.DM or bool(
            self.world.permissions_in(channel, author.id) & Permission.MENTION_EVERYONE
        )
        everyone = (
            "everyone" in parse and may_ping_everyone and bool(EVERYONE_MENTION.search(content))
        )
        mentions = []
        for user_id in dict.fromkeys(user_ids):
            mentioned = payloads.user(self.world.users[user_id])
            if guild is not None and user_id in guild.members:
                member = guild.members[user_id]
                mentioned["member"] = payloads.member(self.world, guild, member, with_user=False)
            mentions.append(mentioned)
        return {"mentions": mentions, "mention_roles": role_ids, "mention_everyone": everyone}
