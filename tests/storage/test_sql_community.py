"""`SqlCommunityStore` keeps the contract of `CommunityStore`, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import inspect

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


async def test_a_circle_name_is_taken_once_per_workspace_and_members_join_once(
    ready: Storage,
) -> None:
    store = ready.community
    climbing = await store.create_circle(
        ACME, name="climbing", description="", channel="C1", created_by="kai", at=NOW
    )
    assert climbing is not None
    assert (
        await store.create_circle(
            ACME, name="climbing", description="x", channel=None, created_by="zoe", at=NOW
        )
        is None
    )
    assert (
        await store.create_circle(
            OTHER, name="climbing", description="", channel=None, created_by="zoe", at=NOW
        )
        is not None
    )
    assert await store.join(ACME, climbing.id, "zoe")
    assert not await store.join(ACME, climbing.id, "zoe")
    assert not await store.join(OTHER, climbing.id, "li"), "another workspace's circle"
    found = await store.circle(ACME, "climbing")
    assert found is not None
    assert found.members == ("kai", "zoe")
    assert await store.leave(ACME, climbing.id, "kai")
    assert await store.remove_circle(ACME, climbing.id)
    assert await store.circles(ACME) == []


async def test_a_pulse_counts_each_member_once_even_answering_at_once(
    ready: Storage, other_storage: Storage
) -> None:
    store = ready.community
    pulse = await store.open_pulse(
        ACME,
        question="How was your week?",
        created_by="bob",
        at=NOW,
        closes_at=NOW + timedelta(days=3),
    )
    twice = await asyncio.gather(
        store.answer(ACME, pulse.id, "kai", "4"),
        other_storage.community.answer(ACME, pulse.id, "kai", "5"),
    )
    assert sorted(twice) == [False, True]
    assert await store.answer(ACME, pulse.id, "zoe", "4")
    assert not await store.answer(OTHER, pulse.id, "li", "4"), "another workspace's pulse"
    counted = await store.pulse(ACME, pulse.id)
    assert counted is not None
    assert counted.answers == 2
    assert sum(counted.counts.values()) == 2
    assert await store.answered(ACME, pulse.id) == {"kai", "zoe"}
    assert await store.workspaces_polling() == [ACME]
    assert await store.close(ACME, pulse.id)
    assert not await store.close(ACME, pulse.id)
    assert not await store.answer(ACME, pulse.id, "li", "3"), "closed"
    assert await store.workspaces_polling() == []


async def test_questions_are_kept_with_their_day_only(ready: Storage) -> None:
    first = await ready.community.ask(ACME, "Why?", day=date(2026, 12, 1))
    second = await ready.community.ask(ACME, "How?", day=date(2026, 12, 1))
    assert second > first
    async with ready.engine.connect() as connection:
        columns = await connection.run_sync(
            lambda sync: [c["name"] for c in inspect(sync).get_columns("community_questions")]
        )
    assert sorted(columns) == ["asked_on", "id", "platform", "text", "workspace_id"]
