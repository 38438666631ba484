"""Discord in, neutral events out: the one place that reads Discord's shapes.

The functions take plain values (ids as strings, an interaction's raw `data`
as Discord sent it) and return the neutral event they mean, or None for
what Hearth ignores, so they can be tested without a client. Delivery ids
are the ones that survive a gateway replay: the interaction id for commands,
buttons and modal submits; the message id, member and emoji for a reaction
(so adding, removing and adding the same reaction again is one gift and one
undo); guild, member and join time for a join.

Buttons and modals carry what their press or submit must bring back in
their `custom_id` (at most 100 characters): `h|guild|action id|value` for a
button, `f|guild|form id|value` for a modal. The guild is there because a
press in a direct message comes with no guild of its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.chat import (
    ButtonPressed,
    CommandInvoked,
    FormSubmitted,
    Member,
    MemberJoined,
    MemberLeft,
    MessageDeleted,
    MessagePosted,
    Platform,
    ReactionAdded,
    ReactionRemoved,
    Role,
    WorkspaceRef,
)

CUSTOM_ID_LIMIT = 100
BUTTON = "h"
FORM = "f"
BUTTON_TEMPLATE = r"h\|(?P<guild>\d*)\|(?P<action>[^|]+)\|(?P<value>.*)"
FORM_TEMPLATE = r"f\|(?P<guild>\d*)\|(?P<form>[^|]+)\|(?P<value>.*)"
_BUTTON = re.compile(BUTTON_TEMPLATE, re.DOTALL)
_FORM = re.compile(FORM_TEMPLATE, re.DOTALL)

SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
TEXT_INPUT, STRING_SELECT, ACTION_ROW, LABEL = 4, 3, 1, 18


def workspace_of(guild_id: int | str) -> WorkspaceRef:
    return WorkspaceRef(Platform.DISCORD, str(guild_id))


def locale_of(value: object) -> str | None:
    """Discord's `en-US` or `fr` as Hearth's `en` or `fr`."""
    text = str(getattr(value, "value", value) or "")
    return text.replace("_", "-").split("-")[0].lower() or None


@dataclass(frozen=True, slots=True)
class Origin:
    """Where and when an interaction happened, and whose it is."""

    interaction_id: str
    guild_id: str | None
    channel_id: str | None
    user_id: str
    occurred_at: datetime
    in_dm: bool = False


# --- custom ids ---------------------------------------------------------------


def button_id(workspace: WorkspaceRef, action_id: str, value: str) -> str | None:
    """The custom id of a button, or None when its action and value do not fit."""
    if "|" in action_id or not action_id:
        return None
    custom_id = f"{BUTTON}|{workspace.workspace_id}|{action_id}|{value}"
    return custom_id if len(custom_id) <= CUSTOM_ID_LIMIT else None


def form_id(workspace: WorkspaceRef, form: str, value: str) -> str | None:
    """The custom id of a one-modal form, or None when its id and value do not fit."""
    if "|" in form or not form:
        return None
    custom_id = f"{FORM}|{workspace.workspace_id}|{form}|{value}"
    return custom_id if len(custom_id) <= CUSTOM_ID_LIMIT else None


def press_of(origin: Origin, custom_id: str, *, message_id: str | None) -> ButtonPressed | None:
    match = _BUTTON.fullmatch(custom_id)
    guild = origin.guild_id or (match["guild"] if match else None)
    if match is None or not guild:
        return None
    return ButtonPressed(
        delivery_id=f"interaction:{origin.interaction_id}",
        workspace=workspace_of(guild),
        occurred_at=origin.occurred_at,
        actor=origin.user_id,
        channel=None if origin.in_dm else origin.channel_id,
        message_id=message_id,
        action_id=match["action"],
        value=match["value"],
    )


def submitted_values(components: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """A modal submit's inputs by custom id: text inputs and (the first of) select values,
    inside action rows or labels."""
    values: dict[str, str] = {}
    for component in components:
        kind = component.get("type")
        if kind == ACTION_ROW:
            values |= submitted_values(component.get("components") or [])
        elif kind == LABEL and isinstance(component.get("component"), Mapping):
            values |= submitted_values([component["component"]])
        elif "custom_id" in component:
            chosen = component.get("values")
            if isinstance(chosen, list):
                values[str(component["custom_id"])] = str(chosen[0]) if chosen else ""
            else:
                values[str(component["custom_id"])] = str(component.get("value") or "")
    return values


def submission_of(origin: Origin, data: Mapping[str, Any]) -> FormSubmitted | None:
    """A modal submit for a one-modal form (see `form_id`); other modals are not ours."""
    match = _FORM.fullmatch(str(data.get("custom_id", "")))
    guild = origin.guild_id or (match["guild"] if match else None)
    if match is None or not guild:
        return None
    return FormSubmitted(
        delivery_id=f"interaction:{origin.interaction_id}",
        workspace=workspace_of(guild),
        occurred_at=origin.occurred_at,
        actor=origin.user_id,
        form_id=match["form"],
        value=match["value"],
        fields=submitted_values(data.get("components") or []),
        channel=None if origin.in_dm else origin.channel_id,
    )


# --- application commands -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Invoked:
    """An application command as Discord sent it: its name, the subcommand chosen
    (None for a command without subcommands) and the option values by name."""

    command: str
    subcommand: str | None
    options: Mapping[str, object]


def invoked_of(data: Mapping[str, Any]) -> Invoked:
    """The subcommand path and option values of a slash command's `data`."""
    options: Sequence[Mapping[str, Any]] = data.get("options") or []
    subcommand = None
    while options and options[0].get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP):
        subcommand = str(options[0]["name"])
        options = options[0].get("options") or []
    values = {str(o["name"]): o.get("value") for o in options if "value" in o}
    return Invoked(str(data.get("name", "")), subcommand, values)


