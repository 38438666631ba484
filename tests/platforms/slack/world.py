"""What the local Slack knows: workspaces with their members, channels and messages, and tokens.

Web API methods, response URLs and file uploads all read and change this one
world, so what a test seeds is what every surface answers, refusals included.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

APP_ID = "A0HEARTH"
BOT_USER_ID = "U0HEARTHBOT"
BOT_ID = "B0HEARTHBOT"
SLACKBOT = "USLACKBOT"

Args = dict[str, Any]


class SlackError(Exception):
    """A refusal, answered as `{"ok": false, "error": ...}` (HTTP 200 unless `status`)."""

    def __init__(
        self,
        error: str,
        *,
        status: int = 200,
        messages: Sequence[str] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.messages = tuple(messages)
        self.headers = dict(headers or {})

    def body(self) -> Args:
        body: Args = {"ok": False, "error": self.error}
        if self.messages:
            if self.error == "invalid_blocks":
                body["errors"] = [m.removeprefix("[ERROR] ") for m in self.messages]
            body["response_metadata"] = {"messages": list(self.messages)}
        return body


@dataclass
class User:
    id: str
    team: str
    name: str
    real_name: str
    display_name: str
    tz: str
    locale: str
    is_admin: bool = False
    is_owner: bool = False
    is_bot: bool = False
    deleted: bool = False
    email: str | None = None
    bot_id: str | None = None


@dataclass
class Channel:
    id: str
    team: str
    name: str
    members: list[str]
    bot_member: bool = True
    is_private: bool = False
    is_archived: bool = False
    im_user: str | None = None
    created: int = 0
    messages: list[Args] = field(default_factory=list)

    def find(self, ts: str) -> Args:
        for message in self.messages:
            if message["ts"] == ts:
                return message
        raise SlackError("message_not_found")


@dataclass
class Team:
    id: str
    name: str
    domain: str
    bot_user_id: str
    bot_id: str
    users: dict[str, User] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    dms: dict[str, str] = field(default_factory=dict)  # user id -> DM channel id


class World:
    """Teams by id, bot tokens by the team they act for, and the ids and timestamps handed out."""

    def __init__(
        self,
        *,
        bot_token: str,
        app_id: str,
        bot_user_id: str,
        bot_id: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.bot_token = bot_token
        self.app_id = app_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.clock = clock
        self.base_url = ""  # where this Slack listens, once it does
        self.teams: dict[str, Team] = {}
        self.tokens: dict[str, str] = {}  # bot token -> team id
        self.revoked: dict[str, str] = {}  # token -> error
        self.numbers = itertools.count(1)
        self._last_ts = 0.0

    # --- seeding ---------------------------------------------------------------------

    def add_team(
        self,
        team_id: str,
        *,
        name: str,
        domain: str | None = None,
        bot_token: str | None = None,
        bot_user_id: str | None = None,
        bot_id: str | None = None,
    ) -> Team:
        team = Team(
            id=team_id,
            name=name,
            domain=domain or name.lower().replace(" ", "-"),
            bot_user_id=bot_user_id or self.bot_user_id,
            bot_id=bot_id or self.bot_id,
        )
        self.teams[team_id] = team
        if bot_token is None and self.bot_token not in self.tokens:
            bot_token = self.bot_token
        if bot_token is not None:
            self.tokens[bot_token] = team_id
        for user_id, user_name, user_bot_id in (
            (team.bot_user_id, "hearth", team.bot_id),
            (SLACKBOT, "slackbot", None),
        ):
            team.users[user_id] = User(
                id=user_id,
                team=team_id,
                name=user_name,
                real_name=user_name.title(),
                display_name=user_name.title(),
                tz="America/Los_Angeles",
                locale="en-US",
                is_bot=user_bot_id is not None,
                bot_id=user_bot_id,
            )
        return team

    def add_user(
        self,
        team_id: str,
        user_id: str,
        *,
        name: str,
        real_name: str | None = None,
        display_name: str | None = None,
        tz: str = "UTC",
        locale: str = "en-US",
        is_admin: bool = False,
        is_owner: bool = False,
        is_bot: bool = False,
        deleted: bool = False,
        email: str | None = None,
    ) -> User:
        user = User(
            id=user_id,
            team=team_id,
            name=name,
            real_name=real_name or name.title(),
            display_name=display_name or name,
            tz=tz,
            locale=locale,
            is_admin=is_admin,
            is_owner=is_owner,
            is_bot=is_bot,
            deleted=deleted,
            email=email,
            bot_id=f"B{user_id[1:]}" if is_bot else None,
        )
        self.team(team_id).users[user_id] = user
        return user

    def add_channel(
        self,
        team_id: str,
        channel_id: str,
        name: str,
        *,
        members: Iterable[str] = (),
        bot_member: bool = True,
        is_private: bool = False,
        is_archived: bool = False,
    ) -> None:
        team = self.team(team_id)
        team.channels[channel_id] = Channel(
            id=channel_id,
            team=team_id,
            name=name,
            members=list(members),
            bot_member=bot_member,
            is_private=is_private,
            is_archived=is_archived,
            created=int(self.clock()),
        )

    def add_message(
        self, channel_id: str, *, user: str, text: str, thread_ts: str | None = None
    ) -> Args:
        channel = self.channel_anywhere(channel_id)
        message: Args = {"type": "message", "user": user, "text": text, "ts": self.next_ts()}
        message["team"] = channel.team
        return self.store(channel, message, thread_ts=thread_ts)

    def next_ts(self) -> str:
        """A message timestamp: the clock's seconds, unique and increasing."""
        self._last_ts = max(round(self.clock(), 6), round(self._last_ts + 0.000001, 6))
        return f"{self._last_ts:.6f}"

    # --- finding things --------------------------------------------------------------

    def team(self, team_id: str) -> Team:
        if team_id not in self.teams:
            raise KeyError(f"add_team({team_id!r}) first")
        return self.teams[team_id]

    def channel_anywhere(self, channel_id: str) -> Channel:
        for team in self.teams.values():
            if channel_id in team.channels:
                return team.channels[channel_id]
        raise KeyError(f"no channel {channel_id!r}")

    def user(self, team: Team, user_id: str) -> User:
        user = team.users.get(user_id)
        if user is None:
            raise SlackError("user_not_found")
        return user

    def open_dm(self, team: Team, user_id: str) -> tuple[Channel, bool]:
        """The app's DM with `user_id`, and whether it was already open."""
        if user_id in team.dms:
            return team.channels[team.dms[user_id]], True
        channel_id = f"D{user_id[1:]}"
        while channel_id in team.channels:
            channel_id = f"D{next(self.numbers):09d}"
        channel = Channel(channel_id, team.id, "", [user_id], im_user=user_id)
        channel.created = int(self.clock())
        team.channels[channel_id] = channel
        team.dms[user_id] = channel_id
        return channel, False

    def visible(self, team: Team, channel_id: str) -> Channel:
        """A channel the bot can see: private ones only when it is a member."""
        channel = team.channels.get(channel_id)
        if channel is None or (channel.is_private and not channel.bot_member):
            raise SlackError("channel_not_found")
        return channel

    def postable(self, team: Team, channel_id: str) -> Channel:
        """Where the bot may post: a channel id, `#name` or a user id (their DM).

        A public channel flagged `bot_member=False` refuses posts, as if the
        app lacked chat:write.public.
        """
        if channel_id.startswith("#"):
            named = [c for c in team.channels.values() if c.name == channel_id[1:]]
            channel_id = named[0].id if named else channel_id
        elif channel_id[:1] in ("U", "W") and channel_id in team.users:
            channel_id = self.open_dm(team, channel_id)[0].id
        channel = self.visible(team, channel_id)
        if not channel.bot_member:
            raise SlackError("not_in_channel")
        if channel.is_archived:
            raise SlackError("is_archived")
        return channel

    # --- messages --------------------------------------------------------------------

    def store(self, channel: Channel, message: Args, *, thread_ts: str | None) -> Args:
        if thread_ts:
            message["thread_ts"] = thread_ts
            parent = next((m for m in channel.messages if m["ts"] == thread_ts), None)
            if parent is not None:
                parent["thread_ts"] = thread_ts
                parent["reply_count"] = parent.get("reply_count", 0) + 1
                parent["latest_reply"] = message["ts"]
        channel.messages.append(message)
        return message

    def bot_message(self, team: Team, text: str, blocks: Any) -> Args:
        message: Args = {
            "type": "message",
            "user": team.bot_user_id,
            "bot_id": team.bot_id,
            "app_id": self.app_id,
            "text": text,
            "ts": self.next_ts(),
            "team": team.id,
            "bot_profile": {
                "id": team.bot_id,
                "app_id": self.app_id,
                "name": "Hearth",
                "deleted": False,
                "team_id": team.id,
            },
        }
        if blocks:
            message["blocks"] = blocks
        return message
