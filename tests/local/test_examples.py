"""Every script in docs/examples, and the demo, runs to its end: the docs stay true."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import DEMO_SCRIPT
from tests.conftest import Player

EXAMPLES = sorted((Path(__file__).parents[2] / "docs" / "examples").glob("*.hearth"))


@pytest.mark.parametrize("path", [*EXAMPLES, DEMO_SCRIPT], ids=lambda p: p.name)
async def test_the_example_script_meets_all_its_expectations(player: Player, path: Path) -> None:
    run = await player(path.read_text(encoding="utf-8"))
    assert run.code == 0, run.text
