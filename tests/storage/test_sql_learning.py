"""`SqlLearningStore` keeps the contract of `LearningStore`, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.chat import Platform, Workspace, WorkspaceRef
from storage import Storage

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
ACME = WorkspaceRef(Platform.SLACK, "T-ACME")
OTHER = WorkspaceRef(Platform.SLACK, "T-OTHER")


@pytest.fixture
async def ready(storage: Storage) -> Storage:
    for ref in (ACME, OTHER):
        await storage.roster.save_workspace(Workspace(ref=ref, name=ref.workspace_id))
    return storage


async def test_entries_come_back_newest_first_with_their_topics_and_days(ready: Storage) -> None:
    store = ready.learning
    first = await store.log(
        ACME, "kai", "deploys", topics=("devops",), at=NOW, day=date(2026, 12, 1)
    )
    later = NOW + timedelta(days=1)
    second = await store.log(
        ACME, "zoe", "rust", topics=("rust", "lang"), at=later, day=date(2026, 12, 2)
    )
    await store.log(OTHER, "kai", "elsewhere", topics=(), at=NOW, day=date(2026, 12, 1))
    assert [e.id for e in await store.entries(ACME, since=NOW)] == [second.id, first.id]
    [mine] = await store.entries(ACME, since=NOW, user_id="kai")
    assert (mine.text, mine.topics, mine.day) == ("deploys", ("devops",), date(2026, 12, 1))
    assert [e.id for e in await store.entries(ACME, since=later)] == [second.id]


async def test_days_are_distinct_and_an_entry_is_forgotten_only_by_its_author(
    ready: Storage,
) -> None:
    store = ready.learning
    entry = await store.log(ACME, "kai", "a", topics=(), at=NOW, day=date(2026, 12, 1))
    await store.log(ACME, "kai", "b", topics=(), at=NOW, day=date(2026, 12, 1))
    await store.log(ACME, "kai", "c", topics=(), at=NOW, day=date(2026, 11, 27))
    assert await store.days(ACME, "kai") == [date(2026, 11, 27), date(2026, 12, 1)]
    assert not await store.forget(ACME, "zoe", entry.id)
    assert not await store.forget(OTHER, "kai", entry.id)
    assert await store.forget(ACME, "kai", entry.id)
    assert len(await store.entries(ACME, since=NOW)) == 2


async def test_sessions_gather_their_attendees_once(ready: Storage) -> None:
    store = ready.learning
    rust = await store.propose(ACME, day=date(2026, 12, 1), title="Rust", presenter="kai", at=NOW)
    pitch = await store.propose(
        ACME, day=date(2026, 12, 3), title="Pitching", presenter="zoe", at=NOW
    )
    await store.propose(ACME, day=date(2026, 11, 5), title="Past", presenter="zoe", at=NOW)
    assert await store.attend(ACME, rust.id, "ana")
    assert not await store.attend(ACME, rust.id, "ana")
    assert await store.attend(ACME, rust.id, "bob")
    assert not await store.attend(OTHER, pitch.id, "ana"), "another workspace's session"
    listed = await store.sessions(ACME, since=date(2026, 12, 1))
    assert [(s.title, s.attendees) for s in listed] == [("Rust", ("ana", "bob")), ("Pitching", ())]
