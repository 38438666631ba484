"""Surfaces: modals (views.open, views.push, views.update) and App Home (views.publish).

A trigger id opens one view, as with Slack, but never expires; a trigger
id the emulator did not hand out is taken once if it is well formed.
"""

from __future__ import annotations

import secrets
from typing import Any

from tests.platforms.slack.blockkit import view_errors
from tests.platforms.slack.webapi import Context, Method
from tests.platforms.slack.world import Args, SlackError, World


class Views:
    def __init__(self, world: World) -> None:
        self._world = world
        self._views: dict[str, Args] = {}
        self._homes: dict[str, str] = {}  # user id -> view id
        self._triggers: set[str] = set()

    def methods(self) -> dict[str, Method]:
        return {
            "views.open": Method(self.open),
            "views.push": Method(self.push),
            "views.update": Method(self.update),
            "views.publish": Method(self.publish),
        }

    def trigger_id(self) -> str:
        number = next(self._world.numbers)
        trigger = f"{int(self._world.clock())}{number}.{number}.{secrets.token_hex(16)}"
        self._triggers.add(trigger)
        return trigger

    def home(self, user_id: str) -> Args | None:
        view_id = self._homes.get(user_id)
        return None if view_id is None else self._views[view_id]

    def modals(self) -> list[Args]:
        return [view for view in self._views.values() if view["type"] == "modal"]

    def open(self, context: Context) -> Args:
        self._use_trigger(context)
        return {"view": self._save(context, context.get("view"))}

    def push(self, context: Context) -> Args:
        self._use_trigger(context)
        return {"view": self._save(context, context.get("view"))}

    def update(self, context: Context) -> Args:
        view_id = context.get("view_id")
        if not view_id and context.get("external_id"):
            external = context.get("external_id")
            view_id = next(
                (v["id"] for v in self._views.values() if v["external_id"] == external), None
            )
        if view_id not in self._views:
            raise SlackError("not_found")
        if context.get("hash") not in (None, "", self._views[view_id]["hash"]):
            raise SlackError("hash_conflict")
        return {"view": self._save(context, context.get("view"), view_id=view_id)}

    def publish(self, context: Context) -> Args:
        user = self._world.user(context.team, context.need("user_id"))
        view = context.get("view")
        if isinstance(view, dict) and view.get("type") != "home":
            raise SlackError(
                "invalid_arguments", messages=["[ERROR] must be 'home' [json-pointer:/view/type]"]
            )
        saved = self._save(context, view, view_id=self._homes.get(user.id))
        self._homes[user.id] = saved["id"]
        return {"view": saved}

    def _use_trigger(self, context: Context) -> None:
        trigger = str(context.need("trigger_id"))
        parts = trigger.split(".")
        if len(parts) != 3 or not (parts[0].isdigit() and parts[1].isdigit()):
            raise SlackError("invalid_trigger_id")
        if trigger in self._triggers:
            self._triggers.discard(trigger)
        elif f"used:{trigger}" in self._triggers:
            raise SlackError("exchanged_trigger_id")
        self._triggers.add(f"used:{trigger}")

    def _save(self, context: Context, view: Any, *, view_id: str | None = None) -> Args:
        if not isinstance(view, dict):
            raise SlackError("invalid_arguments", messages=["[ERROR] missing required field: view"])
        if errors := view_errors(view):
            raise SlackError("invalid_arguments", messages=errors)
        team = context.team
        view_id = view_id or f"V{next(self._world.numbers):010d}"
        previous = self._views.get(view_id, {})
        saved: Args = {
            "id": view_id,
            "team_id": team.id,
            "type": view["type"],
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
            "state": {"values": {}},
            "hash": f"{int(self._world.clock())}.{secrets.token_hex(4)}",
            "title": view.get("title"),
            "submit": view.get("submit"),
            "close": view.get("close"),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "previous_view_id": previous.get("previous_view_id"),
            "root_view_id": previous.get("root_view_id", view_id),
            "app_id": self._world.app_id,
            "app_installed_team_id": team.id,
            "bot_id": team.bot_id,
        }
        self._views[view_id] = saved
        return saved
