"""OAuth v2: installing the app in another workspace, as slack-bolt's OAuth flow does it.

A test plays the member who clicks "Allow" with `authorize_code`, which
gives the code Slack would append to the redirect URL; the app exchanges
it through oauth.v2.access (client id and secret as HTTP Basic, as
slack_sdk sends them, or as form fields) for a new bot token of that team.
A code is exchanged once; it never expires.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from tests.platforms.slack.webapi import Context, Method
from tests.platforms.slack.world import Args, SlackError, World

BOT_SCOPES = ("commands", "chat:write")


@dataclass(frozen=True, slots=True)
class Grant:
    """What the installing member allowed, waiting for its code to be exchanged."""

    team_id: str
    user_id: str
    scopes: tuple[str, ...]
    redirect_uri: str | None


class OAuth:
    def __init__(self, world: World) -> None:
        self._world = world
        self._clients: dict[str, str] = {}  # client id -> client secret
        self._grants: dict[str, Grant] = {}  # code -> grant

    def methods(self) -> dict[str, Method]:
        return {"oauth.v2.access": Method(self.access, token="client")}

    def add_app(self, client_id: str, client_secret: str) -> None:
        self._clients[client_id] = client_secret

    def authorize_code(
        self,
        team_id: str,
        user_id: str,
        *,
        scopes: Sequence[str] = BOT_SCOPES,
        redirect_uri: str | None = None,
    ) -> str:
        team = self._world.team(team_id)
        if user_id not in team.users:
            raise KeyError(f"add_user({team_id!r}, {user_id!r}) first: the installer is a member")
        number = next(self._world.numbers)
        code = f"{int(self._world.clock())}.{number}.{secrets.token_hex(16)}"
        self._grants[code] = Grant(team_id, user_id, tuple(scopes), redirect_uri)
        return code

    def access(self, context: Context) -> Args:
        client_id, client_secret = context.client or ("", "")
        expected = self._clients.get(client_id)
        if expected is None:
            raise SlackError("invalid_client_id")
        if not hmac.compare_digest(expected.encode(), client_secret.encode()):
            raise SlackError("bad_client_secret")
        code = str(context.get("code") or "")
        grant = self._grants.get(code)
        if grant is None:
            raise SlackError("invalid_code")
        if grant.redirect_uri is not None and context.get("redirect_uri") != grant.redirect_uri:
            raise SlackError("bad_redirect_uri")
        del self._grants[code]
        team = self._world.team(grant.team_id)
        token = f"xoxb-{team.id}-{next(self._world.numbers)}-{secrets.token_hex(12)}"
        self._world.tokens[token] = team.id
        return {
            "access_token": token,
            "token_type": "bot",
            "scope": ",".join(grant.scopes),
            "bot_user_id": team.bot_user_id,
            "app_id": self._world.app_id,
            "team": {"id": team.id, "name": team.name},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": grant.user_id},
        }
