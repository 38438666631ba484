"""Events as the Events API documents them, to wrap in `payloads.envelope`."""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from tests.platforms.slack.payloads import Payload, stamp

__all__ = [
    "app_home_opened",
    "app_mention",
    "app_uninstalled",
    "bot_message",
    "member_joined_channel",
    "message",
    "message_changed",
    "message_deleted",
    "reaction_added",
    "reaction_removed",
    "team_join",
    "tokens_revoked",
    "user_change",
]


def message(
    channel: str,
    user: str,
    text: str,
    *,
    ts: str | None = None,
    thread_ts: str | None = None,
    channel_type: str = "channel",
    team: str | None = None,
) -> Payload:
    """A member's message; `channel_type` is channel, group, im or mpim."""
    ts = ts or stamp()
    event: Payload = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": channel_type,
        "client_msg_id": str(uuid.uuid4()),
        "blocks": [
            {
                "type": "rich_text",
                "block_id": secrets.token_hex(2),
                "elements": [
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
                ],
            }
        ],
    }
    if team is not None:
        event["team"] = team
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event


def bot_message(
    channel: str,
    text: str,
    *,
    bot_id: str,
    ts: str | None = None,
    channel_type: str = "channel",
    username: str = "a bot",
) -> Payload:
    ts = ts or stamp()
    return {
        "type": "message",
        "subtype": "bot_message",
        "channel": channel,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "bot_id": bot_id,
        "username": username,
        "channel_type": channel_type,
    }


def message_changed(
    channel: str,
    ts: str,
    *,
    user: str,
    text: str,
    previous_text: str,
    channel_type: str = "channel",
) -> Payload:
    """`ts` is the edited message's; the event has a timestamp of its own."""
    now = stamp()
    return {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": channel,
        "ts": now,
        "event_ts": now,
        "channel_type": channel_type,
        "message": {
            "type": "message",
            "user": user,
            "text": text,
            "ts": ts,
            "edited": {"user": user, "ts": now},
        },
        "previous_message": {"type": "message", "user": user, "text": previous_text, "ts": ts},
    }


def message_deleted(
    channel: str, deleted_ts: str, *, user: str, text: str, channel_type: str = "channel"
) -> Payload:
    now = stamp()
    return {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "channel": channel,
        "ts": now,
        "event_ts": now,
        "deleted_ts": deleted_ts,
        "channel_type": channel_type,
        "previous_message": {"type": "message", "user": user, "text": text, "ts": deleted_ts},
    }


def app_mention(
    channel: str, user: str, text: str, *, ts: str | None = None, team: str | None = None
) -> Payload:
    ts = ts or stamp()
    event: Payload = {
        "type": "app_mention",
        "user": user,
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
    }
    if team is not None:
        event["team"] = team
    return event


def _reaction(
    kind: str, user: str, reaction: str, *, channel: str, ts: str, item_user: str | None
) -> Payload:
    event: Payload = {
        "type": kind,
        "user": user,
        "reaction": reaction,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "event_ts": stamp(),
    }
    if item_user is not None:
        event["item_user"] = item_user
    return event


def reaction_added(
    user: str, reaction: str, *, channel: str, ts: str, item_user: str | None = None
) -> Payload:
    """`reaction` is the emoji name without colons, e.g. "tada"."""
    return _reaction("reaction_added", user, reaction, channel=channel, ts=ts, item_user=item_user)


def reaction_removed(
    user: str, reaction: str, *, channel: str, ts: str, item_user: str | None = None
) -> Payload:
    return _reaction(
        "reaction_removed", user, reaction, channel=channel, ts=ts, item_user=item_user
    )


def team_join(user: Mapping[str, Any]) -> Payload:
    """`user` is a user object, e.g. what `SlackEmulator.add_user` returns."""
    return {"type": "team_join", "user": dict(user), "event_ts": stamp()}


def user_change(user: Mapping[str, Any]) -> Payload:
    return {
        "type": "user_change",
        "user": dict(user),
        "cache_ts": int(time.time()),
        "event_ts": stamp(),
    }


def member_joined_channel(
    user: str, channel: str, *, team: str, channel_type: str = "C", inviter: str | None = None
) -> Payload:
    """`channel_type` is C (public) or G (private)."""
    event: Payload = {
        "type": "member_joined_channel",
        "user": user,
        "channel": channel,
        "channel_type": channel_type,
        "team": team,
        "event_ts": stamp(),
    }
    if inviter is not None:
        event["inviter"] = inviter
    return event


def app_home_opened(
    user: str, channel: str, *, tab: str = "home", view: Mapping[str, Any] | None = None
) -> Payload:
    """`channel` is the app's DM with `user`; `view` is present once a home was published."""
    event: Payload = {
        "type": "app_home_opened",
        "user": user,
        "channel": channel,
        "tab": tab,
        "event_ts": stamp(),
    }
    if view is not None:
        event["view"] = dict(view)
    return event


def app_uninstalled() -> Payload:
    return {"type": "app_uninstalled", "event_ts": stamp()}


def tokens_revoked(*, bot: Sequence[str] = (), oauth: Sequence[str] = ()) -> Payload:
    """`bot` and `oauth` are the user ids whose tokens were revoked."""
    return {
        "type": "tokens_revoked",
        "tokens": {"oauth": list(oauth), "bot": list(bot)},
        "event_ts": stamp(),
    }
