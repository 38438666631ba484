"""The bot's identity and its application commands, which outlive any one client as on Discord.

Bulk overwrite keeps a command's id when a command of the same name and type
already exists, and checks the rules Discord rejects a sync for (lowercase
names of 1-32 word characters, descriptions of 1-100 characters on slash
commands, required options before optional ones).
"""

from __future__ import annotations

import re
from typing import Any

from tests.platforms.discord import errors, payloads
from tests.platforms.discord.rest import Call, Endpoint, Reply
from tests.platforms.discord.world import World

Json = dict[str, Any]
COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")
CHAT_INPUT, SUB_COMMAND, SUB_COMMAND_GROUP = 1, 1, 2
REQUIRED_FIRST = {
    "code": "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
    "message": "Required options must be placed before non-required options",
}


def command_problems(command: Json) -> dict[str, Any]:
    problems: dict[str, Any] = {}

    def problem(field: str, code: str, message: str) -> None:
        problems[field] = {"_errors": [{"code": code, "message": message}]}

    kind = command.get("type", CHAT_INPUT)
    name = str(command.get("name", ""))
    if not COMMAND_NAME.match(name) or (kind == CHAT_INPUT and name != name.lower()):
        problem("name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
    description = str(command.get("description", ""))
    if kind == CHAT_INPUT and not 1 <= len(description) <= 100:
        problem("description", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    options = command.get("options") or []
    seen_optional = False
    for index, option in enumerate(options):
        if option.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP):
            nested = command_problems(option | {"type": CHAT_INPUT})
        else:
            described = {"name": option.get("name"), "description": option.get("description")}
            nested = command_problems(described)
            if option.get("required") and seen_optional:
                nested["required"] = {"_errors": [REQUIRED_FIRST]}
            seen_optional = seen_optional or not option.get("required")
        if nested:
            problems.setdefault("options", {})[str(index)] = nested
    return problems


class Applications:
    def __init__(self, world: World, *, gateway_url: str = "") -> None:
        self.world = world
        self.gateway_url = gateway_url
        # guild id (None for global) -> command name and type -> registered command
        self.commands: dict[int | None, dict[tuple[str, int], Json]] = {}

    def registered(self, guild_id: int | None = None) -> list[Json]:
        return list(self.commands.get(guild_id, {}).values())

    def find(self, name: str, guild_id: int | None) -> Json | None:
        for scope in (guild_id, None):
            command = self.commands.get(scope, {}).get((name, CHAT_INPUT))
            if command is not None:
                return command
        return None

    def endpoints(self) -> list[Endpoint]:
        return [
            Endpoint("GET", "/users/@me", self.me),
            Endpoint("GET", "/oauth2/applications/@me", self.application),
            Endpoint("GET", "/applications/@me", self.application),
            Endpoint("GET", "/gateway", self.gateway, auth=False),
            Endpoint("GET", "/gateway/bot", self.gateway),
            Endpoint("GET", "/applications/{application_id}/commands", self.list),
            Endpoint("PUT", "/applications/{application_id}/commands", self.overwrite),
            Endpoint("GET", "/applications/{application_id}/guilds/{guild_id}/commands", self.list),
            Endpoint(
                "PUT", "/applications/{application_id}/guilds/{guild_id}/commands", self.overwrite
            ),
        ]

    async def me(self, call: Call) -> Reply:
        return Reply(body=payloads.current_user(self.world.bot))

    async def application(self, call: Call) -> Reply:
        return Reply(body=payloads.application(self.world))

    async def gateway(self, call: Call) -> Reply:
        body: Json = {"url": self.gateway_url}
        if call.path.endswith("/bot"):
            limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
            body |= {"shards": 1, "session_start_limit": limit}
        return Reply(body=body)

    def _scope(self, call: Call) -> int | None:
        if call.id("application_id") != self.world.application_id:
            raise errors.missing_access()
        if "guild_id" not in call.params:
            return None
        guild_id = call.id("guild_id")
        if guild_id not in self.world.guilds:
            raise errors.missing_access()
        return guild_id

    async def list(self, call: Call) -> Reply:
        return Reply(body=self.registered(self._scope(call)))

    async def overwrite(self, call: Call) -> Reply:
        scope = self._scope(call)
        commands = call.body if isinstance(call.body, list) else []
        problems = {str(i): p for i, c in enumerate(commands) if (p := command_problems(c))}
        if problems:
            raise errors.ApiError(400, 50035, "Invalid Form Body", problems)
        previous = self.commands.get(scope, {})
        current: dict[tuple[str, int], Json] = {}
        for command in commands:
            key = (str(command["name"]), int(command.get("type", CHAT_INPUT)))
            if key in current:
                raise errors.invalid_form(
                    "_errors", "APPLICATION_COMMANDS_DUPLICATE_NAME", "Command names must be unique"
                )
            existing = previous.get(key)
            current[key] = self._registered(command, scope, existing)
        self.commands[scope] = current
        return Reply(body=list(current.values()))

    def _registered(self, command: Json, scope: int | None, existing: Json | None) -> Json:
        kind = int(command.get("type", CHAT_INPUT))
        registered: Json = {
            "id": existing["id"] if existing else str(self.world.ids.next()),
            "application_id": str(self.world.application_id),
            "version": str(self.world.ids.next()),
            "type": kind,
            "name": command["name"],
            "name_localizations": command.get("name_localizations"),
            "description": command.get("description", ""),
            "description_localizations": command.get("description_localizations"),
            "default_member_permissions": command.get("default_member_permissions"),
            "contexts": command.get("contexts"),
            "integration_types": command.get("integration_types") or [0],
            "nsfw": bool(command.get("nsfw", False)),
        }
        if command.get("options"):
            registered["options"] = command["options"]
        if scope is not None:
            registered["guild_id"] = str(scope)
        else:
            registered["dm_permission"] = command.get("dm_permission", True)
        return registered
