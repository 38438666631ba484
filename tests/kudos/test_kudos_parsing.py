"""Reading kudos from commands and messages on every platform's mention syntax."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.kudos.parsing import command_draft, emoji_name, message_reason, message_targets

EMOJIS = frozenset({"tada", "taco"})


def targets(text: str) -> list[str]:
    return [m.lookup for m in message_targets(text, EMOJIS)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@ana++", ["ana"]),
        ("thanks @ana++ for the review", ["ana"]),
        ("<@U123> ++ great demo", ["U123"]),  # Slack, with a space before ++
        ("<@U123|ana>++", ["U123"]),  # Slack with escaped mentions on
        ("<@80351110224678912>++", ["80351110224678912"]),  # Discord
        ("<@!80351110224678912> ++", ["80351110224678912"]),  # Discord nickname form
        ("{@ana, @li}++", ["ana", "li"]),
        ("{<@U1>, <@U2>} ++ for the launch", ["U1", "U2"]),
        ("thanks @ana :taco:", ["ana"]),
        ("thanks @ana and @li :tada:", ["ana", "li"]),
        ("@ana :tada::skin-tone-4:", ["ana"]),
        ("@ana 🎉", ["ana"]),
        ("@ana 🌮🏽", ["ana"]),
        ("@ana <:taco:123456789>", ["ana"]),  # a Discord custom emoji named taco
        ("@ana++ @ana++ and again @ana++", ["ana"]),
        ("@li++ @ana++", ["li", "ana"]),
    ],
)
def test_messages_credit_the_people_they_thank(text: str, expected: list[str]) -> None:
    assert targets(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "c++ is hard",
        "I love C++ and g++",
        "matt-- was wrong and word++ too",
        "`@ana++` is how you give kudos",
        "```\n@ana++\n```",
        "mail me at ops@ana++",
        "thanks @ana",  # a mention without ++ or the emoji
        "@ana :thumbsup:",  # not the kudos emoji
        ":tada: party time",  # the emoji without anyone
        "",
    ],
)
def test_messages_that_are_not_kudos_credit_no_one(text: str) -> None:
    assert targets(text) == []


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("tada", "tada"),
        (":tada:", "tada"),
        ("clap::skin-tone-3", "clap"),
        ("🎉", "tada"),
        ("👍🏽", "thumbsup"),
        ("❤️", "heart"),
        ("TACO", "taco"),
    ],
)
def test_emoji_variants_read_as_one_name(raw: str, name: str) -> None:
    assert emoji_name(raw) == name


def test_a_command_reads_recipients_reason_values_badge_and_privacy() -> None:
    draft = command_draft("@ana <@U2|li> for the launch #teamwork badge:Mentor private")
    assert [m.lookup for m in draft.targets] == ["ana", "U2"]
    assert draft.reason == "the launch #teamwork"
    assert draft.hashtags == ("teamwork",)
    assert draft.badge == "mentor"
    assert draft.private is True


def test_a_slack_channel_reference_is_not_a_value() -> None:
    draft = command_draft("<@U1> great demo in <#C1|general> #trust")
    assert draft.hashtags == ("trust",)


def test_a_command_without_anyone_has_no_targets() -> None:
    assert command_draft("for the launch").targets == ()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("thanks @bob++ for the review", "thanks for the review"),
        ("{@ana, @li}++ great launch", "great launch"),
        ("<@U1> ++", ""),
        ("thanks @ana :taco: you rock", "thanks you rock"),
    ],
)
def test_a_kudos_message_keeps_its_words_as_the_reason(text: str, reason: str) -> None:
    assert message_reason(text) == reason


NAMES = st.sampled_from(["ana", "li", "bob", "U1", "80351110224678912"])


@given(st.text())
def test_parsing_never_crashes_on_any_text(text: str) -> None:
    message_targets(text, EMOJIS)
    command_draft(text)
    message_reason(text)
    emoji_name(text)


@given(st.text(), NAMES)
def test_mentions_inside_code_never_count(text: str, name: str) -> None:
    assert name not in targets(f"`{text.replace('`', '')} @{name}++`")


@given(st.lists(NAMES, min_size=1, max_size=6), st.sampled_from(["++", " ++", " :tada:"]))
def test_each_recipient_counts_once_however_often_named(names: list[str], suffix: str) -> None:
    found = targets(" ".join(f"@{n}{suffix}" for n in names))
    assert sorted(found) == sorted(set(found))
    assert set(found) == set(names)
