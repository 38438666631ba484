"""Messages the app sends: chat.*, reactions.add and the response URLs of commands and buttons.

A response URL takes five posts, as Slack's do, but never expires. Posts
to it land in `responses`; one bound to a channel also acts there:
`in_channel` posts, `replace_original` and `delete_original` change history.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.platforms.slack.blockkit import block_errors
from tests.platforms.slack.changes import Changes
from tests.platforms.slack.webapi import Context, Method
from tests.platforms.slack.world import Args, SlackError, World

RESPONSE_URL_USES = 5
MAX_TEXT = 40_000


@dataclass
class Respond:
    channel: str | None
    user: str | None
    message_ts: str | None
    uses: int = 0


class Messaging:
    def __init__(self, world: World, changes: Changes) -> None:
        self.responses: list[Args] = []  # JSON bodies posted to response URLs, in order
        self._world = world
        self._changes = changes
        self._respond: dict[str, Respond] = {}

    def methods(self) -> dict[str, Method]:
        return {
            "chat.postMessage": Method(self.post_message),
            "chat.postEphemeral": Method(self.post_ephemeral),
            "chat.update": Method(self.update),
            "chat.delete": Method(self.delete),
            "reactions.add": Method(self.add_reaction),
        }

    def post_message(self, context: Context) -> Args:
        channel = self._world.postable(context.team, str(context.get("channel") or ""))
        text, blocks = check_message(context)
        message = self._world.bot_message(context.team, text, blocks)
        thread_ts = context.get("thread_ts") or None
        self._world.store(channel, message, thread_ts=thread_ts)
        answer: Args = {"channel": channel.id, "ts": message["ts"], "message": dict(message)}
        if blocks and not text:
            answer["warning"] = "missing_text_or_fallback_or_attachments"
            answer["response_metadata"] = {"warnings": [answer["warning"]]}
        return answer

    def post_ephemeral(self, context: Context) -> Args:
        channel = self._world.postable(context.team, str(context.get("channel") or ""))
        user = self._world.user(context.team, context.need("user"))
        in_channel = user.id in channel.members or channel.im_user == user.id
        if not in_channel:
            raise SlackError("user_not_in_channel")
        check_message(context)
        return {"message_ts": self._world.next_ts()}

    def update(self, context: Context) -> Args:
        channel = self._world.visible(context.team, context.need("channel"))
        message = channel.find(str(context.need("ts")))
        if message.get("bot_id") != context.team.bot_id:
            raise SlackError("cant_update_message")
        text, blocks = check_message(context)
        message["text"] = text
        if blocks is not None:
            message["blocks"] = blocks
        message["edited"] = {"user": context.team.bot_user_id, "ts": self._world.next_ts()}
        return {"channel": channel.id, "ts": message["ts"], "text": text, "message": dict(message)}

    def delete(self, context: Context) -> Args:
        channel = self._world.visible(context.team, context.need("channel"))
        message = channel.find(str(context.need("ts")))
        if message.get("bot_id") != context.team.bot_id:
            raise SlackError("cant_delete_message")
        channel.messages.remove(message)
        return {"channel": channel.id, "ts": message["ts"]}

    def add_reaction(self, context: Context) -> Args:
        channel = self._world.visible(context.team, context.need("channel"))
        message = channel.find(str(context.need("timestamp")))
        name = str(context.need("name")).strip(":")
        reactions: list[Args] = message.setdefault("reactions", [])
        found = next((r for r in reactions if r["name"] == name), None)
        bot = context.team.bot_user_id
        if found is not None and bot in found["users"]:
            raise SlackError("already_reacted")
        if found is None:
            found = {"name": name, "users": [], "count": 0}
            reactions.append(found)
        found["users"].append(bot)
        found["count"] += 1
        return {}

    # --- response URLs ---------------------------------------------------------------

    def response_url(
        self, *, channel: str | None = None, user: str | None = None, message_ts: str | None = None
    ) -> str:
        key = f"{next(self._world.numbers)}-{secrets.token_hex(8)}"
        self._respond[key] = Respond(channel, user, message_ts)
        return f"{self._world.base_url}/respond/{key}"

    async def respond(self, request: web.Request) -> web.Response:
        key = request.match_info["id"]
        target = self._respond.get(key)
        if target is None or target.uses >= RESPONSE_URL_USES:
            return web.json_response({"ok": False, "error": "expired_url"}, status=404)
        try:
            body = json.loads(await request.text())
        except json.JSONDecodeError:
            return web.Response(status=400, text="invalid_payload", content_type="text/plain")
        target.uses += 1
        self.responses.append(body)
        if target.channel is not None:
            self._apply_response(target, body)
        self._changes.notify()
        return web.json_response({"ok": True})

    def _apply_response(self, target: Respond, body: Args) -> None:
        channel = self._world.channel_anywhere(target.channel or "")
        try:
            if body.get("delete_original") and target.message_ts:
                channel.messages.remove(channel.find(target.message_ts))
            elif body.get("replace_original") and target.message_ts:
                original = channel.find(target.message_ts)
                original.update({k: body[k] for k in ("text", "blocks") if k in body})
            elif body.get("response_type") == "in_channel":
                team = self._world.teams[channel.team]
                message = self._world.bot_message(team, body.get("text", ""), body.get("blocks"))
                self._world.store(channel, message, thread_ts=body.get("thread_ts"))
        except SlackError:
            pass  # the original is gone: Slack ignores the post as well


def check_message(context: Context) -> tuple[str, Any]:
    """The text and blocks of a message to send, refused as Slack refuses them."""
    text = context.get("text") or ""
    blocks = context.get("blocks")
    if not text and not blocks and not context.get("attachments"):
        raise SlackError("no_text")
    if len(text) > MAX_TEXT:
        raise SlackError("msg_too_long")
    if blocks is not None and (errors := block_errors(blocks, limit=50)):
        raise SlackError("invalid_blocks", messages=errors)
    return text, blocks
