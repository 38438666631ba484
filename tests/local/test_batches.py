"""Lines played as one batch: every event handled, answers after the batch's lines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bot.app import open_hearth
from bot.platforms import script
from bot.platforms.local import LocalWorkspace
from bot.schedule import SimulatedClock
from bot.settings import Settings

START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)

SETUP = """
workspace acme tz=UTC kudos.allowance=10
member ana
member bob
member cy
in #general
"""


def steps(source: str) -> list[script.Step]:
    parsed = (script.parse_line(line, n) for n, line in enumerate(source.splitlines(), 1))
    return [step for step in parsed if step is not None]


async def play_in_batches(settings: Settings, batches: Sequence[str]) -> tuple[list[str], int]:
    lines: list[str] = []
    async with open_hearth(settings, clock=SimulatedClock(START)) as hearth:
        local = LocalWorkspace(hearth, write=lines.append)
        for batch in batches:
            assert await local.apply_many(steps(batch))
        stored = await hearth.storage.kudos.between(
            local.workspace, start=None, end=datetime(9999, 1, 1, tzinfo=UTC)
        )
    return lines, len(stored)


async def test_kudos_typed_together_are_all_given_and_answered_after_the_lines(
    tmp_path: Path,
) -> None:
    settings = Settings.from_env({"HEARTH_DATA_DIR": str(tmp_path), "HEARTH_INSTANCE": "t"})
    batch = "ana: /kudos @bob for the review\nbob: /kudos @cy for the demo\ncy: /kudos @ana"

    lines, stored = await play_in_batches(settings, [SETUP, batch])

    assert stored == 3
    typed = [n for n, line in enumerate(lines) if ": /kudos @" in line]
    answered = [n for n, line in enumerate(lines) if "hearth: 🎉 @" in line]
    assert len(typed) == 3
    assert len(answered) == 3
    assert max(typed) < min(answered)


async def test_an_expect_line_sees_everything_answered_before_it(tmp_path: Path) -> None:
    settings = Settings.from_env({"HEARTH_DATA_DIR": str(tmp_path), "HEARTH_INSTANCE": "t"})
    batch = 'ana: /kudos @bob for the review\nexpect "gave kudos to @bob"\nbob: /kudos @ana'

    lines, stored = await play_in_batches(settings, [SETUP, batch])

    assert stored == 2
    assert any("hearth: 🎉 @ana gave kudos to @bob" in line for line in lines)
