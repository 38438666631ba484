"""INTERACTION_CREATE payloads a test dispatches: slash commands, component clicks, modal submits.

discord.py drops an interaction without `attachment_size_limit` and reads
`version`, `entitlements`, `context`, `app_permissions` and the invoking
member's `permissions`, so every payload carries the documented set. Options
resolve as Discord resolves them (users and members, channels, roles), and a
modal submit mirrors the components of the modal the bot opened.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tests.platforms.discord import payloads
from tests.platforms.discord.applications import Applications
from tests.platforms.discord.journal import InteractionCallback, Journal
from tests.platforms.discord.messages import Messages, numbered
from tests.platforms.discord.world import Channel, World

Json = dict[str, Any]
APPLICATION_COMMAND, MESSAGE_COMPONENT, MODAL_SUBMIT, MODAL = 2, 3, 5, 9
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


@dataclass(frozen=True)
class Option:
    """A slash command option value, typed as Discord sends it."""

    name: str
    type: int
    value: str | int | float | bool

    @classmethod
    def string(cls, name: str, value: str) -> Option:
        return cls(name, 3, value)

    @classmethod
    def integer(cls, name: str, value: int) -> Option:
        return cls(name, 4, value)

    @classmethod
    def boolean(cls, name: str, value: bool) -> Option:
        return cls(name, 5, value)

    @classmethod
    def user(cls, name: str, user_id: int) -> Option:
        return cls(name, 6, str(user_id))

    @classmethod
    def channel(cls, name: str, channel_id: int) -> Option:
        return cls(name, 7, str(channel_id))

    @classmethod
    def role(cls, name: str, role_id: int) -> Option:
        return cls(name, 8, str(role_id))

    @classmethod
    def number(cls, name: str, value: float) -> Option:
        return cls(name, 10, value)


def submitted(components: Sequence[Json], values: Mapping[str, str | Sequence[str]]) -> list[Json]:
    """A modal's (numbered) components as Discord sends them back on submit, holding `values`."""
    answers: list[Json] = []
    for component in components:
        kind = component["type"]
        answer: Json = {"type": kind, "id": component["id"]}
        if kind == 1:
            answer["components"] = submitted(component["components"], values)
        elif kind == 18:
            answer["component"] = submitted([component["component"]], values)[0]
        elif "custom_id" in component:
            value = values.get(component["custom_id"], component.get("value") or "")
            answer["custom_id"] = component["custom_id"]
            if kind == 4:  # a text input holds one string, a select a list of them
                answer["value"] = value if isinstance(value, str) else "\n".join(value)
            else:
                answer["values"] = [value] if isinstance(value, str) else list(value)
        answers.append(answer)
    return answers


