"""Slack payloads, as Slack documents them, become the neutral events Hearth handles."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.chat import (
    ButtonPressed,
    CommandInvoked,
    FormSubmitted,
    HomeOpened,
    MemberJoined,
    MemberLeft,
    MessageDeleted,
    MessagePosted,
    Platform,
    ReactionAdded,
    ReactionRemoved,
    Role,
    WorkspaceRef,
)
from bot.platforms import slack_payloads

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TEAM = WorkspaceRef(Platform.SLACK, "T1")
BOT = "UBOT"


def callback(event: dict[str, Any], event_id: str = "Ev1") -> dict[str, Any]:
    return {
        "type": "event_callback",
        "team_id": "T1",
        "event_id": event_id,
        "event_time": 1763888400,
        "event": event,
    }


def message(**fields: Any) -> dict[str, Any]:
    return callback({"type": "message", "channel": "C1", "ts": "1.0001", **fields})


def test_a_message_is_a_posted_message_keyed_by_its_event_id() -> None:
    event = slack_payloads.event_of(
        message(user="U1", text="<@U2>++ thanks", channel_type="channel"), bot_user=BOT
    )
    assert isinstance(event, MessagePosted)
    assert (event.delivery_id, event.workspace, event.actor) == ("Ev1", TEAM, "U1")
    assert (event.channel, event.message_id, event.text, event.is_dm) == (
        "C1",
        "1.0001",
        "<@U2>++ thanks",
        False,
    )


def test_a_message_in_a_dm_with_the_bot_is_marked_as_one() -> None:
    event = slack_payloads.event_of(
        message(user="U1", text="hi", channel="D9", channel_type="im"), bot_user=BOT
    )
    assert isinstance(event, MessagePosted)
    assert event.is_dm


def test_a_reply_in_a_thread_keeps_its_thread() -> None:
    event = slack_payloads.event_of(message(user="U1", text="x", thread_ts="0.5"), bot_user=BOT)
    assert isinstance(event, MessagePosted)
    assert event.thread_id == "0.5"


@pytest.mark.parametrize(
    "fields",
    [
        {"user": "U1", "subtype": "message_changed", "message": {"text": "@a++"}},
        {"subtype": "bot_message", "bot_id": "B1", "text": "@a++"},
        {"user": "U9", "bot_id": "B9", "text": "@a++"},
        {"user": BOT, "text": "@a++"},
        {"user": "U1", "subtype": "channel_join", "text": "joined"},
        {"user": "U1", "subtype": "channel_topic", "text": "topic"},
    ],
    ids=["edit", "bot message", "app message", "own message", "join notice", "topic change"],
)
def test_edits_bots_and_notices_are_not_someone_speaking(fields: dict[str, Any]) -> None:
    assert slack_payloads.event_of(message(**fields), bot_user=BOT) is None


def test_a_deleted_message_is_a_deletion_of_its_ts() -> None:
    event = slack_payloads.event_of(
        message(subtype="message_deleted", deleted_ts="1.0001", previous_message={"ts": "1.0001"}),
        bot_user=BOT,
    )
    assert isinstance(event, MessageDeleted)
    assert (event.channel, event.message_id) == ("C1", "1.0001")


@pytest.mark.parametrize(
    ("kind", "expected"), [("reaction_added", ReactionAdded), ("reaction_removed", ReactionRemoved)]
)
def test_reactions_name_the_message_and_its_author(kind: str, expected: type) -> None:
    body = callback(
        {
            "type": kind,
            "user": "U1",
            "reaction": "tada::skin-tone-2",
            "item_user": "U2",
            "item": {"type": "message", "channel": "C1", "ts": "1.0001"},
            "event_ts": "2.0",
        }
    )
    event = slack_payloads.event_of(body, bot_user=BOT)
    assert isinstance(event, expected)
    assert (event.actor, event.channel, event.message_id, event.message_author, event.emoji) == (
        "U1",
        "C1",
        "1.0001",
        "U2",
        "tada::skin-tone-2",
    )


def test_a_reaction_on_the_bots_message_has_no_author() -> None:
    body = callback(
        {
            "type": "reaction_added",
            "user": "U1",
            "reaction": "tada",
            "item_user": BOT,
            "item": {"type": "message", "channel": "C1", "ts": "1.0001"},
        }
    )
    event = slack_payloads.event_of(body, bot_user=BOT)
    assert isinstance(event, ReactionAdded)
    assert event.message_author is None


def test_a_reaction_on_a_file_is_not_hearths() -> None:
    body = callback(
        {"type": "reaction_added", "user": "U1", "reaction": "tada", "item": {"type": "file"}}
    )
    assert slack_payloads.event_of(body, bot_user=BOT) is None


def test_a_newcomer_arrives_with_their_time_zone_locale_and_name() -> None:
    user = {
        "id": "U7",
        "name": "lea",
        "tz": "Europe/Paris",
        "locale": "fr-FR",
        "profile": {"display_name": "Léa", "real_name": "Léa Martin"},
    }
    event = slack_payloads.event_of(callback({"type": "team_join", "user": user}), bot_user=BOT)
    assert isinstance(event, MemberJoined)
    member = event.member
    assert (member.ref, member.name, member.timezone, member.locale, member.role) == (
        TEAM.member("U7"),
        "Léa",
        "Europe/Paris",
        "fr",
        Role.MEMBER,
    )


def test_a_bot_joining_is_not_a_newcomer() -> None:
    body = callback({"type": "team_join", "user": {"id": "B2", "is_bot": True}})
    assert slack_payloads.event_of(body, bot_user=BOT) is None


def test_a_deactivated_account_has_left() -> None:
    body = callback({"type": "user_change", "user": {"id": "U3", "deleted": True}})
    event = slack_payloads.event_of(body, bot_user=BOT)
    assert isinstance(event, MemberLeft)
    assert event.user_id == "U3"


def test_opening_the_home_tab_is_a_home_opened() -> None:
    body = callback({"type": "app_home_opened", "user": "U1", "tab": "home", "channel": "D1"})
    event = slack_payloads.event_of(body, bot_user=BOT)
    assert isinstance(event, HomeOpened)
    assert event.actor == "U1"
    body = callback({"type": "app_home_opened", "user": "U1", "tab": "messages"})
    assert slack_payloads.event_of(body, bot_user=BOT) is None


def test_slack_admins_and_owners_start_as_hearth_admins() -> None:
    admin = slack_payloads.member_of(TEAM, {"id": "U1", "name": "a", "is_admin": True}, known=None)
    owner = slack_payloads.member_of(TEAM, {"id": "U2", "name": "o", "is_owner": True}, known=None)
    member = slack_payloads.member_of(TEAM, {"id": "U3", "name": "m"}, known=None)
    assert [admin.role, owner.role, member.role] == [Role.ADMIN, Role.ADMIN, Role.MEMBER]
    kept = slack_payloads.member_of(TEAM, {"id": "U3", "name": "m"}, known=member)
    assert kept.role is Role.MEMBER


@pytest.mark.parametrize(
    ("text", "channel", "channel_name", "is_dm"),
    [
        ("<@U2|bob> for the review #teamwork", "C1", "general", False),
        ("@bob for the review", "C1", "general", False),
        ("me", "D1", "directmessage", True),
    ],
)
def test_a_slash_command_with_or_without_escaped_mentions(
    text: str, channel: str, channel_name: str, is_dm: bool
) -> None:
    body = {
        "team_id": "T1",
        "channel_id": channel,
        "channel_name": channel_name,
        "user_id": "U1",
        "command": "/kudos",
        "text": text,
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        "response_url": "https://hooks.slack.com/commands/1234/5678",
    }
    event = slack_payloads.command_of(body, now=NOW)
    assert isinstance(event, CommandInvoked)
    assert (event.command, event.text, event.actor, event.channel, event.is_dm) == (
        "kudos",
        text,
        "U1",
        channel,
        is_dm,
    )
    assert event.delivery_id == "command:13345224609.738474920.8088930838d88f008e0"


def test_a_button_press_carries_its_action_and_value_back() -> None:
    body = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "trigger_id": "t-1",
        "channel": {"id": "C1"},
        "container": {"type": "message", "message_ts": "1.0001", "channel_id": "C1"},
        "actions": [
            {"type": "button", "action_id": "ritual.swap~2", "value": "42", "action_ts": "3.0"}
        ],
    }
    event = slack_payloads.action_of(body, now=NOW)
    assert isinstance(event, ButtonPressed)
    assert (event.action_id, event.value, event.channel, event.message_id) == (
        "ritual.swap",
        "42",
        "C1",
        "1.0001",
    )


def test_a_modal_submission_brings_back_its_fields_value_and_channel() -> None:
    body = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "trigger_id": "t-2",
        "view": {
            "id": "V1",
            "hash": "h1",
            "callback_id": "onboarding.about",
            "private_metadata": json.dumps({"value": "v1", "channel": "C1"}),
            "state": {
                "values": {
                    "hobbies": {"hobbies": {"type": "plain_text_input", "value": "climbing"}},
                    "size": {"size": {"type": "static_select", "selected_option": {"value": "m"}}},
                    "photo": {"photo": {"type": "url_text_input", "value": None}},
                }
            },
        },
    }
    event = slack_payloads.submission_of(body, now=NOW)
    assert isinstance(event, FormSubmitted)
    assert (event.form_id, event.value, event.channel) == ("onboarding.about", "v1", "C1")
    assert dict(event.fields) == {"hobbies": "climbing", "size": "m", "photo": ""}
    assert event.delivery_id == "view:V1:h1"
