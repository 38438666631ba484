"""Slack payloads in, neutral events out: the one place that reads Slack's shapes.

Each function takes a request body as Bolt parsed it (events arrive as
JSON, slash commands and interactions form-encoded, already decoded) and
returns the neutral event it means, or None for what Hearth ignores: the
bot's own messages, edits (an edited message is not a new kudos), message
subtypes that are not someone speaking. Delivery ids are the ones Slack
keeps across retries: `event_id` for events, `trigger_id` for commands and
interactions, so the inbox can skip a duplicate.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.chat import (
    ButtonPressed,
    CommandInvoked,
    Event,
    FormSubmitted,
    HomeOpened,
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

Body = Mapping[str, Any]

SPOKEN_SUBTYPES = frozenset({None, "thread_broadcast", "file_share", "me_message"})
DUPLICATE_ACTION = re.compile(r"~\d+$")  # see slack_blocks.actions_block


def workspace_of(body: Body) -> WorkspaceRef | None:
    """The team a request belongs to, from wherever this kind of payload keeps it."""
    team = body.get("team_id")
    if not team and isinstance(body.get("team"), Mapping):
        team = body["team"].get("id")
    if not team and isinstance(body.get("user"), Mapping):
        team = body["user"].get("team_id")
    return WorkspaceRef(Platform.SLACK, str(team)) if team else None


def _when(seconds: object) -> datetime:
    try:
        return datetime.fromtimestamp(float(str(seconds)), UTC)
    except (TypeError, ValueError):
        return datetime.now(UTC)


def locale_of(value: object) -> str | None:
    """Slack's `fr-FR` as Hearth's `fr`."""
    return str(value).replace("_", "-").split("-")[0].lower() if value else None


def member_of(workspace: WorkspaceRef, user: Mapping[str, Any], *, known: Member | None) -> Member:
    """A member from a Slack user object; Slack admins and owners start as Hearth admins."""
    profile = user.get("profile") or {}
    name = (
        profile.get("display_name")
        or user.get("name")
        or profile.get("real_name")
        or user.get("real_name")
        or str(user["id"])
    )
    role = known.role if known else Role.MEMBER
    if user.get("is_admin") or user.get("is_owner"):
        role = Role.ADMIN
    left_at = (
        (known.left_at if known and known.left_at else datetime.now(UTC))
        if user.get("deleted")
        else None
    )
    return Member(
        ref=workspace.member(str(user["id"])),
        name=str(name),
        timezone=user.get("tz") or (known.timezone if known else None),
        locale=locale_of(user.get("locale")) or (known.locale if known else None),
        role=role,
        is_bot=bool(user.get("is_bot")) or user.get("id") == "USLACKBOT",
        joined_at=known.joined_at if known else None,
        left_at=left_at,
        opt_outs=known.opt_outs if known else frozenset(),
    )


def event_of(body: Body, *, bot_user: str | None) -> Event | None:
    """An Events API callback as a neutral event, or None when Hearth ignores it."""
    workspace = workspace_of(body)
    event = body.get("event")
    if workspace is None or not isinstance(event, Mapping):
        return None
    common: dict[str, Any] = {
        "delivery_id": str(body.get("event_id") or event.get("event_ts") or ""),
        "workspace": workspace,
        "occurred_at": _when(body.get("event_time") or event.get("event_ts")),
    }
    if not common["delivery_id"]:
        return None
    match event.get("type"):
        case "message":
            return _message(event, common, bot_user=bot_user)
        case "reaction_added" | "reaction_removed":
            item = event.get("item") or {}
            if item.get("type") != "message" or not event.get("user"):
                return None
            author = event.get("item_user")
            kind = ReactionAdded if event["type"] == "reaction_added" else ReactionRemoved
            return kind(
                **common,
                actor=str(event["user"]),
                channel=str(item.get("channel", "")),
                message_id=str(item.get("ts", "")),
                message_author=None if not author or author == bot_user else str(author),
                emoji=str(event.get("reaction", "")),
            )
        case "team_join":
            user = event.get("user")
            if not isinstance(user, Mapping) or user.get("is_bot"):
                return None
            member = member_of(workspace, user, known=None)
            return MemberJoined(**common, member=member)
        case "app_home_opened" if event.get("tab", "home") == "home" and event.get("user"):
            return HomeOpened(**common, actor=str(event["user"]))
        case "user_change":
            user = event.get("user")
            if isinstance(user, Mapping) and user.get("deleted"):
                return MemberLeft(**common, user_id=str(user["id"]))
    return None


def _message(
    event: Mapping[str, Any], common: dict[str, Any], *, bot_user: str | None
) -> Event | None:
    subtype = event.get("subtype")
    if subtype == "message_deleted":
        deleted = event.get("deleted_ts") or (event.get("previous_message") or {}).get("ts")
        if not deleted:
            return None
        return MessageDeleted(
            **common, channel=str(event.get("channel", "")), message_id=str(deleted)
        )
    user = event.get("user")
    if subtype not in SPOKEN_SUBTYPES or event.get("bot_id") or not user or user == bot_user:
        return None  # edits, joins, topic changes, bots
    channel = str(event.get("channel", ""))
    return MessagePosted(
        **common,
        actor=str(user),
        channel=channel,
        message_id=str(event.get("ts", "")),
        text=str(event.get("text") or ""),
        thread_id=str(event["thread_ts"]) if event.get("thread_ts") else None,
        is_dm=event.get("channel_type") == "im" or channel.startswith("D"),
    )


def command_of(body: Body, *, now: datetime) -> CommandInvoked | None:
    workspace = workspace_of(body)
    if workspace is None or not body.get("trigger_id") or not body.get("user_id"):
        return None
    channel = str(body.get("channel_id", ""))
    return CommandInvoked(
        delivery_id=f"command:{body['trigger_id']}",
        workspace=workspace,
        occurred_at=now,
        actor=str(body["user_id"]),
        channel=channel,
        command=str(body.get("command", "")).lstrip("/"),
        text=str(body.get("text") or "").strip(),
        is_dm=body.get("channel_name") == "directmessage" or channel.startswith("D"),
    )


def action_of(body: Body, *, now: datetime) -> ButtonPressed | None:
    """A button press (`block_actions`); other block elements are not Hearth's."""
    workspace = workspace_of(body)
    actions = body.get("actions") or []
    user = (body.get("user") or {}).get("id")
    if workspace is None or not actions or not user or actions[0].get("type") != "button":
        return None
    action = actions[0]
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    message_ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    return ButtonPressed(
        delivery_id=f"action:{body.get('trigger_id') or action.get('action_ts')}",
        workspace=workspace,
        occurred_at=_when(action.get("action_ts")) if action.get("action_ts") else now,
        actor=str(user),
        channel=str(channel) if channel and not str(channel).startswith("D") else None,
        message_id=str(message_ts) if message_ts else None,
        action_id=DUPLICATE_ACTION.sub("", str(action.get("action_id", ""))),
        value=str(action.get("value") or ""),
    )


def submission_of(body: Body, *, now: datetime) -> FormSubmitted | None:
    """A modal's `view_submission`, with what Hearth put in its private metadata."""
    workspace = workspace_of(body)
    view = body.get("view") or {}
    user = (body.get("user") or {}).get("id")
    if workspace is None or not user or not view.get("callback_id"):
        return None
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        meta = {}
    fields: dict[str, str] = {}
    for block in ((view.get("state") or {}).get("values") or {}).values():
        for name, element in block.items():
            fields[name] = _input_value(element)
    return FormSubmitted(
        delivery_id=f"view:{view.get('id')}:{view.get('hash') or body.get('trigger_id')}",
        workspace=workspace,
        occurred_at=now,
        actor=str(user),
        form_id=str(view["callback_id"]),
        value=str(meta.get("value", "")),
        fields=fields,
        channel=meta.get("channel") or None,
    )


def _input_value(element: Mapping[str, Any]) -> str:
    if element.get("type") == "static_select":
        option = element.get("selected_option") or {}
        return str(option.get("value") or "")
    return str(element.get("value") or "")
