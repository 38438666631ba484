"""One holder at a time, for as long as it lives; a standby takes over within a term."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from bot.lease import KEEP_TERMS, Lease
from bot.runs import RunStore
from bot.schedule import SimulatedClock
from storage import open_storage, upgrade
from tests.fakes import FakeRunStore

T0 = datetime(2027, 1, 4, 9, 0, 5, tzinfo=UTC)
TERM = timedelta(seconds=40)


def pair(runs: RunStore, clock: SimulatedClock) -> tuple[Lease, Lease]:
    return (
        Lease(runs, key="discord.gateway", owner="a", clock=clock, term=TERM),
        Lease(runs, key="discord.gateway", owner="b", clock=clock, term=TERM),
    )


async def step_both(a: Lease, b: Lease, clock: SimulatedClock, until: datetime) -> list[str]:
    """Both renew every quarter term; who held the lease at each check."""
    holders = []
    while clock.now() < until:
        held_a, held_b = await a.renew(), await b.renew()
        assert not (held_a and held_b), f"both hold the lease at {clock.now()}"
        holders.append("a" if held_a else "b" if held_b else "-")
        clock.set(clock.now() + a.check_every)
    return holders


async def test_the_first_to_ask_holds_the_lease_and_keeps_it() -> None:
    clock = SimulatedClock(T0)
    a, b = pair(FakeRunStore(), clock)

    holders = await step_both(a, b, clock, T0 + timedelta(minutes=10))

    assert set(holders) == {"a"}


async def test_terms_long_past_are_forgotten_so_the_run_table_stays_small(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path}/hearth.db"
    await upgrade(url)
    async with await open_storage(url) as storage:
        clock = SimulatedClock(T0)
        a, b = pair(storage.runs, clock)
        holders = await step_both(a, b, clock, T0 + timedelta(hours=3))  # 270 terms
        async with storage.engine.connect() as connection:
            kept = await connection.scalar(
                text("SELECT count(*) FROM runs WHERE job_key = 'lease:discord.gateway'")
            )

    assert set(holders) == {"a"}
    assert kept is not None
    assert kept <= KEEP_TERMS + 2


async def test_a_standby_takes_over_within_a_term_of_the_holder_dying() -> None:
    clock = SimulatedClock(T0)
    a, b = pair(FakeRunStore(), clock)
    await step_both(a, b, clock, T0 + timedelta(minutes=2))
    died = clock.now()

    while not await b.renew():
        assert clock.now() - died <= TERM + b.check_every, "the standby waited too long"
        clock.set(clock.now() + b.check_every)

    assert not a.held


async def test_a_paused_holder_that_lost_its_term_knows_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/hearth.db"
    await upgrade(url)
    async with await open_storage(url) as storage:
        clock = SimulatedClock(T0)
        a, b = pair(storage.runs, clock)
        assert await a.renew()
        clock.set(T0 + 3 * TERM)  # a stalls for three terms; b carries on
        assert await b.renew()

        assert not await a.renew()
        assert await b.renew()
