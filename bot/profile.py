"""`/hearth`: help, a member's own settings, and the admins' role grants.

Part of the core rather than a slice: every workspace needs it whatever
features run, and the help it shows lists every feature's commands.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.chat import N_, Member, Message, Role, Roster, Visibility
from bot.features import Command, Feature, Invocation, Response
from bot.mentions import find_mentions

USAGE = N_("/hearth help | me | language fr | timezone Europe/Paris | role @someone manager")


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
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
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
        target = await self._roster.find_member(call.workspace.ref, mentions[0].lookup)
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
            ),
        ),
    )
