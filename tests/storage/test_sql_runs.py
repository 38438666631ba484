from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select

from bot.runs import RunStatus
from storage import Storage
from storage.core import RunRow

NOW = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
SLOT = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)


async def test_a_slot_is_claimed_exactly_once(storage: Storage) -> None:
    assert await storage.runs.claim("ritual:1", SLOT, owner="a", now=NOW) is True
    assert await storage.runs.claim("ritual:1", SLOT, owner="b", now=NOW) is False
    assert await storage.runs.claim("ritual:1", SLOT, owner="a", now=NOW) is False


async def test_the_same_instant_in_another_zone_is_the_same_slot(storage: Storage) -> None:
    tokyo = timezone(timedelta(hours=9))
    await storage.runs.claim("ritual:1", SLOT, owner="a", now=NOW)

    assert await storage.runs.claim("ritual:1", SLOT.astimezone(tokyo), owner="b", now=NOW) is False


async def test_twenty_concurrent_claims_from_two_processes_fire_the_slot_once(
    storage: Storage, other_storage: Storage
) -> None:
    claims = await asyncio.gather(
        *(
            process.runs.claim("ritual:1", SLOT, owner=f"process-{i}", now=NOW)
            for i, process in enumerate([storage, other_storage] * 10)
        )
    )

    assert claims.count(True) == 1
    assert len(claims) == 20


async def test_other_slots_and_other_jobs_are_claimed_independently(storage: Storage) -> None:
    assert await storage.runs.claim("ritual:1", SLOT, owner="a", now=NOW)
    assert await storage.runs.claim("ritual:1", SLOT + timedelta(days=7), owner="a", now=NOW)
    assert await storage.runs.claim("ritual:2", SLOT, owner="a", now=NOW)


async def test_last_slot_is_the_latest_recorded_whatever_its_status(storage: Storage) -> None:
    assert await storage.runs.last_slot("ritual:1") is None
    await storage.runs.claim("ritual:1", SLOT, owner="a", now=NOW)
    await storage.runs.finish("ritual:1", SLOT, status=RunStatus.DONE, now=NOW)
    await storage.runs.record_missed("ritual:1", SLOT + timedelta(days=7), now=NOW)
    await storage.runs.claim("ritual:1", SLOT - timedelta(days=7), owner="a", now=NOW)
    await storage.runs.claim("ritual:2", SLOT + timedelta(days=70), owner="a", now=NOW)

    last = await storage.runs.last_slot("ritual:1")

    assert last == SLOT + timedelta(days=7)
    assert last is not None
    assert last.tzinfo is UTC


async def test_a_missed_slot_is_recorded_once_and_can_no_longer_be_claimed(
    storage: Storage,
) -> None:
    assert await storage.runs.record_missed("ritual:1", SLOT, now=NOW) is True
    assert await storage.runs.record_missed("ritual:1", SLOT, now=NOW) is False
    assert await storage.runs.claim("ritual:1", SLOT, owner="a", now=NOW) is False


async def test_a_claimed_slot_is_not_recorded_as_missed(storage: Storage) -> None:
    await storage.runs.claim("ritual:1", SLOT, owner="a", now=NOW)

    assert await storage.runs.record_missed("ritual:1", SLOT, now=NOW) is False


async def test_finishing_a_run_records_its_outcome_and_keeps_the_slot_taken(
    storage: Storage,
) -> None:
    await storage.runs.claim("ritual:1", SLOT, owner="a", now=NOW)

    await storage.runs.finish(
        "ritual:1", SLOT, status=RunStatus.FAILED, now=NOW + timedelta(seconds=2)
    )

    async with storage.session_factory() as session:
        run = await session.scalar(select(RunRow))
    assert run is not None
    assert (run.owner, run.status, run.finished_at) == ("a", "failed", NOW + timedelta(seconds=2))
    assert await storage.runs.claim("ritual:1", SLOT, owner="b", now=NOW) is False


async def test_last_slots_reads_many_keys_at_once_and_leaves_out_keys_never_run(
    storage: Storage,
) -> None:
    for key, hours in (("ritual:1", 0), ("ritual:1", 2), ("ritual:2", 1), ("kudos", 5)):
        await storage.runs.claim(key, SLOT + timedelta(hours=hours), owner="a", now=NOW)
    keys = ["ritual:1", "ritual:2", "ritual:3", *(f"other:{n}" for n in range(1200))]

    lasts = await storage.runs.last_slots(keys)

    assert lasts == {"ritual:1": SLOT + timedelta(hours=2), "ritual:2": SLOT + timedelta(hours=1)}