def command_of(origin: Origin, command: str, text: str) -> CommandInvoked | None:
    if origin.guild_id is None or origin.channel_id is None:
        return None  # Hearth's commands are registered for servers only
    return CommandInvoked(
        delivery_id=f"interaction:{origin.interaction_id}",
        workspace=workspace_of(origin.guild_id),
        occurred_at=origin.occurred_at,
        actor=origin.user_id,
        channel=origin.channel_id,
        command=command,
        text=text.strip(),
    )


# --- gateway events -------------------------------------------------------------


def reaction_of(
    *,
    added: bool,
    guild_id: int | None,
    channel_id: int,
    message_id: int,
    user_id: int,
    emoji: str,
    author_id: int | None,
    bot_id: int | None,
    occurred_at: datetime,
) -> ReactionAdded | ReactionRemoved | None:
    """A reaction put on or taken off; `emoji` is the character, or a custom emoji's name."""
    if guild_id is None or user_id == bot_id or not emoji:
        return None
    kind = ReactionAdded if added else ReactionRemoved
    verb = "add" if added else "remove"
    return kind(
        delivery_id=f"reaction:{verb}:{message_id}:{user_id}:{emoji}",
        workspace=workspace_of(guild_id),
        occurred_at=occurred_at,
        actor=str(user_id),
        channel=str(channel_id),
        message_id=str(message_id),
        message_author=None if author_id is None or author_id == bot_id else str(author_id),
        emoji=emoji,
    )


def member_of(
    workspace: WorkspaceRef,
    *,
    user_id: int,
    name: str,
    is_bot: bool,
    is_admin: bool,
    joined_at: datetime | None,
    known: Member | None,
    locale: str | None = None,
) -> Member:
    """A member as Discord knows them; Hearth keeps what Discord has no word for
    (time zone, opt-outs, a role given in Hearth)."""
    role = known.role if known else Role.MEMBER
    if is_admin:
        role = Role.ADMIN
    return Member(
        ref=workspace.member(str(user_id)),
        name=name,
        timezone=known.timezone if known else None,
        locale=locale or (known.locale if known else None),
        role=role,
        is_bot=is_bot,
        joined_at=joined_at or (known.joined_at if known else None),
        left_at=None,
        opt_outs=known.opt_outs if known else frozenset(),
    )


def joined_of(member: Member, *, occurred_at: datetime) -> MemberJoined:
    joined = member.joined_at or occurred_at
    ref = member.ref
    return MemberJoined(
        delivery_id=f"join:{ref.workspace.workspace_id}:{ref.user_id}:{joined.isoformat()}",
        workspace=ref.workspace,
        occurred_at=occurred_at,
        member=member,
    )


def left_of(
    guild_id: int, user_id: int, *, joined_at: datetime | None, occurred_at: datetime
) -> MemberLeft:
    """A departure; without the member's join time (not cached) the minute it was seen."""
    stamp = (joined_at or occurred_at.replace(second=0, microsecond=0)).isoformat()
    return MemberLeft(
        delivery_id=f"leave:{guild_id}:{user_id}:{stamp}",
        workspace=workspace_of(guild_id),
        occurred_at=occurred_at,
        user_id=str(user_id),
    )


def posted_of(
    *,
    guild_id: int | None,
    channel_id: int,
    thread_id: int | None,
    message_id: int,
    author_id: int,
    author_is_bot: bool,
    content: str,
    occurred_at: datetime,
) -> MessagePosted | None:
    """Someone speaking in a server channel (bots and direct messages are not read)."""
    if guild_id is None or author_is_bot or not content:
        return None
    return MessagePosted(
        delivery_id=f"message:{message_id}",
        workspace=workspace_of(guild_id),
        occurred_at=occurred_at,
        actor=str(author_id),
        channel=str(channel_id),
        message_id=str(message_id),
        text=content,
        thread_id=None if thread_id is None else str(thread_id),
    )


def deleted_of(
    *, guild_id: int | None, channel_id: int, message_id: int, occurred_at: datetime
) -> MessageDeleted | None:
    if guild_id is None:
        return None
    return MessageDeleted(
        delivery_id=f"deleted:{message_id}",
        workspace=workspace_of(guild_id),
        occurred_at=occurred_at,
        channel=str(channel_id),
        message_id=str(message_id),
    )
