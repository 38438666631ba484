from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import IntegrityError, StatementError

from bot.chat import Member, Platform, Role, Workspace, WorkspaceRef
from storage import Storage

NOW = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
ACME = WorkspaceRef(Platform.SLACK, "T1")


def member(user_id: str, name: str, *, workspace: WorkspaceRef = ACME, **fields: object) -> Member:
    return Member(ref=workspace.member(user_id), name=name, **fields)  # type: ignore[arg-type]


async def test_a_saved_workspace_reads_back_as_saved(storage: Storage) -> None:
    acme = Workspace(ACME, "Acme", locale="fr", timezone="Europe/Paris", settings={"a": "1"})

    await storage.roster.save_workspace(acme)

    assert await storage.roster.workspace(ACME) == acme


async def test_declaring_a_known_workspace_again_updates_it(storage: Storage) -> None:
    await storage.roster.save_workspace(Workspace(ACME, "Acme", settings={"a": "1"}))
    renamed = Workspace(ACME, "Acme Inc", locale="fr", timezone="Asia/Tokyo", settings={"b": "2"})

    await storage.roster.save_workspace(renamed)

    assert await storage.roster.workspace(ACME) == renamed


async def test_unknown_workspaces_and_members_are_none(storage: Storage) -> None:
    assert await storage.roster.workspace(ACME) is None
    assert await storage.roster.member(ACME.member("U1")) is None
    assert await storage.roster.find_member(ACME, "ana") is None
    assert await storage.roster.members(ACME) == []


async def test_a_saved_member_reads_back_with_every_field(storage: Storage) -> None:
    await storage.roster.save_workspace(Workspace(ACME, "Acme"))
    ana = member(
        "U1",
        "Ana",
        timezone="America/Lima",
        locale="es",
        role=Role.MANAGER,
        is_bot=False,
        joined_at=NOW - timedelta(days=30),
        opt_outs=frozenset({"pairing", "birthdays"}),
    )

    await storage.roster.save_member(ana)

    assert await storage.roster.member(ana.ref) == ana


async def test_declaring_a_known_member_again_updates_every_field(storage: Storage) -> None:
    await storage.roster.save_workspace(Workspace(ACME, "Acme"))
    await storage.roster.save_member(
        member("U1", "Ana", timezone="UTC", locale="en", opt_outs=frozenset({"pairing"}))
    )
    updated = member("U1", "Ana Lopez", role=Role.ADMIN, is_bot=True, left_at=NOW)

    await storage.roster.save_member(updated)

    assert await storage.roster.member(updated.ref) == updated


async def test_a_member_is_found_by_user_id_or_by_name_in_any_case(storage: Storage) -> None:
    await storage.roster.save_workspace(Workspace(ACME, "Acme"))
    ana = member("U1", "Ana Lopez")
    await storage.roster.save_member(ana)

    assert await storage.roster.find_member(ACME, "U1") == ana
    assert await storage.roster.find_member(ACME, "ana lopez") == ana
    assert await storage.roster.find_member(ACME, "ANA LOPEZ") == ana
    assert await storage.roster.find_member(ACME, "u1") is None
    assert await storage.roster.find_member(ACME, "Ana") is None


async def test_a_user_id_match_wins_over_a_member_named_like_it(storage: Storage) -> None:
    await storage.roster.save_workspace(Workspace(ACME, "Acme"))
    await storage.roster.save_member(member("A", "bob"))
    bob = member("bob", "Robert")
    await storage.roster.save_member(bob)

    assert await storage.roster.find_member(ACME, "bob") == bob


async def test_an_active_member_wins_over_a_namesake_who_left(storage: Storage) -> None:
    await storage.roster.save_workspace(Workspace(ACME, "Acme"))
    await storage.roster.save_member(member("U1", "Sam", left_at=NOW))
    active = member("U2", "sam")
    await storage.roster.save_member(active)

    assert await storage.roster.find_member(ACME, "SAM") == active


async def test_a_member_who_left_is_still_listed_with_the_time_they_left(storage: Storage) -> None:
    await storage.roster.save_workspace(Workspace(ACME, "Acme"))
    ana = member("U1", "Ana")
    await storage.roster.save_member(ana)

    await storage.roster.member_left(ana.ref, NOW)

    gone = await storage.roster.member(ana.ref)
    assert gone is not None
    assert not gone.active
    assert gone.left_at == NOW
    assert await storage.roster.members(ACME) == [gone]


async def test_members_are_listed_by_name_whatever_its_case(storage: Storage) -> None:
    await storage.roster.save_workspace(Workspace(ACME, "Acme"))
    for user_id, name in [("U1", "carla"), ("U2", "Bea"), ("U3", "al"), ("U4", "Zoe")]:
        await storage.roster.save_member(member(user_id, name))

    names = [m.name for m in await storage.roster.members(ACME)]

    assert names == ["al", "Bea", "carla", "Zoe"]


async def test_one_workspace_never_sees_another_workspaces_members(storage: Storage) -> None:
    # Same workspace id on another platform, and another workspace on the same one.
    twin = WorkspaceRef(Platform.DISCORD, "T1")
    other = WorkspaceRef(Platform.SLACK, "T2")
    for ref in (ACME, twin, other):
        await storage.roster.save_workspace(Workspace(ref, ref.workspace_id))
    ana = member("U1", "Ana")
    await storage.roster.save_member(ana)

    for ref in (twin, other):
        assert await storage.roster.member(ref.member("U1")) is None
        assert await storage.roster.find_member(ref, "Ana") is None
        assert await storage.roster.find_member(ref, "U1") is None
        assert await storage.roster.members(ref) == []
        await storage.roster.member_left(ref.member("U1"), NOW)
    assert await storage.roster.member(ana.ref) == ana


async def test_a_member_of_an_undeclared_workspace_is_refused(storage: Storage) -> None:
    with pytest.raises(IntegrityError):
        await storage.roster.save_member(member("U1", "Ana"))


async def test_times_come_back_in_utc_whatever_zone_they_were_given_in(storage: Storage) -> None:
    await storage.roster.save_workspace(Workspace(ACME, "Acme"))
    paris = timezone(timedelta(hours=1))
    await storage.roster.save_member(
        member("U1", "Ana", joined_at=datetime(2025, 1, 6, 10, 0, 0, 123456, tzinfo=paris))
    )

    ana = await storage.roster.member(ACME.member("U1"))

    assert ana is not None
    assert ana.joined_at == datetime(2025, 1, 6, 9, 0, 0, 123456, tzinfo=UTC)
    assert ana.joined_at.tzinfo is UTC


async def test_a_time_without_a_zone_is_refused(storage: Storage) -> None:
    await storage.roster.save_workspace(Workspace(ACME, "Acme"))

    with pytest.raises(StatementError, match="naive datetime"):
        await storage.roster.save_member(member("U1", "Ana", joined_at=datetime(2025, 1, 6)))
