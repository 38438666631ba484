"""The Slack app manifest registers every command Hearth answers, in either mode."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.app import command_catalog
from bot.features import Command, Invocation, Response
from bot.platforms import slack_manifest
from bot.platforms.slack_manifest import manifest

ROOT = Path(__file__).resolve().parents[3]
PUBLIC = "https://hearth.example.com"
EVENTS = f"{PUBLIC}/slack/events"
SCOPES = {
    "app_mentions:read", "channels:history", "channels:read", "chat:write", "chat:write.public",
    "commands", "files:write", "groups:history", "groups:read", "im:history", "im:read",
    "im:write", "reactions:read", "reactions:write", "team:read", "users:read",
}  # fmt: skip
EVENTS_SUBSCRIBED = {
    "app_home_opened", "app_mention", "app_uninstalled", "member_joined_channel",
    "message.channels", "message.groups", "message.im", "reaction_added", "reaction_removed",
    "team_join", "tokens_revoked", "user_change",
}  # fmt: skip


# --- a reader for the YAML subset the manifest is written in ----------------------------
# Block mappings and sequences by indentation, double-quoted strings (whose
# escapes are JSON's), booleans and integers: anything else fails the test.

Lines = list[tuple[int, str]]


def parse(text: str) -> Any:
    lines = [(len(raw) - len(raw.lstrip(" ")), raw.strip()) for raw in text.splitlines()]
    assert all(content for _, content in lines), "no blank lines"
    value, end = _node(lines, 0, 0)
    assert end == len(lines), f"unexpected indentation at line {end + 1}"
    return value


def _node(lines: Lines, at: int, indent: int) -> tuple[Any, int]:
    if lines[at][1].startswith("- "):
        return _sequence(lines, at, indent)
    return _mapping(lines, at, indent)


def _mapping(lines: Lines, at: int, indent: int) -> tuple[dict[str, Any], int]:
    found: dict[str, Any] = {}
    while at < len(lines) and lines[at][0] == indent and not lines[at][1].startswith("- "):
        key, colon, rest = lines[at][1].partition(":")
        assert colon, f"not a key: {lines[at][1]!r}"
        assert key.replace("_", "").isalnum(), f"not a key: {key!r}"
        assert key not in found, f"duplicate key {key}"
        if rest.strip():
            assert rest.startswith(" ")
            found[key] = _scalar(rest.strip())
            at += 1
        else:
            assert at + 1 < len(lines), f"{key} has no value"
            assert lines[at + 1][0] >= indent
            child = lines[at + 1][0]
            assert child > indent or lines[at + 1][1].startswith("- ")
            found[key], at = _node(lines, at + 1, child)
    return found, at


def _sequence(lines: Lines, at: int, indent: int) -> tuple[list[Any], int]:
    items: list[Any] = []
    while at < len(lines) and lines[at][0] == indent and lines[at][1].startswith("- "):
        rest = lines[at][1][2:]
        if rest.startswith('"'):
            items.append(_scalar(rest))
            at += 1
        else:  # "- key: value" opens a mapping indented under the dash
            lines = [*lines[:at], (indent + 2, rest), *lines[at + 1 :]]
            item, at = _mapping(lines, at, indent + 2)
            items.append(item)
    return items, at


def _scalar(text: str) -> Any:
    if text in ("true", "false"):
        return text == "true"
    if text.isdigit():
        return int(text)
    assert text.startswith('"'), f"an unquoted string: {text!r}"
    assert text.endswith('"'), f"an unquoted string: {text!r}"
    return json.loads(text)


# --- the manifest ---------------------------------------------------------------------


async def nothing(call: Invocation) -> Response:
    return None


def test_every_command_hearth_answers_is_a_slash_command_of_the_app() -> None:
    commands = command_catalog()
    registered = parse(manifest(commands))["features"]["slash_commands"]

    assert {"hearth", "kudos"} <= {c.name for c in commands}
    assert [c["command"] for c in registered] == [f"/{c.name}" for c in commands]
    assert [c["description"] for c in registered] == [c.description for c in commands]
    assert all(c["should_escape"] is True for c in registered)
    kudos = next(c for c in registered if c["command"] == "/kudos")
    assert kudos["usage_hint"].startswith("@someone")


def test_socket_mode_needs_no_public_url() -> None:
    text = manifest(command_catalog())
    found = parse(text)

    assert found["settings"]["socket_mode_enabled"] is True
    assert "http" not in text
    assert "request_url" not in found["settings"]["event_subscriptions"]
    assert found["settings"]["interactivity"] == {"is_enabled": True}
    assert "redirect_urls" not in found["oauth_config"]
    assert all("url" not in c for c in found["features"]["slash_commands"])


def test_http_mode_points_every_request_url_at_the_events_endpoint() -> None:
    found = parse(manifest(command_catalog(), http_url=PUBLIC + "/"))
    settings = found["settings"]

    assert settings["socket_mode_enabled"] is False
    assert settings["event_subscriptions"]["request_url"] == EVENTS
    assert settings["interactivity"] == {"is_enabled": True, "request_url": EVENTS}
    assert {c["url"] for c in found["features"]["slash_commands"]} == {EVENTS}
    assert found["oauth_config"]["redirect_urls"] == [f"{PUBLIC}/slack/oauth_redirect"]


def test_the_app_asks_for_the_scopes_and_events_it_uses_and_says_why() -> None:
    found = parse(manifest(command_catalog()))

    assert set(found["oauth_config"]["scopes"]["bot"]) == SCOPES
    assert set(found["settings"]["event_subscriptions"]["bot_events"]) == EVENTS_SUBSCRIBED
    explained = slack_manifest.__doc__ or ""
    assert all(f"- {scope}:" in explained for scope in SCOPES)


def test_the_app_has_a_home_tab_an_always_online_bot_and_no_token_rotation() -> None:
    found = parse(manifest(command_catalog(), name="Hearth"))
    features = found["features"]

    assert features["app_home"]["home_tab_enabled"] is True
    assert features["app_home"]["messages_tab_enabled"] is True
    assert features["bot_user"] == {"display_name": "Hearth", "always_online": True}
    assert found["display_information"]["name"] == "Hearth"
    assert found["settings"]["org_deploy_enabled"] is False
    assert found["settings"]["token_rotation_enabled"] is False


@pytest.mark.parametrize(
    "text",
    [
        'quotes " and \\ backslashes',
        "a # that is no comment: and a colon",
        "- [a list] {a map} & *an alias* | 'single' yes no ~",
        "tab\tnew line\nnel\x85 del\x7f line separator\u2028 bom\ufeff",
        "accents é, emoji 🎉",
    ],
)
def test_any_text_survives_the_yaml_quoting(text: str) -> None:
    command = Command("odd", nothing, description=text, usage=f"/odd {text}")
    found = parse(manifest([command], name='Hé "quoted"'))

    [registered] = found["features"]["slash_commands"]
    assert (registered["description"], registered["usage_hint"]) == (text, text.strip())
    assert found["display_information"]["name"] == 'Hé "quoted"'


@pytest.mark.parametrize("name", ["Kudos", "give kudos", "/kudos", "a" * 32, ""])
def test_a_command_name_slack_cannot_register_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="command name"):
        manifest([Command(name, nothing, description="x")])


def test_an_app_name_beyond_slacks_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="app name"):
        manifest([], name="H" * 36)


# --- the command line ---------------------------------------------------------------------


def hearth(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": os.environ.get("PATH", ""), "HOME": str(home)}
    environment["HEARTH_DATA_DIR"] = str(home / "data")
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_hearth_slack_manifest_prints_the_http_manifest_without_a_database(
    tmp_path: Path,
) -> None:
    done = hearth("slack", "manifest", "--http", PUBLIC, home=tmp_path)

    assert done.returncode == 0, done.stderr
    found = parse(done.stdout)
    assert [c["command"] for c in found["features"]["slash_commands"]] == [
        f"/{c.name}" for c in command_catalog()
    ]
    assert found["settings"]["event_subscriptions"]["request_url"] == EVENTS
    assert not (tmp_path / "data").exists()


def test_hearth_slack_manifest_defaults_to_socket_mode(tmp_path: Path) -> None:
    done = hearth("slack", "manifest", home=tmp_path)

    assert done.returncode == 0, done.stderr
    assert parse(done.stdout)["settings"]["socket_mode_enabled"] is True
