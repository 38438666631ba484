"""`SqlRitualStore` keeps the contract of `RitualStore`, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.chat import Platform, Workspace, WorkspaceRef
from bot.rituals.domain import Draft, Kind, State
from bot.rituals.records import Entry, EntryKind, Person, Turn, TurnStatus
from storage import Storage

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
ACME = WorkspaceRef(Platform.SLACK, "T-ACME")
OTHER = WorkspaceRef(Platform.SLACK, "T-OTHER")


@pytest.fixture
async def ready(storage: Storage) -> Storage:
    for ref in (ACME, OTHER):
        await storage.roster.save_workspace(Workspace(ref=ref, name=ref.workspace_id))
    return storage


def draft(workspace: WorkspaceRef = ACME, **changes: object) -> Draft:
    base = Draft(
        workspace=workspace,
        kind=Kind.WATERCOOLER,
        schedule="every monday 16:00",
        timezone="Europe/Paris",
        channel="team",
        created_by="U1",
        created_at=NOW,
        options={"grace": "2h"},
    )
    return replace(base, **changes)  # type: ignore[arg-type]


async def test_a_ritual_is_stored_and_read_back_whole(ready: Storage) -> None:
    added = await ready.rituals.add(draft())

    assert added.id > 0
    assert added.state is State.ACTIVE
    assert added.active_since == NOW
    assert await ready.rituals.get(ACME, added.id) == added
    assert added.options == {"grace": "2h"}


async def test_a_workspace_never_sees_another_ones_rituals(ready: Storage) -> None:
    mine = await ready.rituals.add(draft())
    theirs = await ready.rituals.add(draft(OTHER))

    assert await ready.rituals.get(OTHER, mine.id) is None
    assert [r.id for r in await ready.rituals.of_workspace(ACME)] == [mine.id]
    assert [r.id for r in await ready.rituals.of_workspace(OTHER)] == [theirs.id]
    assert await ready.rituals.remove(OTHER, mine.id) is False


async def test_the_job_source_reads_every_active_ritual_of_every_workspace(
    ready: Storage,
) -> None:
    one = await ready.rituals.add(draft())
    paused = await ready.rituals.add(draft())
    other = await ready.rituals.add(draft(OTHER))
    await ready.rituals.save(replace(paused, state=State.PAUSED))

    assert [r.id for r in await ready.rituals.active()] == [one.id, other.id]


async def test_saving_changes_schedule_zone_channel_state_options_and_since(
    ready: Storage,
) -> None:
    ritual = await ready.rituals.add(draft())
    later = NOW + timedelta(days=3)
    changed = replace(
        ritual,
        schedule="weekdays 09:30",
        timezone="America/New_York",
        channel="random",
        state=State.PAUSED,
        options={"grace": "30m"},
        active_since=later,
    )

    await ready.rituals.save(changed)

    assert await ready.rituals.get(ACME, ritual.id) == changed


async def test_removing_a_ritual_removes_its_turns_and_entries(ready: Storage) -> None:
    ritual = await ready.rituals.add(draft(kind=Kind.SPOTLIGHT))
    await ready.rituals.record_turn(ritual.id, Turn(NOW, "U2", TurnStatus.PICKED))
    await ready.rituals.put_entry(
        ACME, Entry(EntryKind.RSVP, "U2", "yes", NOW, ritual_id=ritual.id, occasion=NOW)
    )

    assert await ready.rituals.remove(ACME, ritual.id) is True

    assert await ready.rituals.get(ACME, ritual.id) is None
    assert await ready.rituals.turns(ritual.id) == []
    assert await ready.rituals.entries(ACME, EntryKind.RSVP, ritual_id=ritual.id) == []


async def test_ritual_ids_are_never_reused(ready: Storage) -> None:
    first = await ready.rituals.add(draft())
    await ready.rituals.remove(ACME, first.id)

    second = await ready.rituals.add(draft())

    assert second.id > first.id


async def test_a_turn_is_one_per_slot_and_person_and_its_status_moves_on(
    ready: Storage,
) -> None:
    ritual = await ready.rituals.add(draft(kind=Kind.SPOTLIGHT))
    friday = NOW + timedelta(days=3)
    await ready.rituals.record_turn(ritual.id, Turn(friday, "U2", TurnStatus.PICKED))
    await ready.rituals.record_turn(ritual.id, Turn(NOW, "U3", TurnStatus.SPOKE))
    await ready.rituals.record_turn(ritual.id, Turn(friday, "U2", TurnStatus.SWAPPED))
    await ready.rituals.record_turn(ritual.id, Turn(friday, "U4", TurnStatus.PICKED))

    assert await ready.rituals.turns(ritual.id) == [
        Turn(NOW, "U3", TurnStatus.SPOKE),
        Turn(friday, "U2", TurnStatus.SWAPPED),
        Turn(friday, "U4", TurnStatus.PICKED),
    ]


async def test_asked_questions_are_remembered_per_workspace_until_a_fresh_cycle(
    ready: Storage,
) -> None:
    await ready.rituals.mark_asked(ACME, "watercooler", ["w01", "w02"], at=NOW, fresh_cycle=False)
    await ready.rituals.mark_asked(ACME, "watercooler", ["w02"], at=NOW, fresh_cycle=False)
    await ready.rituals.mark_asked(OTHER, "watercooler", ["w03"], at=NOW, fresh_cycle=False)
    assert await ready.rituals.asked(ACME, "watercooler") == {"w01", "w02"}
    assert await ready.rituals.asked(ACME, "spotlight") == set()

    await ready.rituals.mark_asked(ACME, "watercooler", ["w09"], at=NOW, fresh_cycle=True)

    assert await ready.rituals.asked(ACME, "watercooler") == {"w09"}
    assert await ready.rituals.asked(OTHER, "watercooler") == {"w03"}


async def test_questions_admins_add_belong_to_their_workspace_and_bank(ready: Storage) -> None:
    added = await ready.rituals.add_question(ACME, "watercooler", "Cats or dogs?", by="U1", at=NOW)
    await ready.rituals.add_question(ACME, "spotlight", "Your hero?", by="U1", at=NOW)

    assert await ready.rituals.questions(ACME, "watercooler") == [added]
    assert added.text("en") == "Cats or dogs?"
    assert await ready.rituals.questions(OTHER, "watercooler") == []


async def test_an_answer_is_one_per_member_and_occasion_and_wins_pile_up(
    ready: Storage,
) -> None:
    ritual = await ready.rituals.add(draft(kind=Kind.GATHERING))
    event = NOW + timedelta(days=30)
    other_event = event + timedelta(days=180)
    for value in ("maybe", "yes"):
        await ready.rituals.put_entry(
            ACME, Entry(EntryKind.RSVP, "U2", value, NOW, ritual_id=ritual.id, occasion=event)
        )
    await ready.rituals.put_entry(
        ACME, Entry(EntryKind.RSVP, "U2", "no", NOW, ritual_id=ritual.id, occasion=other_event)
    )
    for text in ("shipped v2", "closed 40 tickets"):
        await ready.rituals.put_entry(ACME, Entry(EntryKind.WIN, "U3", text, NOW))
    await ready.rituals.put_entry(
        OTHER, Entry(EntryKind.WIN, "U9", "theirs", NOW + timedelta(hours=1))
    )

    rsvps = await ready.rituals.entries(ACME, EntryKind.RSVP, ritual_id=ritual.id, occasion=event)
    wins = await ready.rituals.entries(
        ACME, EntryKind.WIN, since=NOW, until=NOW + timedelta(days=1)
    )

    assert [(e.user_id, e.value) for e in rsvps] == [("U2", "yes")]
    assert [e.value for e in wins] == ["shipped v2", "closed 40 tickets"]
    assert await ready.rituals.entries(ACME, EntryKind.WIN, since=NOW + timedelta(minutes=1)) == []


async def test_what_people_share_is_upserted_and_read_per_workspace(ready: Storage) -> None:
    assert await ready.rituals.person(ACME.member("U2")) == Person("U2")
    await ready.rituals.save_person(ACME, Person("U2", birthday="03-14"))
    await ready.rituals.save_person(
        ACME, Person("U2", "03-14", date(2021, 6, 1), date(2027, 1, 10))
    )
    await ready.rituals.save_person(OTHER, Person("U2", birthday="01-01"))

    assert await ready.rituals.person(ACME.member("U2")) == Person(
        "U2", "03-14", date(2021, 6, 1), date(2027, 1, 10)
    )
    assert [p.birthday for p in await ready.rituals.people(OTHER)] == ["01-01"]
