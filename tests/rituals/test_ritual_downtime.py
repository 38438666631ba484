"""After downtime: a slot missed within grace fires once, late; older ones are recorded missed.

Each `player` call is a Hearth process on the same database file: the first
schedules rituals and stops, the next starts later, as after an outage.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.runs import RunStatus
from bot.settings import Settings
from storage import open_storage
from storage.core import RunRow
from tests.conftest import Player, database_of

SETUP = """
workspace acme tz=Europe/Paris locale=en
member bob role=manager
clock 2026-12-01 09:00
in #team
bob: /ritual add custom every day 10:00 in #team text=Daily hello
bob: /ritual add custom cron */10 * * * * in #team grace=1h text=Ten-minute tick
bob: /ritual add custom every day 10:00 in #team grace=20m text=Strict hello
"""
RESTART = "workspace acme\nwait 1m\n"
PARIS = ZoneInfo("Europe/Paris")


async def statuses(settings: Settings, key: str) -> dict[str, str]:
    """A job's recorded slots, as Paris wall times, with their status."""
    query = (
        select(RunRow.scheduled_for, RunRow.status)
        .where(RunRow.job_key == key)
        .order_by(RunRow.scheduled_for)
    )
    storage = await open_storage(database_of(settings))
    async with storage, storage.session_factory() as session:
        rows = await session.execute(query)
        return {f"{moment.astimezone(PARIS):%m-%d %H:%M}": status for moment, status in rows}


def posts(lines: list[str], text: str) -> list[str]:
    return [line[:16] for line in lines if "[#team] hearth: " in line and text in line]


async def test_a_slot_missed_within_grace_fires_once_late_and_older_ones_are_missed(
    player: Player, settings: Settings
) -> None:
    setup = await player(SETUP)
    assert setup.code == 0, setup.text

    # Down from 09:00 on the 1st until 10:30 on the 3rd.
    restart = await player(RESTART, start=datetime(2026, 12, 3, 9, 30, tzinfo=UTC))

    assert restart.code == 0, restart.text
    assert posts(restart.lines, "Daily hello") == ["2026-12-03 10:30"]
    assert await statuses(settings, "ritual:1") == {
        "12-01 10:00": RunStatus.MISSED,
        "12-02 10:00": RunStatus.MISSED,
        "12-03 10:00": RunStatus.DONE,
    }
    # A stricter grace: 30 minutes late is too late.
    assert posts(restart.lines, "Strict hello") == []
    assert (await statuses(settings, "ritual:3"))["12-03 10:00"] == RunStatus.MISSED


async def test_slots_missed_within_grace_do_not_pile_up(player: Player, settings: Settings) -> None:
    setup = await player(SETUP + "wait 1h\n")  # runs until 10:00, then stops
    assert setup.code == 0, setup.text
    assert posts(setup.lines, "Ten-minute tick")[-1] == "2026-12-01 10:00"

    restart = await player(RESTART, start=datetime(2026, 12, 1, 9, 45, tzinfo=UTC))

    assert restart.code == 0, restart.text
    assert posts(restart.lines, "Ten-minute tick") == ["2026-12-01 10:45"]
    recorded = await statuses(settings, "ritual:2")
    assert [recorded[f"12-01 10:{m}"] for m in ("10", "20", "30")] == [RunStatus.MISSED] * 3
    assert recorded["12-01 10:40"] == RunStatus.DONE


async def test_a_restart_never_posts_a_slot_again(player: Player, settings: Settings) -> None:
    setup = await player(SETUP + "wait 2h\n")
    assert setup.code == 0, setup.text
    assert posts(setup.lines, "Daily hello") == ["2026-12-01 10:00"]

    restart = await player(RESTART, start=datetime(2026, 12, 1, 10, 5, tzinfo=UTC))

    assert restart.code == 0, restart.text
    assert posts(restart.lines, "hello") == []
