"""The Slack app manifest: paste it at api.slack.com/apps to create Hearth's app.

It is built from the commands the running bot lists, so a new slash command
cannot be forgotten in the app's configuration. Without a URL the app uses
Socket Mode (no public address needed); with `http_url` every request URL
points at Hearth's HTTP server (`/slack/events`) and OAuth redirects to
`/slack/oauth_redirect`.

Why each bot scope is requested:

- app_mentions:read: hear "@Hearth ..." in channels (the app_mention event).
- channels:history: see messages in public channels Hearth is in, where kudos
  are given in plain text (message.channels).
- channels:read: know public channels and who joins them (member_joined_channel).
- chat:write: post welcome threads, kudos, digests, ritual prompts and DMs.
- chat:write.public: post a ritual or digest in a public channel an admin
  chose without inviting Hearth first.
- commands: the slash commands below.
- files:write: attach exports and onboarding material to messages.
- groups:history: the same as channels:history, in private channels Hearth
  was invited to (message.groups).
- groups:read: know the private channels Hearth is in and who joins them.
- im:history: read what members write to Hearth in its DM (message.im).
- im:read: know Hearth's DMs with members.
- im:write: open a DM to greet a newcomer, remind a mentor, send a badge.
- reactions:read: count emoji kudos (reaction_added, reaction_removed).
- reactions:write: acknowledge a kudos with a reaction.
- team:read: the workspace's name and domain.
- users:read: names, time zones, locales, admins, bots and deactivations
  (users.list, users.info, team_join, user_change).

No user scope is requested: Hearth acts only as its bot user.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from bot.features import Command

BOT_SCOPES = (
    "app_mentions:read",
    "channels:history",
    "channels:read",
    "chat:write",
    "chat:write.public",
    "commands",
    "files:write",
    "groups:history",
    "groups:read",
    "im:history",
    "im:read",
    "im:write",
    "reactions:read",
    "reactions:write",
    "team:read",
    "users:read",
)
BOT_EVENTS = (
    "app_home_opened",
    "app_mention",
    "app_uninstalled",
    "member_joined_channel",
    "message.channels",
    "message.groups",
    "message.im",
    "reaction_added",
    "reaction_removed",
    "team_join",
    "tokens_revoked",
    "user_change",
)
DESCRIPTION = "Kudos, rituals, onboarding and mentoring for distributed teams."
BACKGROUND = "#8c3b1f"
EVENTS_PATH = "/slack/events"
OAUTH_REDIRECT_PATH = "/slack/oauth_redirect"
COMMAND_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,30}")  # Slack: lowercase, 32 with the slash
MAX_NAME = 35


def manifest(
    commands: Sequence[Command], *, name: str = "Hearth", http_url: str | None = None
) -> str:
    """The manifest as YAML text: Socket Mode without `http_url`, HTTP mode with it."""
    if not name.strip() or len(name) > MAX_NAME:
        raise ValueError(f"an app name has 1 to {MAX_NAME} characters, not {len(name)}")
    base = http_url.rstrip("/") if http_url else None
    events_url = f"{base}{EVENTS_PATH}" if base else None
    lines = [
        "_metadata:",
        "  major_version: 1",
        "  minor_version: 1",
        "display_information:",
        f"  name: {_quoted(name)}",
        f"  description: {_quoted(DESCRIPTION)}",
        f"  background_color: {_quoted(BACKGROUND)}",
        "features:",
        "  app_home:",
        "    home_tab_enabled: true",
        "    messages_tab_enabled: true",
        "    messages_tab_read_only_enabled: false",
        "  bot_user:",
        f"    display_name: {_quoted(name)}",
        "    always_online: true",
    ]
    if commands:
        lines.append("  slash_commands:")
    for command in commands:
        if not COMMAND_NAME.fullmatch(command.name):
            raise ValueError(f"Slack cannot register the command name {command.name!r}")
        lines.append(f"    - command: {_quoted('/' + command.name)}")
        if events_url:
            lines.append(f"      url: {_quoted(events_url)}")
        lines.append(f"      description: {_quoted(command.description)}")
        if hint := command.usage.removeprefix(f"/{command.name}").strip():
            lines.append(f"      usage_hint: {_quoted(hint)}")
        lines.append("      should_escape: true")
    lines.append("oauth_config:")
    if base:
        lines += ["  redirect_urls:", f"    - {_quoted(base + OAUTH_REDIRECT_PATH)}"]
    lines += ["  scopes:", "    bot:", *(f"      - {_quoted(s)}" for s in BOT_SCOPES)]
    lines += ["settings:", "  event_subscriptions:"]
    if events_url:
        lines.append(f"    request_url: {_quoted(events_url)}")
    lines += ["    bot_events:", *(f"      - {_quoted(e)}" for e in BOT_EVENTS)]
    lines += ["  interactivity:", "    is_enabled: true"]
    if events_url:
        lines.append(f"    request_url: {_quoted(events_url)}")
    lines += [
        "  org_deploy_enabled: false",
        f"  socket_mode_enabled: {'false' if base else 'true'}",
        "  token_rotation_enabled: false",
    ]
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar: JSON's escapes, plus the characters YAML
    cannot carry unescaped (C1 controls, DEL, line and paragraph separators)."""
    encoded = json.dumps(text, ensure_ascii=False)
    return "".join(c if _printable(c) else f"\\u{ord(c):04x}" for c in encoded)


def _printable(char: str) -> bool:
    code = ord(char)
    if code in (0x2028, 0x2029, 0xFEFF):
        return False
    return (
        0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )
