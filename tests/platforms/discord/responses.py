"""Answering interactions: the callback endpoint, followup webhooks and the original response.

A first callback is accepted once: a second answers 400 with code 40060, one
past the interaction's window 10062. `?with_response=1` (what discord.py sends)
answers an InteractionCallbackResponse body, `{"interaction": ..., "resource":
...}`; without it, 204. Followups need a prior callback (10015 otherwise), and
the first followup after a deferred "thinking" response fills that response in,
keeping its ephemeral flag, as Discord does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.platforms.discord import errors
from tests.platforms.discord.journal import InteractionCallback, Journal
from tests.platforms.discord.messages import EPHEMERAL, Messages, check_not_empty
from tests.platforms.discord.rest import Call, Endpoint, Reply
from tests.platforms.discord.world import Channel, World

Json = dict[str, Any]
APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE, CHOICES, MODAL = 4, 5, 6, 7, 8, 9
ALLOWED_CALLBACKS = {
    APPLICATION_COMMAND: {MESSAGE, DEFERRED_MESSAGE, MODAL},
    MESSAGE_COMPONENT: {MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE, MODAL},
    AUTOCOMPLETE: {CHOICES},
    MODAL_SUBMIT: {MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE},
}
LOADING = 1 << 7


@dataclass
class Pending:
    payload: Json
    callback: int | None = None
    original: Json | None = None
    expired: bool = False


class Responses:
    def __init__(self, world: World, messages: Messages) -> None:
        self.world = world
        self.messages = messages
        self.pending: dict[int, Pending] = {}
        self.callbacks: Journal[InteractionCallback] = Journal("interaction callback")

    def register(self, payload: Json) -> None:
        self.pending[int(payload["id"])] = Pending(payload)

    def expire(self, interaction_id: int) -> None:
        self.pending[interaction_id].expired = True

    def endpoints(self) -> list[Endpoint]:
        hook = "/webhooks/{application_id}/{token}"
        return [
            Endpoint(
                "POST", "/interactions/{interaction_id}/{token}/callback", self.respond, auth=False
            ),
            Endpoint("POST", hook, self.follow_up, auth=False),
            Endpoint("GET", hook + "/messages/{message_id}", self.get_response, auth=False),
            Endpoint("PATCH", hook + "/messages/{message_id}", self.edit_response, auth=False),
            Endpoint("DELETE", hook + "/messages/{message_id}", self.delete_response, auth=False),
        ]

    async def respond(self, call: Call) -> Reply:
        pending = self.pending.get(call.id("interaction_id"))
        if pending is None or pending.expired or pending.payload["token"] != call.params["token"]:
            raise errors.ApiError(404, errors.UNKNOWN_INTERACTION, "Unknown interaction")
        body = call.body or {}
        kind, data = int(body.get("type", 0)), body.get("data")
        interaction_id = int(pending.payload["id"])
        if pending.callback is not None:
            self.callbacks.append(InteractionCallback(interaction_id, kind, data, 400))
            raise errors.ApiError(400, 40060, "Interaction has already been acknowledged.")
        allowed = ALLOWED_CALLBACKS[pending.payload["type"]]
        if kind not in allowed:
            self.callbacks.append(InteractionCallback(interaction_id, kind, data, 400))
            choices = ", ".join(str(t) for t in sorted(allowed))
            raise errors.invalid_form(
                "type", "BASE_TYPE_CHOICES", f"Value must be one of ({choices})."
            )
        message = await self._callback_message(pending, kind, data or {})
        pending.callback, pending.original = kind, message
        self.callbacks.append(InteractionCallback(interaction_id, kind, data, 200))
        if not call.flag("with_response"):
            return Reply(204)
        flags = int((message or {}).get("flags", 0))
        interaction: Json = {
            "id": str(interaction_id),
            "type": pending.payload["type"],
            "response_message_loading": kind == DEFERRED_MESSAGE,
            "response_message_ephemeral": bool(flags & EPHEMERAL),
        }
        resource: Json = {"type": kind}
        if message is not None:
            interaction["response_message_id"] = message["id"]
            resource["message"] = message
        return Reply(200, {"interaction": interaction, "resource": resource})

    async def _callback_message(self, pending: Pending, kind: int, data: Json) -> Json | None:
        channel = self.world.channels[int(pending.payload["channel_id"])]
        metadata = self._metadata(pending.payload)
        app = self.world.application_id
        if kind == MESSAGE:
            check_not_empty(data)
            return await self.messages.create(
                channel, self.world.bot, data, webhook_id=app, interaction=metadata
            )
        if kind == DEFERRED_MESSAGE:
            loading = {"flags": LOADING | (int(data.get("flags") or 0) & EPHEMERAL)}
            return await self.messages.create(
                channel, self.world.bot, loading, webhook_id=app, interaction=metadata
            )
        clicked: Json | None = pending.payload.get("message")
        if kind in (DEFERRED_UPDATE, UPDATE_MESSAGE) and clicked is not None:
            stored = self.world.messages[channel.id].get(int(clicked["id"]), clicked)
            if kind == UPDATE_MESSAGE:
                return await self.messages.edit(channel, stored, data)
            return stored
        return None

    def _metadata(self, payload: Json) -> Json:
        user = payload["member"]["user"] if "member" in payload else payload["user"]
        metadata: Json = {
            "id": payload["id"],
            "type": payload["type"],
            "user": user,
            "authorizing_integration_owners": payload["authorizing_integration_owners"],
        }
        if payload["type"] == APPLICATION_COMMAND:
            metadata |= {"name": payload["data"]["name"], "command_type": 1}
        return metadata

    def _pending_for(self, call: Call) -> Pending:
        token = call.params["token"]
        for pending in self.pending.values():
            if pending.payload["token"] == token:
                if call.id("application_id") != self.world.application_id:
                    break
                if pending.expired:
                    raise errors.ApiError(401, 50027, "Invalid Webhook Token")
                if pending.callback is None:
                    break
                return pending
        raise errors.unknown("Webhook", errors.UNKNOWN_WEBHOOK)

    def _response(self, pending: Pending, call: Call) -> tuple[Channel, Json]:
        channel = self.world.channels[int(pending.payload["channel_id"])]
        which = call.params["message_id"]
        if which == "@original":
            if pending.original is None:
                raise errors.unknown("Message", errors.UNKNOWN_MESSAGE)
            return channel, pending.original
        return channel, self.messages.get(channel, call.id("message_id"))

    async def follow_up(self, call: Call) -> Reply:
        pending = self._pending_for(call)
        body = call.body or {}
        check_not_empty(body)
        channel = self.world.channels[int(pending.payload["channel_id"])]
        original = pending.original
        if original is not None and original["flags"] & LOADING:
            filled = body | {"flags": original["flags"] & ~LOADING}
            message = await self.messages.edit(channel, original, filled)
        else:
            message = await self.messages.create(
                channel,
                self.world.bot,
                body,
                webhook_id=self.world.application_id,
                interaction=self._metadata(pending.payload),
            )
        return Reply(200, message) if call.flag("wait") else Reply(204)

    async def get_response(self, call: Call) -> Reply:
        _, message = self._response(self._pending_for(call), call)
        return Reply(body=message)

    async def edit_response(self, call: Call) -> Reply:
        channel, message = self._response(self._pending_for(call), call)
        body = call.body or {}
        if message["flags"] & LOADING:
            body = body | {"flags": message["flags"] & ~LOADING}
        return Reply(body=await self.messages.edit(channel, message, body))

    async def delete_response(self, call: Call) -> Reply:
        pending = self._pending_for(call)
        channel, message = self._response(pending, call)
        await self.messages.delete(channel, message)
        if message is pending.original:
            pending.original = None
        return Reply(204)
