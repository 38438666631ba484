"""Who and where: auth.test, team.info, users.* and conversations.*, with Slack's object shapes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tests.platforms.slack.webapi import Context, Method, page
from tests.platforms.slack.world import Args, Channel, SlackError, Team, User, World


class Directory:
    def __init__(self, world: World) -> None:
        self._world = world

    def methods(self) -> dict[str, Method]:
        return {
            "auth.test": Method(self.auth_test),
            "team.info": Method(self.team_info),
            "users.info": Method(self.users_info),
            "users.list": Method(self.users_list),
            "conversations.open": Method(self.conversations_open),
            "conversations.info": Method(self.conversations_info),
            "conversations.list": Method(self.conversations_list),
            "conversations.members": Method(self.conversations_members),
        }

    def user_object(self, user: User, *, include_locale: bool = False) -> Args:
        return user_object(user, now=self._world.clock(), include_locale=include_locale)

    def auth_test(self, context: Context) -> Args:
        team = context.team
        return {
            "url": f"https://{team.domain}.slack.com/",
            "team": team.name,
            "user": team.users[team.bot_user_id].name,
            "team_id": team.id,
            "user_id": team.bot_user_id,
            "bot_id": team.bot_id,
            "is_enterprise_install": False,
        }

    def team_info(self, context: Context) -> Args:
        team = context.team
        if context.get("team") not in (None, "", team.id):
            raise SlackError("team_not_found")
        return {
            "team": {
                "id": team.id,
                "name": team.name,
                "url": f"https://{team.domain}.slack.com/",
                "domain": team.domain,
                "email_domain": "",
                "icon": {"image_default": True},
                "is_verified": False,
            }
        }

    def users_info(self, context: Context) -> Args:
        user = self._world.user(context.team, context.need("user"))
        return {"user": self.user_object(user, include_locale=context.flag("include_locale"))}

    def users_list(self, context: Context) -> Args:
        users = list(context.team.users.values())
        found, metadata = page(users, context, "user", [u.id for u in users])
        locale = context.flag("include_locale")
        return {
            "members": [self.user_object(u, include_locale=locale) for u in found],
            "cache_ts": int(self._world.clock()),
            "response_metadata": metadata,
        }

    def conversations_open(self, context: Context) -> Args:
        if context.get("channel"):
            return {"channel": {"id": self._world.visible(context.team, context.get("channel")).id}}
        wanted = context.need("users")
        users = list(wanted) if isinstance(wanted, list) else str(wanted).split(",")
        users = [u for u in users if u]
        if len(users) != 1:
            raise SlackError("not_enough_users" if not users else "too_many_users")
        user = self._world.user(context.team, users[0])
        if user.deleted:
            raise SlackError("user_disabled")
        if user.is_bot:
            raise SlackError("cannot_dm_bot")
        channel, already = self._world.open_dm(context.team, user.id)
        answer: Args = {"channel": {"id": channel.id}}
        if already:
            answer.update({"no_op": True, "already_open": True})
        return answer

    def conversations_info(self, context: Context) -> Args:
        channel = self._world.visible(context.team, context.need("channel"))
        num = context.flag("include_num_members")
        return {"channel": channel_object(context.team, channel, num_members=num)}

    def conversations_list(self, context: Context) -> Args:
        types = set(str(context.get("types") or "public_channel").split(","))
        listed = []
        for channel in context.team.channels.values():
            kind = (
                "im"
                if channel.im_user
                else "private_channel"
                if channel.is_private
                else "public_channel"
            )
            if kind not in types or (context.flag("exclude_archived") and channel.is_archived):
                continue
            if kind == "private_channel" and not channel.bot_member:
                continue
            listed.append(channel)
        found, metadata = page(listed, context, "channel", [c.id for c in listed])
        channels = [channel_object(context.team, c, num_members=True) for c in found]
        return {"channels": channels, "response_metadata": metadata}

    def conversations_members(self, context: Context) -> Args:
        channel = self._world.visible(context.team, context.need("channel"))
        members = list(channel.members)
        if channel.bot_member:
            members.append(context.team.bot_user_id)
        found, metadata = page(members, context, "member", members)
        return {"members": found, "response_metadata": metadata}


def user_object(user: User, *, now: float, include_locale: bool) -> Args:
    """A user as users.info answers it and events carry it (`now` sets the tz offset)."""
    local = datetime.fromtimestamp(now, UTC).astimezone(ZoneInfo(user.tz))
    offset = local.utcoffset()
    profile: Args = {
        "real_name": user.real_name,
        "display_name": user.display_name,
        "real_name_normalized": user.real_name,
        "display_name_normalized": user.display_name,
        "avatar_hash": "g0000000000",
        "image_72": f"https://avatars.example/{user.id}_72.png",
        "status_text": "",
        "status_emoji": "",
        "team": user.team,
    }
    if user.email:
        profile["email"] = user.email
    if user.bot_id:
        profile.update({"bot_id": user.bot_id, "api_app_id": ""})
    found: Args = {
        "id": user.id,
        "team_id": user.team,
        "name": user.name,
        "deleted": user.deleted,
        "color": "9f69e7",
        "real_name": user.real_name,
        "tz": user.tz,
        "tz_label": local.tzname(),
        "tz_offset": int(offset.total_seconds()) if offset else 0,
        "profile": profile,
        "is_admin": user.is_admin or user.is_owner,
        "is_owner": user.is_owner,
        "is_primary_owner": user.is_owner,
        "is_restricted": False,
        "is_ultra_restricted": False,
        "is_bot": user.is_bot,
        "is_app_user": False,
        "updated": int(now),
    }
    if include_locale:
        found["locale"] = user.locale
    return found


def channel_object(team: Team, channel: Channel, *, num_members: bool) -> Args:
    """A conversation as conversations.info and conversations.list answer it."""
    if channel.im_user is not None:
        return {
            "id": channel.id,
            "created": channel.created,
            "is_im": True,
            "is_org_shared": False,
            "user": channel.im_user,
            "is_user_deleted": team.users[channel.im_user].deleted,
            "priority": 0,
        }
    found: Args = {
        "id": channel.id,
        "name": channel.name,
        "name_normalized": channel.name,
        "is_channel": not channel.is_private,
        "is_group": channel.is_private,
        "is_im": False,
        "is_mpim": False,
        "is_private": channel.is_private,
        "created": channel.created,
        "is_archived": channel.is_archived,
        "is_general": channel.name == "general",
        "is_shared": False,
        "is_org_shared": False,
        "is_ext_shared": False,
        "is_member": channel.bot_member,
        "context_team_id": team.id,
        "topic": {"value": "", "creator": "", "last_set": 0},
        "purpose": {"value": "", "creator": "", "last_set": 0},
    }
    if num_members:
        found["num_members"] = len(channel.members) + (1 if channel.bot_member else 0)
    return found
