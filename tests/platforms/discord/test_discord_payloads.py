"""Discord's shapes in, neutral events out: the translation tables, without a client."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.chat import (
    ButtonPressed,
    CommandInvoked,
    FormSubmitted,
    Member,
    MemberJoined,
    MessagePosted,
    Platform,
    ReactionAdded,
    ReactionRemoved,
    Role,
    WorkspaceRef,
)
from bot.platforms import discord_payloads as payloads
from bot.platforms.discord_payloads import Origin

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GUILD = WorkspaceRef(Platform.DISCORD, "4100")


def origin(*, guild: str | None = "4100", channel: str | None = "4200") -> Origin:
    return Origin("9001", guild, channel, "5100", NOW, in_dm=guild is None)


@pytest.mark.parametrize(
    ("discord_locale", "hearth_locale"),
    [("en-US", "en"), ("en-GB", "en"), ("fr", "fr"), ("pt-BR", "pt"), ("zh-TW", "zh"), ("", None)],
)
def test_discord_locales_become_languages(discord_locale: str, hearth_locale: str | None) -> None:
    assert payloads.locale_of(discord_locale) == hearth_locale


def test_a_button_id_carries_the_server_action_and_value_and_comes_back_whole() -> None:
    custom_id = payloads.button_id(GUILD, "rituals.rsvp.yes", "12|2026-03-02T10:00")
    assert custom_id == "h|4100|rituals.rsvp.yes|12|2026-03-02T10:00"

    pressed = payloads.press_of(origin(), custom_id, message_id="777")

    assert pressed == ButtonPressed(
        delivery_id="interaction:9001",
        workspace=GUILD,
        occurred_at=NOW,
        actor="5100",
        channel="4200",
        message_id="777",
        action_id="rituals.rsvp.yes",
        value="12|2026-03-02T10:00",
    )


def test_a_press_in_a_direct_message_finds_its_server_in_the_custom_id() -> None:
    pressed = payloads.press_of(
        origin(guild=None, channel="99"), "h|4100|probe.done|42", message_id=None
    )
    assert pressed is not None
    assert (pressed.workspace, pressed.channel) == (GUILD, None)


@pytest.mark.parametrize(
    ("action", "value"),
    [("", "v"), ("a|b", "v"), ("kudos.thanks", "x" * 100)],
    ids=["no action", "a bar in the action", "too long for 100 characters"],
)
def test_a_button_that_cannot_carry_its_action_has_no_custom_id(action: str, value: str) -> None:
    assert payloads.button_id(GUILD, action, value) is None


def test_custom_ids_that_are_not_hearths_are_ignored() -> None:
    assert payloads.press_of(origin(), "someone-else:42", message_id=None) is None
    assert payloads.submission_of(origin(), {"custom_id": "other", "components": []}) is None


def test_a_modal_submit_gathers_text_inputs_and_selects_in_rows_and_labels() -> None:
    data: dict[str, Any] = {
        "custom_id": "f|4100|probe.form|v1",
        "components": [
            {"type": 1, "id": 1, "components": [{"type": 4, "custom_id": "hobbies", "value": "x"}]},
            {"type": 18, "id": 3, "component": {"type": 4, "custom_id": "photo", "value": ""}},
            {"type": 18, "id": 5, "component": {"type": 3, "custom_id": "kind", "values": ["a"]}},
        ],
    }

    submitted = payloads.submission_of(origin(), data)

    assert submitted == FormSubmitted(
        delivery_id="interaction:9001",
        workspace=GUILD,
        occurred_at=NOW,
        actor="5100",
        form_id="probe.form",
        value="v1",
        fields={"hobbies": "x", "photo": "", "kind": "a"},
        channel="4200",
    )


def test_a_slash_command_names_its_subcommand_and_option_values() -> None:
    data = {
        "name": "kudos",
        "options": [
            {
                "name": "give",
                "type": 1,
                "options": [
                    {"name": "who", "type": 6, "value": "5101"},
                    {"name": "why", "type": 3, "value": "the review"},
                ],
            }
        ],
    }

    invoked = payloads.invoked_of(data)

    assert invoked == payloads.Invoked("kudos", "give", {"who": "5101", "why": "the review"})


def test_a_command_is_scoped_to_its_server_and_keyed_by_the_interaction() -> None:
    assert payloads.command_of(origin(), "kudos", " <@5101> the review ") == CommandInvoked(
        delivery_id="interaction:9001",
        workspace=GUILD,
        occurred_at=NOW,
        actor="5100",
        channel="4200",
        command="kudos",
        text="<@5101> the review",
    )
    assert payloads.command_of(origin(guild=None), "kudos", "me") is None


def reaction(**changes: Any) -> ReactionAdded | ReactionRemoved | None:
    values: dict[str, Any] = {
        "added": True,
        "guild_id": 4100,
        "channel_id": 4200,
        "message_id": 777,
        "user_id": 5100,
        "emoji": "🎉",
        "author_id": 5101,
        "bot_id": 1,
        "occurred_at": NOW,
    } | changes
    return payloads.reaction_of(**values)


def test_a_reaction_is_keyed_by_message_member_and_emoji() -> None:
    added, removed = reaction(), reaction(added=False)
    assert isinstance(added, ReactionAdded)
    assert isinstance(removed, ReactionRemoved)
    assert added.delivery_id == "reaction:add:777:5100:🎉"
    assert removed.delivery_id == "reaction:remove:777:5100:🎉"
    assert (added.actor, added.message_author, added.emoji) == ("5100", "5101", "🎉")


def test_reactions_on_the_bots_messages_have_no_author_and_the_bots_own_are_ignored() -> None:
    on_bot = reaction(author_id=1)
    assert on_bot is not None
    assert on_bot.message_author is None
    assert reaction(user_id=1) is None
    assert reaction(guild_id=None) is None


def test_a_member_keeps_what_hearth_knows_and_discord_does_not() -> None:
    known = Member(
        GUILD.member("5101"),
        "bob",
        timezone="Europe/Paris",
        locale="fr",
        role=Role.MANAGER,
        opt_outs=frozenset({"spotlight"}),
    )

    member = payloads.member_of(
        GUILD, user_id=5101, name="Bobby", is_bot=False, is_admin=False, joined_at=None, known=known
    )

    assert (member.name, member.timezone, member.locale, member.role) == (
        "Bobby",
        "Europe/Paris",
        "fr",
        Role.MANAGER,
    )
    assert member.opt_outs == frozenset({"spotlight"})


def test_server_admins_are_hearth_admins_and_a_newcomer_has_no_time_zone() -> None:
    member = payloads.member_of(
        GUILD, user_id=5100, name="ana", is_bot=False, is_admin=True, joined_at=NOW, known=None
    )
    joined = payloads.joined_of(member, occurred_at=NOW)

    assert member.role is Role.ADMIN
    assert isinstance(joined, MemberJoined)
    assert joined.member.timezone is None
    assert joined.delivery_id == f"join:4100:5100:{NOW.isoformat()}"


def test_messages_from_bots_and_outside_servers_are_not_read() -> None:
    spoken: dict[str, Any] = {
        "guild_id": 4100,
        "channel_id": 4300,
        "thread_id": 4300,
        "message_id": 888,
        "author_id": 5100,
        "author_is_bot": False,
        "content": "<@5101>++",
        "occurred_at": NOW,
    }
    posted = payloads.posted_of(**spoken)
    assert isinstance(posted, MessagePosted)
    assert (posted.delivery_id, posted.thread_id) == ("message:888", "4300")
    assert payloads.posted_of(**(spoken | {"author_is_bot": True})) is None
    assert payloads.posted_of(**(spoken | {"guild_id": None})) is None