class Interactions:
    def __init__(
        self,
        world: World,
        messages: Messages,
        applications: Applications,
        callbacks: Journal[InteractionCallback],
    ) -> None:
        self.world = world
        self.messages = messages
        self.applications = applications
        self.callbacks = callbacks

    def command(
        self,
        name: str,
        *,
        channel_id: int,
        user_id: int,
        options: Sequence[Option] = (),
        locale: str = "en-US",
    ) -> Json:
        """`name` may hold a subcommand path: "kudos give" nests the options under `give`."""
        root, *path = name.split()
        channel = self.world.channels[channel_id]
        registered = self.applications.find(root, channel.guild_id)
        data: Json = {
            "id": registered["id"] if registered else str(self.world.ids.next()),
            "name": root,
            "type": 1,
        }
        if registered and "guild_id" in registered:
            data["guild_id"] = registered["guild_id"]
        leaf: list[Json] = [{"name": o.name, "type": o.type, "value": o.value} for o in options]
        for depth, part in reversed(list(enumerate(path))):
            kind = 2 if depth < len(path) - 1 else 1
            leaf = [{"name": part, "type": kind, "options": leaf}]
        data["options"] = leaf
        resolved = self._resolve(channel, options)
        if resolved:
            data["resolved"] = resolved
        return self._interaction(APPLICATION_COMMAND, data, channel, user_id, locale)

    def component(
        self,
        custom_id: str,
        *,
        channel_id: int,
        user_id: int,
        message_id: int | None = None,
        values: Sequence[str] | None = None,
        locale: str = "en-US",
    ) -> Json:
        """A click on the component `custom_id` of a stored message (the latest carrying it)."""
        channel = self.world.channels[channel_id]
        message = self._message_with(channel, custom_id, message_id)
        data: Json = {"custom_id": custom_id, "component_type": 2 if values is None else 3}
        for component in walk(message["components"]):
            if component.get("custom_id") == custom_id:
                data["component_type"] = component["type"]
        if values is not None:
            data["values"] = list(values)
        payload = self._interaction(MESSAGE_COMPONENT, data, channel, user_id, locale)
        payload["message"] = payloads.gateway_message(self.world, message)
        return payload

    def modal_submit(
        self,
        custom_id: str,
        values: Mapping[str, str | Sequence[str]],
        *,
        channel_id: int,
        user_id: int,
        locale: str = "en-US",
    ) -> Json:
        """The submit of the modal last opened with `custom_id`, its inputs holding `values`."""
        opened = [c for c in self.callbacks if c.type == MODAL and c.data["custom_id"] == custom_id]
        if opened:
            components = submitted(numbered(opened[-1].data["components"]), values)
        else:
            inputs = [{"type": 4, "custom_id": k, "value": v} for k, v in values.items()]
            rows = [{"type": 1, "components": [i]} for i in inputs]
            components = submitted(numbered(rows), values)
        data = {"custom_id": custom_id, "components": components}
        channel = self.world.channels[channel_id]
        return self._interaction(MODAL_SUBMIT, data, channel, user_id, locale)

    def _interaction(
        self, kind: int, data: Json, channel: Channel, user_id: int, locale: str
    ) -> Json:
        guild = self.world.guild_of(channel)
        user = self.world.users[user_id]
        permissions = self.world.permissions_in(channel, user_id)
        payload: Json = {
            "id": str(self.world.ids.next()),
            "application_id": str(self.world.application_id),
            "type": kind,
            "data": data,
            "token": secrets.token_urlsafe(48),
            "version": 1,
            "channel": payloads.channel(self.world, channel) | {"permissions": str(permissions)},
            "channel_id": str(channel.id),
            "locale": locale,
            "app_permissions": str(self.world.permissions_in(channel, self.world.bot.id)),
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if guild is None:
            payload |= {"user": payloads.user(user), "context": 1}
            payload["authorizing_integration_owners"] = {"1": str(user_id)}
            return payload
        member = payloads.member(self.world, guild, guild.members[user_id], permissions=permissions)
        payload |= {
            "guild_id": str(guild.id),
            "guild_locale": guild.locale,
            "guild": {"id": str(guild.id), "locale": guild.locale, "features": []},
            "member": member,
            "context": 0,
            "authorizing_integration_owners": {"0": str(guild.id)},
        }
        return payload

    def _resolve(self, channel: Channel, options: Sequence[Option]) -> Json:
        guild = self.world.guild_of(channel)
        resolved: dict[str, Json] = {}
        for option in options:
            key = str(option.value)
            if option.type == 6:
                resolved.setdefault("users", {})[key] = payloads.user(self.world.users[int(key)])
                if guild is not None and int(key) in guild.members:
                    member = guild.members[int(key)]
                    perms = self.world.permissions_in(channel, int(key))
                    resolved.setdefault("members", {})[key] = payloads.member(
                        self.world, guild, member, with_user=False, permissions=perms
                    )
            elif option.type == 7:
                target = self.world.channels[int(key)]
                perms = self.world.permissions_in(target, self.world.bot.id)
                described = payloads.channel(self.world, target) | {"permissions": str(perms)}
                resolved.setdefault("channels", {})[key] = described
            elif option.type == 8 and guild is not None:
                resolved.setdefault("roles", {})[key] = payloads.role(guild.roles[int(key)])
        return resolved

    def _message_with(self, channel: Channel, custom_id: str, message_id: int | None) -> Json:
        if message_id is not None:
            return self.messages.get(channel, message_id)
        for message in reversed(self.world.messages[channel.id].values()):
            if any(c.get("custom_id") == custom_id for c in walk(message["components"])):
                return message
        raise LookupError(f"no message in channel {channel.id} carries component {custom_id!r}")

    # -- routes -----------------------------------------------------------------


def walk(components: Sequence[Json]) -> list[Json]:
    found: list[Json] = []
    for component in components:
        found.append(component)
        found.extend(walk(component.get("components", [])))
        for key in ("accessory", "component"):
            if isinstance(component.get(key), dict):
                found.extend(walk([component[key]]))
    return found
