"""What Slack posts to an app: Events API envelopes, slash command forms, interaction payloads.

Each builder returns the documented shape, so the same dictionary goes over
HTTP (`SlackDriver`) or inside a Socket Mode envelope
(`SlackEmulator.socket_send`). Events themselves are in `events`.
"""

from __future__ import annotations

import itertools
import secrets
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from tests.platforms.slack.world import APP_ID, BOT_USER_ID

__all__ = [
    "Payload",
    "block_actions",
    "command_form",
    "envelope",
    "new_trigger_id",
    "selected",
    "stamp",
    "text_input",
    "view_submission",
]

Payload = dict[str, Any]

_sequence = itertools.count(1)


def stamp() -> str:
    """A Slack timestamp for a new event: now, unique and increasing in this process."""
    return f"{int(time.time())}.{next(_sequence) % 1_000_000:06d}"


def new_trigger_id() -> str:
    """A well-formed trigger id (the emulator accepts each one once)."""
    return f"{int(time.time())}{next(_sequence)}.{next(_sequence)}.{secrets.token_hex(16)}"


def envelope(
    team_id: str,
    event: Mapping[str, Any],
    *,
    event_id: str | None = None,
    event_time: int | None = None,
    app_id: str = APP_ID,
    bot_user_id: str = BOT_USER_ID,
) -> Payload:
    """An Events API `event_callback`, as posted over HTTP or inside an `events_api` envelope."""
    return {
        "token": "XXYYZZ",
        "team_id": team_id,
        "context_team_id": team_id,
        "context_enterprise_id": None,
        "api_app_id": app_id,
        "event": dict(event),
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": event_time if event_time is not None else int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{uuid.uuid4().hex}",
    }


def command_form(
    team_id: str,
    user_id: str,
    command: str,
    text: str = "",
    *,
    channel: str,
    channel_name: str = "general",
    user_name: str | None = None,
    team_domain: str | None = None,
    response_url: str,
    trigger_id: str | None = None,
    app_id: str = APP_ID,
) -> dict[str, str]:
    """A slash command's fields: the form Slack posts, or a `slash_commands` payload."""
    return {
        "token": "gIkuvaNzQIHg97ATvDxqgjtO",
        "team_id": team_id,
        "team_domain": team_domain or team_id.lower(),
        "channel_id": channel,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name or user_id.lower(),
        "command": command if command.startswith("/") else f"/{command}",
        "text": text,
        "api_app_id": app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or new_trigger_id(),
    }


def _actor(team_id: str, user_id: str, user_name: str | None) -> Payload:
    name = user_name or user_id.lower()
    return {"id": user_id, "username": name, "name": name, "team_id": team_id}


