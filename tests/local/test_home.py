"""A member's home (Slack's App Home tab) gathers what each feature knows about them."""

from __future__ import annotations

import pytest

from bot.platforms import script
from tests.conftest import Player

SCRIPT = """
workspace acme tz=Europe/Paris
member ana
member bob
clock 2026-12-01 09:00
in #general
ana: /kudos @bob for the review #teamwork
bob: open home
expect "[home bob] hearth: Kudos for @bob"
expect no "error"
"""


async def test_opening_home_shows_the_members_kudos_privately(player: Player) -> None:
    run = await player(SCRIPT)

    assert run.code == 0, run.text
    home = run.text[run.text.index("[home bob]") :]
    assert "Received: 1" in home
    assert "Left to give: 5 of 5" in home
    assert "#teamwork (1)" in home


def test_open_home_is_the_only_thing_a_member_can_open() -> None:
    *_, last = script.parse("workspace w\nmember ana\nana: open home")
    assert last.step == script.OpenHome("ana")
    with pytest.raises(script.ScriptError, match="open home"):
        script.parse("workspace w\nmember ana\nana: open the door")


async def test_home_lists_the_rituals_and_when_each_fires_next(player: Player) -> None:
    run = await player(
        """
workspace acme tz=Europe/Paris
member bob role=manager
member kai
clock 2026-12-01 09:00
in #team
bob: /ritual add watercooler every monday 16:00 in #team
kai: open home
expect "[home kai] hearth: Rituals here"
"""
    )

    assert run.code == 0, run.text
    assert "next: Monday, December 7, 2026, 16:00" in run.text[run.text.index("[home kai]") :]
