"""`SqlDepartureStore` keeps the contract of `DepartureStore`, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.chat import Platform, Workspace, WorkspaceRef
from bot.onboarding.leaving import Part
from storage import Storage

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
ACME = WorkspaceRef(Platform.SLACK, "T-ACME")
OTHER = WorkspaceRef(Platform.SLACK, "T-OTHER")
LAST = date(2026, 12, 11)


@pytest.fixture
async def ready(storage: Storage) -> Storage:
    for ref in (ACME, OTHER):
        await storage.roster.save_workspace(Workspace(ref=ref, name=ref.workspace_id))
    return storage


async def test_one_open_offboarding_per_member_whose_last_day_can_move(
    ready: Storage, other_storage: Storage
) -> None:
    store = ready.offboarding
    assert await store.start(ACME, "kai", manager="bob", last_day=LAST, at=NOW)
    moved = date(2026, 12, 18)
    assert not await other_storage.offboarding.start(
        ACME, "kai", manager="ana", last_day=moved, at=NOW
    )
    departure = await store.departure(ACME, "kai")
    assert departure is not None
    assert (departure.manager, departure.last_day, departure.open) == ("bob", moved, True)
    assert await store.departure(OTHER, "kai") is None
    assert await store.workspaces_offboarding() == [ACME]


async def test_parts_are_kept_whole_and_only_while_open(ready: Storage) -> None:
    store = ready.offboarding
    await store.start(ACME, "kai", manager="bob", last_day=LAST, at=NOW)
    assert await store.keep(ACME, "kai", Part.HANDOVER, {"what": "billing", "to": "ana"})
    assert await store.keep(ACME, "kai", Part.NOTE, {"note": "runbooks first"})
    assert not await store.keep(ACME, "zoe", Part.NOTE, {"note": "x"})
    departure = await store.departure(ACME, "kai")
    assert departure is not None
    assert departure.parts == {
        Part.HANDOVER: {"to": "ana", "what": "billing"},
        Part.NOTE: {"note": "runbooks first"},
    }
    assert await store.close(ACME, "kai", cancelled=False)
    assert not await store.keep(ACME, "kai", Part.ALUMNI, {"stay": "yes"})
    assert await store.notes(ACME) == [("kai", LAST, "runbooks first")]


async def test_cancelled_and_closed_offboardings_leave_the_open_list(ready: Storage) -> None:
    store = ready.offboarding
    await store.start(ACME, "kai", manager="bob", last_day=LAST, at=NOW)
    await store.start(ACME, "zoe", manager="bob", last_day=date(2026, 12, 4), at=NOW)
    await store.start(ACME, "li", manager="bob", last_day=date(2026, 12, 20), at=NOW)
    assert [d.user_id for d in await store.departures(ACME)] == ["zoe", "kai", "li"]
    assert await store.close(ACME, "li", cancelled=True)
    assert not await store.close(ACME, "li", cancelled=True)
    await store.keep(ACME, "zoe", Part.NOTE, {"note": "kept"})
    await store.close(ACME, "zoe", cancelled=False)
    assert [d.user_id for d in await store.departures(ACME)] == ["kai"]
    li = await store.departure(ACME, "li")
    assert li is not None
    assert not li.open
    assert await store.start(ACME, "li", manager="ana", last_day=LAST, at=NOW), "a new one"
    assert [n[0] for n in await store.notes(ACME)] == ["zoe"]