def block_actions(
    team_id: str,
    user_id: str,
    action_id: str,
    value: str = "",
    *,
    message: Mapping[str, Any] | None = None,
    channel_id: str | None = None,
    message_ts: str | None = None,
    ephemeral: bool = False,
    view: Mapping[str, Any] | None = None,
    block_id: str | None = None,
    text: str | None = None,
    response_url: str | None = None,
    trigger_id: str | None = None,
    user_name: str | None = None,
    app_id: str = APP_ID,
) -> Payload:
    """A button press: on a `message` in `channel_id` (an `ephemeral` one has
    only its `message_ts`), or in a `view` (App Home or a modal)."""
    blocks = (view or message or {}).get("blocks") or []
    payload: Payload = {
        "type": "block_actions",
        "user": _actor(team_id, user_id, user_name),
        "api_app_id": app_id,
        "token": "XXYYZZ",
        "trigger_id": trigger_id or new_trigger_id(),
        "team": {"id": team_id, "domain": team_id.lower()},
        "enterprise": None,
        "is_enterprise_install": False,
        "state": {"values": {}},
        "actions": [
            {
                "action_id": action_id,
                "block_id": block_id or _block_of(blocks, action_id),
                "text": {"type": "plain_text", "text": text or action_id, "emoji": True},
                "value": value,
                "type": "button",
                "action_ts": stamp(),
            }
        ],
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id", "")}
        payload["view"] = dict(view)
        return payload
    ts = message_ts or (message or {}).get("ts") or stamp()
    payload["container"] = {
        "type": "message",
        "message_ts": ts,
        "channel_id": channel_id,
        "is_ephemeral": ephemeral,
    }
    payload["channel"] = {"id": channel_id, "name": ""}
    if not ephemeral:
        payload["message"] = dict(message or {"type": "message", "ts": ts, "text": ""})
    if response_url is not None:
        payload["response_url"] = response_url
    return payload


def _block_of(blocks: Sequence[Mapping[str, Any]], action_id: str) -> str:
    for block in blocks:
        elements = [*block.get("elements", []), block.get("accessory") or {}]
        if any(e.get("action_id") == action_id for e in elements if isinstance(e, Mapping)):
            return str(block.get("block_id", ""))
    return secrets.token_hex(3)


def text_input(value: str) -> Payload:
    """The state Slack reports for a plain_text_input."""
    return {"type": "plain_text_input", "value": value}


def selected(value: str | None, text: str | None = None) -> Payload:
    """The state Slack reports for a static_select (`None`: nothing chosen)."""
    if value is None:
        return {"type": "static_select", "selected_option": None}
    option = {"text": {"type": "plain_text", "text": text or value, "emoji": True}, "value": value}
    return {"type": "static_select", "selected_option": option}


def view_submission(
    team_id: str,
    user_id: str,
    *,
    view: Mapping[str, Any] | None = None,
    callback_id: str | None = None,
    private_metadata: str | None = None,
    values: Mapping[str, str | Mapping[str, Any]] | None = None,
    trigger_id: str | None = None,
    user_name: str | None = None,
    app_id: str = APP_ID,
) -> Payload:
    """A modal submitted: `view` is the modal as opened (e.g. `slack.modals()[-1]`).

    `values` maps a block id to what was entered: a string fills the block's
    input element (a plain_text_input's value, a static_select's option
    value), or a mapping gives action id -> string or element state.
    """
    submitted: Payload = {
        "id": f"V{uuid.uuid4().hex[:10].upper()}",
        "team_id": team_id,
        "type": "modal",
        "blocks": [],
        "private_metadata": "",
        "callback_id": "",
        "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
        "title": {"type": "plain_text", "text": "Hearth", "emoji": True},
        "submit": {"type": "plain_text", "text": "Submit", "emoji": True},
        "close": None,
        "clear_on_close": False,
        "notify_on_close": False,
        "previous_view_id": None,
        "external_id": "",
        "app_id": app_id,
        "app_installed_team_id": team_id,
        **(view or {}),
    }
    submitted["root_view_id"] = submitted.get("root_view_id") or submitted["id"]
    if callback_id is not None:
        submitted["callback_id"] = callback_id
    if private_metadata is not None:
        submitted["private_metadata"] = private_metadata
    elements = {
        str(b.get("block_id")): b["element"] for b in submitted["blocks"] if b.get("element")
    }
    state: Payload = {}
    for block, entered in (values or {}).items():
        if isinstance(entered, str):
            element = elements.get(block, {"type": "plain_text_input", "action_id": block})
            state[block] = {str(element.get("action_id", block)): _entered(element, entered)}
        else:
            state[block] = {
                action: text_input(v) if isinstance(v, str) else dict(v)
                for action, v in entered.items()
            }
    submitted["state"] = {"values": state}
    return {
        "type": "view_submission",
        "team": {"id": team_id, "domain": team_id.lower()},
        "user": _actor(team_id, user_id, user_name),
        "api_app_id": app_id,
        "token": "XXYYZZ",
        "trigger_id": trigger_id or new_trigger_id(),
        "view": submitted,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def _entered(element: Mapping[str, Any], value: str) -> Payload:
    """The state of `element` once a member entered `value` in it."""
    if element.get("type") == "static_select":
        options = element.get("options") or []
        label = next((o["text"]["text"] for o in options if o.get("value") == value), value)
        return selected(value, label)
    return {"type": str(element.get("type", "plain_text_input")), "value": value}
