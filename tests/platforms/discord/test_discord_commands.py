"""Hearth's commands as Discord application commands, and back into command text."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot.app import command_catalog
from bot.features import Command, Option, OptionKind, Subcommand
from bot.platforms import discord_commands
from bot.platforms.discord_payloads import Invoked
from bot.render import Renderer
from tests.platforms.discord.applications import command_problems

RENDERER = Renderer({})
CATALOG = command_catalog()


async def nothing(call: Any) -> None:
    return None


def by_name(name: str) -> Command:
    return next(c for c in CATALOG if c.name == name)


def options_of(payload: dict[str, Any], subcommand: str) -> dict[str, dict[str, Any]]:
    form = next(o for o in payload["options"] if o["name"] == subcommand)
    return {o["name"]: o for o in form["options"]}


@pytest.mark.parametrize("command", CATALOG, ids=lambda c: c.name)
def test_every_command_is_one_discord_accepts(command: Command) -> None:
    payload = discord_commands.definition(command, RENDERER)

    assert command_problems(payload) == {}
    assert payload["contexts"] == [0]  # in servers, where Hearth knows the workspace


def test_kudos_give_has_typed_options_with_french_descriptions() -> None:
    payload = discord_commands.definition(by_name("kudos"), RENDERER)
    give = options_of(payload, "give")

    assert (give["who"]["type"], give["who"]["required"]) == (6, True)
    assert (give["why"]["type"], give["why"]["required"]) == (3, True)
    assert give["who"]["description_localizations"] == {"fr": "Qui remercier"}
    assert payload["description_localizations"] == {"fr": "Remercier un collègue"}
    board = options_of(payload, "board")["period"]
    week = next(c for c in board["choices"] if c["value"] == "week")
    assert week["name_localizations"]["fr"] != "week"


def test_a_command_without_forms_takes_free_text() -> None:
    command = Command("probe", nothing, description="Probe the core")
    payload = discord_commands.definition(command, RENDERER)

    [text] = payload["options"]
    assert (text["name"], text["type"], text["required"]) == ("text", 3, False)
    assert discord_commands.text_of(command, Invoked("probe", None, {"text": " ask "})) == "ask"


@pytest.mark.parametrize(
    ("subcommand", "values", "text"),
    [
        (
            "give",
            {"who": "5101", "why": "the review", "value": "teamwork"},
            "<@5101> the review #teamwork",
        ),
        ("give", {"who": "5101", "why": "docs", "value": "#docs"}, "<@5101> docs #docs"),
        ("give", {"who": "5101", "why": "x", "private": "private"}, "<@5101> x private"),
        ("board", {"period": "month"}, "board month"),
        ("board", {}, "board"),
        ("me", {}, "me"),
    ],
)
def test_option_values_are_written_back_as_the_text_handlers_parse(
    subcommand: str, values: dict[str, object], text: str
) -> None:
    invoked = Invoked("kudos", subcommand, values)
    assert discord_commands.text_of(by_name("kudos"), invoked) == text


def test_numbers_are_written_without_a_needless_decimal() -> None:
    option = Option("count", "How many", OptionKind.NUMBER)
    assert discord_commands.written(option, 3.0) == "3"
    assert discord_commands.written(option, 2.5) == "2.5"


def test_an_unknown_subcommand_has_no_text() -> None:
    assert discord_commands.text_of(by_name("kudos"), Invoked("kudos", "gone", {})) is None


def test_the_hash_changes_with_a_definition_and_only_then() -> None:
    payload = discord_commands.definitions(CATALOG, RENDERER)
    again = discord_commands.definitions(command_catalog(), RENDERER)
    kudos = by_name("kudos")
    extra = Subcommand("cheer", "Cheer someone on")
    changed = [
        replace(c, subcommands=(*c.subcommands, extra)) if c is kudos else c for c in CATALOG
    ]
    edited = discord_commands.definitions(changed, RENDERER)

    digest = discord_commands.hash_of(payload, application_id=1)
    assert discord_commands.hash_of(again, application_id=1) == digest
    assert discord_commands.hash_of(edited, application_id=1) != digest
    assert discord_commands.hash_of(payload, application_id=2) != digest


def test_localized_names_two_options_would_share_are_dropped() -> None:
    items: list[dict[str, Any]] = [
        {"name": "a", "name_localizations": {"fr": "même"}},
        {"name": "b", "name_localizations": {"fr": "même", "de": "b_de"}},
    ]
    discord_commands.unique_localizations(items)
    assert items == [{"name": "a"}, {"name": "b", "name_localizations": {"de": "b_de"}}]
