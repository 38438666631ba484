"""`SqlOnboardingStore` keeps the contract of `OnboardingStore`, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.chat import Platform, Workspace, WorkspaceRef
from bot.onboarding.domain import Answers, CustomStep
from storage import Storage

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
ACME = WorkspaceRef(Platform.SLACK, "T-ACME")
OTHER = WorkspaceRef(Platform.SLACK, "T-OTHER")


@pytest.fixture
async def ready(storage: Storage) -> Storage:
    for ref in (ACME, OTHER):
        await storage.roster.save_workspace(Workspace(ref=ref, name=ref.workspace_id))
    return storage


async def test_a_member_starts_one_journey_and_a_second_start_changes_nothing(
    ready: Storage,
) -> None:
    store = ready.onboarding
    assert await store.start(ACME, "U1", at=NOW, channel="C-WELCOME")
    assert not await store.start(ACME, "U1", at=NOW + timedelta(days=3), channel=None)
    journey = await store.journey(ACME, "U1")
    assert journey is not None
    assert (journey.started_at, journey.channel, journey.active) == (NOW, "C-WELCOME", True)
    assert await store.journey(OTHER, "U1") is None


async def test_ticks_count_once_and_can_be_taken_back(ready: Storage) -> None:
    store = ready.onboarding
    await store.start(ACME, "U1", at=NOW, channel=None)
    assert await store.tick(ACME, "U1", "platform.tools", at=NOW)
    assert not await store.tick(ACME, "U1", "platform.tools", at=NOW)
    assert await store.tick(ACME, "U1", "c3", at=NOW)
    journey = await store.journey(ACME, "U1")
    assert journey is not None
    assert journey.done == {"platform.tools", "c3"}
    assert await store.untick(ACME, "U1", "c3")
    assert not await store.untick(ACME, "U1", "c3")
    journey = await store.journey(ACME, "U1")
    assert journey is not None
    assert journey.done == {"platform.tools"}


async def test_answers_are_kept_whole_per_kind(ready: Storage) -> None:
    store = ready.onboarding
    await store.start(ACME, "U1", at=NOW, channel=None)
    intro = {"interests": "maps", "hobbies": "climbing", "photo": "", "about": "é ✓"}
    await store.answer(ACME, "U1", Answers.INTRO, intro, at=NOW)
    await store.answer(ACME, "U1", Answers.FEEDBACK, {"rating": "4"}, at=NOW)
    journey = await store.journey(ACME, "U1")
    assert journey is not None
    assert (dict(journey.intro), dict(journey.feedback)) == (intro, {"rating": "4"})


async def test_journeys_list_the_active_and_the_recently_ended_oldest_first(
    ready: Storage,
) -> None:
    store = ready.onboarding
    for day, user in enumerate(("U3", "U1", "U2", "U4")):
        await store.start(ACME, user, at=NOW + timedelta(days=day), channel=None)
    await store.start(OTHER, "U9", at=NOW, channel=None)
    await store.tick(ACME, "U1", "platform.tools", at=NOW)
    assert await store.end(ACME, "U2", at=NOW + timedelta(days=10), left=True)
    assert not await store.end(ACME, "U2", at=NOW + timedelta(days=11), left=False)
    assert await store.end(ACME, "U4", at=NOW + timedelta(days=2), left=False)
    listed = await store.journeys(ACME, since=NOW + timedelta(days=5))
    assert [j.user_id for j in listed] == ["U3", "U1", "U2"]
    assert [j.done for j in listed] == [frozenset(), {"platform.tools"}, frozenset()]
    assert listed[2].left_at == NOW + timedelta(days=10)
    assert listed[2].finished_at is None
    assert await store.workspaces_onboarding() == [ACME, OTHER]
    for user in ("U1", "U3"):
        await store.end(ACME, user, at=NOW, left=False)
    assert await store.workspaces_onboarding() == [OTHER]


async def test_program_changes_belong_to_their_workspace(ready: Storage) -> None:
    store = ready.onboarding
    first = await store.add_step(ACME, week=2, text="Read the handbook", hides=None, at=NOW)
    hidden = await store.add_step(ACME, week=1, text="", hides="platform.tools", at=NOW)
    await store.add_step(OTHER, week=3, text="Elsewhere", hides=None, at=NOW)
    assert await store.changes(ACME) == [
        CustomStep(first, 2, "Read the handbook"),
        CustomStep(hidden, 1, "", "platform.tools"),
    ]
    assert not await store.remove_step(OTHER, first)
    assert await store.remove_step(ACME, first)
    assert [c.id for c in await store.changes(ACME)] == [hidden]
    later = await store.add_step(ACME, week=2, text="Again", hides=None, at=NOW)
    assert later > first, "a removed step's id is never given again"
