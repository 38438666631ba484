"""`/ritual` as platforms with typed options (Discord) see it."""

from __future__ import annotations

import pytest

from bot.features import OptionKind, Subcommand
from bot.rituals import SUBCOMMANDS


@pytest.mark.parametrize("form", SUBCOMMANDS, ids=lambda s: s.name)
def test_every_form_has_unique_option_names_and_required_ones_first(form: Subcommand) -> None:
    names = [option.name for option in form.options]
    assert len(names) == len(set(names))
    required = [option.required for option in form.options]
    assert required == sorted(required, reverse=True)
    for option in form.options:
        assert (option.kind is OptionKind.CHOICE) == bool(option.choices)


def test_typed_options_write_back_the_one_line_form() -> None:
    forms = {form.name: form for form in SUBCOMMANDS}

    added = forms["add"].text(["watercooler", "every monday 16:00", "tz=Europe/Paris"])
    away = forms["away"].text(["2027-01-10"])

    assert added == "add watercooler every monday 16:00 tz=Europe/Paris"
    assert away == "away until 2027-01-10"
    assert forms["run-now"].text(["3"]) == "run-now 3"
    assert len(SUBCOMMANDS) <= 25  # Discord's limit per command
