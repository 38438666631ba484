"""`SqlPairingStore` keeps the contract of `PairingStore`, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.chat import Platform, Workspace, WorkspaceRef
from bot.mentorship.matching import Participant
from storage import Storage

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
ACME = WorkspaceRef(Platform.SLACK, "T-ACME")
OTHER = WorkspaceRef(Platform.SLACK, "T-OTHER")


@pytest.fixture
async def ready(storage: Storage) -> Storage:
    for ref in (ACME, OTHER):
        await storage.roster.save_workspace(Workspace(ref=ref, name=ref.workspace_id))
    return storage


async def test_members_join_once_go_away_and_leave(ready: Storage) -> None:
    store = ready.pairing
    assert await store.join(ACME, "kai", at=NOW)
    assert not await store.join(ACME, "kai", at=NOW)
    await store.join(ACME, "ana", at=NOW)
    await store.join(OTHER, "zoe", at=NOW)
    assert await store.away(ACME, "kai", date(2027, 1, 10))
    assert not await store.away(ACME, "nobody", date(2027, 1, 10))
    assert await store.people(ACME) == [
        Participant("ana"),
        Participant("kai", date(2027, 1, 10)),
    ]
    assert await store.leave(ACME, "kai")
    assert not await store.leave(ACME, "kai")
    assert await store.workspaces_pairing() == [ACME, OTHER]


async def test_a_slot_has_one_round_and_rounds_come_back_newest_first(
    ready: Storage, other_storage: Storage
) -> None:
    store = ready.pairing
    first = await store.record(ACME, NOW, [("a", "b"), ("c", "d", "e")], at=NOW)
    assert first is not None
    assert await other_storage.pairing.record(ACME, NOW, [("a", "c")], at=NOW) is None
    later = NOW + timedelta(weeks=2)
    second = await store.record(ACME, later, [("a", "c"), ("b", "d")], at=later)
    await store.record(OTHER, NOW, [("x", "y")], at=NOW)
    rounds = await store.rounds(ACME, last=5)
    assert [(r.id, r.slot) for r in rounds] == [(second, later), (first, NOW)]
    assert rounds[1].groups == (("a", "b"), ("c", "d", "e"))
    assert [r.id for r in await store.rounds(ACME, last=1)] == [second]


async def test_answers_to_did_you_meet_belong_to_members_of_that_round(ready: Storage) -> None:
    store = ready.pairing
    round_id = await store.record(ACME, NOW, [("a", "b")], at=NOW)
    elsewhere = await store.record(OTHER, NOW, [("a", "z")], at=NOW)
    assert round_id is not None
    assert elsewhere is not None
    assert await store.met(ACME, round_id, "a", True)
    assert await store.met(ACME, round_id, "b", False)
    assert not await store.met(ACME, round_id, "z", True)
    assert not await store.met(ACME, elsewhere, "a", True), "another workspace's round"
    [kept] = await store.rounds(ACME, last=1)
    assert dict(kept.met) == {"a": True, "b": False}
