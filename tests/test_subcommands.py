"""Typed command forms (Discord options) write back the text handlers already parse."""

from __future__ import annotations

import pytest

from bot import kudos, profile
from bot.features import OptionKind, Subcommand


def test_the_default_form_writes_only_its_values() -> None:
    give = next(s for s in kudos.SUBCOMMANDS if s.name == "give")
    assert give.text(["<@U1>", "the launch", "#teamwork"]) == "<@U1> the launch #teamwork"


def test_a_named_form_starts_with_its_name_and_skips_empty_values() -> None:
    board = Subcommand("board", "Top receivers and givers")
    assert board.text(["", "month"]) == "board month"
    assert board.text([]) == "board"


@pytest.mark.parametrize("form", [*kudos.SUBCOMMANDS, *profile.SUBCOMMANDS], ids=lambda s: s.name)
def test_every_form_has_unique_option_names_and_required_ones_first(form: Subcommand) -> None:
    names = [option.name for option in form.options]
    assert len(names) == len(set(names))
    required = [option.required for option in form.options]
    assert required == sorted(required, reverse=True)  # Discord refuses optional before required
    for option in form.options:
        assert (option.kind is OptionKind.CHOICE) == bool(option.choices)
