"""Every script in docs/examples, and the demo, runs to its end: the docs stay true."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import DEMO_SCRIPT
from tests.conftest import Player

EXAMPLES = sorted((Path(__file__).parents[2] / "docs" / "examples").glob("*.hearth"))


SCRIPTS = {path.name: path.read_text(encoding="utf-8") for path in [*EXAMPLES, DEMO_SCRIPT]}


@pytest.mark.parametrize("name", sorted(SCRIPTS))
async def test_the_example_script_meets_all_its_expectations(player: Player, name: str) -> None:
    run = await player(SCRIPTS[name])
    assert run.code == 0, run.text
