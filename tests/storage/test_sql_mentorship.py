"""`SqlMentorStore` keeps the contract of `MentorStore`, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.chat import Platform, Workspace, WorkspaceRef
from storage import Storage

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
ACME = WorkspaceRef(Platform.DISCORD, "4100")
OTHER = WorkspaceRef(Platform.DISCORD, "4200")


@pytest.fixture
async def ready(storage: Storage) -> Storage:
    for ref in (ACME, OTHER):
        await storage.roster.save_workspace(Workspace(ref=ref, name=ref.workspace_id))
    return storage


async def test_volunteers_join_once_and_retire(ready: Storage) -> None:
    store = ready.mentorship
    assert await store.volunteer(ACME, "kai", at=NOW)
    assert not await store.volunteer(ACME, "kai", at=NOW + timedelta(days=1))
    await store.volunteer(ACME, "ana", at=NOW)
    await store.volunteer(OTHER, "zoe", at=NOW)
    assert [(v.user_id, v.since) for v in await store.volunteers(ACME)] == [
        ("ana", NOW),
        ("kai", NOW),
    ]
    assert await store.retire(ACME, "kai")
    assert not await store.retire(ACME, "kai")
    assert [v.user_id for v in await store.volunteers(ACME)] == ["ana"]


async def test_a_newcomer_has_one_active_mentor_and_may_get_another_after(
    ready: Storage, other_storage: Storage
) -> None:
    store = ready.mentorship
    assert await store.pair(ACME, "carol", "kai", at=NOW)
    assert not await other_storage.mentorship.pair(ACME, "carol", "zoe", at=NOW)
    assert await store.pair(OTHER, "carol", "zoe", at=NOW)
    current = await store.current(ACME, "carol")
    assert current is not None
    assert (current.mentor, current.active) == ("kai", True)
    assert await store.end(ACME, "carol", at=NOW + timedelta(days=2))
    assert not await store.end(ACME, "carol", at=NOW + timedelta(days=3))
    assert await store.pair(ACME, "carol", "zoe", at=NOW + timedelta(days=2))
    current = await store.current(ACME, "carol")
    assert current is not None
    assert current.mentor == "zoe"


async def test_pairings_list_active_and_recently_ended_with_their_feedback(
    ready: Storage,
) -> None:
    store = ready.mentorship
    await store.pair(ACME, "carol", "kai", at=NOW)
    await store.pair(ACME, "dan", "kai", at=NOW + timedelta(days=1))
    await store.pair(ACME, "eve", "ana", at=NOW + timedelta(days=2))
    await store.end(ACME, "carol", at=NOW + timedelta(days=90))
    await store.end(ACME, "eve", at=NOW + timedelta(days=10))
    assert await store.feedback(ACME, "carol", {"rating": "5", "note": "merci ✓"})
    assert not await store.feedback(ACME, "nobody", {"rating": "5"})
    listed = await store.pairings(ACME, since=NOW + timedelta(days=30))
    assert [(p.newcomer, p.mentor, p.active) for p in listed] == [
        ("carol", "kai", False),
        ("dan", "kai", True),
    ]
    assert dict(listed[0].feedback) == {"note": "merci ✓", "rating": "5"}
    assert await store.workspaces_mentoring() == [ACME]
