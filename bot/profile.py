"""`/hearth`: help, a member's own settings, and the admins' role grants.

Part of the core rather than a slice: every workspace needs it whatever
features run, and the help it shows lists every feature's commands.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from bot.chat import N_, Member, Message, Role, Roster, Visibility, Workspace, known_zone
from bot.features import (
    Command,
    Feature,
    Invocation,
    Option,
    OptionKind,
    Response,
    Setting,
    Subcommand,
)
from bot.mentions import find_mentions, resolve

USAGE = N_(
    "/hearth help | me | language fr | timezone Europe/Paris | role @someone manager | "
    "workspace | set KEY VALUE"
)


def refusal(call: Invocation, reason: str, **values: object) -> Message:
    """A private, helpful "no": `reason` is an English msgid with %(name)s values."""
    assert call.actor is not None
    return Message(
        "hearth/error",
        {"reason": reason, "values": values},
        visibility=Visibility.PRIVATE,
        to=call.actor.ref.user_id,
    )


class Profile:
    def __init__(
        self,
        *,
        roster: Roster,
        commands: Callable[[], Sequence[Feature]],
        locales: frozenset[str],
    ) -> None:
        self._roster = roster
        self._features = commands
        self._locales = locales

    def _private(self, call: Invocation, template: str, context: dict[str, object]) -> Message:
        assert call.actor is not None
        return Message(template, context, visibility=Visibility.PRIVATE, to=call.actor.ref.user_id)

    async def hearth(self, call: Invocation) -> Response:
        verb, _, rest = call.event.text.strip().partition(" ")
        rest = rest.strip()
        match verb.lower():
            case "" | "help":
                return self.help(call)
            case "me" | "settings":
                return self.settings(call, call.actor)
            case "language" | "lang" | "langue":
                return await self.language(call, rest)
            case "timezone" | "tz":
                return await self.timezone(call, rest)
            case "role":
                return await self.role(call, rest)
            case "set":
                return await self.set(call, rest)
            case "workspace":
                return self.workspace(call, call.workspace, rest)
        return refusal(call, N_("I do not know “%(verb)s”. Try: %(usage)s"), verb=verb, usage=USAGE)

    def help(self, call: Invocation) -> Message:
        commands = [
            {"name": c.name, "description": c.description, "usage": c.usage}
            for feature in self._features()
            for c in feature.commands
        ]
        return self._private(call, "hearth/help", {"commands": commands})

    def settings(self, call: Invocation, member: Member | None) -> Message:
        assert member is not None
        return self._private(
            call,
            "hearth/settings",
            {
                "member": member.ref,
                "locale": member.locale_in(call.workspace),
                "timezone": member.timezone_in(call.workspace),
                "role": member.role.value,
            },
        )

    async def language(self, call: Invocation, code: str) -> Message:
        assert call.actor is not None
        code = code.lower().replace("_", "-").split("-")[0]
        if code not in self._locales:
            return refusal(
                call,
                N_("I speak %(locales)s; “%(code)s” is not one of them yet."),
                locales=", ".join(sorted(self._locales)),
                code=code or "?",
            )
        member = replace(call.actor, locale=code)
        await self._roster.save_member(member)
        return self.settings(call, member)

    async def timezone(self, call: Invocation, name: str) -> Message:
        assert call.actor is not None
        if not known_zone(name):
            return refusal(
                call,
                N_("“%(name)s” is not a time zone I know. Use a name like Europe/Paris."),
                name=name or "?",
            )
        member = replace(call.actor, timezone=name)
        await self._roster.save_member(member)
        return self.settings(call, member)

    async def role(self, call: Invocation, rest: str) -> Response:
        assert call.actor is not None
        if call.actor.role is not Role.ADMIN:
            return refusal(call, N_("Only an admin can change roles. Ask one of your admins."))
        mentions = find_mentions(rest)
        words = rest.split()
        if len(mentions) != 1 or not words or words[-1] not in {r.value for r in Role}:
            return refusal(call, N_("Usage: %(usage)s"), usage="/hearth role @someone manager")
        target = await resolve(self._roster, call.workspace.ref, mentions[0])
        if target is None or not target.active:
            return refusal(
                call, N_("I cannot find %(name)s in this workspace."), name=mentions[0].lookup
            )
        updated = replace(target, role=Role(words[-1]))
        await self._roster.save_member(updated)
        return Message(
            "hearth/role_changed",
            {"member": updated.ref, "role": updated.role.value, "by": call.actor.ref},
        )

    def _settings(self) -> dict[str, Setting]:
        return {s.key: s for feature in self._features() for s in feature.settings}

    def workspace(self, call: Invocation, workspace: Workspace, group: str = "") -> Message:
        """The workspace's language and time zone and, per feature, how many
        settings it has; with a `group` (a feature's prefix), that one's settings."""
        every = sorted(self._settings().values(), key=lambda s: s.key)
        group = group.strip().lower().rstrip(".")
        groups: dict[str, int] = {}
        for setting in every:
            prefix = setting.key.split(".", 1)[0]
            groups[prefix] = groups.get(prefix, 0) + 1
        rows = [
            {
                "key": s.key,
                "value": workspace.settings.get(s.key, s.default),
                "description": s.description,
            }
            for s in every
            if group and s.key.split(".", 1)[0] == group
        ]
        return self._private(
            call,
            "hearth/workspace_settings",
            {
                "language": workspace.locale,
                "timezone": workspace.timezone,
                "group": group if group in groups else "",
                "groups": [{"name": name, "count": n} for name, n in groups.items()],
                "settings": rows,
            },
        )

    async def set(self, call: Invocation, rest: str) -> Message:
        """`/hearth set KEY VALUE`: admins tune the workspace."""
        assert call.actor is not None
        if call.actor.role is not Role.ADMIN:
            return refusal(call, N_("Only an admin can change the workspace's settings."))
        key, _, value = rest.strip().partition(" ")
        key, value = key.lower(), value.strip()
        workspace = call.workspace
        if key in ("language", "timezone"):
            problem = self._check_workspace(key, value)
            if problem is not None:
                return refusal(call, problem, value=value or "?")
            changed = (
                replace(workspace, locale=value)
                if key == "language"
                else replace(workspace, timezone=value)
            )
        else:
            setting = self._settings().get(key)
            if setting is None:
                return refusal(
                    call,
                    N_("There is no setting %(key)s. See them all with /hearth workspace."),
                    key=key or "?",
                )
            checked = setting.check(value)
            if checked is None:
                return refusal(
                    call,
                    N_("%(value)s does not fit %(key)s: %(description)s."),
                    value=value or "?",
                    key=key,
                    description=setting.description,
                )
            changed = replace(workspace, settings={**workspace.settings, key: checked})
        await self._roster.save_workspace(changed)
        return self.workspace(call, changed, key.split(".", 1)[0] if "." in key else "")

    def _check_workspace(self, key: str, value: str) -> str | None:
        if key == "language":
            return None if value in self._locales else N_("I do not speak %(value)s yet.")
        if not known_zone(value):
            return N_("“%(value)s” is not a time zone I know. Use a name like Europe/Paris.")
        return None


SUBCOMMANDS = (
    Subcommand("help", N_("What I can do here")),
    Subcommand("me", N_("Your language, time zone and role")),
    Subcommand(
        "language",
        N_("Choose your language"),
        (Option("code", N_("A language code, e.g. en or fr"), required=True),),
    ),
    Subcommand(
        "timezone",
        N_("Choose your time zone"),
        (Option("zone", N_("An IANA name, e.g. Europe/Paris"), required=True),),
    ),
    Subcommand(
        "role",
        N_("Admins: grant or revoke a role"),
        (
            Option("who", N_("Whose role"), OptionKind.MEMBER, required=True),
            Option(
                "role",
                N_("The new role"),
                OptionKind.CHOICE,
                required=True,
                choices=(N_("admin"), N_("manager"), N_("member")),
            ),
        ),
    ),
    Subcommand(
        "set",
        N_("Admins: change a workspace setting"),
        (
            Option("key", N_("The setting, e.g. kudos.allowance"), required=True),
            Option("value", N_("Its new value"), required=True),
        ),
    ),
    Subcommand("workspace", N_("The workspace's settings")),
)


def build(
    *, roster: Roster, commands: Callable[[], Sequence[Feature]], locales: frozenset[str]
) -> Feature:
    profile = Profile(roster=roster, commands=commands, locales=locales)
    return Feature(
        name="hearth",
        commands=(
            Command(
                "hearth",
                profile.hearth,
                description=N_("Help, your language and time zone, and roles"),
                usage=USAGE,
                subcommands=SUBCOMMANDS,
            ),
        ),
    )
